/* presence.c: the user's presence and do-not-disturb, activities and presence shortcuts. */
#include "config.h"

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
 * Read when the user starts (presence, activities, shortcuts), on Resync
 * (the same), at each keepalive (presence only) and from the answer of
 * every change we make: the Core answers a presence update with the
 * presence. Its presence stream (Contacts Information V1, PIDF) is not
 * followed: doc/profile.md.
 */

#define NOTE_MAX	1024

static void
presence_apply(struct duser *u, struct presence *np)
{
	struct presence	*p = &u->pres.p;
	const char	*props[6];
	size_t		 k = 0;

	if (presence_equal(p, np)) {
		presence_clear(np);
		return;
	}
	if (strcmp(p->activity ? p->activity : "", np->activity) != 0)
		props[k++] = "Activity";
	if (p->available != np->available)
		props[k++] = "Available";
	if (strcmp(p->note ? p->note : "", np->note) != 0)
		props[k++] = "Note";
	if (p->expires != np->expires)
		props[k++] = "ActivityExpires";
	props[k] = NULL;
	/* The Core clears an activity-scoped diversion number then. */
	if (p->activity != NULL && strcmp(p->activity, np->activity) != 0)
		forward_refresh(u, FWD_NUMBER);
	presence_clear(p);
	*p = *np;
	emit_presence_changed(u, props);
}

static void
presence_fetched(struct duser *u, const struct http_resp *r, void *arg)
{
	struct presence	np;
	char		err[256];

	if (r->err != DSTNY_OK ||
	    presence_parse(r->body, r->body_len, &np, err, sizeof(err)) == -1)
		profile_read_failed(u, ROUTE_PRESENCE_GET, r, err);
	else
		presence_apply(u, &np);
	profile_fetch_done(u, &u->pres.fetch_f, ROUTE_PRESENCE_GET,
	    presence_fetched);
}

static void
activities_fetched(struct duser *u, const struct http_resp *r, void *arg)
{
	struct activity_list	l;
	const char		*props[] = { "Activities", NULL };
	char			err[256];

	u->pres.acts_f.id = 0;
	if (r->err != DSTNY_OK ||
	    activities_parse(r->body, r->body_len, &l, err, sizeof(err)) == -1) {
		profile_read_failed(u, ROUTE_PRESENCE_ACTIVITIES, r, err);
		return;
	}
	if (activities_equal(&l, &u->pres.acts)) {
		activities_free(&l);
		return;
	}
	activities_free(&u->pres.acts);
	u->pres.acts = l;
	emit_presence_changed(u, props);
}

static void
shortcuts_fetched(struct duser *u, const struct http_resp *r, void *arg)
{
	struct shortcut_list	l;
	const char		*props[] = { "Shortcuts", NULL };
	char			err[256];

	u->pres.scs_f.id = 0;
	if (r->err != DSTNY_OK ||
	    shortcuts_parse(r->body, r->body_len, &l, err, sizeof(err)) == -1) {
		profile_read_failed(u, ROUTE_PRESENCE_SHORTCUTS, r, err);
		return;
	}
	if (shortcuts_equal(&l, &u->pres.scs)) {
		shortcuts_free(&l);
		return;
	}
	shortcuts_free(&u->pres.scs);
	u->pres.scs = l;
	emit_presence_changed(u, props);
}

void
presence_refresh(struct duser *u, int all)
{
	profile_fetch(u, &u->pres.fetch_f, ROUTE_PRESENCE_GET,
	    presence_fetched);
	if (!all)
		return;
	/* The lists change rarely: one in flight answers for now. */
	if (u->pres.acts_f.id == 0)
		profile_fetch(u, &u->pres.acts_f, ROUTE_PRESENCE_ACTIVITIES,
		    activities_fetched);
	if (u->pres.scs_f.id == 0)
		profile_fetch(u, &u->pres.scs_f, ROUTE_PRESENCE_SHORTCUTS,
		    shortcuts_fetched);
}

void
presence_start(struct duser *u)
{
	presence_refresh(u, 1);
}

void
presence_user_free(struct duser *u)
{
	presence_clear(&u->pres.p);
	activities_free(&u->pres.acts);
	shortcuts_free(&u->pres.scs);
	memset(&u->pres, 0, sizeof(u->pres));
}

static void
json_add_time(struct json_object *o, const char *key, time_t t)
{
	char	when[32];

	if (t == 0 || iso8601_format(t, when, sizeof(when)) == -1)
		when[0] = '\0';
	json_object_object_add(o, key, json_object_new_string(when));
}

struct json_object *
presence_view(const struct duser *u)
{
	const struct presence_user	*pu = &u->pres;
	struct json_object		*o = json_object_new_object(), *a, *e;
	size_t				 i;

	json_object_object_add(o, "user", json_object_new_string(u->user));
	json_object_object_add(o, "activity", json_object_new_string(
	    pu->p.activity != NULL ? pu->p.activity : ""));
	json_object_object_add(o, "available",
	    json_object_new_boolean(pu->p.available));
	json_object_object_add(o, "note", json_object_new_string(
	    pu->p.note != NULL ? pu->p.note : ""));
	json_object_object_add(o, "expires",
	    json_object_new_int64((int64_t)pu->p.expires));
	json_add_time(o, "expiresAt", pu->p.expires);
	a = json_object_new_array();
	for (i = 0; i < pu->acts.n; i++) {
		e = json_object_new_object();
		json_object_object_add(e, "id",
		    json_object_new_string(pu->acts.v[i].id));
		json_object_object_add(e, "name",
		    json_object_new_string(pu->acts.v[i].name));
		json_object_object_add(e, "available",
		    json_object_new_boolean(pu->acts.v[i].available));
		json_object_object_add(e, "default",
		    json_object_new_boolean(pu->acts.v[i].dflt));
		json_object_array_add(a, e);
	}
	json_object_object_add(o, "activities", a);
	a = json_object_new_array();
	for (i = 0; i < pu->scs.n; i++) {
		const struct shortcut *s = &pu->scs.v[i];

		e = json_object_new_object();
		json_object_object_add(e, "id", json_object_new_string(s->id));
		json_object_object_add(e, "name", json_object_new_string(s->name));
		json_object_object_add(e, "activityId",
		    json_object_new_string(s->activity));
		json_object_object_add(e, "available",
		    json_object_new_boolean(s->available));
		json_object_object_add(e, "durationType",
		    json_object_new_string(s->duration_type));
		json_object_object_add(e, "durationMinutes",
		    json_object_new_int64(s->minutes));
		json_object_object_add(e, "diversionPhoneNumber",
		    json_object_new_string(s->divert));
		json_object_object_add(e, "applyDiversionNumber",
		    json_object_new_boolean(s->apply_divert));
		json_object_array_add(a, e);
	}
	json_object_object_add(o, "shortcuts", a);
	return o;
}

/* A change of ours: where its outcome goes, and what a shortcut still has to do. */
struct presence_op {
	profile_cb	 cb;
	void		*arg;
	char		*divert;	/* shortcut: then divert here */
	char		*done;		/* shortcut: what was done so far */
};

static void
presence_op_free(struct presence_op *op)
{
	free(op->divert);
	free(op->done);
	free(op);
}

static void
presence_op_cancelled(void *arg)
{
	struct presence_op	*op = arg;

	op->cb(DSTNY_ERR_OFFLINE, "the request was cancelled (user removed "
	    "or daemon stopping)", NULL, op->arg);
	presence_op_free(op);
}

static void
presence_op_done(struct presence_op *op)
{
	struct json_object	*res = json_object_new_object();

	if (op->done != NULL)
		json_object_object_add(res, "done",
		    json_object_new_string(op->done));
	op->cb(DSTNY_OK, "", res, op->arg);
	json_object_put(res);
	presence_op_free(op);
}

static void
presence_diverted(struct duser *u, const struct http_resp *r, void *arg)
{
	struct presence_op	*op = arg;
	char			*msg;

	if (r->err != DSTNY_OK) {
		log_info("%s@%s: diversion.number.put: %s: %s", u->user,
		    u->domain, dstny_err_name(r->err), r->message);
		msg = xasprintf("%s; setting the diversion number failed: %s",
		    op->done, *r->message != '\0' ? r->message :
		    dstny_err_name(r->err));
		op->cb(r->err, msg, NULL, op->arg);
		free(msg);
		presence_op_free(op);
		return;
	}
	forward_number_answer(u, r);	/* DiversionNumber */
	msg = xasprintf("%s; calls diverted to %s", op->done, op->divert);
	free(op->done);
	op->done = msg;
	presence_op_done(op);
}

static void
presence_put_done(struct duser *u, const struct http_resp *r, void *arg)
{
	struct presence_op	*op = arg;
	struct presence		 np;
	struct core_opts	 o;
	struct query		*q;
	char			 err[256];
	int			 parsed;

	if (r->err != DSTNY_OK) {
		log_info("%s@%s: presence.put: %s: %s", u->user, u->domain,
		    dstny_err_name(r->err), r->message);
		op->cb(r->err, r->message, NULL, op->arg);
		presence_op_free(op);
		return;
	}
	/* The answer is the presence; without one, ask for it. */
	parsed = r->body_len > 0 && presence_parse(r->body, r->body_len, &np,
	    err, sizeof(err)) == 0;
	if (parsed && *np.activity != '\0')
		presence_apply(u, &np);
	else {
		if (parsed)
			presence_clear(&np);	/* {} or a bare result */
		presence_refresh(u, 0);
	}
	if (op->divert == NULL) {
		presence_op_done(op);
		return;
	}
	/* Scoped to the activity: the Core clears it when presence changes. */
	q = query_new();
	query_add(q, "phoneNumber", op->divert);
	query_add(q, "activityScoped", "true");
	memset(&o, 0, sizeof(o));
	o.query = q;
	o.arg_free = presence_op_cancelled;
	core_send(u, ROUTE_DIVERSION_NUMBER_PUT, &o, presence_diverted, op);
	query_free(q);
}

/* Checked before anything is sent; DSTNY_OK or InvalidArgument naming the field. */
static enum dstny_err
presence_check(struct duser *u, const char *activity, const char *note,
    int64_t expires, char *err, size_t errlen)
{
	if (activity == NULL || *activity == '\0') {
		snprintf(err, errlen, "activity: required");
		return DSTNY_ERR_INVALID_ARGUMENT;
	}
	/* Without the list (not read yet) the Core is the judge. */
	if (u->pres.acts.n > 0 && activities_find(&u->pres.acts,
	    activity) == NULL) {
		snprintf(err, errlen, "activity: \"%.40s\" is not one of the "
		    "user's activities", activity);
		return DSTNY_ERR_INVALID_ARGUMENT;
	}
	if (note != NULL && strlen(note) > NOTE_MAX) {
		snprintf(err, errlen, "note: longer than %d bytes", NOTE_MAX);
		return DSTNY_ERR_INVALID_ARGUMENT;
	}
	if (expires != 0 && (expires <= (int64_t)time(NULL) ||
	    expires > (int64_t)ISO8601_MAX)) {
		snprintf(err, errlen, "expires: a Unix time from now to the "
		    "end of year 9999 (0: no end)");
		return DSTNY_ERR_INVALID_ARGUMENT;
	}
	return DSTNY_OK;
}

static void
presence_put(struct duser *u, const char *activity, int available,
    const char *note, int64_t expires, struct presence_op *op)
{
	struct json_object	*b = json_object_new_object(), *a;
	struct core_opts	 o;
	char			 when[32];

	a = json_object_new_object();
	json_object_object_add(a, "id", json_object_new_string(activity));
	json_object_object_add(a, "available", json_object_new_boolean(available));
	if (expires != 0 && iso8601_format((time_t)expires, when,
	    sizeof(when)) == 0)
		json_object_object_add(a, "expiration",
		    json_object_new_string(when));
	json_object_object_add(b, "activity", a);
	if (note != NULL)
		json_object_object_add(b, "note", json_object_new_string(note));
	memset(&o, 0, sizeof(o));
	o.body = json_object_to_json_string_ext(b, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE);
	o.arg_free = presence_op_cancelled;
	core_send(u, ROUTE_PRESENCE_PUT, &o, presence_put_done, op);
	json_object_put(b);
}

void
presence_set(struct duser *u, const char *activity, int available,
    const char *note, int64_t expires, profile_cb cb, void *arg)
{
	struct presence_op	*op;
	const char		*msg;
	char			 err[256];
	enum dstny_err		 e;

	if ((e = presence_check(u, activity, note, expires, err,
	    sizeof(err))) != DSTNY_OK) {
		cb(e, err, NULL, arg);
		return;
	}
	if ((e = user_refusal(u, &msg)) != DSTNY_OK) {
		cb(e, msg, NULL, arg);
		return;
	}
	op = xcalloc(1, sizeof(*op));
	op->cb = cb;
	op->arg = arg;
	presence_put(u, activity, available, note, expires, op);
}

void
presence_apply_shortcut(struct duser *u, const char *id, profile_cb cb,
    void *arg)
{
	const struct shortcut	*s;
	struct presence_op	*op;
	const char		*msg;
	char			 err[256], when[32];
	enum dstny_err		 e;
	time_t			 expires;

	if (id == NULL || (s = shortcuts_find(&u->pres.scs, id)) == NULL) {
		cb(DSTNY_ERR_NOT_FOUND, "shortcut: no such presence shortcut",
		    NULL, arg);
		return;
	}
	expires = shortcut_expiry(s, time(NULL));
	if ((e = presence_check(u, s->activity, NULL, (int64_t)expires, err,
	    sizeof(err))) != DSTNY_OK) {
		cb(e, err, NULL, arg);
		return;
	}
	if ((e = user_refusal(u, &msg)) != DSTNY_OK) {
		cb(e, msg, NULL, arg);
		return;
	}
	if (expires == 0 || iso8601_format(expires, when, sizeof(when)) == -1)
		snprintf(when, sizeof(when), "no end time");
	else
		memmove(when + 6, when, strlen(when) + 1), memcpy(when, "until ", 6);
	op = xcalloc(1, sizeof(*op));
	op->cb = cb;
	op->arg = arg;
	op->done = xasprintf("activity %s, %s, %s", s->activity,
	    s->available ? "available" : "do not disturb", when);
	if (s->apply_divert && *s->divert != '\0')
		op->divert = xstrdup(s->divert);
	presence_put(u, s->activity, s->available, NULL, (int64_t)expires, op);
}
