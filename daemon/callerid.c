/* callerid.c: the caller ID of outgoing calls: the user's lines and the active one (issue 21 part 4). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "dstnyd.h"
#include "log.h"
#include "xmalloc.h"

/*
 * Read when the user starts and on Resync (lines and active line), the
 * active line at every third keepalive tick (profile.c), and after each
 * change made through dstnyd: userline.put's answer, when it is the
 * active line, is applied; else both are read again.
 */

static const char *const cid_props_active[] = { "ActiveType", "ActiveGroupId",
    "ActiveNumber", "ActiveName", NULL };
static const char *const cid_props_lines[] = { "Lines", NULL };

static void
callerid_apply(struct duser *u, struct userline *a)
{
	if (userline_equal(&u->cid.active, a)) {
		userline_clear(a);
		return;
	}
	userline_clear(&u->cid.active);
	u->cid.active = *a;
	emit_callerid_changed(u, cid_props_active);
}

static void
callerid_active_fetched(struct duser *u, const struct http_resp *r, void *arg)
{
	struct userline	a;
	char		err[256];

	if (r->err != DSTNY_OK ||
	    userline_parse(r->body, r->body_len, &a, err, sizeof(err)) == -1)
		profile_read_failed(u, ROUTE_USERLINE_ACTIVE, r, err);
	else
		callerid_apply(u, &a);
	profile_fetch_done(u, &u->cid.active_f, ROUTE_USERLINE_ACTIVE,
	    callerid_active_fetched);
}

static void
callerid_lines_fetched(struct duser *u, const struct http_resp *r, void *arg)
{
	struct userline_list	l;
	char			err[256];

	if (r->err != DSTNY_OK ||
	    userline_list_parse(r->body, r->body_len, &l, err,
	    sizeof(err)) == -1)
		profile_read_failed(u, ROUTE_USERLINE_LIST, r, err);
	else if (userline_list_equal(&l, &u->cid.lines))
		userline_list_free(&l);
	else {
		userline_list_free(&u->cid.lines);
		u->cid.lines = l;
		emit_callerid_changed(u, cid_props_lines);
	}
	profile_fetch_done(u, &u->cid.lines_f, ROUTE_USERLINE_LIST,
	    callerid_lines_fetched);
}

void
callerid_refresh(struct duser *u, int all)
{
	profile_fetch(u, &u->cid.active_f, ROUTE_USERLINE_ACTIVE,
	    callerid_active_fetched);
	if (all)
		profile_fetch(u, &u->cid.lines_f, ROUTE_USERLINE_LIST,
		    callerid_lines_fetched);
}

void
callerid_user_free(struct duser *u)
{
	userline_clear(&u->cid.active);
	userline_list_free(&u->cid.lines);
	memset(&u->cid, 0, sizeof(u->cid));
}

static struct json_object *
line_json(const struct userline *l, int with_active)
{
	struct json_object	*o = json_object_new_object();

	json_object_object_add(o, "type",
	    json_object_new_string(l->type != NULL ? l->type : ""));
	json_object_object_add(o, "groupId", json_object_new_int64(l->group));
	json_object_object_add(o, "number",
	    json_object_new_string(l->number != NULL ? l->number : ""));
	json_object_object_add(o, "name",
	    json_object_new_string(l->name != NULL ? l->name : ""));
	if (with_active)
		json_object_object_add(o, "active",
		    json_object_new_boolean(l->active));
	return o;
}

struct json_object *
callerid_view(const struct duser *u)
{
	struct json_object	*o = line_json(&u->cid.active, 0), *a;
	size_t			 i;

	json_object_object_add(o, "user", json_object_new_string(u->user));
	a = json_object_new_array();
	for (i = 0; i < u->cid.lines.n; i++)
		json_object_array_add(a, line_json(&u->cid.lines.v[i], 1));
	json_object_object_add(o, "lines", a);
	return o;
}

struct callerid_op {
	profile_cb	 cb;
	void		*arg;
	const char	*type;		/* static: userline_type_name()'s */
	int64_t		 group;
};

/*
 * The put succeeded without saying the line: it is active now, with the
 * number and name the list gives it, until the reads that follow confirm.
 */
static void
callerid_assume(struct duser *u, const char *type, int64_t group)
{
	const struct userline	*l = userline_find(&u->cid.lines, type, group);
	struct userline		 a;
	size_t			 i;
	int			 changed = 0;

	memset(&a, 0, sizeof(a));
	a.type = xstrdup(type);
	a.group = group;
	a.number = xstrdup(l != NULL ? l->number : "");
	a.name = xstrdup(l != NULL ? l->name : "");
	a.active = 1;
	for (i = 0; i < u->cid.lines.n; i++) {
		l = &u->cid.lines.v[i];
		if (l->active != (strcmp(l->type, type) == 0 && l->group == group)) {
			u->cid.lines.v[i].active = !l->active;
			changed = 1;
		}
	}
	callerid_apply(u, &a);
	if (changed)
		emit_callerid_changed(u, cid_props_lines);
}

static void
callerid_op_cancelled(void *arg)
{
	struct callerid_op	*op = arg;

	op->cb(DSTNY_ERR_OFFLINE, "the request was cancelled (user removed "
	    "or daemon stopping)", NULL, op->arg);
	free(op);
}

static void
callerid_put_done(struct duser *u, const struct http_resp *r, void *arg)
{
	struct callerid_op	*op = arg;
	struct userline		 a;
	char			 err[256];

	if (r->err != DSTNY_OK) {
		log_info("%s@%s: userline.put: %s: %s", u->user, u->domain,
		    dstny_err_name(r->err), r->message);
		op->cb(r->err, r->message, NULL, op->arg);
		free(op);
		return;
	}
	/*
	 * The answer may be the active line (with its number; an echo of
	 * {type, groupId} is not); the lines' active flags follow.
	 */
	memset(&a, 0, sizeof(a));
	if (r->body_len > 0 && userline_parse(r->body, r->body_len, &a, err,
	    sizeof(err)) == 0 && *a.type != '\0' && *a.number != '\0') {
		callerid_apply(u, &a);
		profile_fetch(u, &u->cid.lines_f, ROUTE_USERLINE_LIST,
		    callerid_lines_fetched);
	} else {
		userline_clear(&a);
		callerid_assume(u, op->type, op->group);
		callerid_refresh(u, 1);
	}
	op->cb(DSTNY_OK, "", NULL, op->arg);
	free(op);
}

void
callerid_set(struct duser *u, const char *type, int64_t group, profile_cb cb,
    void *arg)
{
	struct callerid_op	*op;
	struct json_object	*b;
	struct core_opts	 o;
	const char		*t, *msg;
	char			 err[256];
	enum dstny_err		 e;

	if ((t = userline_type_name(type)) == NULL) {
		snprintf(err, sizeof(err), "type: \"%.40s\" is no line type "
		    "(ANONYMOUS, ACD, ACD_LIGHT, ATTENDANT, SWITCHBOARD, "
		    "OFFICE_FIXED, PRIVATE_FIXED, OFFICE_MOBILE, PRIVATE_MOBILE)",
		    type != NULL ? type : "");
		cb(DSTNY_ERR_INVALID_ARGUMENT, err, NULL, arg);
		return;
	}
	if (group < 0) {
		cb(DSTNY_ERR_INVALID_ARGUMENT, "groupId: 0 or more", NULL, arg);
		return;
	}
	/* Once the lines are read, only one of them (or none: ANONYMOUS). */
	if (u->cid.lines.n > 0 && strcmp(t, "ANONYMOUS") != 0 &&
	    userline_find(&u->cid.lines, t, group) == NULL) {
		snprintf(err, sizeof(err), "groupId: the user has no %s line "
		    "%lld", t, (long long)group);
		cb(DSTNY_ERR_INVALID_ARGUMENT, err, NULL, arg);
		return;
	}
	if ((e = user_refusal(u, &msg)) != DSTNY_OK) {
		cb(e, msg, NULL, arg);
		return;
	}
	op = xcalloc(1, sizeof(*op));
	op->cb = cb;
	op->arg = arg;
	op->type = t;
	op->group = group;
	b = json_object_new_object();
	json_object_object_add(b, "type", json_object_new_string(t));
	json_object_object_add(b, "groupId", json_object_new_int64(group));
	memset(&o, 0, sizeof(o));
	o.body = json_object_to_json_string_ext(b, JSON_C_TO_STRING_PLAIN);
	o.arg_free = callerid_op_cancelled;
	core_send(u, ROUTE_USERLINE_PUT, &o, callerid_put_done, op);
	json_object_put(b);
}
