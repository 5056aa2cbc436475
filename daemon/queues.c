/* queues.c: a user's distribution groups as Queue objects, kept live by queue statistics. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <json-c/json.h>

#include "backoff.h"
#include "dstnyd.h"
#include "log.h"
#include "xmalloc.h"
#include "xml.h"

#define QUEUE_POLL_MS	10000	/* groups.list while the statistics stream is down */

static unsigned	queue_counter;	/* object paths are never reused */

/* Every queue of every user, in turn; the first one after NULL. */
struct dqueue *
queue_next(const struct dqueue *q)
{
	struct duser	*u;

	if (q != NULL && TAILQ_NEXT(q, entry) != NULL)
		return TAILQ_NEXT(q, entry);
	u = q != NULL ? TAILQ_NEXT(q->user, entry) : TAILQ_FIRST(&dusers);
	for (; u != NULL; u = TAILQ_NEXT(u, entry))
		if (!TAILQ_EMPTY(&u->queues))
			return TAILQ_FIRST(&u->queues);
	return NULL;
}

struct dqueue *
queue_find_id(struct duser *u, int64_t id)
{
	struct dqueue	*q;

	TAILQ_FOREACH(q, &u->queues, entry)
		if (q->q.id == id)
			return q;
	return NULL;
}

static void
queue_remove(struct dqueue *q)
{
	struct duser	*u = q->user;

	emit_queue_removed(q);
	TAILQ_REMOVE(&u->queues, q, entry);
	queue_info_clear(&q->q);
	free(q);
	emit_user_changed(u, "Queues");
}

/*
 * Fold a group from groups.list (or a login answer), asked for at seq,
 * into its queue. The figures the statistics stream carries too (agents,
 * calls waiting) are taken only when no statistics event newer than the
 * request was applied: the ordering rule of doc/daemon.md. The stream's
 * next event carries them again, so no fetch is needed when they differ.
 */
static void
queue_merge_group(struct duser *u, const struct queue_info *g, uint64_t seq)
{
	struct dqueue		*q = queue_find_id(u, g->id);
	struct queue_info	 old;
	uint32_t		 props;

	if (q == NULL) {
		q = xcalloc(1, sizeof(*q));
		q->user = u;
		q->n = queue_counter++;
		queue_info_copy(&q->q, g);
		if (*q->q.domain == '\0') {
			free(q->q.domain);
			q->q.domain = xstrdup(u->domain);
		}
		TAILQ_INSERT_TAIL(&u->queues, q, entry);
		emit_queue_added(q);
		emit_user_changed(u, "Queues");
		return;
	}
	queue_info_copy(&old, &q->q);
#define TAKE_S(f) if (*g->f != '\0' && strcmp(q->q.f, g->f) != 0) { \
	free(q->q.f); q->q.f = xstrdup(g->f); }
	TAKE_S(name);
	TAKE_S(type);
	TAKE_S(domain);
#undef TAKE_S
	q->q.logged_in = g->logged_in;
	q->q.night_mode = g->night_mode;
	if (seq > q->stats_seq) {
		q->q.logged_in_agents = g->logged_in_agents;
		q->q.free_agents = g->free_agents;
		q->q.calls_waiting = g->calls_waiting;
	}
	props = queue_info_diff(&old, &q->q);
	queue_info_clear(&old);
	if (props != 0)
		emit_queue_changed(q, props);
}

/* A full list of groups: merge each, drop queues no longer listed. */
static void
queues_reconcile(struct duser *u, const struct queue_list *l, uint64_t seq)
{
	struct dqueue	*q, *next;
	size_t		 i;
	int		 found;

	for (q = TAILQ_FIRST(&u->queues); q != NULL; q = next) {
		next = TAILQ_NEXT(q, entry);
		for (found = 0, i = 0; i < l->n && !found; i++)
			found = l->v[i].id == q->q.id;
		if (!found)
			queue_remove(q);
	}
	for (i = 0; i < l->n; i++)
		queue_merge_group(u, &l->v[i], seq);
}

static void
groups_fetched(struct duser *u, const struct http_resp *r, void *arg)
{
	struct queue_list	l;
	char			err[256];
	int			again = u->qs.again;
	uint64_t		seq = u->qs.fetch_seq;

	u->qs.fetch = 0;
	u->qs.again = 0;
	/* An answer that asking again will not change counts as one. */
	if (r->status >= 200 && r->status < 500 && r->err != DSTNY_ERR_UNAUTHORIZED)
		user_reconciled(u, RECON_QUEUES, seq);
	if (r->err != DSTNY_OK)
		log_warnx("%s@%s: groups.list: %s: %s", u->user, u->domain,
		    dstny_err_name(r->err), r->message);
	else if (groups_parse(r->body, r->body_len, &l, err, sizeof(err)) == -1)
		log_warnx("%s@%s: groups.list: %s", u->user, u->domain, err);
	else {
		queues_reconcile(u, &l, seq);
		queue_list_free(&l);
	}
	if (again)
		queues_fetch(u);
}

void
queues_fetch(struct duser *u)
{
	if (u->qs.fetch != 0) {
		u->qs.again = 1;
		return;
	}
	u->qs.fetch_seq = cache_seq();
	u->qs.fetch = core_send(u, ROUTE_GROUPS_LIST, NULL, groups_fetched,
	    NULL);
}

void
queues_fetch_since(struct duser *u, uint64_t seq)
{
	if (u->qs.fetch != 0 && (u->qs.fetch_seq > seq ||
	    u->qs.again))
		return;
	queues_fetch(u);
}

void
queues_apply_stats_xml(struct duser *u, const char *text, size_t len)
{
	struct queue_list	 l;
	struct dqueue		*q;
	char			 err[256];
	uint32_t		 props;
	size_t			 i;
	int			 unknown = 0;

	uint64_t		 seq = cache_seq();	/* read now */

	if (queue_stats_parse_xml(text, len, &l, err, sizeof(err)) == -1) {
		log_warnx("%s@%s: queue statistics: %s", u->user, u->domain, err);
		return;
	}
	for (i = 0; i < l.n; i++) {
		if ((q = queue_find_id(u, l.v[i].id)) == NULL) {
			unknown = 1;
			continue;
		}
		q->stats_seq = seq;
		if ((props = queue_info_apply_stats(&q->q, &l.v[i])) != 0)
			emit_queue_changed(q, props);
	}
	queue_list_free(&l);
	/* Statistics for a queue we do not know: the groups changed. */
	if (unknown)
		queues_fetch(u);
}

static void
queue_poll_cb(evutil_socket_t fd, short what, void *arg)
{
	struct duser	*u = arg;

	queues_fetch(u);
	if (!u->qs.stats_ok)
		timer_add_ms(u->qs.poll_ev, QUEUE_POLL_MS);
}

int
queues_delivering(const struct duser *u)
{
	return u->qs.stats_ok;
}

void
queues_stream_state(struct duser *u, int ok)
{
	/* A stream that never opened: poll all the same. */
	if (!ok && !u->qs.stats_ok && !u->stopping && (u->qs.poll_ev == NULL ||
	    !evtimer_pending(u->qs.poll_ev, NULL))) {
		if (u->qs.poll_ev == NULL)
			u->qs.poll_ev = evtimer_new(dbase, queue_poll_cb, u);
		timer_add_ms(u->qs.poll_ev, QUEUE_POLL_MS);
		return;
	}
	if (u->qs.stats_ok == ok)
		return;
	u->qs.stats_ok = ok;
	if (ok) {
		if (u->qs.poll_ev != NULL)
			evtimer_del(u->qs.poll_ev);
		queues_fetch(u);	/* after any reconnect: reconcile */
	} else if (!u->stopping) {
		/* Made when first needed: most users' streams never drop. */
		if (u->qs.poll_ev == NULL)
			u->qs.poll_ev = evtimer_new(dbase, queue_poll_cb, u);
		timer_add_ms(u->qs.poll_ev, QUEUE_POLL_MS);
	}
	user_update_state(u);
}

/* The statistics stream fetches the groups once it is open. */
void
queues_start(struct duser *u)
{
	streams_queue_start(u);
}

void
queues_stop(struct duser *u)
{
	struct dqueue	*q;

	streams_queue_stop(u);
	if (u->qs.poll_ev != NULL) {
		event_free(u->qs.poll_ev);
		u->qs.poll_ev = NULL;
	}
	while ((q = TAILQ_FIRST(&u->queues)) != NULL)
		queue_remove(q);
}

/* A login or logout answer lists the groups again: take what it says. */
static int
queue_login_apply(struct duser *u, const struct http_resp *r, uint64_t seq,
    struct dcall **call, char **answer)
{
	struct queue_list	 l;
	char			 err[256];
	size_t			 i;

	if (r->body_len > 0 &&
	    groups_parse(r->body, r->body_len, &l, err, sizeof(err)) == 0) {
		for (i = 0; i < l.n; i++)
			queue_merge_group(u, &l.v[i], seq);
		queue_list_free(&l);
	} else
		queues_fetch(u);
	return 1;
}

void
queue_login(struct duser *u, struct dqueue *q, int login, action_cb cb,
    void *arg)
{
	char			 id[32];
	struct route_var	 vars[] = { { "groupId", id }, { NULL, NULL } };
	struct core_opts	 o;
	struct query		*query = NULL;
	const char		*why;
	enum dstny_err		 refused;

	if ((refused = user_refusal(u, &why)) != DSTNY_OK) {
		cb(refused, why, NULL, NULL, arg);
		return;
	}
	snprintf(id, sizeof(id), "%lld", (long long)q->q.id);
	memset(&o, 0, sizeof(o));
	o.vars = vars;
	if (*q->q.domain != '\0' && strcmp(q->q.domain, u->domain) != 0) {
		query = query_new();
		query_add(query, "grpid-domain", q->q.domain);
		o.query = query;
	}
	action_send(u, login ? ROUTE_GROUPS_LOGIN : ROUTE_GROUPS_LOGOUT, &o,
	    NULL, queue_login_apply, cb, arg);
	query_free(query);
}
