/* state.c: the simulated Core's users, devices, groups, calls and tickets. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "log.h"
#include "sim.h"
#include "xmalloc.h"

struct sim_ticket {
	char			*token;
	char			*name;
	struct sim_user		*user;
	time_t			 expires;
	struct sim_ticket	*next;
};

static struct sim_user		*users;
static struct sim_ticket	*tickets;
static char			**issued;	/* every token ever made */
static size_t			 nissued;
static unsigned			 call_seq;

int64_t
sim_random_token(void)
{
	int64_t	t;

	do {
		arc4random_buf(&t, sizeof(t));
		t &= INT64_MAX >> 2;	/* positive, fits a JSON double's range loosely */
	} while (t == 0);
	return t;
}

char *
sim_random_hex(size_t bytes)
{
	unsigned char	 raw[64];
	char		*s = xmalloc(bytes * 2 + 1);
	size_t		 i;

	if (bytes > sizeof(raw))
		bytes = sizeof(raw);
	arc4random_buf(raw, bytes);
	for (i = 0; i < bytes; i++)
		snprintf(s + i * 2, 3, "%02x", raw[i]);
	return s;
}

struct sim_user *
sim_users(void)
{
	return users;
}

struct sim_user *
sim_user_add(const char *domain, const char *user, const char *password)
{
	struct sim_user	*u = xcalloc(1, sizeof(*u)), **pp;

	u->domain = xstrdup(domain);
	u->user = xstrdup(user);
	u->password = xstrdup(password);
	for (pp = &users; *pp != NULL; pp = &(*pp)->next)
		;
	*pp = u;
	return u;
}

struct sim_user *
sim_user_find(const char *domain, const char *user)
{
	struct sim_user	*u;

	for (u = users; u != NULL; u = u->next)
		if (strcmp(u->domain, domain) == 0 && strcmp(u->user, user) == 0)
			return u;
	return NULL;
}

void
sim_device_add(struct sim_user *u, const char *id, const char *type,
    const char *name, const char *status)
{
	struct sim_device	*d;

	u->devices = xreallocarray(u->devices, u->ndevices + 1,
	    sizeof(*u->devices));
	d = &u->devices[u->ndevices++];
	d->id = xstrdup(id);
	d->type = xstrdup(type);
	d->name = xstrdup(name);
	d->status = xstrdup(status);
}

struct sim_group *
sim_group_add(struct sim_user *u, int64_t id, const char *name,
    const char *type)
{
	struct sim_group	*g;

	u->groups = xreallocarray(u->groups, u->ngroups + 1, sizeof(*u->groups));
	g = &u->groups[u->ngroups++];
	memset(g, 0, sizeof(*g));
	g->id = id;
	g->domain = xstrdup(u->domain);
	g->name = xstrdup(name);
	g->type = xstrdup(type);
	return g;
}

struct sim_group *
sim_group_find(struct sim_user *u, int64_t id)
{
	size_t	i;

	for (i = 0; i < u->ngroups; i++)
		if (u->groups[i].id == id)
			return &u->groups[i];
	return NULL;
}

struct sim_call *
sim_call_find(struct sim_user *u, const char *id)
{
	struct sim_call	*c;

	for (c = u->calls; c != NULL; c = c->next)
		if (strcmp(c->id, id) == 0)
			return c;
	return NULL;
}

static void
party_set(struct sim_party *p, const char *number, const char *name)
{
	free(p->type);
	free(p->tel_uri);
	free(p->display_name);
	free(p->display_number);
	p->type = xstrdup(number[0] == '+' ? "EXTERNAL" : "USER_ID");
	p->tel_uri = xasprintf("tel:%s", number);
	p->display_name = xstrdup(name != NULL ? name : "");
	p->display_number = xstrdup(number);
}

static void
party_clear(struct sim_party *p)
{
	free(p->type);
	free(p->tel_uri);
	free(p->display_name);
	free(p->display_number);
	memset(p, 0, sizeof(*p));
}

struct sim_call *
sim_call_new(struct sim_user *u, int inbound, const char *number,
    const char *name, const char *device)
{
	struct sim_call	*c = xcalloc(1, sizeof(*c)), **pp;
	char		*rnd = sim_random_hex(4);

	c->id = xasprintf("c%u%s", ++call_seq, rnd);
	free(rnd);
	c->token = sim_random_token();
	c->inbound = inbound;
	c->status = xstrdup(inbound ? "RINGING" : "INITIATED");
	c->event = xstrdup(inbound ? "RINGING" : "INITIATED");
	c->event_description = xstrdup("");
	party_set(&c->remote, number, name);
	c->device = xstrdup(device != NULL ? device : "");
	rnd = sim_random_hex(8);
	c->correlation_id = xasprintf("%s_%lld", rnd, (long long)time(NULL));
	free(rnd);
	for (pp = &u->calls; *pp != NULL; pp = &(*pp)->next)
		;
	*pp = c;
	u->calls_seen++;
	if (sim_verbose)
		log_info("%s: call %s %s %s %s (%s)", u->user, c->id,
		    inbound ? "from" : "to", c->remote.display_number,
		    c->remote.display_name, c->status);
	events_call_added_or_removed(u, c, 1);
	return c;
}

void
sim_call_changed(struct sim_user *u, struct sim_call *c, const char *event)
{
	int64_t	old = c->token;

	do
		c->token = sim_random_token();
	while (c->token == old);
	free(c->event);
	c->event = xstrdup(event != NULL ? event : "");
	if (strcmp(c->status, "ACTIVE") == 0 && c->answered == 0)
		c->answered = time(NULL);
	if (sim_verbose)
		log_info("%s: call %s %s (%s)", u->user, c->id, c->status,
		    c->event);
	events_call_changed(u, c);
}

/*
 * What the user does at the phone: answer (or the far end, for an outbound
 * call), hold, resume, mute, unmute. -1 when the call's status does not
 * allow it now.
 */
int
sim_call_press(struct sim_user *u, struct sim_call *c, const char *what,
    const char *device)
{
	const char	*event;

	if (strcmp(what, "answer") == 0) {
		if (strcmp(c->status, "RINGING") != 0 &&
		    strcmp(c->status, "INITIATED") != 0)
			return -1;
		if (*c->device == '\0' && device != NULL) {
			free(c->device);
			c->device = xstrdup(device);
		}
		event = "ANSWERED";
	} else if (strcmp(what, "hold") == 0 || strcmp(what, "resume") == 0) {
		if (strcmp(c->status, what[0] == 'h' ? "ACTIVE" : "HELD") != 0)
			return -1;
		event = what[0] == 'h' ? "HELD" : "RESUMED";
	} else if (strcmp(what, "mute") == 0 || strcmp(what, "unmute") == 0) {
		if (strcmp(c->status, "ACTIVE") != 0 &&
		    strcmp(c->status, "HELD") != 0)
			return -1;
		c->muted = what[0] == 'm';
		event = c->muted ? "MUTED" : "UNMUTED";
	} else
		return -1;
	if (strcmp(event, "MUTED") != 0 && strcmp(event, "UNMUTED") != 0) {
		free(c->status);
		c->status = xstrdup(strcmp(event, "HELD") == 0 ? "HELD" : "ACTIVE");
	}
	sim_call_changed(u, c, event);
	return 0;
}

static void
sim_call_free(struct sim_call *c)
{
	size_t	i;

	free(c->id);
	free(c->status);
	free(c->event);
	free(c->event_description);
	party_clear(&c->remote);
	for (i = 0; i < c->nparticipants; i++) {
		party_clear(&c->participants[i]);
		free(c->participant_ids[i]);
	}
	free(c->participants);
	free(c->participant_ids);
	free(c->device);
	free(c->correlation_id);
	free(c->queue);
	free(c);
}

void
sim_call_end(struct sim_user *u, struct sim_call *c, const char *event)
{
	struct sim_call	**pp;

	free(c->status);
	c->status = xstrdup("TERMINATED");
	sim_call_changed(u, c, event);
	sim_history_call_ended(u, c);	/* issue 21 */
	for (pp = &u->calls; *pp != NULL; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	u->calls_seen++;
	events_call_added_or_removed(u, c, 0);
	sim_call_free(c);
}

static struct json_object *
party_json(const struct sim_party *p)
{
	struct json_object	*o = json_object_new_object();

	json_object_object_add(o, "type", json_object_new_string(p->type));
	json_object_object_add(o, "telUri", json_object_new_string(p->tel_uri));
	json_object_object_add(o, "displayName",
	    json_object_new_string(p->display_name));
	json_object_object_add(o, "displayNumber",
	    json_object_new_string(p->display_number));
	return o;
}

static struct json_object *
device_ids_json(struct sim_user *u, struct sim_call *c)
{
	struct json_object	*a = json_object_new_array();
	size_t			 i;

	if (*c->device != '\0')
		json_object_array_add(a, json_object_new_string(c->device));
	else
		for (i = 0; i < u->ndevices; i++)
			if (strcmp(u->devices[i].status, "ACTIVE") == 0)
				json_object_array_add(a,
				    json_object_new_string(u->devices[i].id));
	return a;
}

static void
action_add(struct json_object *a, const char *name, struct json_object *devs)
{
	struct json_object	*o = json_object_new_object();

	json_object_object_add(o, "action", json_object_new_string(name));
	if (devs != NULL)
		json_object_object_add(o, "deviceIds", devs);
	json_object_array_add(a, o);
}

struct json_object *
sim_call_actions(struct sim_user *u, struct sim_call *c)
{
	struct json_object	*a = json_object_new_array();

	if (strcmp(c->status, "RINGING") == 0 && c->inbound) {
		action_add(a, "ANSWER", device_ids_json(u, c));
	} else if (strcmp(c->status, "ACTIVE") == 0) {
		action_add(a, "MOVE", NULL);
		action_add(a, "TRANSFER", NULL);
		action_add(a, "HOLD", NULL);
		action_add(a, "PARK", NULL);
		action_add(a, c->muted ? "UNMUTE" : "MUTE", NULL);
		action_add(a, c->recording ? "STOP_REC" : "START_REC", NULL);
		if (c->ext_recording) {
			action_add(a, c->ext_saved ? "DISCARD_REC" : "SAVE_REC", NULL);
			action_add(a, c->ext_paused ? "RESUME_REC" : "PAUSE_REC", NULL);
		}
	} else if (strcmp(c->status, "HELD") == 0) {
		action_add(a, "MOVE", NULL);
		action_add(a, "TRANSFER", NULL);
		action_add(a, "RESUME", NULL);
		action_add(a, "PARK", NULL);
	}
	return a;
}

int
sim_call_allows(struct sim_user *u, struct sim_call *c, const char *action)
{
	struct json_object	*a = sim_call_actions(u, c), *e, *name;
	size_t			 i;
	int			 found = 0;

	for (i = 0; i < json_object_array_length(a) && !found; i++) {
		e = json_object_array_get_idx(a, i);
		if (json_object_object_get_ex(e, "action", &name) &&
		    strcmp(json_object_get_string(name), action) == 0)
			found = 1;
	}
	json_object_put(a);
	return found;
}

struct json_object *
sim_call_json(struct sim_user *u, struct sim_call *c)
{
	struct json_object	*o = json_object_new_object(), *parts;
	time_t			 now = time(NULL);
	size_t			 i;

#define ADD(k, v)	json_object_object_add(o, k, v)
	ADD("stateToken", json_object_new_int64(c->token));
	ADD("callId", json_object_new_string(c->id));
	ADD("remoteParty", party_json(&c->remote));
	if (c->nparticipants > 0) {
		parts = json_object_new_array();
		for (i = 0; i < c->nparticipants; i++) {
			struct json_object *p = json_object_new_object();
			json_object_object_add(p, "id",
			    json_object_new_string(c->participant_ids[i]));
			json_object_object_add(p, "remoteParty",
			    party_json(&c->participants[i]));
			json_object_array_add(parts, p);
		}
		ADD("participants", parts);
	}
	if (c->queue != NULL) {
		/* As the reference shows a call that a group distributed. */
		struct json_object *h = json_object_new_object(), *pp;
		pp = json_object_new_object();
		json_object_object_add(pp, "type",
		    json_object_new_string("FUNCTION_NUMBER_ID"));
		json_object_object_add(pp, "displayName",
		    json_object_new_string(c->queue));
		json_object_object_add(h, "previousParty", pp);
		json_object_object_add(h, "previousRetargetReason",
		    json_object_new_string("DISTRIBUTED"));
		ADD("historyInfo", h);
	}
	ADD("conference", json_object_new_boolean(c->conference));
	ADD("inbound", json_object_new_boolean(c->inbound));
	ADD("intruded", json_object_new_boolean(0));
	ADD("status", json_object_new_string(c->status));
	if (*c->event != '\0')
		ADD("event", json_object_new_string(c->event));
	if (*c->event_description != '\0')
		ADD("eventDescription", json_object_new_string(c->event_description));
	ADD("muted", json_object_new_boolean(c->muted));
	ADD("duration", json_object_new_int64(c->answered != 0 ?
	    (int64_t)(now - c->answered) : 0));
	ADD("recordable", json_object_new_boolean(1));
	ADD("recording", json_object_new_boolean(c->recording));
	ADD("recordingDuration", json_object_new_int64(c->recording ?
	    (int64_t)(now - c->recording_since) : 0));
	if (c->ext_recording) {
		ADD("externalRecording", json_object_new_boolean(1));
		ADD("externalRecordingDuration", json_object_new_int64(
		    c->answered != 0 ? (int64_t)(now - c->answered) : 0));
		ADD("externalRecordingPaused", json_object_new_boolean(c->ext_paused));
	}
	ADD("deviceIds", device_ids_json(u, c));
	ADD("actions", sim_call_actions(u, c));
	ADD("correlationId", json_object_new_string(c->correlation_id));
#undef ADD
	return o;
}

struct json_object *
sim_user_state_json(struct sim_user *u)
{
	struct json_object	*o = json_object_new_object();
	struct json_object	*calls = json_object_new_array();
	struct sim_call		*c;

	for (c = u->calls; c != NULL; c = c->next)
		json_object_array_add(calls, sim_call_json(u, c));
	json_object_object_add(o, "fullState", json_object_new_boolean(1));
	json_object_object_add(o, "calls", calls);
	return o;
}

struct json_object *
sim_devices_json(struct sim_user *u, int active_only)
{
	struct json_object	*a = json_object_new_array(), *o;
	size_t			 i;

	for (i = 0; i < u->ndevices; i++) {
		if (active_only && strcmp(u->devices[i].status, "ACTIVE") != 0)
			continue;
		o = json_object_new_object();
		json_object_object_add(o, "deviceId",
		    json_object_new_string(u->devices[i].id));
		json_object_object_add(o, "deviceType",
		    json_object_new_string(u->devices[i].type));
		json_object_object_add(o, "deviceName",
		    json_object_new_string(u->devices[i].name));
		json_object_object_add(o, "deviceIcon",
		    json_object_new_string("DEFAULT"));
		if (!active_only) {
			json_object_object_add(o, "deviceTypeName",
			    json_object_new_string(u->devices[i].type));
			json_object_object_add(o, "deviceStatus",
			    json_object_new_string(u->devices[i].status));
			json_object_object_add(o, "revocable",
			    json_object_new_boolean(1));
			json_object_object_add(o, "hasAttributes",
			    json_object_new_boolean(0));
		}
		json_object_array_add(a, o);
	}
	return a;
}

struct json_object *
sim_groups_json(struct sim_user *u)
{
	struct json_object	*o = json_object_new_object();
	struct json_object	*a = json_object_new_array(), *g;
	struct sim_group	*grp;
	size_t			 i;

	for (i = 0; i < u->ngroups; i++) {
		grp = &u->groups[i];
		g = json_object_new_object();
		json_object_object_add(g, "id", json_object_new_int64(grp->id));
		json_object_object_add(g, "domain", json_object_new_string(grp->domain));
		json_object_object_add(g, "name", json_object_new_string(grp->name));
		json_object_object_add(g, "type", json_object_new_string(grp->type));
		json_object_object_add(g, "loggedIn", json_object_new_boolean(grp->logged_in));
		json_object_object_add(g, "nightMode", json_object_new_boolean(grp->night_mode));
		json_object_object_add(g, "loggedInAgents",
		    json_object_new_int64(grp->logged_in_agents));
		json_object_object_add(g, "freeAgents",
		    json_object_new_int64(grp->free_agents));
		json_object_object_add(g, "callsWaiting",
		    json_object_new_int64(grp->calls_waiting));
		json_object_array_add(a, g);
	}
	json_object_object_add(o, "group", a);
	return o;
}

static void
xml_escape(struct buf *b, const char *s)
{
	for (; *s != '\0'; s++) {
		switch (*s) {
		case '<': buf_addstr(b, "&lt;"); break;
		case '>': buf_addstr(b, "&gt;"); break;
		case '&': buf_addstr(b, "&amp;"); break;
		case '"': buf_addstr(b, "&quot;"); break;
		default: buf_addc(b, *s); break;
		}
	}
}

char *
sim_queues_xml(struct sim_user *u)
{
	struct buf		 b;
	struct sim_group	*g;
	size_t			 i;

	buf_init(&b);
	buf_addstr(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<queue-statistics xmlns=\"urn:dstny:coresim:queue-statistics\">\n");
	for (i = 0; i < u->ngroups; i++) {
		g = &u->groups[i];
		buf_printf(&b, "<queue><id>%lld</id><name>", (long long)g->id);
		xml_escape(&b, g->name);
		buf_addstr(&b, "</name><domain>");
		xml_escape(&b, g->domain);
		buf_printf(&b, "</domain><queueLength>%u</queueLength>"
		    "<availableAgents>%u</availableAgents>"
		    "<loggedInAgents>%u</loggedInAgents>"
		    "<longestWaiting>%u</longestWaiting><lastWait>%u</lastWait>"
		    "<averageWait>%u</averageWait>"
		    "<totalCallsLast24h>%u</totalCallsLast24h>"
		    "<droppedCallsLast24h>%u</droppedCallsLast24h>"
		    "<answeredCallsLast24h>%u</answeredCallsLast24h>"
		    "<current-agent-presence><name>Available</name><count>%u</count>"
		    "</current-agent-presence></queue>\n",
		    g->calls_waiting, g->free_agents, g->logged_in_agents,
		    g->longest_waiting, g->last_wait, g->average_wait,
		    g->total_24h, g->dropped_24h, g->answered_24h, g->free_agents);
	}
	buf_addstr(&b, "</queue-statistics>\n");
	return buf_release(&b);
}

/* RFC 4235 dialog state of a call. */
static const char *
dialog_state(const struct sim_call *c)
{
	if (strcmp(c->status, "TERMINATED") == 0)
		return "terminated";
	if (strcmp(c->status, "RINGING") == 0)
		return "early";
	if (strcmp(c->status, "INITIATED") == 0)
		return "proceeding";
	return "confirmed";
}

static void
dialog_xml_one(struct buf *b, const struct sim_call *c)
{
	buf_addstr(b, "  <dialog id=\"");
	xml_escape(b, c->id);
	buf_addstr(b, "\" call-id=\"");
	xml_escape(b, c->id);
	buf_printf(b, "\" direction=\"%s\"><state>%s</state><remote><identity>",
	    c->inbound ? "recipient" : "initiator", dialog_state(c));
	xml_escape(b, c->remote.tel_uri);
	buf_addstr(b, "</identity></remote></dialog>\n");
}

char *
sim_dialog_xml(struct sim_user *u, struct sim_call *only, const char *state)
{
	struct buf	 b;
	struct sim_call	*c;

	buf_init(&b);
	buf_printf(&b, "<?xml version=\"1.0\"?>\n<dialog-info xmlns=\"urn:ietf:"
	    "params:xml:ns:dialog-info\" version=\"%d\" state=\"%s\" "
	    "entity=\"sip:", u->calls_seen, state);
	xml_escape(&b, u->user);
	buf_addc(&b, '@');
	xml_escape(&b, u->domain);
	buf_addstr(&b, "\">\n");
	if (only != NULL)
		dialog_xml_one(&b, only);
	else
		for (c = u->calls; c != NULL; c = c->next)
			dialog_xml_one(&b, c);
	buf_addstr(&b, "</dialog-info>\n");
	return buf_release(&b);
}

char *
sim_ticket_create(struct sim_user *u, const char *name, long expires,
    time_t *expires_at)
{
	struct sim_ticket	*t = xcalloc(1, sizeof(*t)), **pp;
	char			*rnd = sim_random_hex(24);

	/* A ticket of the same name replaces the old one. */
	for (pp = &tickets; *pp != NULL;) {
		if ((*pp)->user == u && strcmp((*pp)->name, name) == 0) {
			struct sim_ticket *old = *pp;
			*pp = old->next;
			free(old->token);
			free(old->name);
			free(old);
		} else
			pp = &(*pp)->next;
	}
	t->token = xasprintf("%u.%s", (unsigned)arc4random_uniform(10000), rnd);
	free(rnd);
	issued = xreallocarray(issued, nissued + 1, sizeof(*issued));
	issued[nissued++] = xstrdup(t->token);
	t->name = xstrdup(name);
	t->user = u;
	t->expires = time(NULL) + expires;
	t->next = tickets;
	tickets = t;
	*expires_at = t->expires;
	return t->token;
}

struct sim_user *
sim_ticket_user(const char *token)
{
	struct sim_ticket	*t;
	time_t			 now = time(NULL);

	for (t = tickets; t != NULL; t = t->next)
		if (strcmp(t->token, token) == 0 && t->expires > now)
			return t->user;
	return NULL;
}

int
sim_ticket_delete(struct sim_user *u, const char *name)
{
	struct sim_ticket	**pp, *t;

	for (pp = &tickets; *pp != NULL; pp = &(*pp)->next) {
		t = *pp;
		if (t->user == u && strcmp(t->name, name) == 0) {
			*pp = t->next;
			free(t->token);
			free(t->name);
			free(t);
			return 0;
		}
	}
	return -1;
}

void
sim_tickets_revoke(struct sim_user *u)
{
	struct sim_ticket	**pp, *t;

	for (pp = &tickets; *pp != NULL;) {
		t = *pp;
		if (u == NULL || t->user == u) {
			*pp = t->next;
			free(t->token);
			free(t->name);
			free(t);
		} else
			pp = &t->next;
	}
}

void
sim_users_free(void)
{
	struct sim_user	*u;
	struct sim_call	*c;
	size_t		 i;

	sim_tickets_revoke(NULL);
	while (nissued > 0)
		free(issued[--nissued]);
	free(issued);
	issued = NULL;
	while ((u = users) != NULL) {
		users = u->next;
		while ((c = u->calls) != NULL) {
			u->calls = c->next;
			sim_call_free(c);
		}
		for (i = 0; i < u->ndevices; i++) {
			free(u->devices[i].id);
			free(u->devices[i].type);
			free(u->devices[i].name);
			free(u->devices[i].status);
		}
		free(u->devices);
		for (i = 0; i < u->ngroups; i++) {
			free(u->groups[i].domain);
			free(u->groups[i].name);
			free(u->groups[i].type);
		}
		free(u->groups);
		free(u->domain);
		free(u->user);
		free(u->password);
		free(u);
	}
}

int
sim_group_remove(struct sim_user *u, int64_t id)
{
	size_t	i;

	for (i = 0; i < u->ngroups; i++)
		if (u->groups[i].id == id)
			break;
	if (i == u->ngroups)
		return -1;
	free(u->groups[i].domain);
	free(u->groups[i].name);
	free(u->groups[i].type);
	memmove(&u->groups[i], &u->groups[i + 1],
	    (u->ngroups - i - 1) * sizeof(*u->groups));
	u->ngroups--;
	return 0;
}

struct json_object *
sim_tickets_issued_json(void)
{
	struct json_object	*a = json_object_new_array();
	size_t			 i;

	for (i = 0; i < nissued; i++)
		json_object_array_add(a, json_object_new_string(issued[i]));
	return a;
}
