/* user.c: one monitored user: its ticket, state machine, keepalive and polling. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "dstnyd.h"
#include "log.h"
#include "ticket.h"
#include "xmalloc.h"

#define POLL_SECONDS	5
#define LAUNCH_MAX	8	/* users getting their ticket and state at once */

static unsigned		 launching;	/* users started, not yet past STARTING */

static void		 users_launch_more(void);
static void		 user_poll_cb(evutil_socket_t, short, void *);
static void		 user_doubt_at(struct duser *, const char *, int);

static const char *const ustate_names[] = {
	[USTATE_STARTING] = "starting",
	[USTATE_ONLINE] = "online",
	[USTATE_DEGRADED] = "degraded",
	[USTATE_OFFLINE] = "offline",
	[USTATE_UNAUTHORIZED] = "unauthorized",
};

const char *
user_state_name(enum ustate s)
{
	return ustate_names[s];
}

struct duser *
user_find(const char *user)
{
	struct duser	*u;

	if (user == NULL || *user == '\0')
		return TAILQ_FIRST(&dusers);
	TAILQ_FOREACH(u, &dusers, entry)
		if (strcmp(u->user, user) == 0 || strcmp(u->name, user) == 0)
			return u;
	return NULL;
}

int
user_controls(const struct duser *u, uid_t uid)
{
	return uid == 0 || (u->owner != CONF_OWNER_ROOT &&
	    (long long)uid == u->owner);
}

void
user_update_state(struct duser *u)
{
	enum ustate	s;
	struct timeval	tv = { POLL_SECONDS, 0 };

	if (u->unauthorized)
		s = USTATE_UNAUTHORIZED;
	else if (!u->reachable && u->ready)
		s = USTATE_OFFLINE;
	else if (!u->ready)
		s = u->reachable ? USTATE_STARTING : USTATE_OFFLINE;
	else if (!u->events_ok || !queues_delivering(u) || u->doubt.todo != 0)
		s = USTATE_DEGRADED;
	else
		s = USTATE_ONLINE;
	/* Not flowing or not reachable: poll state.user until it is. */
	if ((s == USTATE_DEGRADED || s == USTATE_OFFLINE) && !u->stopping) {
		if (u->poll_ev == NULL)	/* made when first needed */
			u->poll_ev = evtimer_new(dbase, user_poll_cb, u);
		if (!evtimer_pending(u->poll_ev, NULL))
			evtimer_add(u->poll_ev, &tv);
	} else if (u->poll_ev != NULL)
		evtimer_del(u->poll_ev);
	if (u->launching && s != USTATE_STARTING) {
		u->launching = 0;
		launching--;
		users_launch_more();
	}
	if (s == u->state)
		return;
	log_info("%s@%s: %s -> %s", u->user, u->domain,
	    ustate_names[u->state], ustate_names[s]);
	u->state = s;
	emit_user_changed(u, "State");
}

enum dstny_err
user_refusal(const struct duser *u, const char **msg)
{
	if (u->state == USTATE_OFFLINE) {
		*msg = "the Core is unreachable";
		return DSTNY_ERR_OFFLINE;
	}
	if (u->state == USTATE_UNAUTHORIZED) {
		*msg = "no valid ticket";
		return DSTNY_ERR_UNAUTHORIZED;
	}
	return DSTNY_OK;
}

void
user_set_state(struct duser *u, enum ustate s)
{
	u->unauthorized = s == USTATE_UNAUTHORIZED;
	user_update_state(u);
}

void
user_core_result(struct duser *u, const struct http_resp *r)
{
	int	reachable;

	/* No HTTP answer at all (refused, timed out, broken): unreachable. */
	reachable = !(r->status == 0 && (r->err == DSTNY_ERR_UPSTREAM ||
	    r->err == DSTNY_ERR_TIMEOUT));
	if (r->err == DSTNY_ERR_UNAUTHORIZED)
		return;		/* the ticket logic decides */
	if (!reachable && r->message != NULL && *r->message != '\0')
		snprintf(u->why, sizeof(u->why), "%s", r->message);
	if (reachable != u->reachable) {
		u->reachable = reachable;
		if (!reachable)
			user_doubt_at(u, "the Core is unreachable", 1);
		else if (u->ready)
			user_reconcile(u);	/* back: what did we miss? */
		user_update_state(u);
	}
}

/*
 * A doubt. While one is being reconciled, a part that fails again (a
 * stream, a registration) does not start it over: that part catches up by
 * itself (a reopened stream fetches its state, a registration retries
 * with its backoff), and the answers already in count. An unreachable Core
 * (force) starts it over: whatever it forgot meanwhile is asked again.
 */
static void
user_doubt_at(struct duser *u, const char *why, int force)
{
	if (!u->started || u->stopping)
		return;
	if (u->doubt.todo != 0 && !force) {
		log_debug("%s@%s: %s (reconciling already)", u->user,
		    u->domain, why);
		return;
	}
	if (u->doubt.todo == 0)
		log_info("%s@%s: %s: reconciling once the Core answers",
		    u->user, u->domain, why);
	u->doubt.seq = cache_seq();
	u->doubt.todo = RECON_ALL;
	user_update_state(u);
}

void
user_doubt(struct duser *u, const char *why)
{
	user_doubt_at(u, why, 0);
}

/*
 * Ask again for each part not yet confirmed; each ask is coalesced with
 * one already on its way if that one was sent after the doubt arose. The
 * transport is renewed once per doubt (webhooks registered again, streams
 * waiting for their backoff reconnected): a part that keeps failing keeps
 * its own backoff.
 */
void
user_reconcile(struct duser *u)
{
	if (u->doubt.todo == 0 || !u->started || u->stopping)
		return;
	if (u->doubt.todo & RECON_CALLS)
		cache_fetch_user_since(u, u->doubt.seq, REASON_RESYNC);
	if (u->doubt.todo & RECON_QUEUES)
		queues_fetch_since(u, u->doubt.seq);
	if (u->doubt.todo & RECON_DEVICES)
		user_fetch_devices_since(u, u->doubt.seq);
	if (u->doubt.renew_seq >= u->doubt.seq)
		return;
	u->doubt.renew_seq = u->doubt.seq;
	if (u->transport == CONF_TRANSPORT_WEBHOOK)
		hooks_user_restore(u);
	else if (!streams_user_active(u))
		user_reconciled(u, RECON_EVENTS, cache_seq());
	/* Streams waiting to reconnect (every transport has the queue's). */
	streams_user_reopen(u);
}

void
user_reconciled(struct duser *u, unsigned part, uint64_t seq)
{
	if ((u->doubt.todo & part) == 0 || seq <= u->doubt.seq)
		return;
	u->doubt.todo &= ~part;
	if (u->doubt.todo != 0)
		return;
	log_info("%s@%s: reconciled with the Core", u->user, u->domain);
	user_update_state(u);
}

void
user_events_flowing(struct duser *u)
{
	u->last_event = time(NULL);
	if (u->events_ok)
		return;
	u->events_ok = 1;
	/* After any (re)connect: reconcile. */
	cache_fetch_user(u, REASON_RESYNC);
	user_update_state(u);
}

void
user_events_lost(struct duser *u, const char *why)
{
	if (why != NULL)	/* NULL: refused, not lost: no doubt */
		user_doubt(u, why);
	if (!u->events_ok)
		return;
	u->events_ok = 0;
	user_update_state(u);
}

static void
devices_apply(struct duser *u, const struct http_resp *r, uint64_t seq)
{
	struct device_list	l;
	char			err[256];

	/* An answer that asking again will not change counts as one. */
	if (r->status >= 200 && r->status < 500 && r->err != DSTNY_ERR_UNAUTHORIZED)
		user_reconciled(u, RECON_DEVICES, seq);
	if (r->err != DSTNY_OK) {
		log_warnx("%s@%s: devices.list: %s: %s", u->user, u->domain,
		    dstny_err_name(r->err), r->message);
		return;
	}
	if (devices_parse(r->body, r->body_len, &l, err, sizeof(err)) == -1) {
		log_warnx("%s@%s: devices.list: %s", u->user, u->domain, err);
		return;
	}
	if (devices_equal(&l, &u->devices)) {
		devices_free(&l);
		return;
	}
	devices_free(&u->devices);
	u->devices = l;
	emit_devices_changed(u);
}

static void
devices_fetched(struct duser *u, const struct http_resp *r, void *arg)
{
	u->devices_fetch = 0;
	devices_apply(u, r, u->devices_fetch_seq);
	if (u->devices_again) {
		u->devices_again = 0;
		user_fetch_devices(u);
	}
}

void
user_fetch_devices(struct duser *u)
{
	if (u->devices_fetch != 0) {
		u->devices_again = 1;	/* exactly one more after it */
		return;
	}
	u->devices_fetch_seq = cache_seq();
	u->devices_fetch = core_send(u, ROUTE_DEVICES_LIST, NULL,
	    devices_fetched, NULL);
}

/* One resync for both entry points: calls, devices and queues, now. */
void
user_resync(struct duser *u)
{
	cache_fetch_user(u, REASON_RESYNC);
	user_fetch_devices(u);
	queues_fetch(u);
	profile_resync(u);	/* issue 21 */
	favourites_fetch(u);
}

void
user_fetch_devices_since(struct duser *u, uint64_t seq)
{
	if (u->devices_fetch != 0 && (u->devices_fetch_seq > seq ||
	    u->devices_again))
		return;
	user_fetch_devices(u);
}

/*
 * The keepalive: one timer for every user, so that an idle daemon wakes
 * once per interval however many users it monitors. A webhook user's
 * registration is renewed; an SSE user's state is fetched when its streams
 * were silent since the last tick.
 */
static struct event	*keepalive_ev;
static time_t		 keepalive_last;

static void
user_keepalive_cb(evutil_socket_t fd, short what, void *arg)
{
	struct duser	*u;
	time_t		 now = time(NULL);

	core_background(1);	/* a few connections, not one per request */
	TAILQ_FOREACH(u, &dusers, entry) {
		if (!u->started || u->stopping)
			continue;
		if (u->transport == CONF_TRANSPORT_WEBHOOK)
			hooks_user_renew(u);
		else if (u->last_event <= keepalive_last)
			cache_fetch_user(u, REASON_RESYNC);
		profile_keepalive(u);	/* issue 21 */
		/* Favourites beyond the stream cap, or with a stream down. */
		favourites_keepalive(u);
	}
	core_background(0);
	keepalive_last = now;
}

static void
user_keepalive_arm(void)
{
	struct timeval	tv = { dconf->keepalive, 0 };

	if (keepalive_ev != NULL)
		return;
	keepalive_ev = event_new(dbase, -1, EV_PERSIST, user_keepalive_cb, NULL);
	keepalive_last = time(NULL);
	evtimer_add(keepalive_ev, &tv);
}

/* The last user is gone (shutdown): no more ticks. */
void
user_keepalive_free(void)
{
	if (keepalive_ev != NULL)
		event_free(keepalive_ev);
	keepalive_ev = NULL;
}

static void
user_poll_cb(evutil_socket_t fd, short what, void *arg)
{
	struct duser	*u = arg;

	/* Unreachable: state.user alone probes; its answer reconciles. */
	if (u->reachable && u->doubt.todo != 0)
		user_reconcile(u);
	else
		cache_fetch_user(u, REASON_RESYNC);
	user_update_state(u);	/* re-arms while still needed */
}

static void
user_ticket_cb(struct ticket *t, enum dstny_err err, const char *msg, void *arg)
{
	struct duser	*u = arg;

	core_ticket_changed(u, err, msg);
	if (err != DSTNY_OK) {
		/* A refused password from the keyring is not tried again. */
		if (err == DSTNY_ERR_UNAUTHORIZED || err == DSTNY_ERR_FORBIDDEN)
			u->kr.refused = 1;
		log_warnx("%s@%s: no usable ticket: %s", u->user, u->domain, msg);
		snprintf(u->why, sizeof(u->why), "%s", msg);
		if (err == DSTNY_ERR_UNAUTHORIZED || err == DSTNY_ERR_FORBIDDEN)
			user_set_state(u, USTATE_UNAUTHORIZED);
		else if (err == DSTNY_ERR_UPSTREAM || err == DSTNY_ERR_TIMEOUT) {
			u->reachable = 0;	/* no TLS, no answer: offline */
			user_update_state(u);
		}
		user_doubt_at(u, "the ticket could not be renewed", 1);
		return;
	}
	u->reachable = 1;
	if (u->unauthorized)
		user_set_state(u, USTATE_STARTING);
	if (u->started || u->stopping)
		return;
	u->started = 1;
	cache_fetch_user(u, REASON_RESYNC);
	/* An SSE user's device stream fetches the devices once it is open. */
	if (u->transport == CONF_TRANSPORT_WEBHOOK) {
		user_fetch_devices(u);
		hooks_user_start(u);
	} else
		streams_user_start(u);
	queues_start(u);
	profile_start(u);	/* issue 21 */
	favourites_start(u);
	user_keepalive_arm();
}

void
user_keyring_ready(struct duser *u)
{
	u->kr.refused = 0;
	ticket_start(u->ticket);
}

void
user_keyring_failed(struct duser *u, const char *msg)
{
	if (strcmp(u->why, msg) != 0)	/* once per reason, not per retry */
		log_warnx("%s@%s: %s", u->user, u->domain, msg);
	snprintf(u->why, sizeof(u->why), "%s", msg);
	if (u->ticket_ok)
		return;		/* the ticket we have still works */
	core_ticket_changed(u, DSTNY_ERR_UNAUTHORIZED, msg);
	user_set_state(u, USTATE_UNAUTHORIZED);
}

struct duser *
user_new(const struct conf *conf, const struct conf_user *cu, unsigned n,
    char *err, size_t errlen)
{
	struct duser		*u = xcalloc(1, sizeof(*u));
	struct ticket_conf	 tc;

	u->n = n;
	u->name = xstrdup(cu->name);
	u->domain = xstrdup(cu->domain);
	u->user = xstrdup(cu->user);
	u->owner = cu->owner;
	u->transport = conf_transport(conf);
	u->state = USTATE_STARTING;
	u->reachable = 1;
	TAILQ_INIT(&u->calls);
	TAILQ_INIT(&u->queues);
	TAILQ_INIT(&u->reqs);
	TAILQ_INIT(&u->favs.list);
	memset(&tc, 0, sizeof(tc));
	tc.base_url = conf->base_url;
	tc.routes = conf->routes;
	tc.domain = cu->domain;
	tc.user = cu->user;
	tc.token_file = cu->token_file;
	tc.password_file = cu->password_file;
	tc.keyring = cu->keyring;
	tc.apis = conf->apis;
	tc.napis = conf->napis;
	tc.name = conf->ticket_name;
	tc.expires = conf->ticket_expires;
	if ((u->ticket = ticket_new(dbase, dhttp, &tc, user_ticket_cb, u, err,
	    errlen)) == NULL) {
		free(u->name);
		free(u->domain);
		free(u->user);
		free(u);
		return NULL;
	}
	return u;
}

/*
 * Users start LAUNCH_MAX at a time: a thousand users do not send the Core
 * five thousand requests at once, and the heap does not grow to hold them
 * all in flight. When the last one is past STARTING, free memory goes back
 * to the system (trim.c).
 */
static void
users_launch_more(void)
{
	struct duser	*u;
	int		 queued = 0;

	TAILQ_FOREACH(u, &dusers, entry) {
		if (!u->queued || u->stopping)
			continue;
		if (launching >= LAUNCH_MAX) {
			queued = 1;
			break;
		}
		u->queued = 0;
		u->launching = 1;
		launching++;
		if (ticket_keyring(u->ticket))
			keyring_fetch(u);	/* then user_keyring_ready() */
		else
			ticket_start(u->ticket);
	}
	if (launching == 0 && !queued)
		trim_soon();	/* the start is over */
}

void
user_start(struct duser *u)
{
	log_info("%s@%s: starting (%s)", u->user, u->domain,
	    conf_transport_name(u->transport));
	u->queued = 1;
	users_launch_more();
}

static void
user_launch_forget(struct duser *u)
{
	u->queued = 0;
	if (u->launching) {
		u->launching = 0;
		launching--;
	}
}

static void
user_ticket_stopped_cb(void *arg)
{
	struct duser	*u = arg;

	if (u->stop_done != NULL)
		u->stop_done(u->stop_arg);
}

/* Called by the transport as each of its deletions finishes. */
void
user_stop_step(struct duser *u)
{
	if (--u->stop_pending > 0)
		return;
	ticket_stop(u->ticket, user_ticket_stopped_cb, u);
}

/*
 * Calls and queues go (CallRemoved shutdown), the transport stops; while
 * stopping, webhook deletions count in stop_pending.
 */
static void
user_teardown(struct duser *u)
{
	cache_clear(u, REASON_SHUTDOWN);
	queues_stop(u);
	favourites_stop(u);
	if (u->transport == CONF_TRANSPORT_WEBHOOK)
		hooks_user_stop(u);
	else
		streams_user_stop(u);
}

void
user_stop(struct duser *u, void (*done)(void *), void *arg)
{
	u->stopping = 1;
	u->stop_done = done;
	u->stop_arg = arg;
	if (u->poll_ev != NULL)
		evtimer_del(u->poll_ev);
	user_launch_forget(u);
	users_launch_more();
	u->stop_pending = 1;
	user_teardown(u);
	user_stop_step(u);
}

void
user_free(struct duser *u)
{
	user_launch_forget(u);
	user_teardown(u);
	core_cancel_all(u);
	ticket_free(u->ticket);
	devices_free(&u->devices);
	cache_user_free(u);
	profile_user_free(u);	/* issue 21 */
	if (u->poll_ev != NULL)
		event_free(u->poll_ev);
	free(u->name);
	free(u->domain);
	free(u->user);
	free(u);
}
