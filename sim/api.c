/* api.c: the Core's User API routes (interfaces.md 1.2) over evhttp. */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sys/queue.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <json-c/json.h>

#include "callstate.h"
#include "coremsg.h"
#include "routes.h"
#include "sim.h"
#include "xmalloc.h"

#define MAX_VARS	6

struct api_req {
	struct evhttp_request	*req;
	enum route_id		 route;
	struct route_var	 vars[MAX_VARS + 1];
	struct evkeyvalq	 query;
	struct json_object	*body;		/* NULL when none or not JSON */
	struct sim_user		*user;
	struct sim_call		*call;
};

struct linestate {
	struct sim_user		*user;
	char			*external_id;
	char			*expires;
	struct linestate	*next;
};

static const char	*api_base = "";
static struct linestate	*linestates;

void
api_init(struct event_base *base, const char *base_path)
{
	api_base = base_path;
}

static const char *
var(struct api_req *r, const char *name)
{
	struct route_var	*v;

	for (v = r->vars; v->name != NULL; v++)
		if (strcmp(v->name, name) == 0)
			return v->value;
	return NULL;
}

static void
api_req_clear(struct api_req *r)
{
	struct route_var	*v;

	for (v = r->vars; v->name != NULL; v++) {
		free((char *)v->name);
		free((char *)v->value);
	}
	evhttp_clear_headers(&r->query);
	json_object_put(r->body);
}

static void
vars_free(struct route_var *v, size_t n)
{
	while (n-- > 0) {
		free((char *)v[n].name);
		free((char *)v[n].value);
		v[n].name = v[n].value = NULL;
	}
}

/* Match path against route id's template; fill the placeholders. */
static int
route_match(enum route_id id, const char *path, struct api_req *r)
{
	const char	*t = route_default_template(id), *p = path, *end, *seg;
	size_t		 n = 0, len;
	char		*raw;

	r->vars[0].name = NULL;
	while (*t != '\0') {
		if (*t == '{') {
			end = strchr(t, '}');
			for (seg = p; *p != '\0' && *p != '/'; p++)
				;
			if (p == seg || n == MAX_VARS) {
				vars_free(r->vars, n);
				return 0;
			}
			raw = xstrndup(seg, (size_t)(p - seg));
			r->vars[n].name = xstrndup(t + 1, (size_t)(end - t - 1));
			r->vars[n].value = evhttp_uridecode(raw, 0, &len);
			r->vars[++n].name = NULL;
			free(raw);
			t = end + 1;
		} else if (*t++ != *p++) {
			vars_free(r->vars, n);
			return 0;
		}
	}
	if (*p != '\0') {
		vars_free(r->vars, n);
		return 0;
	}
	return 1;
}

static const char *
api_method(struct evhttp_request *req)
{
	const char	*o = evhttp_find_header(evhttp_request_get_input_headers(req),
	    "X-HTTP-Method-Override");

	switch (evhttp_request_get_command(req)) {
	case EVHTTP_REQ_GET:
		return "GET";
	case EVHTTP_REQ_POST:
		if (o != NULL && (strcmp(o, "PUT") == 0 || strcmp(o, "DELETE") == 0))
			return o;
		return "POST";
	case EVHTTP_REQ_PUT:
		return "PUT";
	case EVHTTP_REQ_DELETE:
		return "DELETE";
	default:
		return "OTHER";
	}
}

static struct json_object *
body_json(struct evhttp_request *req)
{
	struct evbuffer	*in = evhttp_request_get_input_buffer(req);
	size_t		 len = evbuffer_get_length(in);
	char		 err[128];

	if (len == 0)
		return NULL;
	return model_json_parse((const char *)evbuffer_pullup(in, -1), len,
	    err, sizeof(err));
}

static const char *
body_str(struct api_req *r, const char *key)
{
	return r->body != NULL ? model_str(r->body, key) : "";
}

static int
body_has(struct api_req *r, const char *key)
{
	return r->body != NULL && json_object_object_get_ex(r->body, key, NULL);
}

static void
reply_call(struct api_req *r, struct sim_call *c)
{
	sim_reply_json(r->req, 200, sim_call_json(r->user, c));
}

/* The stateToken of the request (body or query), if it names one. */
static int
token_mismatch(struct api_req *r, struct sim_call *c, const char *key)
{
	const char	*q = evhttp_find_header(&r->query, key);

	if (body_has(r, key))
		return model_int(r->body, key) != c->token;
	if (q != NULL)
		return strtoll(q, NULL, 10) != c->token;
	return 0;
}

/* Refuse an action the call does not offer, or a stale token: 409. */
static int
check_action(struct api_req *r, struct sim_call *c, const char *action)
{
	if (token_mismatch(r, c, "stateToken")) {
		sim_reply_error(r->req, 409, "stateToken.mismatch",
		    "the stateToken does not match the call's state");
		return -1;
	}
	if (action != NULL && !sim_call_allows(r->user, c, action)) {
		sim_reply_error(r->req, 409, "action.not.allowed",
		    "the action is not allowed in the call's current state");
		return -1;
	}
	return 0;
}

static struct sim_device *
device_find(struct sim_user *u, const char *id)
{
	size_t	i;

	for (i = 0; u != NULL && id != NULL && i < u->ndevices; i++)
		if (strcmp(u->devices[i].id, id) == 0)
			return &u->devices[i];
	return NULL;
}

static void
set_status(struct sim_call *c, const char *status)
{
	free(c->status);
	c->status = xstrdup(status);
}

static const char *
strip_tel(const char *dest)
{
	if (strncmp(dest, "tel:", 4) == 0)
		return dest + 4;
	if (strncmp(dest, "sip:", 4) == 0)
		return dest + 4;
	return dest;
}

static void
register_call_hook(struct api_req *r, struct sim_call *c)
{
	if (*body_str(r, "targetUrl") != '\0' && *body_str(r, "targetId") != '\0')
		events_hook_register(r->user, HOOK_CALL, c->id,
		    body_str(r, "targetUrl"), body_str(r, "targetId"));
}

static void
do_make(struct api_req *r, int consult)
{
	const char	*dest = body_str(r, "destination"), *dev;
	struct sim_call	*c;

	if (*dest == '\0') {
		sim_reply_error(r->req, 400, "destination.required",
		    "destination is required");
		return;
	}
	if (consult) {
		if (check_action(r, r->call, "HOLD") == -1)
			return;
		dev = r->call->device;
		set_status(r->call, "HELD");
		sim_call_changed(r->user, r->call, "HELD");
	} else {
		dev = var(r, "deviceId");
		if (device_find(r->user, dev) == NULL) {
			sim_reply_error(r->req, 404, "device.not.found",
			    "no such device");
			return;
		}
	}
	c = sim_call_new(r->user, 0, strip_tel(dest), NULL, dev);
	register_call_hook(r, c);
	reply_call(r, c);
}

static int
dtmf_valid(const char *d)
{
	if (*d == '\0')
		return 0;
	for (; *d != '\0'; d++)
		if (!isdigit((unsigned char)*d) && strchr("ABCD#*", *d) == NULL)
			return 0;
	return 1;
}

static struct sim_call *
target_call(struct api_req *r)
{
	struct sim_call	*t;
	const char	*id = body_str(r, "targetCallId");

	if (*id == '\0' || (t = sim_call_find(r->user, id)) == NULL ||
	    t == r->call) {
		sim_reply_error(r->req, 404, "call.not.found",
		    "no such target call");
		return NULL;
	}
	if (body_has(r, "targetStateToken") &&
	    model_int(r->body, "targetStateToken") != t->token) {
		sim_reply_error(r->req, 409, "stateToken.mismatch",
		    "the targetStateToken does not match");
		return NULL;
	}
	return t;
}

static void
do_conference(struct api_req *r, struct sim_call *t)
{
	struct sim_call	*c = r->call;
	size_t		 i;

	if (!c->conference) {
		c->participants = xcalloc(2, sizeof(*c->participants));
		c->participant_ids = xcalloc(2, sizeof(*c->participant_ids));
		c->participants[0].type = xstrdup(c->remote.type);
		c->participants[0].tel_uri = xstrdup(c->remote.tel_uri);
		c->participants[0].display_name = xstrdup(c->remote.display_name);
		c->participants[0].display_number = xstrdup(c->remote.display_number);
		c->participant_ids[0] = sim_random_hex(4);
		c->nparticipants = 1;
		c->conference = 1;
		free(c->remote.display_name);
		c->remote.display_name = xstrdup("Conference");
	} else {
		c->participants = xreallocarray(c->participants,
		    c->nparticipants + 1, sizeof(*c->participants));
		c->participant_ids = xreallocarray(c->participant_ids,
		    c->nparticipants + 1, sizeof(*c->participant_ids));
	}
	i = c->nparticipants++;
	c->participants[i].type = xstrdup(t->remote.type);
	c->participants[i].tel_uri = xstrdup(t->remote.tel_uri);
	c->participants[i].display_name = xstrdup(t->remote.display_name);
	c->participants[i].display_number = xstrdup(t->remote.display_number);
	c->participant_ids[i] = sim_random_hex(4);
	set_status(c, "ACTIVE");
	sim_call_end(r->user, t, "MERGED");
	sim_call_changed(r->user, c, "PARTICIPANT_ADDED");
	reply_call(r, c);
}

static void
do_remove_participant(struct api_req *r)
{
	struct sim_call	*c = r->call;
	const char	*pid = var(r, "participantId");
	size_t		 i;

	for (i = 0; i < c->nparticipants; i++)
		if (strcmp(c->participant_ids[i], pid) == 0)
			break;
	if (i == c->nparticipants) {
		sim_reply_error(r->req, 404, "participant.not.found",
		    "no such participant");
		return;
	}
	free(c->participant_ids[i]);
	free(c->participants[i].type);
	free(c->participants[i].tel_uri);
	free(c->participants[i].display_name);
	free(c->participants[i].display_number);
	memmove(&c->participants[i], &c->participants[i + 1],
	    (c->nparticipants - i - 1) * sizeof(*c->participants));
	memmove(&c->participant_ids[i], &c->participant_ids[i + 1],
	    (c->nparticipants - i - 1) * sizeof(*c->participant_ids));
	c->nparticipants--;
	sim_call_changed(r->user, c, "PARTICIPANT_LEFT");
	reply_call(r, c);
}

/* Recording actions: which action gates each, and what it changes. */
static void
do_recording(struct api_req *r)
{
	struct sim_call	*c = r->call;
	const char	*gate, *event;

	switch (r->route) {
	case ROUTE_REC_START: gate = "START_REC"; event = "RECORDING_STARTED"; break;
	case ROUTE_REC_STOP: gate = "STOP_REC"; event = "RECORDING_STOPPED"; break;
	case ROUTE_REC_PAUSE: gate = "PAUSE_REC"; event = "RECORDING_PAUSED"; break;
	case ROUTE_REC_RESUME: gate = "RESUME_REC"; event = "RECORDING_RESUMED"; break;
	case ROUTE_REC_SAVE: gate = "SAVE_REC"; event = "RECORDING_SAVED"; break;
	default: gate = "DISCARD_REC"; event = "RECORDING_DISCARDED"; break;
	}
	if (check_action(r, c, gate) == -1)
		return;
	switch (r->route) {
	case ROUTE_REC_START:
		c->recording = 1;
		c->recording_since = time(NULL);
		break;
	case ROUTE_REC_STOP: c->recording = 0; break;
	case ROUTE_REC_PAUSE: c->ext_paused = 1; break;
	case ROUTE_REC_RESUME: c->ext_paused = 0; break;
	case ROUTE_REC_SAVE: c->ext_saved = 1; break;
	default: c->ext_saved = 0; break;
	}
	sim_call_changed(r->user, c, event);
	reply_call(r, c);
}

static void
do_call_action(struct api_req *r)
{
	struct sim_call		*c = r->call, *t;
	struct sim_device	*d;
	const char		*dev;

	switch (r->route) {
	case ROUTE_CALL_ANSWER:
		dev = var(r, "deviceId");
		if (check_action(r, c, "ANSWER") == -1)
			return;
		if ((d = device_find(r->user, dev)) == NULL) {
			sim_reply_error(r->req, 404, "device.not.found", "no such device");
			return;
		}
		if ((*c->device != '\0' && strcmp(c->device, dev) != 0) ||
		    strcmp(d->status, "ACTIVE") != 0) {
			sim_reply_error(r->req, 409, "action.not.allowed",
			    "the call cannot be answered on that device");
			return;
		}
		free(c->device);
		c->device = xstrdup(dev);
		set_status(c, "ACTIVE");
		register_call_hook(r, c);
		sim_call_changed(r->user, c, "ANSWERED");
		reply_call(r, c);
		return;
	case ROUTE_CALL_HANGUP:
		sim_call_end(r->user, c, "HANGUP");
		sim_reply(r->req, 204, NULL, NULL);
		return;
	case ROUTE_CALL_HOLD:
	case ROUTE_CALL_RESUME:
		if (check_action(r, c, r->route == ROUTE_CALL_HOLD ? "HOLD" :
		    "RESUME") == -1)
			return;
		set_status(c, r->route == ROUTE_CALL_HOLD ? "HELD" : "ACTIVE");
		sim_call_changed(r->user, c, r->route == ROUTE_CALL_HOLD ?
		    "HELD" : "RESUMED");
		reply_call(r, c);
		return;
	case ROUTE_CALL_MUTE:
	case ROUTE_CALL_UNMUTE:
		if (check_action(r, c, r->route == ROUTE_CALL_MUTE ? "MUTE" :
		    "UNMUTE") == -1)
			return;
		c->muted = r->route == ROUTE_CALL_MUTE;
		sim_call_changed(r->user, c, c->muted ? "MUTED" : "UNMUTED");
		reply_call(r, c);
		return;
	case ROUTE_CALL_PARK:
		if (check_action(r, c, "PARK") == -1)
			return;
		break;
	case ROUTE_CALL_MOVE:
		dev = var(r, "deviceId");
		if (check_action(r, c, "MOVE") == -1)
			return;
		if (device_find(r->user, dev) == NULL) {
			sim_reply_error(r->req, 404, "device.not.found", "no such device");
			return;
		}
		free(c->device);
		c->device = xstrdup(dev);
		sim_call_changed(r->user, c, "MOVED");
		reply_call(r, c);
		return;
	case ROUTE_CALL_TRANSFER:
		if (check_action(r, c, "TRANSFER") == -1)
			return;
		if (*body_str(r, "destination") == '\0') {
			sim_reply_error(r->req, 400, "destination.required",
			    "destination is required");
			return;
		}
		break;
	case ROUTE_CALL_TRANSFERTOCALL:
		if (check_action(r, c, "TRANSFER") == -1 ||
		    (t = target_call(r)) == NULL)
			return;
		sim_call_end(r->user, t, "TRANSFERRED");
		break;
	case ROUTE_CALL_SWAP:
		if (check_action(r, c, "HOLD") == -1 || (t = target_call(r)) == NULL)
			return;
		if (strcmp(t->status, "HELD") != 0 && strcmp(t->status, "RINGING") != 0) {
			sim_reply_error(r->req, 409, "action.not.allowed",
			    "the target call is neither held nor ringing");
			return;
		}
		set_status(c, "HELD");
		sim_call_changed(r->user, c, "HELD");
		set_status(t, "ACTIVE");
		if (*t->device == '\0') {
			free(t->device);
			t->device = xstrdup(c->device);
		}
		sim_call_changed(r->user, t, "RESUMED");
		reply_call(r, c);
		return;
	case ROUTE_CALL_CONFERENCE:
		if (check_action(r, c, NULL) == -1 || (t = target_call(r)) == NULL)
			return;
		if ((strcmp(c->status, "ACTIVE") != 0 && strcmp(c->status, "HELD") != 0) ||
		    (strcmp(t->status, "ACTIVE") != 0 && strcmp(t->status, "HELD") != 0)) {
			sim_reply_error(r->req, 409, "action.not.allowed",
			    "both calls must be established");
			return;
		}
		do_conference(r, t);
		return;
	case ROUTE_CALL_LEAVECONFERENCE:
		if (!c->conference) {
			sim_reply_error(r->req, 409, "action.not.allowed",
			    "the call is not a conference");
			return;
		}
		break;
	case ROUTE_CALL_REMOVEPARTICIPANT:
		if (check_action(r, c, NULL) == -1)
			return;
		if (!c->conference) {
			sim_reply_error(r->req, 409, "action.not.allowed",
			    "the call is not a conference");
			return;
		}
		do_remove_participant(r);
		return;
	case ROUTE_CALL_DTMF:
		if (check_action(r, c, NULL) == -1)
			return;
		if (!dtmf_valid(body_str(r, "digits"))) {
			sim_reply_error(r->req, 400, "digits.invalid",
			    "digits must be 0-9, A-D, # or *");
			return;
		}
		if (strcmp(c->status, "ACTIVE") != 0) {
			sim_reply_error(r->req, 409, "action.not.allowed",
			    "DTMF needs an active call");
			return;
		}
		sim_call_changed(r->user, c, "DTMF_SENT");
		reply_call(r, c);
		return;
	case ROUTE_CALL_CONSULT:
		do_make(r, 1);
		return;
	default:
		do_recording(r);
		return;
	}
	/* Transfers, park and leaving a conference end the call. */
	{
		struct json_object *last;
		const char *event = r->route == ROUTE_CALL_LEAVECONFERENCE ?
		    "LEFT_CONFERENCE" : r->route == ROUTE_CALL_PARK ? "PARKED" :
		    "TRANSFERRED";
		set_status(c, "TERMINATED");
		c->token = sim_random_token();
		free(c->event);
		c->event = xstrdup(event);
		last = sim_call_json(r->user, c);
		sim_call_end(r->user, c, event);
		sim_reply_json(r->req, 200, last);
	}
}

/* RFC 4648 base64 into out; -1 when malformed or too long. */
static int
b64_decode(const char *in, char *out, size_t outlen)
{
	static const char	 al[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789+/";
	const char		*p;
	unsigned		 acc = 0;
	int			 bits = 0;
	size_t			 n = 0;

	for (; *in != '\0' && *in != '='; in++) {
		if ((p = strchr(al, *in)) == NULL)
			return -1;
		acc = (acc << 6) | (unsigned)(p - al);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (n + 1 >= outlen)
				return -1;
			out[n++] = (char)((acc >> bits) & 0xff);
		}
	}
	out[n] = '\0';
	return (int)n;
}

static void
do_ticket_create(struct api_req *r)
{
	struct evkeyvalq	*in = evhttp_request_get_input_headers(r->req);
	const char		*auth = evhttp_find_header(in, "Authorization");
	const char		*name, *exp, *platform;
	struct json_object	*o, *apis;
	struct evkeyval		*kv;
	char			*login = NULL, *colon, when[32], *token;
	time_t			 expires_at;
	long			 life;
	char			 dec[512];
	int			 n;

	if (auth != NULL && strncmp(auth, "Basic ", 6) == 0 &&
	    (n = b64_decode(auth + 6, dec, sizeof(dec))) > 0)
		login = xstrndup(dec, (size_t)n);
	if (login == NULL || (colon = strchr(login, ':')) == NULL ||
	    (*colon = '\0', strcmp(colon + 1, r->user->password) != 0) ||
	    strcmp(login, "") == 0) {
		free(login);
		sim_reply_error(r->req, 401, "authentication.failed",
		    "wrong user or password");
		return;
	}
	{
		char *want = xasprintf("%s@%s", r->user->user, r->user->domain);
		int match = strcmp(login, want) == 0;
		free(want);
		free(login);
		if (!match) {
			sim_reply_error(r->req, 401, "authentication.failed",
			    "wrong user or password");
			return;
		}
	}
	platform = evhttp_find_header(&r->query, "platform");
	if (platform == NULL || evhttp_find_header(&r->query, "api") == NULL) {
		sim_reply_error(r->req, 400, "parameter.required",
		    "api and platform are required");
		return;
	}
	name = evhttp_find_header(&r->query, "name");
	exp = evhttp_find_header(&r->query, "expires");
	life = exp != NULL ? strtol(exp, NULL, 10) : 3600;
	if (life <= 0)
		life = 3600;
	token = sim_ticket_create(r->user, name != NULL ? name : "default", life,
	    &expires_at);
	iso8601_format(expires_at, when, sizeof(when));
	o = json_object_new_object();
	json_object_object_add(o, "expires", json_object_new_string(when));
	json_object_object_add(o, "name", json_object_new_string(name != NULL ?
	    name : "default"));
	json_object_object_add(o, "token", json_object_new_string(token));
	apis = json_object_new_array();
	TAILQ_FOREACH(kv, &r->query, next)
		if (strcmp(kv->key, "api") == 0)
			json_object_array_add(apis, json_object_new_string(kv->value));
	json_object_object_add(o, "allowedApis", apis);
	sim_reply_json(r->req, 200, o);
}

static void
do_route(struct api_req *r)
{
	struct sim_user		*u = r->user;
	struct sim_group	*g;
	struct linestate	*ls, **pp;
	struct json_object	*o;
	const char		*url, *tid;
	long			 life;
	enum sim_hook_kind	 kind;

	if (contacts_api(r->req, r->route, u, var(r, "cid"), &r->query))
		return;
	/* issue 21: history, presence, forwarding, caller ID, voicemail */
	if (sim_settings_route(r->req, r->route, u, r->vars, r->body))
		return;
	if (sim_profile_route(r->req, r->route, u, &r->query, r->body))
		return;
	switch (r->route) {
	case ROUTE_TICKET_DELETE:
		if (sim_ticket_delete(u, var(r, "ticketName")) == -1)
			sim_reply_error(r->req, 404, "ticket.not.found", "no such ticket");
		else
			sim_reply(r->req, 204, NULL, NULL);
		return;
	case ROUTE_DEVICES_LIST:
	case ROUTE_DEVICES_ACTIVE:
		sim_reply_json(r->req, 200, sim_devices_json(u,
		    r->route == ROUTE_DEVICES_ACTIVE));
		return;
	case ROUTE_DEVICES_WEBHOOK:
	case ROUTE_STATE_USER_WEBHOOK:
	case ROUTE_STATE_CALL_WEBHOOK:
		url = body_str(r, "targetUrl");
		tid = body_str(r, "targetId");
		if ((strncmp(url, "http://", 7) != 0 &&
		    strncmp(url, "https://", 8) != 0) || *tid == '\0') {
			sim_reply_error(r->req, 400, "targetUrl.invalid",
			    "targetUrl (http or https) and targetId are required");
			return;
		}
		kind = r->route == ROUTE_DEVICES_WEBHOOK ? HOOK_DEVICE :
		    r->route == ROUTE_STATE_USER_WEBHOOK ? HOOK_USER : HOOK_CALL;
		life = events_hook_register(u, kind, r->call ? r->call->id : NULL,
		    url, tid);
		if (kind == HOOK_CALL) {
			reply_call(r, r->call);
			return;
		}
		o = json_object_new_object();
		json_object_object_add(o, "expiresOn", json_object_new_int64(life));
		sim_reply_json(r->req, 200, o);
		return;
	case ROUTE_DEVICES_WEBHOOK_DELETE:
	case ROUTE_STATE_USER_WEBHOOK_DELETE:
	case ROUTE_STATE_CALL_WEBHOOK_DELETE:
		kind = r->route == ROUTE_DEVICES_WEBHOOK_DELETE ? HOOK_DEVICE :
		    r->route == ROUTE_STATE_USER_WEBHOOK_DELETE ? HOOK_USER : HOOK_CALL;
		if (events_hook_delete(u, kind, r->call ? r->call->id : NULL,
		    var(r, "targetId")) == -1)
			sim_reply_error(r->req, 404, "webhook.not.found",
			    "no such webhook");
		else
			sim_reply(r->req, 204, NULL, NULL);
		return;
	case ROUTE_DEVICES_SSE:
		events_stream_open(r->req, u, STREAM_DEVICE, NULL);
		return;
	case ROUTE_STATE_USER:
		sim_reply_json(r->req, 200, sim_user_state_json(u));
		return;
	case ROUTE_STATE_CALL:
		reply_call(r, r->call);
		return;
	case ROUTE_STATE_CALL_SSE:
		events_stream_open(r->req, u, STREAM_CALL, r->call->id);
		return;
	case ROUTE_STATE_DIALOG_SSE:
		events_stream_open(r->req, u, STREAM_DIALOG, NULL);
		return;
	case ROUTE_CALL_MAKE:
		do_make(r, 0);
		return;
	case ROUTE_CALL_PICKUP:
		if (device_find(u, var(r, "deviceId")) == NULL) {
			sim_reply_error(r->req, 404, "device.not.found", "no such device");
			return;
		}
		if ((r->call = sim_call_find(u, body_str(r, "callId"))) == NULL ||
		    strcmp(r->call->status, "RINGING") != 0) {
			sim_reply_error(r->req, 404, "call.not.found",
			    "no ringing call with that callId");
			return;
		}
		free(r->call->device);
		r->call->device = xstrdup(var(r, "deviceId"));
		set_status(r->call, "ACTIVE");
		register_call_hook(r, r->call);
		sim_call_changed(u, r->call, "PICKED_UP");
		reply_call(r, r->call);
		return;
	case ROUTE_GROUPS_LIST:
		sim_reply_json(r->req, 200, sim_groups_json(u));
		return;
	case ROUTE_GROUPS_LOGIN:
	case ROUTE_GROUPS_LOGOUT:
		if ((g = sim_group_find(u, strtoll(var(r, "groupId"), NULL, 10))) == NULL) {
			sim_reply_error(r->req, 404, "group.not.found", "no such group");
			return;
		}
		if (r->route == ROUTE_GROUPS_LOGIN && !g->logged_in) {
			g->logged_in = 1;
			g->logged_in_agents++;
			g->free_agents++;
		} else if (r->route == ROUTE_GROUPS_LOGOUT && g->logged_in) {
			g->logged_in = 0;
			if (g->logged_in_agents > 0)
				g->logged_in_agents--;
			if (g->free_agents > 0)
				g->free_agents--;
		}
		events_queues_changed(u);
		sim_reply_json(r->req, 200, sim_groups_json(u));
		return;
	case ROUTE_QUEUES_SSE:
		events_stream_open(r->req, u, STREAM_QUEUE, NULL);
		return;
	case ROUTE_LINESTATE_PUT:
		if (*body_str(r, "expiresOn") == '\0') {
			sim_reply_error(r->req, 400, "expiresOn.required",
			    "expiresOn is required");
			return;
		}
		for (ls = linestates; ls != NULL; ls = ls->next)
			if (ls->user == u && strcmp(ls->external_id,
			    var(r, "externalId")) == 0)
				break;
		if (ls == NULL) {
			ls = xcalloc(1, sizeof(*ls));
			ls->user = u;
			ls->external_id = xstrdup(var(r, "externalId"));
			ls->next = linestates;
			linestates = ls;
		} else
			free(ls->expires);
		ls->expires = xstrdup(body_str(r, "expiresOn"));
		o = json_object_new_object();
		json_object_object_add(o, "expiresOn", json_object_new_string(ls->expires));
		sim_reply_json(r->req, 200, o);
		return;
	case ROUTE_LINESTATE_DELETE:
		for (pp = &linestates; *pp != NULL; pp = &(*pp)->next)
			if ((*pp)->user == u && strcmp((*pp)->external_id,
			    var(r, "externalId")) == 0)
				break;
		if (*pp == NULL) {
			sim_reply_error(r->req, 404, "linestate.not.found",
			    "no such line state");
			return;
		}
		ls = *pp;
		*pp = ls->next;
		free(ls->external_id);
		free(ls->expires);
		free(ls);
		sim_reply(r->req, 204, NULL, NULL);
		return;
	default:
		do_call_action(r);
		return;
	}
}

struct json_object *
api_linestates_json(struct sim_user *u)
{
	struct json_object	*a = json_object_new_array(), *o;
	struct linestate	*ls;

	for (ls = linestates; ls != NULL; ls = ls->next) {
		if (ls->user != u)
			continue;
		o = json_object_new_object();
		json_object_object_add(o, "externalId", json_object_new_string(ls->external_id));
		json_object_object_add(o, "expiresOn", json_object_new_string(ls->expires));
		json_object_array_add(a, o);
	}
	return a;
}

int
api_handle(struct evhttp_request *req, const char *path)
{
	struct api_req		 r;
	struct evkeyvalq	*in = evhttp_request_get_input_headers(req);
	const char		*method = api_method(req), *query, *auth;
	size_t			 blen = strlen(api_base);
	int			 id, path_known = 0;

	if (strncmp(path, api_base, blen) != 0 || path[blen] != '/')
		return 0;
	path += blen;
	memset(&r, 0, sizeof(r));
	r.req = req;
	TAILQ_INIT(&r.query);
	for (id = 0; id < ROUTE_COUNT; id++) {
		if (!route_match(id, path, &r))
			continue;
		if (strcmp(route_method(id), method) == 0)
			break;
		path_known = 1;
		vars_free(r.vars, MAX_VARS);
	}
	if (id == ROUTE_COUNT) {
		if (control_fault_before(req, "unknown"))
			return 1;
		sim_reply_error(req, path_known ? 405 : 404, path_known ?
		    "method.not.allowed" : "not.found", path_known ?
		    "method not allowed" : "no such resource");
		return 1;
	}
	r.route = id;
	if (control_fault_before(req, route_name(id)))
		goto done;
	if ((query = evhttp_uri_get_query(evhttp_request_get_evhttp_uri(req))) != NULL)
		evhttp_parse_query_str(query, &r.query);
	auth = evhttp_find_header(in, "Authorization");
	/* Contacts Information V1 names no user: the ticket says who asks. */
	if (var(&r, "user") == NULL && auth != NULL &&
	    strncmp(auth, "Bearer ", 7) == 0)
		r.user = sim_ticket_user(auth + 7);
	else if (var(&r, "user") != NULL)
		r.user = sim_user_find(var(&r, "domain"), var(&r, "user"));
	if (r.user == NULL && var(&r, "user") != NULL) {
		sim_reply_error(req, 404, "user.does.not.exist", "no such user");
		goto done;
	}
	if (id == ROUTE_TICKET_CREATE) {
		do_ticket_create(&r);
		goto done;
	}
	if (auth == NULL || strncmp(auth, "Bearer ", 7) != 0 ||
	    sim_ticket_user(auth + 7) == NULL) {
		sim_reply_error(req, 401, "ticket.invalid",
		    "missing, unknown or revoked ticket");
		goto done;
	}
	if (sim_ticket_user(auth + 7) != r.user) {
		sim_reply_error(req, 403, "forbidden",
		    "the ticket does not belong to this user");
		goto done;
	}
	r.body = body_json(req);
	if (var(&r, "callId") != NULL &&
	    (r.call = sim_call_find(r.user, var(&r, "callId"))) == NULL) {
		sim_reply_error(req, 404, "call.not.found", "no such call");
		goto done;
	}
	do_route(&r);
done:
	api_req_clear(&r);
	return 1;
}
