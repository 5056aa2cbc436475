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

struct action_ctx {
	enum call_op	 op;
	char		*call_id;	/* by id: the call may be gone by then */
	uint64_t	 seq;
	action_cb	 cb;
	void		*arg;
};

static const struct op_def {
	const char	*name;		/* in logs */
	enum route_id	 route;
	const char	*gate;		/* the action the call must offer, or NULL */
} op_defs[] = {
	[OP_ANSWER] = { "call.answer", ROUTE_CALL_ANSWER, "ANSWER" },
	[OP_HANGUP] = { "call.hangup", ROUTE_CALL_HANGUP, NULL },
	[OP_HOLD] = { "call.hold", ROUTE_CALL_HOLD, "HOLD" },
	[OP_RESUME] = { "call.resume", ROUTE_CALL_RESUME, "RESUME" },
	[OP_MUTE] = { "call.mute", ROUTE_CALL_MUTE, "MUTE" },
	[OP_UNMUTE] = { "call.unmute", ROUTE_CALL_UNMUTE, "UNMUTE" },
	[OP_PARK] = { "call.park", ROUTE_CALL_PARK, "PARK" },
	[OP_MOVE] = { "call.move", ROUTE_CALL_MOVE, "MOVE" },
	[OP_TRANSFER] = { "call.transfer", ROUTE_CALL_TRANSFER, "TRANSFER" },
	[OP_TRANSFER_TO_CALL] = { "call.transferToCall", ROUTE_CALL_TRANSFERTOCALL, "TRANSFER" },
	[OP_SWAP] = { "call.swap", ROUTE_CALL_SWAP, NULL },
	[OP_CONFERENCE] = { "call.conference", ROUTE_CALL_CONFERENCE, NULL },
	[OP_LEAVE_CONFERENCE] = { "call.leaveConference", ROUTE_CALL_LEAVECONFERENCE, NULL },
	[OP_REMOVE_PARTICIPANT] = { "call.removeParticipant", ROUTE_CALL_REMOVEPARTICIPANT, NULL },
	[OP_DTMF] = { "call.dtmf", ROUTE_CALL_DTMF, NULL },
	[OP_CONSULT] = { "call.consult", ROUTE_CALL_CONSULT, NULL },
	[OP_REC_START] = { "rec.start", ROUTE_REC_START, "START_REC" },
	[OP_REC_STOP] = { "rec.stop", ROUTE_REC_STOP, "STOP_REC" },
	[OP_REC_PAUSE] = { "rec.pause", ROUTE_REC_PAUSE, "PAUSE_REC" },
	[OP_REC_RESUME] = { "rec.resume", ROUTE_REC_RESUME, "RESUME_REC" },
	[OP_REC_SAVE] = { "rec.save", ROUTE_REC_SAVE, "SAVE_REC" },
	[OP_REC_DISCARD] = { "rec.discard", ROUTE_REC_DISCARD, "DISCARD_REC" },
	[OP_MAKE] = { "call.make", ROUTE_CALL_MAKE, NULL },
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
	struct call_state	*cs, *answer = NULL;
	struct dcall		*c = NULL;
	char			 err[256];

	if (r->err == DSTNY_OK) {
		if (r->body_len > 0 && (cs = call_state_parse(r->body,
		    r->body_len, err, sizeof(err))) != NULL) {
			/*
			 * The answer is the state as of our request: ordered by
			 * when it was sent, like every answer (cache_apply). The
			 * caller gets its own copy of it.
			 */
			answer = call_state_parse(cs->json, strlen(cs->json), err,
			    sizeof(err));
			cache_apply(u, cs, ctx->seq);
			if (answer != NULL &&
			    (c = cache_find(u, answer->call_id)) != NULL &&
			    c->stream != NULL && c->applied_seq == ctx->seq &&
			    c->cs->state_token == answer->state_token)
				cache_await(c, answer->state_token);
		} else if (ctx->call_id != NULL)
			c = cache_find(u, ctx->call_id);
		ctx->cb(DSTNY_OK, "", c, answer, ctx->arg);
		call_state_free(answer);
	} else {
		if (r->err == DSTNY_ERR_STATE_CONFLICT && ctx->call_id != NULL &&
		    (c = cache_find(u, ctx->call_id)) != NULL)
			cache_fetch_call(c);	/* our view was stale: refetch now */
		else if (r->err == DSTNY_ERR_NOT_FOUND && ctx->call_id != NULL)
			cache_fetch_user(u, REASON_ENDED);
		log_info("%s@%s: %s %s: %s: %s", u->user, u->domain,
		    op_defs[ctx->op].name, ctx->call_id ? ctx->call_id : "",
		    dstny_err_name(r->err), r->message);
		ctx->cb(r->err, r->message, NULL, NULL, ctx->arg);
	}
	free(ctx->call_id);
	free(ctx);
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

void
action_run(struct duser *u, struct dcall *c, enum call_op op,
    const struct action_args *a, action_cb cb, void *arg)
{
	const struct op_def	*def = &op_defs[op];
	struct json_object	*body = NULL, *line;
	struct route_var	 vars[4];
	struct core_opts	 o;
	struct query		*q = NULL;
	struct action_ctx	*ctx;
	const char		*device = a->device, *why = NULL;
	enum dstny_err		 refused;
	char			 tokbuf[32];
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
	if (c != NULL)
		token = a->has_state_token ? a->state_token : c->cs->state_token;
	/* Check what can be checked here: nothing is sent when it fails. */
	switch (op) {
	case OP_ANSWER:
		if (device == NULL || *device == '\0')
			device = call_state_answer_device(c->cs);
		if (device == NULL)
			why = "the call names no device to answer on";
		else if (!call_state_has_action(c->cs, "ANSWER", device)) {
			cb(DSTNY_ERR_ACTION_NOT_ALLOWED, "ANSWER is not offered "
			    "for that device", NULL, NULL, arg);
			return;
		}
		break;
	case OP_MOVE:
		if (device == NULL || *device == '\0')
			why = "a device is needed";
		break;
	case OP_TRANSFER:
	case OP_CONSULT:
	case OP_MAKE:
		if (a->destination == NULL || *a->destination == '\0')
			why = "a destination is needed";
		if (op == OP_MAKE && (device == NULL || *device == '\0') &&
		    (device = default_device(u)) == NULL)
			why = "the user has no device to call from";
		break;
	case OP_TRANSFER_TO_CALL:
	case OP_SWAP:
	case OP_CONFERENCE:
		if (a->target == NULL || a->target->user != u || a->target == c)
			why = "the target must be another call of the same user";
		break;
	case OP_REMOVE_PARTICIPANT:
		if (a->participant == NULL || *a->participant == '\0')
			why = "a participant id is needed";
		break;
	case OP_DTMF:
		if (!dtmf_valid(a->digits))
			why = "DTMF digits must be 0-9, A-D, # or * (at most 64)";
		break;
	default:
		break;
	}
	if (why != NULL) {
		cb(DSTNY_ERR_INVALID_ARGUMENT, why, NULL, NULL, arg);
		return;
	}
	if (def->gate != NULL && op != OP_ANSWER &&
	    !call_state_has_action(c->cs, def->gate, NULL)) {
		char msg[128];
		snprintf(msg, sizeof(msg), "%s is not among the call's actions",
		    def->gate);
		cb(DSTNY_ERR_ACTION_NOT_ALLOWED, msg, NULL, NULL, arg);
		return;
	}

	memset(&o, 0, sizeof(o));
	if (c != NULL) {
		vars[nv].name = "callId";
		vars[nv++].value = c->id;
	}
	if (device != NULL && (op == OP_ANSWER || op == OP_MOVE || op == OP_MAKE)) {
		vars[nv].name = "deviceId";
		vars[nv++].value = device;
	}
	if (op == OP_REMOVE_PARTICIPANT) {
		vars[nv].name = "participantId";
		vars[nv++].value = a->participant;
		q = query_new();
		snprintf(tokbuf, sizeof(tokbuf), "%lld", (long long)token);
		query_add(q, "stateToken", tokbuf);
		o.query = q;
	}
	vars[nv].name = vars[nv].value = NULL;
	o.vars = vars;

	if (op != OP_HANGUP && op != OP_REMOVE_PARTICIPANT) {
		body = json_object_new_object();
		if (c != NULL && op != OP_ANSWER && op != OP_CONSULT &&
		    op != OP_LEAVE_CONFERENCE)
			json_object_object_add(body, "stateToken",
			    json_object_new_int64(token));
		if (a->destination != NULL && (op == OP_TRANSFER ||
		    op == OP_CONSULT || op == OP_MAKE))
			json_object_object_add(body, "destination",
			    json_object_new_string(a->destination));
		if (op == OP_TRANSFER) {
			json_object_object_add(body, "blind",
			    json_object_new_boolean(a->blind));
			json_object_object_add(body, "type", json_object_new_string(
			    a->type != NULL && *a->type ? a->type : "BASIC"));
		}
		if ((op == OP_MAKE || op == OP_CONSULT) && a->role != NULL &&
		    *a->role != '\0')
			json_object_object_add(body, "role",
			    json_object_new_string(a->role));
		if ((op == OP_MAKE || op == OP_CONSULT) && a->type != NULL &&
		    *a->type != '\0')
			json_object_object_add(body, "type",
			    json_object_new_string(a->type));
		if ((op == OP_MAKE || op == OP_CONSULT) && a->line_type != NULL &&
		    *a->line_type != '\0') {
			line = json_object_new_object();
			json_object_object_add(line, "type",
			    json_object_new_string(a->line_type));
			json_object_object_add(line, "groupId",
			    json_object_new_int64(a->has_line_group ? a->line_group : 0));
			json_object_object_add(body, "userLine", line);
		}
		if (op == OP_DTMF)
			json_object_object_add(body, "digits",
			    json_object_new_string(a->digits));
		if (op == OP_TRANSFER_TO_CALL || op == OP_SWAP ||
		    op == OP_CONFERENCE) {
			json_object_object_add(body, "targetCallId",
			    json_object_new_string(a->target->id));
			json_object_object_add(body, "targetStateToken",
			    json_object_new_int64(a->target->cs->state_token));
		}
		if (op == OP_TRANSFER_TO_CALL)
			json_object_object_add(body, "waitForAnswer",
			    json_object_new_boolean(a->wait_for_answer));
		o.body = json_object_to_json_string_ext(body,
		    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	}
	ctx = xcalloc(1, sizeof(*ctx));
	ctx->op = op;
	ctx->call_id = c != NULL ? xstrdup(c->id) : NULL;
	ctx->seq = cache_seq();
	ctx->cb = cb;
	ctx->arg = arg;
	o.arg_free = ctx_cancelled;
	log_debug("%s@%s: %s %s", u->user, u->domain, def->name,
	    c != NULL ? c->id : a->destination);
	core_send(u, def->route, &o, action_done_cb, ctx);
	json_object_put(body);
	query_free(q);
}

static void
linestate_done_cb(struct duser *u, const struct http_resp *r, void *arg)
{
	struct action_ctx	*ctx = arg;

	ctx->cb(r->err, r->message, NULL, NULL, ctx->arg);
	free(ctx);
}

void
action_linestate(struct duser *u, const char *external_id, int64_t expires_on,
    int clear, action_cb cb, void *arg)
{
	struct route_var	 vars[] = { { "externalId", external_id }, { NULL, NULL } };
	struct core_opts	 o;
	struct action_ctx	*ctx;
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
	ctx = xcalloc(1, sizeof(*ctx));
	ctx->cb = cb;
	ctx->arg = arg;
	o.arg_free = ctx_cancelled;
	core_send(u, clear ? ROUTE_LINESTATE_DELETE : ROUTE_LINESTATE_PUT, &o,
	    linestate_done_cb, ctx);
	free(body);
}
