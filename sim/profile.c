/* profile.c: the simulator's Communication Log, presence, activities, shortcuts and diversion number (issue 21). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sys/queue.h>

#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <json-c/json.h>

#include "callstate.h"
#include "coremsg.h"
#include "routes.h"
#include "sim.h"
#include "xmalloc.h"

/*
 * Each user starts with the reference's own examples, quirks and all:
 * items wrapped in ".CallDTO" (and the group inbox's voicemail in
 * ".GroupInboxVoiceMailDTO"), itemId a number in bodies while the
 * parameters carry it as a string, the reference's presence (its
 * activity "working" is in no activity list) and shortcuts. Items the
 * simulator adds itself, when a call ends, carry their duration as a
 * quoted number ("0"), as the Core does with some numbers.
 */
static const char ref_history[] =
    "{\"historyItems\": ["
    "{\".CallDTO\": {\"itemId\": 1245, \"startTime\": \"2020-10-05T11:09:29Z\","
    " \"remoteParty\": {\"number\": \"+1555123001\", \"displayName\": \"Jane Doe\"},"
    " \"itemType\": \"INCOMING_CALL\", \"isSeen\": true, \"duration\": 145}},"
    "{\".CallDTO\": {\"itemId\": 1246, \"startTime\": \"2020-10-05T14:06:20Z\","
    " \"remoteParty\": {\"number\": \"+1555123001\", \"displayName\": \"Jane Doe\"},"
    " \"itemType\": \"OUTGOING_CALL\", \"isSeen\": true, \"duration\": 25}},"
    "{\".CallDTO\": {\"itemId\": 1247, \"startTime\": \"2020-10-05T15:16:54Z\","
    " \"remoteParty\": {\"number\": \"+1555123001\", \"displayName\": \"Jane Doe\"},"
    " \"itemType\": \"MISSED_CALL\", \"isSeen\": false, \"duration\": 0}},"
    "{\".GroupInboxVoiceMailDTO\": {\"itemId\": 370, \"startTime\": \"2020-01-30T17:11:13Z\","
    " \"remoteParty\": {\"number\": \"+1555123001\", \"displayName\": \"Jane Doe\"},"
    " \"itemType\": \"VOICEMAIL\", \"isSeen\": true, \"callItemId\": 0,"
    " \"isPlayed\": false, \"inboxName\": \"Group Inbox 1\"}}"
    "], \"flushCache\": true, \"generatedAt\": \"2020-10-05T19:58:21Z\", \"hintCount\": 4}";

static const char ref_presence[] =
    "{\"futurePresenceAccess\": \"NONE\", \"activityAccess\": \"NONE\","
    " \"roleAccess\": \"NONE\", \"noteAccess\": \"NONE\","
    " \"note\": \"Planning our upgrade\","
    " \"activity\": {\"id\": \"working\", \"expiration\": \"2020-09-21T11:05:00Z\","
    " \"available\": true}, \"idle\": false, \"available\": true,"
    " \"capabilities\": [\"SMS\"]}";

static const char ref_activities[] =
    "{\"activity\": ["
    "{\"id\": \"available\", \"name\": \"Available\", \"available\": true,"
    " \"default\": true, \"stateName\": \"Available\"},"
    "{\"id\": \"lunch\", \"name\": \"Lunch\", \"available\": false,"
    " \"default\": false, \"stateName\": \"Lunch\"},"
    "{\"id\": \"meeting\", \"name\": \"Meeting\", \"available\": false,"
    " \"default\": false, \"stateName\": \"Meeting\"}]}";

static const char ref_shortcuts[] =
    "{\"presenceShortcut\": ["
    "{\"id\": \"sdfdsf3333\", \"name\": \"Weekend\", \"activityId\": \"busy\","
    " \"available\": false, \"durationType\": \"UNTIL_NEXT_WORKING_DAY\","
    " \"order\": 1, \"imageId\": \"ic_shortcut_big_red\","
    " \"applyDiversionNumber\": false},"
    "{\"id\": \"23342323232\", \"name\": \"Short lunch break\","
    " \"activityId\": \"lunch\", \"available\": false,"
    " \"durationType\": \"MINUTES\", \"durationMinutes\": 45, \"order\": 2,"
    " \"imageId\": \"ic_shortcut_pizza\", \"diversionPhoneNumber\": \"+5545445656\","
    " \"applyDiversionNumber\": true}]}";

struct sim_profile {
	struct sim_user		*user;
	struct json_object	*items;		/* wrapped history items */
	int64_t			 next_id;
	struct json_object	*presence;
	struct json_object	*activities;
	struct json_object	*shortcuts;
	char			*divert;	/* the active diversion number */
	struct sim_profile	*next;
};

static struct sim_profile	*profiles;

static struct json_object *
parse(const char *s)
{
	char	err[128];

	return model_json_parse(s, strlen(s), err, sizeof(err));
}

static struct sim_profile *
profile_get(struct sim_user *u)
{
	struct sim_profile	*p;
	struct json_object	*h;

	for (p = profiles; p != NULL; p = p->next)
		if (p->user == u)
			return p;
	p = xcalloc(1, sizeof(*p));
	p->user = u;
	h = parse(ref_history);
	p->items = json_object_get(json_object_object_get(h, "historyItems"));
	json_object_put(h);
	p->next_id = 1248;
	p->presence = parse(ref_presence);
	p->activities = parse(ref_activities);
	p->shortcuts = parse(ref_shortcuts);
	p->divert = xstrdup("");
	p->next = profiles;
	profiles = p;
	return p;
}

void
sim_profile_free(void)
{
	struct sim_profile	*p;

	while ((p = profiles) != NULL) {
		profiles = p->next;
		json_object_put(p->items);
		json_object_put(p->presence);
		json_object_put(p->activities);
		json_object_put(p->shortcuts);
		free(p->divert);
		free(p);
	}
}

/* The item inside its wrapper. */
static struct json_object *
item_of(struct json_object *wrapped)
{
	json_object_object_foreach(wrapped, key, val) {
		(void)key;
		return val;
	}
	return NULL;
}

static void
now_iso(char *buf, size_t len)
{
	iso8601_format(time(NULL), buf, len);
}

void
sim_history_add(struct sim_user *u, const char *type, const char *number,
    const char *name, int seen, uint32_t duration)
{
	struct sim_profile	*p = profile_get(u);
	struct json_object	*w = json_object_new_object(), *o, *rp;
	char			 when[32], dur[16];

	o = json_object_new_object();
	json_object_object_add(o, "itemId", json_object_new_int64(p->next_id++));
	now_iso(when, sizeof(when));
	json_object_object_add(o, "startTime", json_object_new_string(when));
	rp = json_object_new_object();
	json_object_object_add(rp, "number", json_object_new_string(number));
	json_object_object_add(rp, "displayName", json_object_new_string(name));
	json_object_object_add(o, "remoteParty", rp);
	json_object_object_add(o, "itemType", json_object_new_string(type));
	json_object_object_add(o, "isSeen", json_object_new_boolean(seen));
	if (strcmp(type, "VOICEMAIL") == 0)
		json_object_object_add(o, "isPlayed", json_object_new_boolean(0));
	snprintf(dur, sizeof(dur), "%u", duration);
	json_object_object_add(o, "duration", json_object_new_string(dur));
	json_object_object_add(w, ".CallDTO", o);
	json_object_array_add(p->items, w);
}

/* A call of u's ended: its log item, as the Core writes it. */
void
sim_history_call_ended(struct sim_user *u, struct sim_call *c)
{
	const char	*type = !c->inbound ? "OUTGOING_CALL" :
	    c->answered != 0 ? "INCOMING_CALL" : "MISSED_CALL";
	const char	*num = c->remote.display_number != NULL &&
	    *c->remote.display_number != '\0' ? c->remote.display_number :
	    c->remote.tel_uri != NULL ? c->remote.tel_uri : "";

	sim_history_add(u, type, num, c->remote.display_name != NULL ?
	    c->remote.display_name : "", c->inbound && c->answered != 0 ? 1 :
	    !c->inbound, c->answered != 0 ? (uint32_t)(time(NULL) -
	    c->answered) : 0);
}

/* Set presence as if from elsewhere (the control API). */
void
sim_presence_set(struct sim_user *u, struct json_object *body)
{
	struct sim_profile	*p = profile_get(u);
	struct json_object	*a, *v;

	if ((v = json_object_object_get(body, "note")) != NULL)
		json_object_object_add(p->presence, "note", json_object_get(v));
	if ((v = json_object_object_get(body, "activity")) != NULL) {
		a = json_object_new_object();
		json_object_object_add(a, "id", json_object_get(v));
		if ((v = json_object_object_get(body, "expiration")) != NULL)
			json_object_object_add(a, "expiration", json_object_get(v));
		v = json_object_object_get(body, "available");
		json_object_object_add(a, "available", json_object_new_boolean(
		    v != NULL && json_object_get_boolean(v)));
		json_object_object_add(p->presence, "available",
		    json_object_new_boolean(v != NULL && json_object_get_boolean(v)));
		json_object_object_add(p->presence, "activity", a);
	}
}

static int
query_has(struct evkeyvalq *q, const char *key, const char *value)
{
	struct evkeyval	*kv;

	TAILQ_FOREACH(kv, q, next)
		if (strcmp(kv->key, key) == 0 && strcmp(kv->value, value) == 0)
			return 1;
	return 0;
}

static int
query_any(struct evkeyvalq *q, const char *key)
{
	return evhttp_find_header(q, key) != NULL;
}

static int64_t
query_int(struct evkeyvalq *q, const char *key)
{
	const char	*v = evhttp_find_header(q, key);

	return v != NULL ? strtoll(v, NULL, 10) : 0;
}

/* Does the item pass the list's filters? */
static int
item_matches(struct json_object *it, struct evkeyvalq *q)
{
	int64_t		 id = model_int(it, "itemId");
	const char	*v;
	time_t		 t = iso8601_parse(model_str(it, "startTime"));

	if (query_any(q, "itemType") &&
	    !query_has(q, "itemType", model_str(it, "itemType")))
		return 0;
	if (query_any(q, "since") && id <= query_int(q, "since"))
		return 0;
	if (query_any(q, "olderThan") && id >= query_int(q, "olderThan"))
		return 0;
	if ((v = evhttp_find_header(q, "sinceTime")) != NULL &&
	    t <= iso8601_parse(v))
		return 0;
	if ((v = evhttp_find_header(q, "untilTime")) != NULL &&
	    t >= iso8601_parse(v))
		return 0;
	if ((v = evhttp_find_header(q, "number")) != NULL &&
	    strcmp(model_str(model_get(it, "remoteParty"), "number"), v) != 0)
		return 0;
	return 1;
}

static void
history_list(struct evhttp_request *req, struct sim_profile *p,
    struct evkeyvalq *q)
{
	struct json_object	*o = json_object_new_object(), *a, *w;
	int64_t			 limit = query_int(q, "limit");
	size_t			 i, n;
	char			 when[32];

	a = json_object_new_array();
	n = json_object_array_length(p->items);
	/* Newest first, as a log is read. */
	for (i = n; i-- > 0;) {
		w = json_object_array_get_idx(p->items, i);
		if (!item_matches(item_of(w), q))
			continue;
		if (limit > 0 && (int64_t)json_object_array_length(a) >= limit)
			break;
		json_object_array_add(a, json_object_get(w));
	}
	json_object_object_add(o, "hintCount",
	    json_object_new_int64((int64_t)json_object_array_length(a)));
	json_object_object_add(o, "historyItems", a);
	json_object_object_add(o, "flushCache", json_object_new_boolean(1));
	now_iso(when, sizeof(when));
	json_object_object_add(o, "generatedAt", json_object_new_string(when));
	sim_reply_json(req, 200, o);
}

/* Is the item named by the request's itemId or untilItemId (and itemType)? */
static int
item_named(struct json_object *it, struct evkeyvalq *q)
{
	char	id[32];

	snprintf(id, sizeof(id), "%lld", (long long)model_int(it, "itemId"));
	if (query_any(q, "itemType") &&
	    !query_has(q, "itemType", model_str(it, "itemType")))
		return 0;
	return query_has(q, "itemId", id) || (query_any(q, "untilItemId") &&
	    model_int(it, "itemId") <= query_int(q, "untilItemId"));
}

/* The itemIds asked for that no item has, as the Core's string; "" if none. */
static char *
items_missing(struct sim_profile *p, struct evkeyvalq *q)
{
	struct evkeyval	*kv;
	struct buf	 b;
	size_t		 i, n = json_object_array_length(p->items);
	int		 found;

	buf_init(&b);
	TAILQ_FOREACH(kv, q, next) {
		if (strcmp(kv->key, "itemId") != 0)
			continue;
		for (found = 0, i = 0; i < n && !found; i++)
			found = model_int(item_of(json_object_array_get_idx(
			    p->items, i)), "itemId") == strtoll(kv->value, NULL, 10);
		if (!found)
			buf_printf(&b, "%s%s", b.len > 0 ? "," : "", kv->value);
	}
	buf_add(&b, "", 1);
	return b.data;
}

static void
history_seen(struct evhttp_request *req, struct sim_profile *p,
    struct evkeyvalq *q)
{
	struct json_object	*it;
	const char		*v;
	size_t			 i;
	char			*missing;

	if (!query_any(q, "itemId") && !query_any(q, "untilItemId")) {
		sim_reply_error(req, 400, "itemId.required",
		    "itemId or untilItemId is required");
		return;
	}
	missing = items_missing(p, q);
	for (i = 0; i < json_object_array_length(p->items); i++) {
		it = item_of(json_object_array_get_idx(p->items, i));
		if (!item_named(it, q))
			continue;
		if ((v = evhttp_find_header(q, "isSeen")) != NULL &&
		    strcmp(v, "true") == 0)
			json_object_object_add(it, "isSeen",
			    json_object_new_boolean(1));
		if ((v = evhttp_find_header(q, "isPlayed")) != NULL &&
		    strcmp(v, "true") == 0)
			json_object_object_add(it, "isPlayed",
			    json_object_new_boolean(1));
	}
	/* All found: nothing is returned; else the missing ones, as a string. */
	if (*missing == '\0')
		sim_reply(req, 204, NULL, NULL);
	else
		sim_reply(req, 200, "text/plain", missing);
	free(missing);
}

static void
history_delete(struct evhttp_request *req, struct sim_profile *p,
    struct evkeyvalq *q)
{
	struct json_object	*keep = json_object_new_array(), *w;
	size_t			 i;

	if (!query_any(q, "itemId") && !query_any(q, "untilItemId") &&
	    !query_any(q, "itemType")) {
		json_object_put(keep);
		sim_reply_error(req, 400, "itemId.required",
		    "itemId, untilItemId or itemType is required");
		return;
	}
	for (i = 0; i < json_object_array_length(p->items); i++) {
		w = json_object_array_get_idx(p->items, i);
		if (!item_named(item_of(w), q) && !(!query_any(q, "itemId") &&
		    !query_any(q, "untilItemId") &&
		    query_has(q, "itemType", model_str(item_of(w), "itemType"))))
			json_object_array_add(keep, json_object_get(w));
	}
	json_object_put(p->items);
	p->items = keep;
	sim_reply(req, 204, NULL, NULL);
}

static void
presence_put(struct evhttp_request *req, struct sim_profile *p,
    struct json_object *body)
{
	struct json_object	*a, *v;
	const char		*exp;

	if (body == NULL || !json_object_is_type(body, json_type_object)) {
		sim_reply_error(req, 400, "body.invalid", "a presence is required");
		return;
	}
	if ((a = json_object_object_get(body, "activity")) != NULL) {
		if (*model_str(a, "id") == '\0') {
			sim_reply_error(req, 400, "activity.id.required",
			    "the activity needs an id");
			return;
		}
		exp = model_str(a, "expiration");
		if (*exp != '\0' && iso8601_parse(exp) <= 0) {
			sim_reply_error(req, 400, "activity.expiration.invalid",
			    "expiration is not an ISO 8601 time");
			return;
		}
		v = json_object_new_object();
		json_object_object_add(v, "id",
		    json_object_new_string(model_str(a, "id")));
		if (*exp != '\0')
			json_object_object_add(v, "expiration",
			    json_object_new_string(exp));
		json_object_object_add(v, "available",
		    json_object_new_boolean(model_bool(a, "available")));
		json_object_object_add(p->presence, "activity", v);
		json_object_object_add(p->presence, "available",
		    json_object_new_boolean(model_bool(a, "available")));
	}
	if ((v = json_object_object_get(body, "note")) != NULL)
		json_object_object_add(p->presence, "note",
		    json_object_new_string(model_str(body, "note")));
	sim_reply_json(req, 200, json_object_get(p->presence));
}

/* A route of issue 21's; 0 when route is none of them. */
int
sim_profile_route(struct evhttp_request *req, int route, struct sim_user *u,
    struct evkeyvalq *query, struct json_object *body)
{
	struct sim_profile	*p;
	struct json_object	*o;
	const char		*num;

	if (route < ROUTE_HISTORY_LIST || route > ROUTE_VOICEMAIL_PUT)
		return 0;
	p = profile_get(u);
	switch (route) {
	case ROUTE_HISTORY_LIST:
		history_list(req, p, query);
		break;
	case ROUTE_HISTORY_SEEN:
		history_seen(req, p, query);
		break;
	case ROUTE_HISTORY_DELETE:
		history_delete(req, p, query);
		break;
	case ROUTE_PRESENCE_GET:
		sim_reply_json(req, 200, json_object_get(p->presence));
		break;
	case ROUTE_PRESENCE_PUT:
		presence_put(req, p, body);
		break;
	case ROUTE_PRESENCE_ACTIVITIES:
		sim_reply_json(req, 200, json_object_get(p->activities));
		break;
	case ROUTE_PRESENCE_SHORTCUTS:
		sim_reply_json(req, 200, json_object_get(p->shortcuts));
		break;
	case ROUTE_DIVERSION_NUMBER:
	case ROUTE_DIVERSION_NUMBER_PUT:
		if (route == ROUTE_DIVERSION_NUMBER_PUT) {
			if ((num = evhttp_find_header(query, "phoneNumber")) ==
			    NULL) {
				sim_reply_error(req, 400, "phoneNumber.required",
				    "phoneNumber is required");
				break;
			}
			free(p->divert);
			p->divert = xstrdup(num);
		}
		/* A hyphenated key, as the reference has it. */
		o = json_object_new_object();
		json_object_object_add(o, "diversion-number",
		    json_object_new_string(p->divert));
		sim_reply_json(req, 200, o);
		break;
	default:
		sim_reply_error(req, 501, "not.implemented",
		    "the simulator does not serve this route yet");
		break;
	}
	return 1;
}

/* For GET /_sim/state: what a user's profile holds now. */
struct json_object *
sim_profile_json(struct sim_user *u)
{
	struct sim_profile	*p = profile_get(u);
	struct json_object	*o = json_object_new_object();

	json_object_object_add(o, "historyItems", json_object_get(p->items));
	json_object_object_add(o, "presence", json_object_get(p->presence));
	json_object_object_add(o, "diversionNumber",
	    json_object_new_string(p->divert));
	return o;
}
