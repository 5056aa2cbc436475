/* queue-stats-json.c: the JSON queue statistics object, for tests (see the header). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "callstate.h"
#include "queue-stats-json.h"
#include "xmalloc.h"

static void
stats_presence(struct queue_info *q, struct json_object *arr)
{
	struct json_object	*e;
	size_t			 i, n;

	if (!json_object_is_type(arr, json_type_array))
		return;
	n = json_object_array_length(arr);
	q->presence = xcalloc(n, sizeof(*q->presence));
	for (i = 0; i < n; i++) {
		e = json_object_array_get_idx(arr, i);
		q->presence[q->npresence].name = xstrdup(model_str(e, "name"));
		q->presence[q->npresence++].count = model_uint(e, "count");
	}
}

int
queue_stats_parse_json(const char *text, size_t len, struct queue_list *out,
    char *err, size_t errlen)
{
	struct json_object	*o, *arr = NULL, *e, *v;
	struct queue_info	*q;
	size_t			 i, n;

	memset(out, 0, sizeof(*out));
	if ((o = model_json_parse(text, len, err, errlen)) == NULL)
		return -1;
	if (json_object_is_type(o, json_type_array))
		arr = o;
	else if (json_object_object_get_ex(o, "queue", &v))
		arr = json_object_is_type(v, json_type_array) ? v : NULL;
	else if (json_object_is_type(o, json_type_object) &&
	    json_object_object_get_ex(o, "id", NULL)) {
		arr = json_object_new_array();	/* one queue object */
		json_object_array_add(arr, json_object_get(o));
		json_object_put(o);
		o = arr;
	}
	if (arr == NULL) {
		snprintf(err, errlen, "queue statistics: no list of queues");
		json_object_put(o);
		return -1;
	}
	n = json_object_array_length(arr);
	out->v = xcalloc(n, sizeof(*out->v));
	for (i = 0; i < n; i++) {
		e = json_object_array_get_idx(arr, i);
		if (!json_object_is_type(e, json_type_object) ||
		    !json_object_object_get_ex(e, "id", NULL))
			continue;
		q = &out->v[out->n++];
		q->id = model_int(e, "id");
		q->domain = xstrdup(model_str(e, "domain"));
		q->name = xstrdup(model_str(e, "name"));
		q->type = xstrdup(model_str(e, "type"));
		q->number = xstrdup(model_str(e, "number"));
		q->logged_in = model_bool(e, "loggedIn");
		q->night_mode = model_bool(e, "nightMode");
		q->logged_in_agents = model_uint(e, "loggedInAgents");
		q->free_agents = model_uint(e, "availableAgents");
		q->calls_waiting = model_uint(e, "queueLength");
		q->longest_waiting = model_uint(e, "longestWaiting");
		q->average_wait = model_uint(e, "averageWait");
		q->last_wait = model_uint(e, "lastWait");
		q->answered_24h = model_uint(e, "answeredCallsLast24h");
		q->dropped_24h = model_uint(e, "droppedCallsLast24h");
		q->total_24h = model_uint(e, "totalCallsLast24h");
		if (json_object_object_get_ex(e, "current-agent-presence", &v))
			stats_presence(q, v);
	}
	json_object_put(o);
	return 0;
}
