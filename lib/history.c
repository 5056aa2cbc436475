/* history.c: Communication Log answers read tolerantly (wrapper keys, itemId as a number or a string). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "callstate.h"
#include "coremsg.h"
#include "history.h"
#include "xmalloc.h"

/*
 * An item is {".CallDTO": {...}}: one member, an object, whose key starts
 * with a dot. Anything else with an itemId is taken as a bare item.
 */
static struct json_object *
history_unwrap(struct json_object *e, const char **kind)
{
	*kind = "";
	if (!json_object_is_type(e, json_type_object))
		return NULL;
	if (model_get(e, "itemId") != NULL)
		return e;
	if (json_object_object_length(e) == 1) {
		json_object_object_foreach(e, key, val) {
			if (json_object_is_type(val, json_type_object)) {
				*kind = key[0] == '.' ? key + 1 : key;
				return val;
			}
		}
	}
	return NULL;
}

int
history_parse(const char *text, size_t len, struct history_list *out,
    char *err, size_t errlen)
{
	struct json_object	*o, *arr, *e, *it, *rp;
	struct history_item	*h;
	const char		*kind, *start;
	size_t			 i, n;
	time_t			 t;

	memset(out, 0, sizeof(*out));
	if ((o = model_json_parse(text, len, err, errlen)) == NULL)
		return -1;
	arr = json_object_is_type(o, json_type_array) ? o :
	    model_get(o, "historyItems");
	if (arr == NULL && json_object_is_type(o, json_type_object) &&
	    json_object_object_length(o) == 0) {
		json_object_put(o);	/* {}: nothing */
		return 0;
	}
	if (!json_object_is_type(arr, json_type_array)) {
		snprintf(err, errlen, "history: no historyItems list");
		json_object_put(o);
		return -1;
	}
	n = json_object_array_length(arr);
	out->v = xcalloc(n > 0 ? n : 1, sizeof(*out->v));
	for (i = 0; i < n; i++) {
		e = json_object_array_get_idx(arr, i);
		if ((it = history_unwrap(e, &kind)) == NULL ||
		    model_int(it, "itemId") <= 0)
			continue;
		h = &out->v[out->n++];
		h->id = model_int(it, "itemId");
		h->kind = xstrdup(kind);
		h->type = xstrdup(model_str(it, "itemType"));
		start = model_str(it, "startTime");
		h->start = *start != '\0' && (t = iso8601_parse(start)) > 0 ? t : 0;
		rp = model_get(it, "remoteParty");
		h->number = xstrdup(model_str(rp, "number"));
		h->name = xstrdup(model_str(rp, "displayName"));
		h->inbox = xstrdup(model_str(it, "inboxName"));
		h->seen = model_bool(it, "isSeen");
		h->played = model_bool(it, "isPlayed");
		h->duration = model_uint(it, "duration");
		if (h->id > out->newest)
			out->newest = h->id;
	}
	json_object_put(o);
	return 0;
}

void
history_free(struct history_list *l)
{
	size_t	i;

	for (i = 0; i < l->n; i++) {
		free(l->v[i].kind);
		free(l->v[i].type);
		free(l->v[i].number);
		free(l->v[i].name);
		free(l->v[i].inbox);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static const char *const history_types[] = {
	"OUTGOING_CALL", "MISSED_CALL", "INCOMING_CALL", "VOICEMAIL",
	"RECORDING", "FAX", NULL
};

int
history_type_valid(const char *s)
{
	const char *const	*t;

	for (t = history_types; *t != NULL; t++)
		if (strcmp(*t, s) == 0)
			return 1;
	return 0;
}

struct json_object *
history_item_json(const struct history_item *h)
{
	struct json_object	*o = json_object_new_object();
	char			 when[32];

	if (h->start == 0 || iso8601_format(h->start, when, sizeof(when)) == -1)
		when[0] = '\0';
	json_object_object_add(o, "itemId", json_object_new_int64(h->id));
	json_object_object_add(o, "itemType", json_object_new_string(h->type));
	json_object_object_add(o, "kind", json_object_new_string(h->kind));
	json_object_object_add(o, "startTime", json_object_new_string(when));
	json_object_object_add(o, "start", json_object_new_int64((int64_t)h->start));
	json_object_object_add(o, "number", json_object_new_string(h->number));
	json_object_object_add(o, "name", json_object_new_string(h->name));
	json_object_object_add(o, "seen", json_object_new_boolean(h->seen));
	json_object_object_add(o, "played", json_object_new_boolean(h->played));
	json_object_object_add(o, "duration", json_object_new_int64(h->duration));
	if (*h->inbox != '\0')
		json_object_object_add(o, "inboxName",
		    json_object_new_string(h->inbox));
	return o;
}
