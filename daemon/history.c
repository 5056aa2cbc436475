/* history.c: missed calls and unplayed voicemails counted from the Communication Log; listing, marking, deleting. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "coremsg.h"
#include "dstnyd.h"
#include "history.h"
#include "log.h"
#include "xmalloc.h"

/*
 * The Core offers no live updates of the log. The counters are read once
 * in full (MISSED_CALL and VOICEMAIL items only) when the user starts and
 * on Resync; after that each refresh (a call of the user's ended, the
 * keepalive) asks only for items newer than the newest known (since=).
 * An item seen or played elsewhere is thus noticed at the next full read;
 * MarkSeen and Delete through dstnyd update the counters at once.
 */

static int
ids_has(const int64_t *v, size_t n, int64_t id)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (v[i] == id)
			return 1;
	return 0;
}

static void
ids_add(int64_t **v, size_t *n, int64_t id)
{
	if (ids_has(*v, *n, id))
		return;
	*v = xreallocarray(*v, *n + 1, sizeof(**v));
	(*v)[(*n)++] = id;
}

/* Drop the ids in del (nd) and every id <= until (0: none); 1 if any went. */
static int
ids_drop(int64_t *v, size_t *n, const int64_t *del, size_t nd, int64_t until)
{
	size_t	i, k = 0;

	for (i = 0; i < *n; i++)
		if (!(until > 0 && v[i] <= until) && !ids_has(del, nd, v[i]))
			v[k++] = v[i];
	if (k == *n)
		return 0;
	*n = k;
	return 1;
}

uint32_t
history_missed(const struct duser *u)
{
	return (uint32_t)u->history.nunseen;
}

uint32_t
history_unplayed(const struct duser *u)
{
	return (uint32_t)u->history.nunplayed;
}

struct json_object *
history_counts_json(const struct duser *u)
{
	struct json_object	*o = json_object_new_object();

	json_object_object_add(o, "user", json_object_new_string(u->user));
	json_object_object_add(o, "missedCalls",
	    json_object_new_int64(history_missed(u)));
	json_object_object_add(o, "unplayedVoicemails",
	    json_object_new_int64(history_unplayed(u)));
	return o;
}

static void	history_fetch(struct duser *);

static void
history_fetched(struct duser *u, const struct http_resp *r, void *arg)
{
	struct history_user	*h = &u->history;
	struct history_list	 l;
	struct json_object	*items;
	int			 full = (int)(intptr_t)arg, changed = 0;
	size_t			 i, was_unseen = h->nunseen;
	size_t			 was_unplayed = h->nunplayed;
	char			 err[256];

	h->fetch = 0;
	if (r->err != DSTNY_OK ||
	    history_parse(r->body, r->body_len, &l, err, sizeof(err)) == -1)
		profile_read_failed(u, ROUTE_HISTORY_LIST, r, err);
	else {
		if (full) {
			h->nunseen = h->nunplayed = 0;
			h->newest = 0;
		}
		items = json_object_new_array();
		for (i = 0; i < l.n; i++) {
			/* Only items newer than what was counted are news. */
			if (!full && l.v[i].id <= h->newest)
				continue;
			if (strcmp(l.v[i].type, "MISSED_CALL") == 0 &&
			    !l.v[i].seen)
				ids_add(&h->unseen, &h->nunseen, l.v[i].id);
			else if (strcmp(l.v[i].type, "VOICEMAIL") == 0 &&
			    !l.v[i].played)
				ids_add(&h->unplayed, &h->nunplayed, l.v[i].id);
			else
				continue;
			if (!full)
				json_object_array_add(items,
				    history_item_json(&l.v[i]));
		}
		if (l.newest > h->newest)
			h->newest = l.newest;
		changed = h->nunseen != was_unseen ||
		    h->nunplayed != was_unplayed ||
		    json_object_array_length(items) > 0;
		if (changed)
			emit_history_changed(u, items);
		json_object_put(items);
		history_free(&l);
	}
	if (r->err != DSTNY_OK && full)
		h->full = 1;	/* the next refresh reads everything */
	if (h->again) {
		h->again = 0;
		history_fetch(u);
	}
}

static void
history_fetch(struct duser *u)
{
	struct history_user	*h = &u->history;
	struct core_opts	 o;
	struct query		*q = query_new();
	char			 since[32];
	int			 full = h->full || h->newest == 0;

	h->full = 0;
	query_add(q, "itemType", "MISSED_CALL");
	query_add(q, "itemType", "VOICEMAIL");
	if (!full) {
		snprintf(since, sizeof(since), "%lld", (long long)h->newest);
		query_add(q, "since", since);
	}
	memset(&o, 0, sizeof(o));
	o.query = q;
	h->fetch = core_send(u, ROUTE_HISTORY_LIST, &o, history_fetched,
	    (void *)(intptr_t)full);
	query_free(q);
}

void
history_refresh(struct duser *u, int full)
{
	struct history_user	*h = &u->history;

	if (full)
		h->full = 1;
	if (h->fetch != 0) {
		h->again = 1;
		return;
	}
	history_fetch(u);
}

void
history_start(struct duser *u)
{
	history_refresh(u, 1);
}

void
history_user_free(struct duser *u)
{
	free(u->history.unseen);
	free(u->history.unplayed);
	memset(&u->history, 0, sizeof(u->history));
}

enum dstny_err
history_filter_check(const struct history_filter *f, char *err, size_t errlen)
{
	const char	*p;
	size_t		 i;

	for (i = 0; i < f->ntypes; i++)
		if (!history_type_valid(f->types[i])) {
			snprintf(err, errlen, "type: \"%.40s\" is none of "
			    "OUTGOING_CALL, MISSED_CALL, INCOMING_CALL, "
			    "VOICEMAIL, RECORDING, FAX", f->types[i]);
			return DSTNY_ERR_INVALID_ARGUMENT;
		}
	if (f->since < 0 || f->since > (int64_t)ISO8601_MAX) {
		snprintf(err, errlen, "since: a Unix time up to the end of 9999");
		return DSTNY_ERR_INVALID_ARGUMENT;
	}
	if (f->until < 0 || f->until > (int64_t)ISO8601_MAX ||
	    (f->until != 0 && f->until < f->since)) {
		snprintf(err, errlen, "until: a Unix time after since, up to "
		    "the end of 9999");
		return DSTNY_ERR_INVALID_ARGUMENT;
	}
	if (f->limit < 0 || f->limit > 10000) {
		snprintf(err, errlen, "limit: from 1 to 10000 (0: the Core's "
		    "default)");
		return DSTNY_ERR_INVALID_ARGUMENT;
	}
	if (f->older < 0 || f->newer < 0) {
		snprintf(err, errlen, "%s: an itemId (positive)", f->older < 0 ?
		    "olderThan" : "newerThan");
		return DSTNY_ERR_INVALID_ARGUMENT;
	}
	if (f->number != NULL) {
		if (strlen(f->number) > 64)
			goto bad_number;
		for (p = f->number; *p != '\0'; p++)
			if (strchr("+0123456789*#", *p) == NULL)
				goto bad_number;
	}
	return DSTNY_OK;
bad_number:
	snprintf(err, errlen, "number: digits, with + * # only");
	return DSTNY_ERR_INVALID_ARGUMENT;
}

/* One request of ours and where its outcome goes. */
struct history_op {
	profile_cb	 cb;
	void		*arg;
	int64_t		*ids;
	size_t		 n;
	int64_t		 until;
	int		 seen;		/* mark seen (else delete) */
};

static void
history_op_cancelled(void *arg)
{
	struct history_op	*op = arg;

	op->cb(DSTNY_ERR_OFFLINE, "the request was cancelled (user removed "
	    "or daemon stopping)", NULL, op->arg);
	free(op->ids);
	free(op);
}

static void
history_listed(struct duser *u, const struct http_resp *r, void *arg)
{
	struct history_op	*op = arg;
	struct history_list	 l;
	struct json_object	*a;
	char			 err[256];
	size_t			 i;

	if (r->err != DSTNY_OK)
		op->cb(r->err, r->message, NULL, op->arg);
	else if (history_parse(r->body, r->body_len, &l, err,
	    sizeof(err)) == -1)
		op->cb(DSTNY_ERR_UPSTREAM, err, NULL, op->arg);
	else {
		a = json_object_new_array();
		for (i = 0; i < l.n; i++)
			json_object_array_add(a, history_item_json(&l.v[i]));
		op->cb(DSTNY_OK, "", a, op->arg);
		json_object_put(a);
		history_free(&l);
	}
	free(op);
}

static void
query_time(struct query *q, const char *key, int64_t t)
{
	char	when[32];

	if (t > 0 && iso8601_format((time_t)t, when, sizeof(when)) == 0)
		query_add(q, key, when);
}

static void
query_id(struct query *q, const char *key, int64_t id)
{
	char	buf[32];

	if (id > 0) {
		snprintf(buf, sizeof(buf), "%lld", (long long)id);
		query_add(q, key, buf);
	}
}

void
history_list(struct duser *u, const struct history_filter *f, profile_cb cb,
    void *arg)
{
	struct history_op	*op;
	struct core_opts	 o;
	struct query		*q;
	const char		*msg;
	char			 err[256], buf[32];
	enum dstny_err		 e;
	size_t			 i;

	if ((e = history_filter_check(f, err, sizeof(err))) != DSTNY_OK) {
		cb(e, err, NULL, arg);
		return;
	}
	if ((e = user_refusal(u, &msg)) != DSTNY_OK) {
		cb(e, msg, NULL, arg);
		return;
	}
	q = query_new();
	for (i = 0; i < f->ntypes; i++)
		query_add(q, "itemType", f->types[i]);
	query_time(q, "sinceTime", f->since);
	query_time(q, "untilTime", f->until);
	query_id(q, "since", f->newer);
	query_id(q, "olderThan", f->older);
	if (f->number != NULL && *f->number != '\0')
		query_add(q, "number", f->number);
	if (f->limit > 0) {
		snprintf(buf, sizeof(buf), "%lld", (long long)f->limit);
		query_add(q, "limit", buf);
	}
	op = xcalloc(1, sizeof(*op));
	op->cb = cb;
	op->arg = arg;
	memset(&o, 0, sizeof(o));
	o.query = q;
	o.arg_free = history_op_cancelled;
	core_send(u, ROUTE_HISTORY_LIST, &o, history_listed, op);
	query_free(q);
}

static void
history_changed_cb(struct duser *u, const struct http_resp *r, void *arg)
{
	struct history_op	*op = arg;
	struct history_user	*h = &u->history;
	struct json_object	*none;
	int			 a, b = 0;

	if (r->err != DSTNY_OK) {
		log_info("%s@%s: %s: %s: %s", u->user, u->domain, op->seen ?
		    "history.seen" : "history.delete", dstny_err_name(r->err),
		    r->message);
		op->cb(r->err, r->message, NULL, op->arg);
	} else {
		a = ids_drop(h->unseen, &h->nunseen, op->ids, op->n, op->until);
		if (!op->seen)
			b = ids_drop(h->unplayed, &h->nunplayed, op->ids, op->n,
			    op->until);
		if (a || b) {
			none = json_object_new_array();
			emit_history_changed(u, none);
			json_object_put(none);
		}
		op->cb(DSTNY_OK, "", NULL, op->arg);
	}
	free(op->ids);
	free(op);
}

static void
history_change(struct duser *u, enum route_id route, const int64_t *ids,
    size_t n, int64_t until, profile_cb cb, void *arg)
{
	struct history_op	*op;
	struct core_opts	 o;
	struct query		*q;
	const char		*msg;
	enum dstny_err		 e;
	size_t			 i;

	if (n == 0 && until <= 0) {
		cb(DSTNY_ERR_INVALID_ARGUMENT, route == ROUTE_HISTORY_SEEN ?
		    "ids: name items, or until an itemId" : "ids: name items",
		    NULL, arg);
		return;
	}
	for (i = 0; i < n; i++)
		if (ids[i] <= 0) {
			cb(DSTNY_ERR_INVALID_ARGUMENT, "ids: itemIds are "
			    "positive", NULL, arg);
			return;
		}
	if (n > 1000) {
		cb(DSTNY_ERR_INVALID_ARGUMENT, "ids: at most 1000", NULL, arg);
		return;
	}
	if ((e = user_refusal(u, &msg)) != DSTNY_OK) {
		cb(e, msg, NULL, arg);
		return;
	}
	op = xcalloc(1, sizeof(*op));
	op->cb = cb;
	op->arg = arg;
	op->ids = xcalloc(n > 0 ? n : 1, sizeof(*op->ids));
	memcpy(op->ids, ids, n * sizeof(*ids));
	op->n = n;
	op->until = until;
	op->seen = route == ROUTE_HISTORY_SEEN;
	/* itemId is a string in parameters, a number in bodies. */
	q = query_new();
	for (i = 0; i < n; i++)
		query_id(q, "itemId", ids[i]);
	query_id(q, "untilItemId", until);
	if (op->seen) {
		query_add(q, "isSeen", "true");
		query_add(q, "isPlayed", "false");
		query_add(q, "updateCallItem", "true");
	} else
		query_add(q, "updateCallItem", "false");
	memset(&o, 0, sizeof(o));
	o.query = q;
	o.arg_free = history_op_cancelled;
	core_send(u, route, &o, history_changed_cb, op);
	query_free(q);
}

void
history_mark_seen(struct duser *u, const int64_t *ids, size_t n, int64_t until,
    profile_cb cb, void *arg)
{
	history_change(u, ROUTE_HISTORY_SEEN, ids, n, until, cb, arg);
}

void
history_delete(struct duser *u, const int64_t *ids, size_t n, profile_cb cb,
    void *arg)
{
	history_change(u, ROUTE_HISTORY_DELETE, ids, n, 0, cb, arg);
}
