/* actions.c: call control: check locally, send once, apply the answer, map errors. */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "coremsg.h"
#include "dstnyd.h"
#include "log.h"
#include "xmalloc.h"

/*
 * One action in flight, for every kind (call control, line state, queue
 * login): what reports its outcome, and what applies a success.
 */
struct action_ctx {
	enum route_id	 route;		/* its name is the action's in logs */
	char		*call_id;	/* by id: the call may be gone by then */
	uint64_t	 seq;
	action_apply_cb	 apply;
	action_cb	 cb;
	void		*arg;
};

/* The fields a request body may carry, in the order they are written. */
enum op_field {
	F_END,
	F_TOKEN,		/* stateToken: the option's, or the cached one */
	F_DESTINATION,
	F_BLIND,
	F_TRANSFER_TYPE,	/* type, BASIC when not given */
	F_ROLE,			/* these three when given */
	F_TYPE,
	F_USER_LINE,		/* userLine {type, groupId} */
	F_DIGITS,
	F_TARGET_CALL,		/* targetCallId and targetStateToken */
	F_WAIT,			/* waitForAnswer */
};

/* Where {deviceId} comes from. */
enum op_device {
	DEV_NONE,
	DEV_GIVEN,	/* the caller's: needed */
	DEV_ANSWER,	/* the caller's, or the one the call's ANSWER names */
	DEV_USER,	/* the caller's, or the user's active device */
};

/* What is checked before anything is sent. */
#define NEED_DESTINATION	0x01
#define NEED_TARGET		0x02	/* another call of the same user */
#define NEED_PARTICIPANT	0x04	/* {participantId}; token in the query */
#define NEED_DIGITS		0x08
#define NO_BODY			0x10

#define OP_FIELDS_MAX	5

/* Each call operation, described once: action_run reads nothing else. */
static const struct op_def {
	enum route_id	 route;
	const char	*gate;		/* the action the call must offer, or NULL */
	enum op_device	 device;
	unsigned	 flags;		/* NEED_*, NO_BODY */
	enum op_field	 fields[OP_FIELDS_MAX];	/* the body's; F_END-ended */
} op_defs[] = {
	[OP_ANSWER] = { ROUTE_CALL_ANSWER, "ANSWER", DEV_ANSWER, 0, { F_END } },
	[OP_HANGUP] = { ROUTE_CALL_HANGUP, NULL, DEV_NONE, NO_BODY, { F_END } },
	[OP_HOLD] = { ROUTE_CALL_HOLD, "HOLD", DEV_NONE, 0, { F_TOKEN } },
	[OP_RESUME] = { ROUTE_CALL_RESUME, "RESUME", DEV_NONE, 0, { F_TOKEN } },
	[OP_MUTE] = { ROUTE_CALL_MUTE, "MUTE", DEV_NONE, 0, { F_TOKEN } },
	[OP_UNMUTE] = { ROUTE_CALL_UNMUTE, "UNMUTE", DEV_NONE, 0, { F_TOKEN } },
	[OP_PARK] = { ROUTE_CALL_PARK, "PARK", DEV_NONE, 0, { F_TOKEN } },
	[OP_MOVE] = { ROUTE_CALL_MOVE, "MOVE", DEV_GIVEN, 0, { F_TOKEN } },
	[OP_TRANSFER] = { ROUTE_CALL_TRANSFER, "TRANSFER", DEV_NONE,
	    NEED_DESTINATION,
	    { F_TOKEN, F_DESTINATION, F_BLIND, F_TRANSFER_TYPE } },
	[OP_TRANSFER_TO_CALL] = { ROUTE_CALL_TRANSFERTOCALL, "TRANSFER",
	    DEV_NONE, NEED_TARGET, { F_TOKEN, F_TARGET_CALL, F_WAIT } },
	[OP_SWAP] = { ROUTE_CALL_SWAP, NULL, DEV_NONE, NEED_TARGET,
	    { F_TOKEN, F_TARGET_CALL } },
	[OP_CONFERENCE] = { ROUTE_CALL_CONFERENCE, NULL, DEV_NONE, NEED_TARGET,
	    { F_TOKEN, F_TARGET_CALL } },
	[OP_LEAVE_CONFERENCE] = { ROUTE_CALL_LEAVECONFERENCE, NULL, DEV_NONE, 0,
	    { F_END } },
	[OP_REMOVE_PARTICIPANT] = { ROUTE_CALL_REMOVEPARTICIPANT, NULL,
	    DEV_NONE, NEED_PARTICIPANT | NO_BODY, { F_END } },
	[OP_DTMF] = { ROUTE_CALL_DTMF, NULL, DEV_NONE, NEED_DIGITS,
	    { F_TOKEN, F_DIGITS } },
	[OP_CONSULT] = { ROUTE_CALL_CONSULT, NULL, DEV_NONE, NEED_DESTINATION,
	    { F_DESTINATION, F_ROLE, F_TYPE, F_USER_LINE } },
	[OP_REC_START] = { ROUTE_REC_START, "START_REC", DEV_NONE, 0, { F_TOKEN } },
	[OP_REC_STOP] = { ROUTE_REC_STOP, "STOP_REC", DEV_NONE, 0, { F_TOKEN } },
	[OP_REC_PAUSE] = { ROUTE_REC_PAUSE, "PAUSE_REC", DEV_NONE, 0, { F_TOKEN } },
	[OP_REC_RESUME] = { ROUTE_REC_RESUME, "RESUME_REC", DEV_NONE, 0,
	    { F_TOKEN } },
	[OP_REC_SAVE] = { ROUTE_REC_SAVE, "SAVE_REC", DEV_NONE, 0, { F_TOKEN } },
	[OP_REC_DISCARD] = { ROUTE_REC_DISCARD, "DISCARD_REC", DEV_NONE, 0,
	    { F_TOKEN } },
	[OP_MAKE] = { ROUTE_CALL_MAKE, NULL, DEV_USER, NEED_DESTINATION,
	    { F_DESTINATION, F_ROLE, F_TYPE, F_USER_LINE } },
};

static int
dtmf_valid(const char *d)
{
	if (d == NULL || *d == '\0' || strlen(d) > 64)
		return 0;
	for (; *d != '\0'; d++)
		if (!isdigit((unsigned char)*d) && strchr("ABCD#*", *d) == NULL)
			return 0;
	return 1;
}

static int
given(const char *s)
{
	return s != NULL && *s != '\0';
}

static void
ctx_cancelled(void *arg)
{
	struct action_ctx	*ctx = arg;

	ctx->cb(DSTNY_ERR_OFFLINE, "the request was cancelled (user removed "
	    "or daemon stopping)", NULL, NULL, ctx->arg);
	free(ctx->call_id);
	free(ctx);
}

static void
action_done_cb(struct duser *u, const struct http_resp *r, void *arg)
{
	struct action_ctx	*ctx = arg;
	struct dcall		*c = NULL;
	char			*answer = NULL;
	int			 absent = 0;

	if (ctx->call_id != NULL && (c = cache_find(u, ctx->call_id)) != NULL) {
		if (c->actions_out > 0)
			c->actions_out--;
		absent = c->absent_seen;
		c->absent_seen = 0;
		c = NULL;
	}
	if (r->err == DSTNY_OK) {
		if ((ctx->apply == NULL ||
		    ctx->apply(u, r, ctx->seq, &c, &answer) == 0) &&
		    ctx->call_id != NULL)
			c = cache_find(u, ctx->call_id);
		ctx->cb(DSTNY_OK, "", c, answer, ctx->arg);
		free(answer);
	} else {
		if (r->err == DSTNY_ERR_STATE_CONFLICT && ctx->call_id != NULL &&
		    (c = cache_find(u, ctx->call_id)) != NULL)
			cache_fetch_call(c);	/* our view was stale: refetch now */
		else if (r->err == DSTNY_ERR_NOT_FOUND && ctx->call_id != NULL)
			cache_fetch_user(u, REASON_ENDED);
		log_info("%s@%s: %s %s: %s: %s", u->user, u->domain,
		    route_name(ctx->route), ctx->call_id ? ctx->call_id : "",
		    dstny_err_name(r->err), r->message);
		ctx->cb(r->err, r->message, NULL, NULL, ctx->arg);
	}
	/* state.user lacked the call while we waited: if it lives, ask again. */
	if (absent && cache_find(u, ctx->call_id) != NULL)
		cache_fetch_user(u, REASON_ENDED);
	free(ctx->call_id);
	free(ctx);
}

void
action_send(struct duser *u, enum route_id route, struct core_opts *o,
    const struct dcall *c, action_apply_cb apply, action_cb cb, void *arg)
{
	struct action_ctx	*ctx = xcalloc(1, sizeof(*ctx));
	struct dcall		*mine;

	ctx->route = route;
	ctx->call_id = c != NULL ? xstrdup(c->id) : NULL;
	if (c != NULL && (mine = cache_find(u, c->id)) != NULL)
		mine->actions_out++;
	ctx->seq = cache_seq();
	ctx->apply = apply;
	ctx->cb = cb;
	ctx->arg = arg;
	o->arg_free = ctx_cancelled;
	core_send(u, route, o, action_done_cb, ctx);
}

/*
 * A call action's answer, when it is a CallState: applied like every
 * answer, ordered by when it was sent (cache_apply); the caller gets its
 * JSON. 0 when it is none (the caller then gets the call as it is).
 */
static int
action_apply_state(struct duser *u, const struct http_resp *r, uint64_t seq,
    struct dcall **cp, char **answer)
{
	struct call_state	*cs;
	struct dcall		*c;
	char			 err[256], *id;
	int64_t			 token;

	if (r->body_len == 0 || (cs = call_state_parse(r->body, r->body_len,
	    err, sizeof(err))) == NULL)
		return 0;
	*answer = xstrdup(cs->json);
	id = xstrdup(cs->call_id);
	token = cs->state_token;
	cache_apply(u, cs, seq);
	if ((c = cache_find(u, id)) != NULL && c->stream != NULL &&
	    c->applied_seq == seq && c->cs->state_token == token)
		cache_await(c, token);
	/*
	 * Dropped as older and disagreeing: a fetch settles it. Until then
	 * the next action may be checked against this answer too, so that
	 * Mute then Unmute is not refused meanwhile (action_view).
	 */
	if (c != NULL && c->applied_seq > seq && c->cs->state_token != token) {
		call_state_free(c->alt);
		c->alt = call_state_parse(*answer, strlen(*answer), err,
		    sizeof(err));
	}
	*cp = c;
	free(id);
	return 1;
}

static const char *
default_device(struct duser *u)
{
	size_t	i;

	for (i = 0; i < u->devices.n; i++)
		if (strcmp(u->devices.v[i].status, "ACTIVE") == 0)
			return u->devices.v[i].id;
	return u->devices.n > 0 ? u->devices.v[0].id : NULL;
}

/*
 * What can be checked here, before anything is sent: NULL, or why the
 * arguments are invalid; *refused set to ActionNotAllowed when the
 * call does not offer the action (the message then in msg). *device:
 * the {deviceId} to use.
 */
/*
 * What an action on c is checked against, and whose token it sends: the
 * cached state, or while c->alt waits to be settled, that answer when only
 * it offers the action (gate; device for ANSWER).
 */
static const struct call_state *
action_view(const struct dcall *c, const char *gate, const char *device)
{
	if (c->alt != NULL && gate != NULL &&
	    !call_state_has_action(c->cs, gate, device) &&
	    call_state_has_action(c->alt, gate, device))
		return c->alt;
	return c->cs;
}

static const char *
action_check(struct duser *u, struct dcall *c, const struct op_def *def,
    const struct action_args *a, const char **device, enum dstny_err *refused,
    const struct call_state **view, char *msg, size_t msglen)
{
	*device = a->device;
	*view = c != NULL ? action_view(c, def->gate, NULL) : NULL;
	switch (def->device) {
	case DEV_ANSWER:
		if (!given(*device))
			*device = call_state_answer_device(*view);
		if (*device == NULL)
			return "the call names no device to answer on";
		*view = action_view(c, def->gate, *device);
		if (!call_state_has_action(*view, def->gate, *device)) {
			*refused = DSTNY_ERR_ACTION_NOT_ALLOWED;
			return "ANSWER is not offered for that device";
		}
		return NULL;	/* the gate is checked: for that device */
	case DEV_GIVEN:
		if (!given(*device))
			return "a device is needed";
		break;
	case DEV_USER:
		if (!given(*device) && (*device = default_device(u)) == NULL)
			return "the user has no device to call from";
		break;
	case DEV_NONE:
		*device = NULL;
		break;
	}
	if ((def->flags & NEED_DESTINATION) && !given(a->destination))
		return "a destination is needed";
	if ((def->flags & NEED_TARGET) && (a->target == NULL ||
	    a->target->user != u || a->target == c))
		return "the target must be another call of the same user";
	if ((def->flags & NEED_PARTICIPANT) && !given(a->participant))
		return "a participant id is needed";
	if ((def->flags & NEED_DIGITS) && !dtmf_valid(a->digits))
		return "DTMF digits must be 0-9, A-D, # or * (at most 64)";
	if (def->gate != NULL && !call_state_has_action(*view, def->gate, NULL)) {
		snprintf(msg, msglen, "%s is not among the call's actions",
		    def->gate);
		*refused = DSTNY_ERR_ACTION_NOT_ALLOWED;
		return msg;
	}
	return NULL;
}

static void
add_str(struct json_object *body, const char *key, const char *value)
{
	json_object_object_add(body, key, json_object_new_string(value));
}

/* The request body, field by field as the operation lists them. */
static struct json_object *
action_body(const struct op_def *def, const struct action_args *a,
    int64_t token)
{
	struct json_object	*body = json_object_new_object(), *line;
	const enum op_field	*f;

	for (f = def->fields; f < def->fields + OP_FIELDS_MAX && *f != F_END;
	    f++) {
		switch (*f) {
		case F_TOKEN:
			json_object_object_add(body, "stateToken",
			    json_object_new_int64(token));
			break;
		case F_DESTINATION:
			add_str(body, "destination", a->destination);
			break;
		case F_BLIND:
			json_object_object_add(body, "blind",
			    json_object_new_boolean(a->blind));
			break;
		case F_TRANSFER_TYPE:
			add_str(body, "type", given(a->type) ? a->type : "BASIC");
			break;
		case F_ROLE:
			if (given(a->role))
				add_str(body, "role", a->role);
			break;
		case F_TYPE:
			if (given(a->type))
				add_str(body, "type", a->type);
			break;
		case F_USER_LINE:
			if (!given(a->line_type))
				break;
			line = json_object_new_object();
			add_str(line, "type", a->line_type);
			json_object_object_add(line, "groupId",
			    json_object_new_int64(a->has_line_group ?
			    a->line_group : 0));
			json_object_object_add(body, "userLine", line);
			break;
		case F_DIGITS:
			add_str(body, "digits", a->digits);
			break;
		case F_TARGET_CALL:
			add_str(body, "targetCallId", a->target->id);
			json_object_object_add(body, "targetStateToken",
			    json_object_new_int64(a->target->cs->state_token));
			break;
		case F_WAIT:
			json_object_object_add(body, "waitForAnswer",
			    json_object_new_boolean(a->wait_for_answer));
			break;
		case F_END:
			break;
		}
	}
	return body;
}

void
action_run(struct duser *u, struct dcall *c, enum call_op op,
    const struct action_args *a, action_cb cb, void *arg)
{
	const struct op_def	*def = &op_defs[op];
	struct json_object	*body = NULL;
	struct route_var	 vars[4];
	struct core_opts	 o;
	struct query		*q = NULL;
	const struct call_state	*view = NULL;
	const char		*device, *why = NULL;
	enum dstny_err		 refused;
	char			 tokbuf[32], msg[128];
	int64_t			 token = 0;
	size_t			 nv = 0;

	if ((refused = user_refusal(u, &why)) != DSTNY_OK) {
		cb(refused, why, NULL, NULL, arg);
		return;
	}
	if (op != OP_MAKE && c == NULL) {
		cb(DSTNY_ERR_NOT_FOUND, "no such call", NULL, NULL, arg);
		return;
	}
	refused = DSTNY_ERR_INVALID_ARGUMENT;
	if ((why = action_check(u, c, def, a, &device, &refused, &view, msg,
	    sizeof(msg))) != NULL) {
		cb(refused, why, NULL, NULL, arg);
		return;
	}
	if (c != NULL)
		token = a->has_state_token ? a->state_token : view->state_token;

	memset(&o, 0, sizeof(o));
	if (c != NULL) {
		vars[nv].name = "callId";
		vars[nv++].value = c->id;
	}
	if (device != NULL) {
		vars[nv].name = "deviceId";
		vars[nv++].value = device;
	}
	if (def->flags & NEED_PARTICIPANT) {
		vars[nv].name = "participantId";
		vars[nv++].value = a->participant;
		q = query_new();
		snprintf(tokbuf, sizeof(tokbuf), "%lld", (long long)token);
		query_add(q, "stateToken", tokbuf);
		o.query = q;
	}
	vars[nv].name = vars[nv].value = NULL;
	o.vars = vars;
	if (!(def->flags & NO_BODY)) {
		body = action_body(def, a, token);
		o.body = json_object_to_json_string_ext(body,
		    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	}
	log_debug("%s@%s: %s %s", u->user, u->domain, route_name(def->route),
	    c != NULL ? c->id : a->destination);
	action_send(u, def->route, &o, c, action_apply_state, cb, arg);
	json_object_put(body);
	query_free(q);
}

void
action_linestate(struct duser *u, const char *external_id, int64_t expires_on,
    int clear, action_cb cb, void *arg)
{
	struct route_var	 vars[] = { { "externalId", external_id }, { NULL, NULL } };
	struct core_opts	 o;
	char			 when[32], *body = NULL;

	if (external_id == NULL || *external_id == '\0') {
		cb(DSTNY_ERR_INVALID_ARGUMENT, "an externalId is needed", NULL, NULL, arg);
		return;
	}
	/* Checked before anything is sent: the Core gets a valid time or nothing. */
	if (!clear && (expires_on < (int64_t)time(NULL) ||
	    expires_on > (int64_t)ISO8601_MAX ||
	    iso8601_format((time_t)expires_on, when, sizeof(when)) == -1)) {
		cb(DSTNY_ERR_INVALID_ARGUMENT, "expiresOn must be a Unix time "
		    "from now to the end of year 9999", NULL, NULL, arg);
		return;
	}
	memset(&o, 0, sizeof(o));
	o.vars = vars;
	if (!clear) {
		body = xasprintf("{\"expiresOn\": \"%s\"}", when);
		o.body = body;
	}
	action_send(u, clear ? ROUTE_LINESTATE_DELETE : ROUTE_LINESTATE_PUT,
	    &o, NULL, NULL, cb, arg);
	free(body);
}
