/* cache.c: per-user call state keyed by stateToken; fetches coalesced and ordered. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dstnyd.h"
#include "log.h"
#include "xmalloc.h"

/* How long the stream may lag behind an answer before it is believed again. */
#define AWAIT_MAX_USEC	(5 * 1000000ULL)

static uint64_t	seq_counter;
static unsigned	call_counter;		/* object paths are never reused */

/*
 * The calls a user lost lately, with the order of the news that removed
 * them: an answer sent before that news must not bring a call back.
 * Made at a user's first removal; the oldest is forgotten first.
 */
#define TOMBS_MAX	16
struct tombs {
	char		*id[TOMBS_MAX];
	uint64_t	 seq[TOMBS_MAX];
	unsigned	 next;
};

uint64_t
cache_seq(void)
{
	return ++seq_counter;
}

struct dcall *
cache_find(struct duser *u, const char *call_id)
{
	struct dcall	*c;

	TAILQ_FOREACH(c, &u->calls, entry)
		if (strcmp(c->id, call_id) == 0)
			return c;
	return NULL;
}

/* Every call of every user, in turn; the first one after NULL. */
struct dcall *
cache_next(const struct dcall *c)
{
	struct duser	*u;

	if (c != NULL && TAILQ_NEXT(c, entry) != NULL)
		return TAILQ_NEXT(c, entry);
	u = c != NULL ? TAILQ_NEXT(c->user, entry) : TAILQ_FIRST(&dusers);
	for (; u != NULL; u = TAILQ_NEXT(u, entry))
		if (!TAILQ_EMPTY(&u->calls))
			return TAILQ_FIRST(&u->calls);
	return NULL;
}

static const char *
removal_reason(const struct call_state *cs)
{
	if (strcmp(cs->event, "PARKED") == 0)
		return REASON_PARKED;
	if (strcmp(cs->event, "TRANSFERRED") == 0)
		return REASON_TRANSFERRED;
	return REASON_ENDED;
}

static void
dcall_free(struct dcall *c)
{
	call_state_free(c->alt);
	call_state_free(c->cs);
	free(c->id);
	free(c);
}

static void
tomb_add(struct duser *u, const char *id, uint64_t seq)
{
	struct tombs	*t;
	unsigned	 i;

	if (u->cache.tombs == NULL)
		u->cache.tombs = xcalloc(1, sizeof(*u->cache.tombs));
	t = u->cache.tombs;
	i = t->next++ % TOMBS_MAX;
	free(t->id[i]);
	t->id[i] = xstrdup(id);
	t->seq[i] = seq;
}

/* The order of the news that removed call id; 0: not removed lately. */
static uint64_t
tomb_seq(struct duser *u, const char *id)
{
	uint64_t	seq = 0;
	unsigned	i;

	if (u->cache.tombs == NULL)
		return 0;
	for (i = 0; i < TOMBS_MAX; i++)
		if (u->cache.tombs->id[i] != NULL && u->cache.tombs->seq[i] > seq &&
		    strcmp(u->cache.tombs->id[i], id) == 0)
			seq = u->cache.tombs->seq[i];
	return seq;
}

void
cache_user_free(struct duser *u)
{
	unsigned	i;

	if (u->cache.tombs == NULL)
		return;
	for (i = 0; i < TOMBS_MAX; i++)
		free(u->cache.tombs->id[i]);
	free(u->cache.tombs);
	u->cache.tombs = NULL;
}

static void
cache_remove_at(struct dcall *c, const char *reason, uint64_t seq)
{
	struct duser	*u = c->user;

	tomb_add(u, c->id, seq);
	log_debug("%s@%s: call %s removed (%s)", u->user, u->domain, c->id,
	    reason);
	core_cancel(u, c->fetch_req);
	emit_call_removed(c, reason);
	TAILQ_REMOVE(&u->calls, c, entry);
	dcall_free(c);
	emit_user_changed(u, "Calls");
}

void
cache_remove(struct dcall *c, const char *reason)
{
	cache_remove_at(c, reason, c->applied_seq);
}

/*
 * A call we do not hold: added, unless it ended, or an answer older than
 * the news that removed it says it lives.
 */
static struct dcall *
cache_add(struct duser *u, struct call_state *cs, uint64_t seq)
{
	struct dcall	*c;

	if (strcmp(cs->status, "TERMINATED") == 0) {
		call_state_free(cs);
		return NULL;
	}
	if (seq < tomb_seq(u, cs->call_id)) {
		/* One state.user tells which is true now. */
		log_debug("%s@%s: call %s: older answer for a removed call "
		    "dropped", u->user, u->domain, cs->call_id);
		call_state_free(cs);
		cache_fetch_user(u, REASON_ENDED);
		return NULL;
	}
	c = xcalloc(1, sizeof(*c));
	c->user = u;
	c->n = call_counter++;
	c->id = xstrdup(cs->call_id);
	c->cs = cs;
	c->first_seen = (uint64_t)time(NULL);
	if (strcmp(cs->status, "ACTIVE") == 0)
		c->active_since = c->first_seen;
	c->applied_seq = seq;
	c->applied_at = cache_seq();
	TAILQ_INSERT_TAIL(&u->calls, c, entry);
	log_debug("%s@%s: call %s added (%s)", u->user, u->domain, c->id,
	    cs->status);
	emit_call_added(c);
	return c;
}

/* cs takes the call's old state's place; props (what differs) are told. */
static void
cache_replace(struct dcall *c, struct call_state *cs, uint32_t props)
{
	struct call_state	*old = c->cs;
	char			*old_status;

	c->cs = cs;
	if (c->active_since == 0 && strcmp(cs->status, "ACTIVE") == 0) {
		c->active_since = (uint64_t)time(NULL);
		props |= CALL_PROP_ACTIVE_SINCE;
	}
	old_status = xstrdup(old->status);	/* StateChanged names it */
	call_state_free(old);
	if (props != 0)
		emit_call_changed(c, props, old_status);
	free(old_status);
}

struct dcall *
cache_apply(struct duser *u, struct call_state *cs, uint64_t seq)
{
	struct dcall	*c = cache_find(u, cs->call_id);
	uint32_t	 props;

	if (c == NULL)
		return cache_add(u, cs, seq);
	if (seq < c->applied_seq) {
		/*
		 * An answer sent before the one applied never overwrites it.
		 * Answers on different connections may have been served in
		 * either order, though: when they disagree, ask once more.
		 */
		log_debug("%s@%s: call %s: older answer dropped", u->user,
		    u->domain, c->id);
		if (cs->state_token != c->cs->state_token)
			cache_fetch_call(c);
		call_state_free(cs);
		return c;
	}
	/*
	 * The state we hold again (its stateToken): no news, whenever it was
	 * read. A stream that lags repeats states we had from an answer;
	 * letting that repeat count as newer would make our next answer
	 * look older than it is. A token is the Core's name for one state:
	 * a repeat never shows a later one.
	 */
	if (cs->state_token == 0 || cs->state_token != c->cs->state_token) {
		c->applied_seq = seq;
		c->applied_at = cache_seq();
		call_state_free(c->alt);	/* newer news settles it */
		c->alt = NULL;
	}
	props = call_state_diff(c->cs, cs);
	if (strcmp(cs->status, "TERMINATED") == 0) {
		cache_replace(c, cs, props);
		cache_remove_at(c, removal_reason(cs), seq);
		return NULL;
	}
	if (props == 0) {
		call_state_free(cs);
		return c;
	}
	cache_replace(c, cs, props);
	return c;
}

static void
call_fetched(struct duser *u, const struct http_resp *r, void *arg)
{
	struct dcall		*c;
	struct call_state	*cs;
	char			 err[256], *id;
	uint64_t		 seq;
	int			 again;

	TAILQ_FOREACH(c, &u->calls, entry)
		if (c->fetch_req == r->id)
			break;
	if (c == NULL)
		return;
	c->fetch_req = 0;
	seq = c->fetch_seq;
	again = c->fetch_again;
	c->fetch_again = 0;
	if (r->err == DSTNY_ERR_NOT_FOUND) {
		/* Gone upstream, perhaps: state.user decides. */
		cache_fetch_user(u, REASON_ENDED);
		return;
	}
	id = xstrdup(c->id);
	if (r->err != DSTNY_OK)
		log_warnx("%s@%s: state.call %s: %s: %s", u->user, u->domain,
		    id, dstny_err_name(r->err), r->message);
	else if ((cs = call_state_parse(r->body, r->body_len, err,
	    sizeof(err))) == NULL)
		log_warnx("%s@%s: state.call %s: %s", u->user, u->domain, id,
		    err);
	else if (strcmp(cs->call_id, id) != 0) {
		log_warnx("%s@%s: state.call %s answered call %s", u->user,
		    u->domain, id, cs->call_id);
		call_state_free(cs);
	} else if ((c = cache_apply(u, cs, seq)) != NULL && c->await_token != 0 &&
	    c->applied_seq == seq) {
		/*
		 * Awaiting the stream: now await what the Core said, unless the
		 * stream already went past it (a token it showed us).
		 */
		if (c->cs->state_token == c->await_passed)
			c->await_token = 0;
		else
			c->await_token = c->cs->state_token;
	}
	/* One more was asked for while this one was on its way: send it. */
	if (again && (c = cache_find(u, id)) != NULL)
		cache_fetch_call(c);
	free(id);
}

void
cache_fetch_call(struct dcall *c)
{
	struct route_var	vars[] = { { "callId", c->id }, { NULL, NULL } };
	struct core_opts	o = { .vars = vars };

	if (c->fetch_req != 0) {
		c->fetch_again = 1;	/* exactly one more after this one */
		return;
	}
	c->fetch_seq = cache_seq();
	c->fetch_req = core_send(c->user, ROUTE_STATE_CALL, &o, call_fetched, NULL);
}

void
cache_fetch_call_since(struct dcall *c, uint64_t seq)
{
	if (c->applied_seq > seq)
		return;		/* news read after seq is applied already */
	if (c->fetch_req != 0 && (c->fetch_seq > seq || c->fetch_again))
		return;		/* one sent after seq is on its way */
	cache_fetch_call(c);
}

/*
 * Hints are anyone's (a webhook POST with a known targetId): each may start
 * a fetch over our authenticated connection, coalesced: one in flight and
 * one more after it, whatever arrives. A flood thus costs the Core at most
 * one state.user per user and one state.call per known call per round trip.
 * No time spacing on top: it would hold back every real change that
 * follows another (make bench: p50 100 ms with 100 ms of spacing).
 */
void
cache_hint_user(struct duser *u)
{
	cache_fetch_user(u, REASON_ENDED);
}

void
cache_await(struct dcall *c, int64_t token)
{
	c->await_token = token;
	c->await_passed = 0;
	c->await_since = now_usec();
}

/*
 * A call's stream shows the Core's changes in order, but on its own
 * connection: it may still hold changes made before an answer we applied.
 * Until it shows that answer's state, what it shows is older and is not
 * applied; each such event asks the Core once more (coalesced), in case the
 * stream skipped that state. After AWAIT_MAX_USEC it is believed again.
 */
void
cache_stream_event(struct duser *u, struct call_state *cs)
{
	struct dcall	*c = cache_find(u, cs->call_id);

	if (c != NULL && c->await_token != 0) {
		if (cs->state_token == c->await_token ||
		    now_usec() - c->await_since > AWAIT_MAX_USEC)
			c->await_token = 0;	/* caught up */
		else {
			log_debug("%s@%s: call %s: the stream is behind an "
			    "answer: an older event dropped", u->user,
			    u->domain, c->id);
			c->await_passed = cs->state_token;
			call_state_free(cs);
			cache_fetch_call(c);
			return;
		}
	}
	cache_apply(u, cs, cache_seq());
}

void
cache_hint(struct duser *u, const char *call_id, int64_t token)
{
	struct dcall	*c = cache_find(u, call_id);

	if (c == NULL) {
		cache_hint_user(u);
		return;
	}
	if (token != 0 && token == c->cs->state_token)
		return;		/* nothing new: costs nothing */
	cache_fetch_call(c);
}

/* The cache holds this call at this token: nothing to convert. */
static int
call_known(const char *id, int64_t token, void *arg)
{
	struct dcall	*c = cache_find(arg, id);

	return c != NULL && token != 0 && c->cs->state_token == token;
}

static void
user_fetched(struct duser *u, const struct http_resp *r, void *arg)
{
	struct user_state	*us;
	const char		*reason = u->cache.fetch_reason;
	char			 err[256];
	uint64_t		 seq = u->cache.fetch_seq;
	int			 again = u->cache.fetch_again;

	u->cache.fetch = 0;
	u->cache.fetch_again = 0;
	if (r->err != DSTNY_OK) {
		log_warnx("%s@%s: state.user: %s: %s", u->user, u->domain,
		    dstny_err_name(r->err), r->message);
	} else if ((us = user_state_parse_known(r->body, r->body_len, call_known,
	    u, err, sizeof(err))) == NULL) {
		log_warnx("%s@%s: state.user: %s", u->user, u->domain, err);
	} else {
		cache_reconcile(u, us, seq, reason);
		user_state_free(us);
		user_reconciled(u, RECON_CALLS, seq);
		if (!u->ready) {
			u->ready = 1;
			log_info("%s@%s: call state fetched", u->user, u->domain);
			user_update_state(u);
		}
	}
	if (again)
		cache_fetch_user(u, reason);
}

void
cache_fetch_user(struct duser *u, const char *absent_reason)
{
	if (u->cache.fetch != 0) {
		u->cache.fetch_again = 1;
		/* A resync is the stronger reason: keep it. */
		if (strcmp(absent_reason, REASON_RESYNC) == 0)
			u->cache.fetch_reason = REASON_RESYNC;
		return;
	}
	u->cache.fetch_reason = absent_reason;
	u->cache.fetch_seq = cache_seq();
	u->cache.fetch = core_send(u, ROUTE_STATE_USER, NULL, user_fetched, NULL);
}

void
cache_fetch_user_since(struct duser *u, uint64_t seq, const char *absent_reason)
{
	if (u->cache.fetch != 0 && (u->cache.fetch_seq > seq ||
	    u->cache.fetch_again))
		return;
	cache_fetch_user(u, absent_reason);
}

void
cache_reconcile(struct duser *u, struct user_state *us, uint64_t seq,
    const char *absent_reason)
{
	struct dcall	*c, *next;
	size_t		 i;
	int		 found;

	for (c = TAILQ_FIRST(&u->calls); c != NULL; c = next) {
		next = TAILQ_NEXT(c, entry);
		found = 0;
		for (i = 0; i < us->ncalls && !found; i++)
			found = strcmp(us->calls[i]->call_id, c->id) == 0;
		/* A call learnt after this state was asked for stays. */
		if (found || c->applied_seq >= seq)
			continue;
		/*
		 * An action of ours on it is on its way (a transfer, a park):
		 * its answer says how the call ended, which state.user cannot.
		 * Asked again after it (actions.c) if it does not end it.
		 */
		if (c->actions_out > 0) {
			c->absent_seen = 1;
			continue;
		}
		/*
		 * Learnt from an answer sent before this state was asked for
		 * but taken in while it was on its way (a MakeCall's): the
		 * Core may have served the two in either order. Its own
		 * state.call tells (404: state.user again, then it goes).
		 */
		if (c->applied_at > seq)
			cache_fetch_call(c);
		else
			cache_remove_at(c, absent_reason, seq);
	}
	for (i = 0; i < us->ncalls; i++) {
		if (us->calls[i]->unchanged) {
			/* Known at this token: no news (see cache_apply). */
			call_state_free(us->calls[i]);
			us->calls[i] = NULL;
			continue;
		}
		cache_apply(u, us->calls[i], seq);
		us->calls[i] = NULL;
	}
	us->ncalls = 0;
}

void
cache_clear(struct duser *u, const char *reason)
{
	struct dcall	*c;

	while ((c = TAILQ_FIRST(&u->calls)) != NULL)
		cache_remove(c, reason);
}
