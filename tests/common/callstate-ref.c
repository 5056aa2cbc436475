/*
 * callstate-ref.c: the normalised CallState built the slow way, a json-c
 * tree printed: the reference lib/callstate.c's direct writer must equal
 * byte for byte (test-model, fuzz-callstate). Not in the product.
 */
#include "config.h"

#include <string.h>

#include <json-c/json.h>

#include "callstate-ref.h"
#include "callstate.h"
#include "loose.h"
#include "xmalloc.h"

#define NORM_FLAGS	(JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

static void
json_array_add_string(void *out, const char *s)
{
	json_object_array_add(out, json_object_new_string(s));
}

/*
 * deviceIds as a json-c array. This and model_actions() build the trees of
 * call_state_json_reference(); the direct path (strv_from(),
 * actions_collect()) must print the same.
 */
static struct json_object *
model_string_array(struct json_object *v)
{
	struct json_object	*out = json_object_new_array();

	model_strings_flatten(v, json_array_add_string, out);
	return out;
}

/* actions: objects, bare action names, or one loose string of them. */
static struct json_object *
model_actions(struct json_object *v)
{
	struct json_object	*out = json_object_new_array(), *parsed = NULL;
	struct json_object	*e, *a, *d;
	size_t			 i;

	if (json_object_is_type(v, json_type_string)) {
		parsed = loose_parse(json_object_get_string(v),
		    (size_t)json_object_get_string_len(v));
		v = parsed;
	}
	if (!json_object_is_type(v, json_type_array)) {
		json_object_put(parsed);
		return out;
	}
	for (i = 0; i < json_object_array_length(v); i++) {
		e = json_object_array_get_idx(v, i);
		a = json_object_new_object();
		/* An action without a name is none, in either form. */
		if (json_object_is_type(e, json_type_string) &&
		    *json_object_get_string(e) != '\0')
			json_object_object_add(a, "action",
			    json_object_new_string(json_object_get_string(e)));
		else if (json_object_is_type(e, json_type_object) &&
		    *model_str(e, "action") != '\0') {
			json_object_object_foreach(e, key, val) {
				if (strcmp(key, "action") == 0 ||
				    strcmp(key, "deviceIds") == 0)
					continue;
				json_object_object_add(a, key, json_object_get(val));
			}
			json_object_object_add(a, "action",
			    json_object_new_string(model_str(e, "action")));
			if ((d = model_get(e, "deviceIds")) != NULL)
				json_object_object_add(a, "deviceIds",
				    model_string_array(d));
		} else {
			json_object_put(a);
			continue;
		}
		json_object_array_add(out, a);
	}
	json_object_put(parsed);
	return out;
}

#define SET(key, val)	json_object_object_add(norm, key, val)

char *
call_state_json_reference(struct json_object *src)
{
	struct json_object	*norm, *v;
	char			*s;

	norm = json_object_new_object();
	json_object_object_foreach(src, key, val)
		json_object_object_add(norm, key, json_object_get(val));
	SET("stateToken", json_object_new_int64(model_int(src, "stateToken")));
	SET("callId", json_object_new_string(model_str(src, "callId")));
	v = model_get(src, "remoteParty");
	if (!json_object_is_type(v, json_type_object))
		SET("remoteParty", json_object_new_object());
	v = model_get(src, "participants");
	if (!json_object_is_type(v, json_type_array))
		SET("participants", json_object_new_array());
#define BOOL(key) SET(key, json_object_new_boolean(model_bool(src, key)))
#define UINT(key) SET(key, json_object_new_int64(model_uint(src, key)))
#define STR(key) SET(key, json_object_new_string(model_str(src, key)))
	BOOL("conference");
	STR("conferenceId");
	BOOL("inbound");
	BOOL("intruded");
	STR("status");
	STR("event");
	STR("eventDescription");
	BOOL("muted");
	UINT("duration");
	BOOL("recordable");
	BOOL("recording");
	UINT("recordingDuration");
	BOOL("externalRecording");
	UINT("externalRecordingDuration");
	BOOL("externalRecordingPaused");
	STR("correlationId");
#undef BOOL
#undef UINT
#undef STR
	SET("deviceIds", model_string_array(model_get(src, "deviceIds")));
	SET("actions", model_actions(model_get(src, "actions")));
	s = xstrdup(json_object_to_json_string_ext(norm, NORM_FLAGS));
	json_object_put(norm);
	return s;
}
#undef SET
