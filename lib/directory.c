/* directory.c: devices and groups (the statistics stream is XML: xml.c). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "callstate.h"
#include "directory.h"
#include "xmalloc.h"

/* The array at key in an object, or the document itself if it is one. */
static struct json_object *
dir_array(struct json_object *o, const char *key, const char *alt)
{
	struct json_object	*v;

	if (json_object_is_type(o, json_type_array))
		return o;
	if (json_object_object_get_ex(o, key, &v) ||
	    (alt != NULL && json_object_object_get_ex(o, alt, &v)))
		return json_object_is_type(v, json_type_array) ? v : NULL;
	return NULL;
}

int
devices_parse(const char *text, size_t len, struct device_list *out,
    char *err, size_t errlen)
{
	struct json_object	*o, *arr, *e;
	size_t			 i, n;

	memset(out, 0, sizeof(*out));
	if ((o = model_json_parse(text, len, err, errlen)) == NULL)
		return -1;
	if ((arr = dir_array(o, "device", "devices")) == NULL) {
		/* The Core sends {} when the user has no devices. */
		if (json_object_is_type(o, json_type_object) &&
		    json_object_object_length(o) == 0) {
			json_object_put(o);
			return 0;
		}
		snprintf(err, errlen, "devices: not a list of devices");
		json_object_put(o);
		return -1;
	}
	n = json_object_array_length(arr);
	out->v = xcalloc(n, sizeof(*out->v));
	for (i = 0; i < n; i++) {
		e = json_object_array_get_idx(arr, i);
		if (*model_str(e, "deviceId") == '\0')
			continue;
		out->v[out->n].id = xstrdup(model_str(e, "deviceId"));
		out->v[out->n].type = xstrdup(model_str(e, "deviceType"));
		out->v[out->n].name = xstrdup(model_str(e, "deviceName"));
		out->v[out->n++].status = xstrdup(model_str(e, "deviceStatus"));
	}
	json_object_put(o);
	return 0;
}

void
devices_free(struct device_list *l)
{
	size_t	i;

	for (i = 0; i < l->n; i++) {
		free(l->v[i].id);
		free(l->v[i].type);
		free(l->v[i].name);
		free(l->v[i].status);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}

int
devices_equal(const struct device_list *a, const struct device_list *b)
{
	size_t	i;

	if (a->n != b->n)
		return 0;
	for (i = 0; i < a->n; i++)
		if (strcmp(a->v[i].id, b->v[i].id) != 0 ||
		    strcmp(a->v[i].type, b->v[i].type) != 0 ||
		    strcmp(a->v[i].name, b->v[i].name) != 0 ||
		    strcmp(a->v[i].status, b->v[i].status) != 0)
			return 0;
	return 1;
}

int
groups_parse(const char *text, size_t len, struct queue_list *out,
    char *err, size_t errlen)
{
	struct json_object	*o, *arr, *e, *stat;
	struct queue_info	*q;
	size_t			 i, n;

	memset(out, 0, sizeof(*out));
	if ((o = model_json_parse(text, len, err, errlen)) == NULL)
		return -1;
	if ((arr = dir_array(o, "group", "groups")) == NULL) {
		snprintf(err, errlen, "groups: no list of groups");
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
		q->free_agents = model_uint(e, "freeAgents");
		q->calls_waiting = model_uint(e, "callsWaiting");
		/* The older groups API nests these under statistic. */
		if (json_object_object_get_ex(e, "statistic", &stat)) {
			q->logged_in_agents = model_uint(stat,
			    "numberOfLoggedInAgents");
			q->free_agents = model_uint(stat, "numberOfFreeAgents");
			q->calls_waiting = model_uint(stat,
			    "numberOfCallsInQueue");
		}
	}
	json_object_put(o);
	return 0;
}

void
queue_info_clear(struct queue_info *q)
{
	size_t	i;

	free(q->domain);
	free(q->name);
	free(q->type);
	free(q->number);
	for (i = 0; i < q->npresence; i++)
		free(q->presence[i].name);
	free(q->presence);
	memset(q, 0, sizeof(*q));
}

void
queue_info_copy(struct queue_info *dst, const struct queue_info *src)
{
	size_t	i;

	*dst = *src;
	dst->domain = xstrdup(src->domain);
	dst->name = xstrdup(src->name);
	dst->type = xstrdup(src->type);
	dst->number = xstrdup(src->number);
	dst->presence = xcalloc(src->npresence, sizeof(*dst->presence));
	for (i = 0; i < src->npresence; i++) {
		dst->presence[i].name = xstrdup(src->presence[i].name);
		dst->presence[i].count = src->presence[i].count;
	}
}

void
queue_list_free(struct queue_list *l)
{
	size_t	i;

	for (i = 0; i < l->n; i++)
		queue_info_clear(&l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

uint32_t
queue_info_diff(const struct queue_info *a, const struct queue_info *b)
{
	uint32_t	d = 0;

#define NE_S(f, bit)	if (strcmp(a->f, b->f) != 0) d |= bit
#define NE(f, bit)	if (a->f != b->f) d |= bit
	NE_S(domain, QUEUE_PROP_DOMAIN);
	NE_S(name, QUEUE_PROP_NAME);
	NE_S(type, QUEUE_PROP_TYPE);
	NE(logged_in, QUEUE_PROP_LOGGED_IN);
	NE(night_mode, QUEUE_PROP_NIGHT_MODE);
	NE(logged_in_agents, QUEUE_PROP_LOGGED_IN_AGENTS);
	NE(free_agents, QUEUE_PROP_FREE_AGENTS);
	NE(calls_waiting, QUEUE_PROP_CALLS_WAITING);
	NE(longest_waiting, QUEUE_PROP_LONGEST_WAITING);
	NE(average_wait, QUEUE_PROP_AVERAGE_WAIT);
	NE(last_wait, QUEUE_PROP_LAST_WAIT);
	NE(answered_24h, QUEUE_PROP_ANSWERED_24H);
	NE(dropped_24h, QUEUE_PROP_DROPPED_24H);
	NE(total_24h, QUEUE_PROP_TOTAL_24H);
#undef NE
#undef NE_S
	return d;
}

uint32_t
queue_info_apply_stats(struct queue_info *g, const struct queue_info *s)
{
	uint32_t	d = 0;
	size_t		i;

#define TAKE(f, bit)	if (g->f != s->f) { g->f = s->f; d |= bit; }
	TAKE(logged_in_agents, QUEUE_PROP_LOGGED_IN_AGENTS);
	TAKE(free_agents, QUEUE_PROP_FREE_AGENTS);
	TAKE(calls_waiting, QUEUE_PROP_CALLS_WAITING);
	TAKE(longest_waiting, QUEUE_PROP_LONGEST_WAITING);
	TAKE(average_wait, QUEUE_PROP_AVERAGE_WAIT);
	TAKE(last_wait, QUEUE_PROP_LAST_WAIT);
	TAKE(answered_24h, QUEUE_PROP_ANSWERED_24H);
	TAKE(dropped_24h, QUEUE_PROP_DROPPED_24H);
	TAKE(total_24h, QUEUE_PROP_TOTAL_24H);
#undef TAKE
	if (*g->name == '\0' && *s->name != '\0') {
		free(g->name);
		g->name = xstrdup(s->name);
		d |= QUEUE_PROP_NAME;
	}
	for (i = 0; i < g->npresence; i++)
		free(g->presence[i].name);
	free(g->presence);
	g->presence = xcalloc(s->npresence, sizeof(*g->presence));
	g->npresence = s->npresence;
	for (i = 0; i < s->npresence; i++) {
		g->presence[i].name = xstrdup(s->presence[i].name);
		g->presence[i].count = s->presence[i].count;
	}
	return d;
}
