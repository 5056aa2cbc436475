/* forward.c: call forwarding: the rules per line, the active diversion number, the activity mapping (issue 21 part 3). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "dstnyd.h"
#include "log.h"
#include "xmalloc.h"

/*
 * Read when the user starts and on Resync (rules, number, mapping), at
 * every third keepalive tick (rules and number: profile.c), when the
 * presence activity changes (the Core clears an activity-scoped number
 * then), and after each change made through dstnyd. The rules' PUT and
 * DELETE answer nothing: the change is applied at once, then the rules
 * are read again to confirm it (doc/profile.md).
 */

static const char *const fwd_props_rules[] = { "Rules", "Lines", NULL };
static const char *const fwd_props_number[] = { "DiversionNumber", NULL };
static const char *const fwd_props_map[] = { "ActivityDiversions", NULL };

static void	forward_rules_fetched(struct duser *, const struct http_resp *,
		    void *);
static void	forward_number_fetched(struct duser *,
		    const struct http_resp *, void *);

static void
forward_rules_apply(struct duser *u, struct fwd_rules *nr)
{
	u->fwd.rules_read = 1;
	if (forward_rules_equal(&u->fwd.rules, nr)) {
		forward_rules_free(nr);
		return;
	}
	forward_rules_free(&u->fwd.rules);
	u->fwd.rules = *nr;
	emit_forward_changed(u, fwd_props_rules);
}

static void
forward_rules_fetched(struct duser *u, const struct http_resp *r, void *arg)
{
	struct fwd_rules	nr;
	char			err[256];

	if (r->err != DSTNY_OK ||
	    forward_rules_parse(r->body, r->body_len, &nr, err,
	    sizeof(err)) == -1)
		profile_read_failed(u, ROUTE_DIVERSION_RULES, r, err);
	else
		forward_rules_apply(u, &nr);
	profile_fetch_done(u, &u->fwd.rules_f, ROUTE_DIVERSION_RULES,
	    forward_rules_fetched);
}

/* A diversion number the Core answered with (malloc'd, consumed). */
static void
forward_number_apply(struct duser *u, char *num)
{
	if (u->fwd.number != NULL && strcmp(u->fwd.number, num) == 0) {
		free(num);
		return;
	}
	free(u->fwd.number);
	u->fwd.number = num;
	emit_forward_changed(u, fwd_props_number);
}

static void
forward_number_fetched(struct duser *u, const struct http_resp *r, void *arg)
{
	char	err[256], *num;

	if (r->err != DSTNY_OK ||
	    forward_number_parse(r->body, r->body_len, &num, err,
	    sizeof(err)) == -1)
		profile_read_failed(u, ROUTE_DIVERSION_NUMBER, r, err);
	else
		forward_number_apply(u, num);
	profile_fetch_done(u, &u->fwd.number_f, ROUTE_DIVERSION_NUMBER,
	    forward_number_fetched);
}

static void
forward_map_fetched(struct duser *u, const struct http_resp *r, void *arg)
{
	struct fwd_mappings	m;
	char			err[256];

	if (r->err != DSTNY_OK ||
	    forward_mapping_parse(r->body, r->body_len, &m, err,
	    sizeof(err)) == -1)
		profile_read_failed(u, ROUTE_DIVERSION_MAPPING, r, err);
	else if (forward_mapping_equal(&m, &u->fwd.map))
		forward_mapping_free(&m);
	else {
		forward_mapping_free(&u->fwd.map);
		u->fwd.map = m;
		emit_forward_changed(u, fwd_props_map);
	}
	profile_fetch_done(u, &u->fwd.map_f, ROUTE_DIVERSION_MAPPING,
	    forward_map_fetched);
}

void
forward_refresh(struct duser *u, int what)
{
	if (what & FWD_RULES)
		profile_fetch(u, &u->fwd.rules_f, ROUTE_DIVERSION_RULES,
		    forward_rules_fetched);
	if (what & FWD_NUMBER)
		profile_fetch(u, &u->fwd.number_f, ROUTE_DIVERSION_NUMBER,
		    forward_number_fetched);
	if (what & FWD_MAPPING)
		profile_fetch(u, &u->fwd.map_f, ROUTE_DIVERSION_MAPPING,
		    forward_map_fetched);
}

void
forward_number_answer(struct duser *u, const struct http_resp *r)
{
	char	err[256], *num = NULL;

	/* The answer is the number; without one, ask for it. */
	if (r->body_len > 0 && forward_number_parse(r->body, r->body_len, &num,
	    err, sizeof(err)) == 0 && *num != '\0')
		forward_number_apply(u, num);
	else {
		free(num);
		forward_refresh(u, FWD_NUMBER);
	}
}

void
forward_user_free(struct duser *u)
{
	forward_rules_free(&u->fwd.rules);
	forward_mapping_free(&u->fwd.map);
	free(u->fwd.number);
	memset(&u->fwd, 0, sizeof(u->fwd));
}

struct json_object *
forward_view(const struct duser *u)
{
	const struct forward_user	*f = &u->fwd;
	struct json_object		*o = json_object_new_object(), *a, *e;
	size_t				 i;

	json_object_object_add(o, "user", json_object_new_string(u->user));
	a = json_object_new_array();
	for (i = 0; i < f->rules.nlines; i++) {
		e = json_object_new_object();
		json_object_object_add(e, "line",
		    json_object_new_string(f->rules.lines[i].order));
		json_object_object_add(e, "lineType",
		    json_object_new_string(f->rules.lines[i].type));
		json_object_object_add(e, "lineNumber",
		    json_object_new_string(f->rules.lines[i].number));
		json_object_array_add(a, e);
	}
	json_object_object_add(o, "lines", a);
	a = json_object_new_array();
	for (i = 0; i < f->rules.nrules; i++) {
		e = json_object_new_object();
		json_object_object_add(e, "line",
		    json_object_new_string(f->rules.rules[i].line));
		json_object_object_add(e, "type",
		    json_object_new_string(f->rules.rules[i].type));
		json_object_object_add(e, "number",
		    json_object_new_string(f->rules.rules[i].number));
		json_object_array_add(a, e);
	}
	json_object_object_add(o, "rules", a);
	json_object_object_add(o, "diversionNumber", json_object_new_string(
	    f->number != NULL ? f->number : ""));
	a = json_object_new_array();
	for (i = 0; i < f->map.n; i++) {
		e = json_object_new_object();
		json_object_object_add(e, "activityId",
		    json_object_new_string(f->map.v[i].activity));
		json_object_object_add(e, "phoneNumber",
		    json_object_new_string(f->map.v[i].number));
		json_object_array_add(a, e);
	}
	json_object_object_add(o, "activityDiversions", a);
	return o;
}

/*
 * A change of ours: one PUT, or one DELETE per rule cleared, each with
 * its own request (struct forward_req) sharing the operation.
 */
struct forward_op {
	profile_cb	 cb;
	void		*arg;
	unsigned	 left;		/* requests not answered yet */
	unsigned	 done;		/* answered 2xx */
	enum dstny_err	 err;		/* the first failure */
	char		*msg;
	int		 clear;
};

struct forward_req {
	struct forward_op	*op;
	char			*line;
	char			*type;
	char			*number;	/* NULL: a delete */
};

static void
forward_op_step(struct duser *u, struct forward_req *rq, enum dstny_err err,
    const char *msg)
{
	struct forward_op	*op = rq->op;
	struct json_object	*res;
	char			*m;

	if (err == DSTNY_OK)
		op->done++;
	else if (op->err == DSTNY_OK) {
		op->err = err;
		op->msg = xstrdup(*msg != '\0' ? msg : dstny_err_name(err));
	}
	free(rq->line);
	free(rq->type);
	free(rq->number);
	free(rq);
	if (--op->left > 0)
		return;
	if (op->err != DSTNY_OK && op->clear && op->done > 0) {
		m = xasprintf("%s (%u rule(s) cleared before)", op->msg,
		    op->done);
		op->cb(op->err, m, NULL, op->arg);
		free(m);
	} else if (op->err != DSTNY_OK)
		op->cb(op->err, op->msg, NULL, op->arg);
	else {
		res = json_object_new_object();
		if (op->clear)
			json_object_object_add(res, "cleared",
			    json_object_new_int64(op->done));
		op->cb(DSTNY_OK, "", res, op->arg);
		json_object_put(res);
	}
	free(op->msg);
	free(op);
	/* Confirm what the Core holds now (the answers carry no rules). */
	if (u != NULL)
		forward_refresh(u, FWD_RULES);
}

static void
forward_req_cancelled(void *arg)
{
	forward_op_step(NULL, arg, DSTNY_ERR_OFFLINE, "the request was "
	    "cancelled (user removed or daemon stopping)");
}

static void
forward_req_done(struct duser *u, const struct http_resp *r, void *arg)
{
	struct forward_req	*rq = arg;

	if (r->err != DSTNY_OK)
		log_info("%s@%s: %s: %s: %s", u->user, u->domain,
		    rq->number != NULL ? "diversion.rule.put" :
		    "diversion.rule.delete", dstny_err_name(r->err), r->message);
	else if (forward_rules_set(&u->fwd.rules, rq->line, rq->type,
	    rq->number))
		emit_forward_changed(u, fwd_props_rules);
	forward_op_step(u, rq, r->err, r->message);
}

static void
forward_req_send(struct duser *u, struct forward_op *op, const char *line,
    const char *type, const char *number)
{
	struct forward_req	*rq = xcalloc(1, sizeof(*rq));
	struct route_var	 vars[] = { { "line", line }, { "rule", type },
	    { NULL, NULL } };
	struct json_object	*b = NULL;
	struct core_opts	 o;

	rq->op = op;
	rq->line = xstrdup(line);
	rq->type = xstrdup(type);
	rq->number = number != NULL ? xstrdup(number) : NULL;
	op->left++;
	memset(&o, 0, sizeof(o));
	o.vars = vars;
	o.arg_free = forward_req_cancelled;
	if (number != NULL) {
		b = json_object_new_object();
		json_object_object_add(b, "lineOrderType",
		    json_object_new_string(line));
		json_object_object_add(b, "phoneNumber",
		    json_object_new_string(number));
		json_object_object_add(b, "diversionRoutingRulesType",
		    json_object_new_string(type));
		o.body = json_object_to_json_string_ext(b,
		    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	}
	core_send(u, number != NULL ? ROUTE_DIVERSION_RULE_PUT :
	    ROUTE_DIVERSION_RULE_DELETE, &o, forward_req_done, rq);
	json_object_put(b);
}

/* type and line checked and named as the reference has them; NULL: bad (err set). */
static enum dstny_err
forward_check(struct duser *u, const char *type, const char **t,
    const char *line, const char **l, int any, char *err, size_t errlen)
{
	size_t	i;

	*t = NULL;
	*l = NULL;
	if (type != NULL && *type != '\0' &&
	    (*t = forward_type_name(type)) == NULL) {
		snprintf(err, errlen, "type: \"%.40s\" is no rule type (CFWD_ALL, "
		    "CFWD_ON_BUSY, CFWD_NO_ANSWER, CFWD_UNREACHABLE, ...)", type);
		return DSTNY_ERR_INVALID_ARGUMENT;
	}
	if (*t == NULL && !any) {
		snprintf(err, errlen, "type: required (CFWD_ALL, CFWD_ON_BUSY, "
		    "CFWD_NO_ANSWER, CFWD_UNREACHABLE, ...)");
		return DSTNY_ERR_INVALID_ARGUMENT;
	}
	if (line != NULL && *line != '\0' &&
	    (*l = forward_line_name(line)) == NULL) {
		snprintf(err, errlen, "line: \"%.40s\" is no line (PRIMARY or "
		    "SECONDARY)", line);
		return DSTNY_ERR_INVALID_ARGUMENT;
	}
	if (*l == NULL && !any)
		*l = "PRIMARY";
	/* Once the rules are read, the user's lines are known. */
	if (*l != NULL && u->fwd.rules.nlines > 0) {
		for (i = 0; i < u->fwd.rules.nlines; i++)
			if (strcmp(u->fwd.rules.lines[i].order, *l) == 0)
				break;
		if (i == u->fwd.rules.nlines) {
			snprintf(err, errlen, "line: the user has no %s line", *l);
			return DSTNY_ERR_INVALID_ARGUMENT;
		}
	}
	return DSTNY_OK;
}

void
forward_set(struct duser *u, const char *type, const char *number,
    const char *line, profile_cb cb, void *arg)
{
	struct forward_op	*op;
	const char		*t, *l, *msg;
	char			 err[256];
	enum dstny_err		 e;

	if ((e = forward_check(u, type, &t, line, &l, 0, err,
	    sizeof(err))) != DSTNY_OK) {
		cb(e, err, NULL, arg);
		return;
	}
	if (number == NULL || !phone_number_valid(number)) {
		cb(DSTNY_ERR_INVALID_ARGUMENT, "number: 1 to 32 digits, with "
		    "+ * # only", NULL, arg);
		return;
	}
	if ((e = user_refusal(u, &msg)) != DSTNY_OK) {
		cb(e, msg, NULL, arg);
		return;
	}
	op = xcalloc(1, sizeof(*op));
	op->cb = cb;
	op->arg = arg;
	forward_req_send(u, op, l, t, number);
}

void
forward_clear(struct duser *u, const char *type, const char *line,
    profile_cb cb, void *arg)
{
	const struct fwd_rule	*f;
	struct forward_op	*op;
	struct json_object	*res;
	const char		*t, *l, *msg;
	char			 err[256];
	enum dstny_err		 e;
	size_t			 i;

	if ((e = forward_check(u, type, &t, line, &l, 1, err,
	    sizeof(err))) != DSTNY_OK) {
		cb(e, err, NULL, arg);
		return;
	}
	if ((e = user_refusal(u, &msg)) != DSTNY_OK) {
		cb(e, msg, NULL, arg);
		return;
	}
	/* Which rules forward is known only once they are read. */
	if (!u->fwd.rules_read && (t == NULL || l == NULL)) {
		cb(DSTNY_ERR_UPSTREAM, "the forwarding rules are not read from "
		    "the Core yet; name the type and the line", NULL, arg);
		return;
	}
	op = xcalloc(1, sizeof(*op));
	op->cb = cb;
	op->arg = arg;
	op->clear = 1;
	op->left = 1;	/* held while the requests go out */
	if (!u->fwd.rules_read)
		forward_req_send(u, op, l, t, NULL);
	for (i = 0; u->fwd.rules_read && i < u->fwd.rules.nrules; i++) {
		f = &u->fwd.rules.rules[i];
		if ((t == NULL || strcmp(f->type, t) == 0) &&
		    (l == NULL || strcmp(f->line, l) == 0))
			forward_req_send(u, op, f->line, f->type, NULL);
	}
	if (--op->left > 0)
		return;
	/* Nothing forwards: nothing to send. */
	res = json_object_new_object();
	json_object_object_add(res, "cleared", json_object_new_int64(0));
	cb(DSTNY_OK, "", res, arg);
	json_object_put(res);
	free(op);
}
