/* test-model.c: the reference's example documents through every parser. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "callstate-ref.h"
#include "callstate.h"
#include "coremsg.h"
#include "directory.h"
#include "loose.h"
#include "queue-stats-json.h"
#include "secret.h"
#include "tap.h"
#include "utf8.h"
#include "xmalloc.h"

static struct call_state *
load_call(const char *name)
{
	char			 err[256], *text;
	size_t			 len;
	struct call_state	*cs;

	text = tap_read_data(name, &len);
	cs = call_state_parse(text, len, err, sizeof(err));
	if (cs == NULL)
		printf("# %s: %s\n", name, err);
	free(text);
	return cs;
}

static struct call_state *
parse_call(const char *text)
{
	char	err[256];

	return call_state_parse(text, strlen(text), err, sizeof(err));
}

static int
json_has(const struct call_state *cs, const char *fragment)
{
	return strstr(call_state_json(cs), fragment) != NULL;
}

/* cs->json equals call_state_json_reference() of the same document. */
static int
same_as_reference(const char *text, size_t len, const struct call_state *cs)
{
	char			 err[256], *ref;
	struct json_object	*o = model_json_parse(text, len, err, sizeof(err));
	int			 same;

	ref = o != NULL ? call_state_json_reference(o) : NULL;
	same = ref != NULL && strcmp(ref, call_state_json(cs)) == 0;
	if (!same)
		printf("# writer:    %s\n# reference: %s\n", call_state_json(cs),
		    ref != NULL ? ref : "(none)");
	free(ref);
	json_object_put(o);
	return same;
}

/* The direct writer on documents the reference examples do not have. */
static void
writer_edge_cases(void)
{
	static const char *const docs[] = {
		"{\"callId\":\"a\"}",
		"{\"zz\":1,\"callId\":\"a\",\"stateToken\":\"42\",\"muted\":\"true\"}",
		"{\"callId\":\"a\\\"b\\\\c/d\\n\\t\\u0001\\u001f\\u007f\u00e9\"}",
		"{\"callId\":\"a\",\"k\\u0002\\\"\":null,\"x\":[1,2.5,\"s\",{\"y\":false}]}",
		"{\"callId\":7,\"remoteParty\":[],\"participants\":{},\"duration\":-3}",
		"{\"callId\":\"a\",\"remoteParty\":{\"displayName\":\"\\/x\"},"
		    "\"participants\":[1,{\"id\":\"p\"}]}",
		"{\"callId\":\"a\",\"deviceIds\":\"[+1, +2]\",\"actions\":"
		    "\"[{action: ANSWER, deviceIds: [+1]}, HOLD]\"}",
		"{\"callId\":\"a\",\"actions\":[{\"action\":\"X\",\"extra\":1,"
		    "\"deviceIds\":\"d\"},\"Y\",3]}",
		"{\"callId\":\"a\",\"duration\":1e3,\"recordingDuration\":99999999999,"
		    "\"stateToken\":1.5}",
		"{\"callId\":\"a\",\"callId\":\"b\",\"status\":\"RINGING\",\"status\":7}",
		"{\"callId\":\"a\",\"actions\":[\"A\\u0000B\",{\"action\":\"\"},"
		    "{\"deviceIds\":null,\"action\":5,\"z\":[1,{}]},[\"C\"],null]}",
		"{\"callId\":\"a\",\"deviceIds\":[[\"n\"],\"\",2.50,\"[x,[y]]\",\"[\",true,"
		    "\"\\u0000\"]}",
		"{\"callId\":\"a\",\"actions\":{\"action\":\"X\"},\"deviceIds\":{}}",
		"{\"callId\":\"a\",\"actions\":[\"\\u0000B\",\"\",{\"action\":\"\\u0000\"},\"Z\"]}",
		/* The integer writer: signs, zero, both ends of each range. */
		"{\"callId\":\"a\",\"stateToken\":-9223372036854775808,"
		    "\"duration\":4294967295,\"recordingDuration\":0}",
		"{\"callId\":\"a\",\"stateToken\":9223372036854775807,"
		    "\"externalRecordingDuration\":4294967296}",
		"{\"callId\":\"a\",\"stateToken\":-1,\"duration\":10}",
		"{\"callId\":\"a\",\"stateToken\":0}",
	};
	struct call_state	*cs, *again;
	size_t			 i;
	int			 bad = 0;

	for (i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		cs = parse_call(docs[i]);
		if (cs == NULL || !same_as_reference(docs[i], strlen(docs[i]), cs)) {
			printf("# doc %zu: %s\n", i, cs == NULL ? "refused" : "differs");
			bad++;
		} else {
			/* What was read equals what its normalised text reads as. */
			again = parse_call(call_state_json(cs));
			if (again == NULL || call_state_diff(cs, again) != 0) {
				printf("# doc %zu: reads back otherwise\n# %s\n", i,
				    call_state_json(cs));
				bad++;
			}
			call_state_free(again);
		}
		call_state_free(cs);
	}
	ok(bad == 0, "the direct writer equals the reference, and reads back "
	    "the same, on %zu edge cases",
	    sizeof(docs) / sizeof(docs[0]));
}

#define FFFD	"\xef\xbf\xbd"

/* Every string the call's parse emits is valid UTF-8 (utf8.h). */
static int
call_all_valid(const struct call_state *cs)
{
#define V(s)	if (!utf8_valid((s), strlen(s))) return 0
	size_t	i, j;

	V(cs->call_id); V(cs->remote.type); V(cs->remote.tel_uri);
	V(cs->remote.display_name); V(cs->remote.display_number);
	V(cs->conference_id); V(cs->status); V(cs->event);
	V(cs->event_description); V(cs->correlation_id); V(cs->json);
	for (i = 0; i < cs->nparticipants; i++) {
		V(cs->participants[i].id);
		V(cs->participants[i].party.display_name);
		V(cs->participants[i].party.display_number);
		V(cs->participants[i].party.tel_uri);
		V(cs->participants[i].party.type);
	}
	for (i = 0; i < cs->ndevice_ids; i++)
		V(cs->device_ids[i]);
	for (i = 0; i < cs->nactions; i++) {
		V(cs->actions[i].action);
		for (j = 0; j < cs->actions[i].ndevice_ids; j++)
			V(cs->actions[i].device_ids[j]);
	}
#undef V
	return 1;
}

/*
 * Text from the Core that is not valid UTF-8 (raw bytes, escapes json-c
 * turns into bytes sd-bus refuses) becomes U+FFFD at the parse, in every
 * field and in the normalised Json; valid text passes untouched.
 */
static void
utf8_texts(void)
{
	static const char doc[] =
	    "{\"callId\":\"c\xff\",\"stateToken\":5,\"status\":\"\\uffff\","
	    "\"remoteParty\":{\"displayName\":\"\xff\xfe\",\"displayNumber\":"
	    "\"\\udcff\",\"telUri\":\"tel:\xed\xb3\xbf\"},"
	    "\"participants\":[{\"id\":\"p\\ud800\","
	    "\"remoteParty\":{\"displayName\":\"\\ufdd0\xc3\"}}],"
	    "\"eventDescription\":\"J\xc3\xb6rg \xf0\x9f\x98\x80 \\u00e9\","
	    "\"correlationId\":\"\\ud800\\udc00\",\"event\":\"\\udbff\\udfff\","
	    "\"deviceIds\":[\"d\xe2\x82\"],\"actions\":[{\"action\":\"ANSWER\xf5\","
	    "\"deviceIds\":\"[d\xe2\x82]\",\"x\xff\":\"\\ufffe\"}],"
	    "\"k\xc0\xaf\":{\"n\":[\"\xef\xbf\xbf\",\"ok\"]},\"k\xc1\":1}";
	struct call_state	*cs, *again;
	struct user_state	*us, *tree;
	struct device_list	 d;
	struct queue_list	 q;
	struct hint		 h;
	struct json_object	*o;
	char			 err[256], *text, *msg;

	cs = call_state_parse(doc, sizeof(doc) - 1, err, sizeof(err));
	if (!ok(cs != NULL, "a CallState with invalid UTF-8 is read")) {
		printf("# %s\n", err);
		return;
	}
	is_str(cs->call_id, "c" FFFD, "callId: a raw \\xff is U+FFFD");
	is_str(cs->remote.display_name, FFFD FFFD, "displayName \\xff\\xfe: "
	    "two U+FFFD");
	is_str(cs->remote.display_number, FFFD, "\\udcff, a lone surrogate "
	    "escape: U+FFFD");
	is_str(cs->remote.tel_uri, "tel:" FFFD FFFD FFFD, "a surrogate in raw "
	    "CESU bytes: U+FFFD each");
	is_str(cs->status, FFFD, "\\uffff, a noncharacter sd-bus refuses: U+FFFD");
	is_str(cs->event, FFFD, "U+10FFFF as a surrogate pair escape: U+FFFD");
	ok(cs->nparticipants == 1 &&
	    strcmp(cs->participants[0].id, "p" FFFD) == 0 &&
	    strcmp(cs->participants[0].party.display_name, FFFD FFFD) == 0,
	    "participants: \\ud800, \\ufdd0 and a truncated byte are U+FFFD");
	is_str(cs->event_description, "J\xc3\xb6rg \xf0\x9f\x98\x80 \xc3\xa9",
	    "valid multibyte text passes untouched");
	is_str(cs->correlation_id, "\xf0\x90\x80\x80", "a valid surrogate pair "
	    "escape is its character");
	ok(cs->ndevice_ids == 1 && strcmp(cs->device_ids[0], "d" FFFD) == 0,
	    "deviceIds: a truncated sequence is U+FFFD");
	ok(cs->nactions == 1 && strcmp(cs->actions[0].action, "ANSWER" FFFD) == 0 &&
	    cs->actions[0].ndevice_ids == 1 &&
	    strcmp(cs->actions[0].device_ids[0], "d" FFFD) == 0,
	    "actions, and the loose deviceIds string inside one");
	ok(call_all_valid(cs), "every string the parse emits is valid UTF-8");
	ok(utf8_valid(cs->json, strlen(cs->json)), "the normalised Json is "
	    "valid UTF-8");
	ok(json_has(cs, "\"k" FFFD FFFD "\":{\"n\":[\"" FFFD "\",\"ok\"]}") &&
	    json_has(cs, "\"k" FFFD "\":1") &&
	    json_has(cs, "\"x" FFFD "\":\"" FFFD "\""),
	    "unknown keys and values are repaired in the Json, in their place");
	ok(same_as_reference(doc, sizeof(doc) - 1, cs), "the direct writer "
	    "equals the reference");
	again = parse_call(cs->json);
	ok(again != NULL && call_state_diff(cs, again) == 0, "the Json reads "
	    "back as the same state");
	call_state_free(again);
	call_state_free(cs);

	/* Both UserState parsers repair the same way. */
	text = xasprintf("{\"fullState\":true,\"calls\":[%s,{\"callId\":"
	    "\"b\\udcff\",\"remoteParty\":{\"displayName\":\"\xff\"}}]}", doc);
	us = user_state_parse(text, strlen(text), err, sizeof(err));
	tree = user_state_parse_tree(text, strlen(text), NULL, NULL, err,
	    sizeof(err));
	ok(us != NULL && tree != NULL && us->ncalls == 2 && tree->ncalls == 2 &&
	    strcmp(us->calls[1]->call_id, "b" FFFD) == 0 &&
	    strcmp(us->calls[1]->remote.display_name, FFFD) == 0 &&
	    call_all_valid(us->calls[0]) && call_all_valid(us->calls[1]) &&
	    strcmp(us->calls[0]->json, tree->calls[0]->json) == 0 &&
	    strcmp(us->calls[1]->json, tree->calls[1]->json) == 0,
	    "a UserState: the call-at-a-time and the whole-tree parse repair alike");
	user_state_free(us);
	user_state_free(tree);
	free(text);

	/* An embedded NUL still ends the string, as before. */
	cs = parse_call("{\"callId\":\"a\",\"remoteParty\":{\"displayName\":"
	    "\"x\\u0000\xff\"}}");
	ok(cs != NULL && strcmp(cs->remote.display_name, "x") == 0 &&
	    json_has(cs, "\"displayName\":\"x\\u0000" FFFD "\""),
	    "\\u0000 still ends the field; what follows is repaired in the Json");
	call_state_free(cs);

	text = xstrdup("[{\"deviceId\":\"d\xff\",\"deviceName\":\"Desk \xc3\","
	    "\"deviceType\":\"\\udcff\",\"deviceStatus\":\"ACTIVE\"}]");
	ok(devices_parse(text, strlen(text), &d, err, sizeof(err)) == 0 && d.n == 1 &&
	    strcmp(d.v[0].id, "d" FFFD) == 0 &&
	    strcmp(d.v[0].name, "Desk " FFFD) == 0 &&
	    strcmp(d.v[0].type, FFFD) == 0, "devices: names repaired");
	devices_free(&d);
	free(text);
	text = xstrdup("{\"group\":[{\"id\":1,\"name\":\"Sales \xff\","
	    "\"domain\":\"\\ufdd0\"}]}");
	ok(groups_parse(text, strlen(text), &q, err, sizeof(err)) == 0 &&
	    q.n == 1 && strcmp(q.v[0].name, "Sales " FFFD) == 0 &&
	    strcmp(q.v[0].domain, FFFD) == 0, "groups: names repaired");
	queue_list_free(&q);
	free(text);
	text = xstrdup("{\"queue\":[{\"id\":1,\"name\":\"\xed\xa0\x80\","
	    "\"current-agent-presence\":[{\"name\":\"\xfe\",\"count\":1}]}]}");
	ok(queue_stats_parse_json(text, strlen(text), &q, err, sizeof(err)) == 0 &&
	    q.n == 1 && strcmp(q.v[0].name, FFFD FFFD FFFD) == 0 &&
	    q.v[0].npresence == 1 && strcmp(q.v[0].presence[0].name, FFFD) == 0,
	    "queue statistics (JSON): names repaired");
	queue_list_free(&q);
	free(text);
	text = xstrdup("{\"field\":[{\"description\":\"bad \xff\\udcff name\"}]}");
	msg = core_error_message(text, strlen(text));
	is_str(msg, "bad " FFFD FFFD " name", "an error body's description, "
	    "which goes into D-Bus and socket errors, is repaired");
	free(msg);
	free(text);
	text = xstrdup("{\"calls\":[{\"callId\":\"c\xff\",\"stateToken\":3}]}");
	hint_parse(text, strlen(text), &h);
	ok(h.kind == HINT_CALLS && h.ncalls == 1 &&
	    strcmp(h.call_ids[0], "c" FFFD) == 0,
	    "a hint names the call as its state does");
	hint_clear(&h);
	free(text);
	/* A document that broke off after a high surrogate leaves none behind. */
	o = model_json_parse("\"\\ud800\\uzz", 11, err, sizeof(err));
	ok(o == NULL, "a broken \\u escape is refused");
	cs = parse_call("{\"callId\":\"\\udc00\"}");
	ok(cs != NULL && strcmp(cs->call_id, FFFD) == 0, "the next document's "
	    "lone \\udc00 is U+FFFD, not paired with the broken one's \\ud800");
	call_state_free(cs);
	o = model_json_parse("\"\\ud83d\\ude00 \xff\"", 16, err, sizeof(err));
	ok(o != NULL && strcmp(json_object_get_string(o),
	    "\xf0\x9f\x98\x80 " FFFD) == 0, "a bare string document is repaired");
	json_object_put(o);
}

/* Every callstate/userstate example of the MANIFEST parses. */
static void
all_examples(void)
{
	char			*manifest, *line, *save = NULL, file[128], kind[32];
	char			 path[160], err[256], *text;
	size_t			 len, ncall = 0, nuser = 0, i;
	int			 bad = 0;
	struct call_state	*cs;
	struct user_state	*us;
	struct json_object	*norm;

	manifest = tap_read_data("ref/MANIFEST", NULL);
	for (line = strtok_r(manifest, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		if (sscanf(line, "%127s %31s", file, kind) != 2)
			continue;
		snprintf(path, sizeof(path), "ref/%s", file);
		if (strcmp(kind, "callstate") == 0) {
			ncall++;
			text = tap_read_data(path, &len);
			cs = call_state_parse(text, len, err, sizeof(err));
			norm = cs != NULL ? json_tokener_parse(cs->json) : NULL;
			if (cs == NULL || *cs->call_id == '\0' ||
			    *cs->status == '\0' || cs->state_token == 0 ||
			    json_object_get_type(json_object_object_get(norm,
			    "deviceIds")) != json_type_array ||
			    json_object_get_type(json_object_object_get(norm,
			    "actions")) != json_type_array) {
				printf("# %s: %s\n", file, cs ? "bad fields" : err);
				bad++;
			}
			/* The direct writer equals the tree it replaced. */
			if (cs != NULL && !same_as_reference(text, len, cs)) {
				printf("# %s: normalised text differs from the reference\n",
				    file);
				bad++;
			}
			/* The normalised JSON parses back to the same state. */
			if (cs != NULL) {
				struct call_state *again = parse_call(call_state_json(cs));
				if (again == NULL || call_state_diff(cs, again) != 0) {
					printf("# %s: normalised form differs\n", file);
					bad++;
				}
				call_state_free(again);
			}
			json_object_put(norm);
			call_state_free(cs);
			free(text);
		} else if (strcmp(kind, "userstate") == 0) {
			nuser++;
			text = tap_read_data(path, &len);
			us = user_state_parse(text, len, err, sizeof(err));
			if (us == NULL || !us->full_state || us->ncalls != 1) {
				printf("# %s: %s\n", file, us ? "bad fields" : err);
				bad++;
			}
			for (i = 0; us != NULL && i < us->ncalls; i++)
				if (strcmp(us->calls[i]->status, "HELD") != 0)
					bad++;
			user_state_free(us);
			free(text);
		}
	}
	free(manifest);
	ok(ncall >= 30, "the reference has %zu CallState examples", ncall);
	ok(nuser == 2, "and %zu UserState examples", nuser);
	is_int(bad, 0, "every example parses, normalises and round-trips");
}

static void
callstates(void)
{
	struct call_state	*cs, *held, *resumed;

	/* The string-typed deviceIds and actions of the pickup example. */
	cs = load_call("ref/callstate-01.json");
	ok(cs != NULL, "state.call example parses");
	is_str(cs->call_id, "aaa111bbb", "callId");
	is_int(cs->state_token, 487345453, "stateToken");
	is_str(cs->status, "RINGING", "status");
	is_str(cs->event, "FAILED", "event");
	is_str(cs->event_description, "Call setup failed with status code 504", "eventDescription");
	is_int(cs->ndevice_ids, 1, "deviceIds string becomes one element");
	is_str(cs->device_ids[0], "+1555555", "deviceIds[0]");
	is_int(cs->nactions, 1, "actions string becomes one action");
	is_str(cs->actions[0].action, "ANSWER", "action name");
	is_int(cs->actions[0].ndevice_ids, 1, "action's deviceIds");
	is_str(cs->actions[0].device_ids[0], "+1555555", "action's device");
	ok(json_has(cs, "\"deviceIds\":[\"+1555555\"]"), "JSON deviceIds normalised");
	ok(json_has(cs, "\"actions\":[{\"action\":\"ANSWER\",\"deviceIds\":[\"+1555555\"]}]"),
	    "JSON actions normalised");
	ok(json_has(cs, "\"historyInfo\":{"), "unknown field historyInfo kept");
	ok(json_has(cs, "\"intrusionType\":\"BARGE\""), "nested unknown fields kept");
	is_str(cs->remote.type, "USER_ID", "remoteParty.type");
	is_str(cs->remote.tel_uri, "tel:+442528473", "remoteParty.telUri");
	is_str(cs->remote.display_name, "Nathan Hughes", "remoteParty.displayName");
	is_str(cs->remote.display_number, "8473", "remoteParty.displayNumber");
	ok(cs->inbound && !cs->intruded && cs->muted && !cs->conference,
	    "booleans");
	is_str(cs->conference_id, "34322", "conferenceId");
	ok(cs->recordable && cs->recording && cs->external_recording &&
	    !cs->external_recording_paused, "recording flags");
	is_str(cs->correlation_id, "h4p91mCciTYhnog0PE4aOQ_1716201728788", "correlationId");
	is_int(cs->nparticipants, 1, "participants");
	is_str(cs->participants[0].id, "aaa111bbb", "participant id");
	ok(call_state_has_action(cs, "ANSWER", "+1555555"), "ANSWER on its device");
	ok(call_state_has_action(cs, "ANSWER", NULL), "ANSWER on any device");
	ok(!call_state_has_action(cs, "ANSWER", "+1999"), "not on another device");
	ok(!call_state_has_action(cs, "HANGUP", NULL), "HANGUP not offered");
	is_str(call_state_answer_device(cs), "+1555555", "answer device");
	call_state_free(cs);

	/* The conference example: two participants. */
	cs = load_call("ref/callcontrol-02.json");
	is_int(cs->nparticipants, 2, "conference has two participants");
	is_str(cs->participants[1].party.display_name, "Ada Hocklington", "second participant");
	ok(cs->conference, "conference flag");
	ok(call_state_has_action(cs, "HOLD", "+1555555"),
	    "an action without deviceIds applies to every device");
	call_state_free(cs);

	/* Diff: the hold example against the resume example. */
	held = load_call("ref/callcontrol-09.json");
	resumed = load_call("ref/callcontrol-32.json");
	is_int(call_state_diff(held, resumed),
	    CALL_PROP_STATUS | CALL_PROP_INBOUND | CALL_PROP_REMOTE_URI |
	    CALL_PROP_REMOTE_NAME | CALL_PROP_REMOTE_NUMBER | CALL_PROP_DURATION |
	    CALL_PROP_EXT_RECORDING | CALL_PROP_EXT_RECORDING_DURATION |
	    CALL_PROP_ACTIONS | CALL_PROP_JSON, "hold vs resume diff");
	is_int(call_state_diff(held, held), 0, "no diff with itself");
	ok(call_state_diff(NULL, held) == (1u << CALL_PROP_COUNT) - 1, "NULL differs in all");
	call_state_free(held);
	call_state_free(resumed);

	/* Tolerance: missing fields, unknown enums, int64 tokens, odd types. */
	cs = parse_call("{\"callId\": \"x\"}");
	ok(cs != NULL, "minimal CallState");
	ok(cs->state_token == 0 && *cs->status == '\0' && cs->duration == 0 &&
	    cs->ndevice_ids == 0 && cs->nactions == 0 && !cs->muted,
	    "missing fields are empty, false, 0");
	ok(json_has(cs, "\"deviceIds\":[]") && json_has(cs, "\"actions\":[]") &&
	    json_has(cs, "\"stateToken\":0") && json_has(cs, "\"status\":\"\""),
	    "missing fields filled in the JSON");
	call_state_free(cs);
	cs = parse_call("{\"callId\": \"x\", \"stateToken\": 9007199254740993, "
	    "\"status\": \"QUANTUM_ENTANGLED\", \"futureField\": {\"a\": [1]}, "
	    "\"duration\": -5, \"recordingDuration\": 99999999999, "
	    "\"muted\": \"true\", \"deviceIds\": \"+46701\", "
	    "\"actions\": [\"HANGUP\", {\"action\": \"MOVE\", \"deviceIds\": \"[a, b]\"}, 7]}");
	is_int(cs->state_token, 9007199254740993LL, "int64 stateToken kept exactly");
	is_str(cs->status, "QUANTUM_ENTANGLED", "unknown status passes through");
	ok(json_has(cs, "\"futureField\":{\"a\":[1]}"), "unknown field kept");
	is_int(cs->duration, 0, "negative duration clamps to 0");
	is_int(cs->recording_duration, 4294967295LL, "huge duration clamps");
	ok(cs->muted, "\"true\" string as boolean");
	ok(cs->ndevice_ids == 1 && strcmp(cs->device_ids[0], "+46701") == 0,
	    "bare deviceIds string");
	is_int(cs->nactions, 2, "bad action entries dropped");
	ok(call_state_has_action(cs, "HANGUP", "+46701"), "bare action name");
	ok(call_state_has_action(cs, "MOVE", "b") && !call_state_has_action(cs, "MOVE", "c"),
	    "loose deviceIds inside an action");
	call_state_free(cs);
	cs = parse_call("{\"callId\": \"x\", \"stateToken\": \"123\"}");
	is_int(cs->state_token, 123, "stateToken as a string");
	call_state_free(cs);

	/* Refusals. */
	ok(parse_call("{\"stateToken\": 1}") == NULL, "no callId refused");
	ok(parse_call("[1, 2]") == NULL, "array refused");
	ok(parse_call("{\"callId\": \"x\"} trailing") == NULL, "trailing data refused");
	ok(parse_call("{\"callId\": \"x\"") == NULL, "truncated refused");
	ok(parse_call("{\"callId\": 'x'}") == NULL, "single quotes refused");
	ok(parse_call("") == NULL, "empty refused");
	{
		char err[256];
		ok(call_state_parse("{\"callId\":\"a\0\"}", 15, err, sizeof(err)) == NULL,
		    "NUL byte refused");
		is_str(err, "JSON: NUL byte in document", "NUL message");
	}
	{
		char deep[200];
		memset(deep, '[', 100);
		memset(deep + 100, ']', 100);
		char err[256];
		ok(model_json_parse(deep, 200, err, sizeof(err)) == NULL,
		    "nesting deeper than 32 refused");
	}
}

static int
known_a7(const char *id, int64_t token, void *arg)
{
	return strcmp(id, "a") == 0 && token == 7;
}

static void
userstates(void)
{
	char			 err[256];
	struct user_state	*us;
	const char		*t;

	t = "[{\"callId\": \"a\", \"stateToken\": 1}, {\"callId\": \"b\"}]";
	us = user_state_parse(t, strlen(t), err, sizeof(err));
	ok(us != NULL && us->ncalls == 2, "bare array of calls");
	user_state_free(us);
	t = "{\"fullState\": true}";
	us = user_state_parse(t, strlen(t), err, sizeof(err));
	ok(us != NULL && us->ncalls == 0 && us->full_state, "no calls");
	user_state_free(us);
	t = "{\"fullState\": false, \"calls\": []}";
	us = user_state_parse(t, strlen(t), err, sizeof(err));
	ok(us != NULL && !us->full_state, "fullState false");
	user_state_free(us);
	t = "{\"calls\": {}}";
	ok(user_state_parse(t, strlen(t), err, sizeof(err)) == NULL, "calls not an array");
	is_str(err, "UserState: calls is not an array", "message");
	t = "{\"calls\": [{\"callId\": \"a\"}, {\"status\": \"RINGING\"}]}";
	ok(user_state_parse(t, strlen(t), err, sizeof(err)) == NULL,
	    "one bad call refuses the document");
	is_str(err, "CallState: no callId", "message");

	/* Calls the cache knows at this token are not converted. */
	t = "{\"calls\": [{\"callId\": \"a\", \"stateToken\": 7, \"status\": \"ACTIVE\"},"
	    " {\"callId\": \"b\", \"stateToken\": 8, \"status\": \"HELD\"}]}";
	us = user_state_parse_known(t, strlen(t), known_a7, NULL, err, sizeof(err));
	ok(us != NULL && us->ncalls == 2, "parse_known: both calls listed");
	ok(us != NULL && us->calls[0]->unchanged && us->calls[0]->state_token == 7 &&
	    strcmp(us->calls[0]->call_id, "a") == 0 && us->calls[0]->status == NULL,
	    "parse_known: the known call is only its id and token");
	ok(us != NULL && !us->calls[1]->unchanged &&
	    strcmp(us->calls[1]->status, "HELD") == 0,
	    "parse_known: the other is converted");
	user_state_free(us);

	/* The streaming parser and the whole-tree one agree, errors too. */
	{
		static const char *const docs[] = {
			"{\"fullState\": false, \"calls\": [{\"callId\": \"a\", \"stateToken\": 7}]}",
			" [ {\"callId\": \"a\"} , {\"callId\": \"b\", \"x\": \"}]\\\"{\"} ] ",
			"{\"calls\": null, \"fullState\": \"1\"}",
			"{\"calls\": [{\"callId\": \"a\"}], \"calls\": [{\"callId\": \"b\"}]}",
			"{\"calls\": [{\"callId\": \"a\"}], \"calls\": null}",	/* found by fuzz-callstate */
			"{\"calls\": 5}",
			"{\"calls\": 5,",
			"{\"calls\": [{\"callId\": \"a\"},]}",
			"{\"calls\": [{\"callId\": \"a\"}]} x",
			"{\"a\": tru, \"calls\": []}",
			"{}", "[]", "", "null", "{\"calls\": [{\"status\": \"RINGING\"}]}",
		};
		struct user_state	*a, *b;
		char			 ea[256], eb[256];
		size_t			 k, i;
		int			 same = 1;

		for (k = 0; k < sizeof(docs) / sizeof(docs[0]); k++) {
			ea[0] = eb[0] = '\0';
			a = user_state_parse_known(docs[k], strlen(docs[k]), known_a7,
			    NULL, ea, sizeof(ea));
			b = user_state_parse_tree(docs[k], strlen(docs[k]), known_a7,
			    NULL, eb, sizeof(eb));
			if ((a == NULL) != (b == NULL) || strcmp(ea, eb) != 0 ||
			    (a != NULL && (a->ncalls != b->ncalls ||
			    a->full_state != b->full_state))) {
				printf("# differs: %s\n", docs[k]);
				same = 0;
			}
			for (i = 0; a != NULL && b != NULL && i < a->ncalls &&
			    i < b->ncalls; i++)
				if (strcmp(a->calls[i]->call_id, b->calls[i]->call_id) != 0 ||
				    a->calls[i]->unchanged != b->calls[i]->unchanged) {
					printf("# call %zu differs: %s\n", i, docs[k]);
					same = 0;
				}
			user_state_free(a);
			user_state_free(b);
		}
		ok(same, "streaming UserState parse equals the whole-tree parse");
	}
}

static void
directory(void)
{
	char			 err[256], *text;
	size_t			 len;
	struct device_list	 d, d2;
	struct queue_list	 q, s;

	text = tap_read_data("ref/userdevice-02.json", &len);
	ok(devices_parse(text, len, &d, err, sizeof(err)) == 0, "devices.list example");
	free(text);
	is_int(d.n, 2, "two devices");
	is_str(d.v[0].id, "kf45ffr3dd3dtj7r", "deviceId");
	is_str(d.v[0].type, "SOFTPHONE", "deviceType");
	is_str(d.v[0].name, "My work laptop", "deviceName");
	is_str(d.v[1].status, "ACTIVE", "deviceStatus");
	text = tap_read_data("ref/userdevice-03.json", &len);
	ok(devices_parse(text, len, &d2, err, sizeof(err)) == 0, "activedevices example");
	free(text);
	ok(d2.n == 1 && strcmp(d2.v[0].status, "") == 0, "no status in activedevices");
	ok(!devices_equal(&d, &d2) && devices_equal(&d, &d), "devices_equal");
	devices_free(&d);
	devices_free(&d2);
	ok(devices_parse("{}", 2, &d, err, sizeof(err)) == 0 && d.n == 0,
	    "empty document: no devices");
	ok(devices_parse("{\"x\": 1}", 8, &d, err, sizeof(err)) == -1, "not devices");

	text = tap_read_data("ref/distributiongroup-03.json", &len);
	ok(groups_parse(text, len, &q, err, sizeof(err)) == 0, "groups.list example");
	free(text);
	ok(q.n == 1 && q.v[0].id == 35 && strcmp(q.v[0].domain, "sampleorg.com") == 0 &&
	    strcmp(q.v[0].name, "customer_acd") == 0 && strcmp(q.v[0].type, "ACD") == 0 &&
	    q.v[0].logged_in && !q.v[0].night_mode && q.v[0].logged_in_agents == 4 &&
	    q.v[0].free_agents == 3 && q.v[0].calls_waiting == 1, "group fields");
	queue_list_free(&q);
	text = tap_read_data("ref/acdgroup-04.json", &len);
	ok(groups_parse(text, len, &q, err, sizeof(err)) == 0, "older groups example");
	free(text);
	ok(q.n == 3 && q.v[1].id == 5 && strcmp(q.v[1].type, "ATTENDANT") == 0 &&
	    q.v[1].logged_in && q.v[2].logged_in_agents == 2 && q.v[2].free_agents == 1,
	    "statistic object read");

	text = tap_read_data("ref/queuestatistics-01.json", &len);
	ok(queue_stats_parse_json(text, len, &s, err, sizeof(err)) == 0, "queue statistics example");
	free(text);
	ok(s.n == 1 && s.v[0].id == 67899 && strcmp(s.v[0].name, "ACD_Taxi") == 0 &&
	    strcmp(s.v[0].number, "+123415") == 0 && s.v[0].calls_waiting == 3 &&
	    s.v[0].free_agents == 2 && s.v[0].logged_in_agents == 5 &&
	    s.v[0].longest_waiting == 20 && s.v[0].last_wait == 15 &&
	    s.v[0].average_wait == 14 && s.v[0].total_24h == 50 &&
	    s.v[0].dropped_24h == 4 && s.v[0].answered_24h == 38, "statistics fields");
	ok(s.v[0].npresence == 1 && strcmp(s.v[0].presence[0].name, "Available") == 0 &&
	    s.v[0].presence[0].count == 1, "current-agent-presence");
	is_int(queue_info_apply_stats(&q.v[1], &s.v[0]),
	    QUEUE_PROP_LOGGED_IN_AGENTS | QUEUE_PROP_FREE_AGENTS |
	    QUEUE_PROP_CALLS_WAITING | QUEUE_PROP_LONGEST_WAITING |
	    QUEUE_PROP_AVERAGE_WAIT | QUEUE_PROP_LAST_WAIT |
	    QUEUE_PROP_ANSWERED_24H | QUEUE_PROP_DROPPED_24H | QUEUE_PROP_TOTAL_24H,
	    "applying statistics reports the changed properties");
	ok(q.v[1].logged_in && strcmp(q.v[1].type, "ATTENDANT") == 0,
	    "the group's own fields stay");
	is_int(queue_info_apply_stats(&q.v[1], &s.v[0]), 0, "applying again changes nothing");
	{
		struct queue_info c;
		queue_info_copy(&c, &q.v[1]);
		is_int(queue_info_diff(&c, &q.v[1]), 0, "copy is equal");
		c.night_mode = 1;
		is_int(queue_info_diff(&c, &q.v[1]), QUEUE_PROP_NIGHT_MODE, "diff one field");
		queue_info_clear(&c);
	}
	queue_list_free(&q);
	queue_list_free(&s);
	text = tap_read_data("ref/queuestatistics-03.json", &len);
	ok(queue_stats_parse_json(text, len, &s, err, sizeof(err)) == 0 && s.n == 1 &&
	    s.v[0].id == 67899, "a single queue object");
	free(text);
	queue_list_free(&s);
}

static time_t
expires_of(const char *text, time_t now)
{
	return core_expires_parse(text, strlen(text), now);
}

static void
coremsgs(void)
{
	char			 err[256], *text, *msg, when[32];
	size_t			 len;
	struct ticket_info	 ti;
	struct hint		 h;

	text = tap_read_data("ref/ticket-01.json", &len);
	ok(ticket_info_parse(text, len, &ti, err, sizeof(err)) == 0, "ticket example");
	free(text);
	is_str(ti.name, "ALL_CALLS", "ticket name");
	is_str(secret_value(ti.token), "2343.ZSDjndiJSDjksHj", "ticket token");
	iso8601_format(ti.expires, when, sizeof(when));
	is_str(when, "2023-11-10T14:38:39Z", "ticket expiry");
	ticket_info_clear(&ti);
	ok(ticket_info_parse("{\"name\": \"x\"}", 13, &ti, err, sizeof(err)) == -1,
	    "ticket without token refused");

	text = tap_read_data("ref/misc-01.json", &len);
	msg = core_error_message(text, len);
	is_str(msg, "string", "error body's first description");
	free(msg);
	free(text);
	msg = core_error_message("{\"field\": [{\"code\": \"a\"}, {\"description\": \"bad digits\"}]}", 57);
	is_str(msg, "bad digits", "first non-empty description");
	free(msg);
	ok(core_error_message("<html>", 6) == NULL, "non-JSON error body");

	is_int(iso8601_parse("2020-03-10T11:05:00+01"), 1583834700, "+01 offset");
	is_int(iso8601_parse("2020-03-10T11:05:00+0100"), 1583834700, "+0100 offset");
	is_int(iso8601_parse("2020-03-10T10:05:00Z"), 1583834700, "Z");
	is_int(iso8601_parse("2020-03-10T05:35:00-04:30"), 1583834700, "negative offset");
	is_int(iso8601_parse("2020-13-10T10:05:00Z"), -1, "month 13 refused");
	is_int(iso8601_parse("2020-03-10T10:05:00Zjunk"), -1, "trailing junk refused");
	is_int(iso8601_parse("yesterday"), -1, "words refused");

	text = tap_read_data("ref/callstate-06.json", &len);
	is_int(core_expires_parse(text, len, 1000000), 1000000 + 3600, "expiresOn seconds");
	free(text);
	text = tap_read_data("ref/linestate-01.json", &len);
	is_int(core_expires_parse(text, len, 0), 1583834700, "expiresOn as a time");
	free(text);
	is_int(core_expires_parse("{}", 2, 5), 0, "no expiresOn");
	/* Forged or absurd expiries from the Core: clamped, never wrapped. */
	is_int(expires_of("{\"expiresOn\": 9223372036854775807}", 1000000),
	    ISO8601_MAX, "expiresOn INT64_MAX (ms) clamped to year 9999");
	is_int(expires_of("{\"expiresOn\": 99999999999}", 1000000),
	    99999999999LL, "expiresOn as epoch seconds");
	is_int(expires_of("{\"expiresOn\": 9223372036854775}", 1000000),
	    ISO8601_MAX, "expiresOn beyond year 9999 clamped");
	is_int(expires_of("{\"expiresOn\": \"2020-03-10T10:05:00Z\"}",
	    1583834701), 0, "expiresOn in the past: unreadable");

	/* Times a client gives: out of range is an error, never stack bytes. */
	ok(iso8601_format((time_t)INT64_MAX, when, sizeof(when)) == -1 &&
	    when[0] == '\0', "INT64_MAX refused");
	ok(iso8601_format((time_t)1 << 40, when, sizeof(when)) == -1 &&
	    when[0] == '\0', "2^40 (a five-digit year) refused");
	ok(iso8601_format(-1, when, sizeof(when)) == -1, "before 1970 refused");
	ok(iso8601_format(ISO8601_MAX, when, sizeof(when)) == 0, "the last second of 9999");
	is_str(when, "9999-12-31T23:59:59Z", "formatted");
	ok(iso8601_format(ISO8601_MAX + 1, when, sizeof(when)) == -1, "year 10000 refused");

	hint_parse("487345453", 9, &h);
	ok(h.kind == HINT_TOKEN && h.token == 487345453 && h.ncalls == 0, "bare token hint");
	hint_clear(&h);
	hint_parse("{\"stateToken\": 12}", 18, &h);
	ok(h.kind == HINT_TOKEN && h.token == 12, "{stateToken} hint");
	hint_clear(&h);
	text = tap_read_data("ref/callstate-01.json", &len);
	hint_parse(text, len, &h);
	ok(h.kind == HINT_TOKEN && h.token == 487345453 && h.ncalls == 1 &&
	    strcmp(h.call_ids[0], "aaa111bbb") == 0, "whole CallState hint");
	hint_clear(&h);
	free(text);
	text = tap_read_data("ref/callstate-02.json", &len);
	hint_parse(text, len, &h);
	ok(h.kind == HINT_CALLS && h.ncalls == 1 && h.tokens[0] == 487345453,
	    "user state hint names its calls");
	hint_clear(&h);
	hint_parse_user(text, len, &h);
	ok(h.kind == HINT_CALLS && h.ncalls == 1 && h.tokens[0] == 487345453 &&
	    strcmp(h.call_ids[0], "aaa111bbb") == 0,
	    "user webhook hint, read one call at a time, names the same");
	hint_clear(&h);
	free(text);
	text = strdup("{\"stateToken\": 12, \"callId\": \"x\"}");
	hint_parse_user(text, strlen(text), &h);
	free(text);
	ok(h.kind == HINT_TOKEN && h.token == 12 && h.ncalls == 1,
	    "a user webhook hint of another shape is read as before");
	hint_clear(&h);
	text = strdup("{\"calls\": [\"a\", \"b\"]}");
	hint_parse_user(text, strlen(text), &h);
	free(text);
	ok(h.kind == HINT_CALLS && h.ncalls == 2 && h.tokens[1] == 0,
	    "a list of call ids is read as before");
	hint_clear(&h);
	text = tap_read_data("ref/userdevice-06.json", &len);
	hint_parse(text, len, &h);
	ok(h.kind == HINT_DEVICES, "device webhook hint");
	hint_clear(&h);
	free(text);
	hint_parse("not json", 8, &h);
	ok(h.kind == HINT_NONE, "garbage is no hint");
	hint_clear(&h);
	hint_parse("", 0, &h);
	ok(h.kind == HINT_NONE, "empty body is no hint");
	hint_clear(&h);
}

static void
loose(void)
{
	static const char *const cases[][2] = {
		{ "[{action: ANSWER, deviceIds: [+1555555]}]",
		  "[{\"action\":\"ANSWER\",\"deviceIds\":[\"+1555555\"]}]" },
		{ "[+1555555]", "[\"+1555555\"]" },
		{ " [ a , b c , \"d,e\" ] ", "[\"a\",\"b c\",\"d,e\"]" },
		{ "[]", "[]" },
		{ "{x: true, y: false, z: [ ]}", "{\"x\":true,\"y\":false,\"z\":[]}" },
		{ "[\"q\\\"uote\"]", "[\"q\\\"uote\"]" },
	};
	static const char *const bad[] = {
		"[a", "[a,]", "{a}", "{a: }", "[a] b", "", "[\"open]", "{: x}",
		"[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]",
	};
	struct json_object	*o;
	size_t			 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		o = loose_parse(cases[i][0], strlen(cases[i][0]));
		is_str(o ? json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN) : NULL,
		    cases[i][1], cases[i][0]);
		json_object_put(o);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		o = loose_parse(bad[i], strlen(bad[i]));
		ok(o == NULL, "loose refuses \"%s\"", bad[i]);
		json_object_put(o);
	}
}

int
main(void)
{
	all_examples();
	writer_edge_cases();
	callstates();
	userstates();
	directory();
	coremsgs();
	loose();
	utf8_texts();
	return tap_done();
}
