/* streams.c: the SSE transport: dialog and device streams per user, one per call, a favourite's two. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "backoff.h"
#include "dstnyd.h"
#include "log.h"
#include "sse.h"
#include "xmalloc.h"

/*
 * Silence: a stream whose keepalive comments came at a rhythm (two gaps of
 * at least RHYTHM_MIN_MS between comment lines) and that then receives
 * nothing at all, comment or event, for RHYTHM_MISSES times its longest
 * such gap is taken for dead and opened again. Events alone make no rhythm:
 * calls come when they come. Gaps over RHYTHM_MAX_MS are no rhythm either:
 * TCP keepalive and the keepalive tick cover such streams.
 */
#define RHYTHM_MIN_MS	500
#define RHYTHM_MAX_MS	(10 * 60 * 1000)
#define RHYTHM_MISSES	3

enum dstream_kind { DS_DIALOG, DS_DEVICE, DS_CALL, DS_QUEUE,
	DS_FAV_LINE, DS_FAV_PRESENCE };	/* a favourite's (favourites.c) */
#define DS_IS_FAV(ds)	((ds)->kind == DS_FAV_LINE || (ds)->kind == DS_FAV_PRESENCE)

struct dstream {
	struct duser		*user;
	uint8_t			 kind;		/* enum dstream_kind */
	uint8_t			 connected;	/* the answer's head came */
	uint8_t			 dead;
	uint8_t			 open_check;	/* the timer fetches, not reconnects */
	uint8_t			 got_state;	/* an event carried the state */
	uint8_t			 beats;		/* comment gaps of RHYTHM_MIN_MS or more */
	uint32_t		 rhythm_ms;	/* the longest such gap */
	char			*call_id;	/* a favourite's: its cid */
	struct sse		*sse;
	uint64_t		 req;
	uint64_t		 open_seq;	/* cache_seq() when it connected */
	uint64_t		 last_rx;	/* now_usec() of the last data */
	uint64_t		 last_beat;	/* now_usec() of the last comment */
	unsigned		 failures;
	struct event		*retry_ev;	/* made at the first failure */
	struct dstream		*next_dead;	/* stopped, waiting to be freed */
};

static const char *const kind_names[] = { "dialog", "device", "call", "queue",
    "contact line state", "contact presence" };

/*
 * One timer for every stream: the fetch after a stream opened, and the
 * silence checks. A timer each would cost 144 B per stream.
 */
static struct event	*streams_ev;
static uint64_t		 streams_at;	/* when it fires; 0: not armed */

/*
 * Stopped streams, freed from the loop (a stream may be stopped inside its
 * own callback), or by streams_free() when the loop has ended first.
 */
static struct dstream	*dead_streams;
static struct event	*reap_ev;

static void	stream_connect(struct dstream *);
static void	stream_lost(struct dstream *, const char *why, int at_once);
static void	streams_tick_cb(evutil_socket_t, short, void *);

static void
stream_event_cb(const struct sse_event *ev, void *arg)
{
	struct dstream		*ds = arg;
	struct duser		*u = ds->user;
	struct call_state	*cs;
	char			 err[256];

	if (ds->dead)
		return;
	ds->failures = 0;	/* it delivers: a later loss starts afresh */
	trim_note(ev->datalen);
	switch (ds->kind) {
	case DS_DIALOG:
		/* New and ended dialogs: the user state says what changed. */
		cache_fetch_user(u, REASON_ENDED);
		break;
	case DS_DEVICE:
		user_fetch_devices(u);
		break;
	case DS_QUEUE:
		ds->got_state = 1;
		queues_apply_stats_xml(u, ev->data, ev->datalen);
		break;
	case DS_CALL:
		/* Call state from our own authenticated stream: apply it. */
		if ((cs = call_state_parse(ev->data, ev->datalen, err,
		    sizeof(err))) == NULL) {
			log_warnx("%s@%s: call stream %s: %s", u->user, u->domain,
			    ds->call_id, err);
			cache_hint(u, ds->call_id, 0);
			break;
		}
		if (strcmp(cs->call_id, ds->call_id) != 0) {
			call_state_free(cs);
			break;
		}
		ds->got_state = 1;
		cache_stream_event(u, cs);
		break;
	case DS_FAV_LINE:
		if (favourites_line_event(u, ds->call_id, ev->data, ev->datalen))
			ds->got_state = 1;
		break;
	case DS_FAV_PRESENCE:
		if (favourites_presence_event(u, ds->call_id, ev->data,
		    ev->datalen))
			ds->got_state = 1;
		break;
	}
}

static void
streams_arm(uint64_t at)
{
	uint64_t	now = now_usec();

	if (streams_at != 0 && streams_at <= at)
		return;
	if (streams_ev == NULL)		/* made when first needed */
		streams_ev = evtimer_new(dbase, streams_tick_cb, NULL);
	streams_at = at != 0 ? at : 1;
	timer_add_ms(streams_ev, at > now ? (long)((at - now + 999) / 1000) : 0);
}

/* When a rhythmic stream is overdue; 0 when it keeps no rhythm. */
static uint64_t
stream_deadline(const struct dstream *ds)
{
	if (ds->dead || !ds->connected || ds->beats < 2)
		return 0;
	return ds->last_rx + (uint64_t)ds->rhythm_ms * 1000 * RHYTHM_MISSES;
}

/* A comment line came (a keepalive): learn the stream's rhythm. */
static void
stream_beat(struct dstream *ds, uint64_t now)
{
	uint64_t	gap_ms;

	gap_ms = ds->last_beat != 0 && now > ds->last_beat ?
	    (now - ds->last_beat) / 1000 : 0;
	ds->last_beat = now;
	if (gap_ms > RHYTHM_MAX_MS) {
		ds->beats = 0;		/* no rhythm to speak of */
		ds->rhythm_ms = 0;
		return;
	}
	if (gap_ms < RHYTHM_MIN_MS)
		return;
	if (ds->beats < UINT8_MAX)
		ds->beats++;
	if (gap_ms > ds->rhythm_ms)
		ds->rhythm_ms = (uint32_t)gap_ms;
	if (ds->beats == 2) {
		ds->failures = 0;	/* it lasted: a later loss starts afresh */
		log_debug("%s@%s: %s stream %s: a rhythm of %u ms",
		    ds->user->user, ds->user->domain, kind_names[ds->kind],
		    ds->call_id, ds->rhythm_ms);
	}
	if (stream_deadline(ds) != 0)
		streams_arm(stream_deadline(ds));
}

/* The answer's head came: the subscription exists at the Core. */
static void
stream_opened(struct dstream *ds)
{
	struct duser	*u = ds->user;
	struct dcall	*c;

	/*
	 * failures is not reset here: a Core that answers and hangs up at
	 * once is retried with a growing delay. An event, or a rhythm of
	 * keepalives, resets it.
	 */
	ds->connected = 1;
	ds->got_state = 0;
	ds->open_seq = cache_seq();
	ds->beats = 0;
	ds->rhythm_ms = 0;
	ds->last_rx = now_usec();
	ds->last_beat = 0;
	log_debug("%s@%s: %s stream connected", u->user, u->domain,
	    kind_names[ds->kind]);
	if (ds->kind == DS_DIALOG) {
		user_events_flowing(u);
		user_reconciled(u, RECON_EVENTS, ds->open_seq);
	}
	if (ds->kind == DS_QUEUE)
		queues_stream_state(u, 1);
	/* A new stream owes nothing older: stop awaiting the old one's. */
	if (ds->kind == DS_CALL && (c = cache_find(u, ds->call_id)) != NULL)
		c->await_token = 0;
	/*
	 * Subscribe, then fetch: a change made before the subscription
	 * existed comes on no stream. What the stream sends in this loop
	 * pass (a Core may start with the current state) is awaited first.
	 */
	ds->open_check = 1;
	streams_arm(now_usec());
	user_reconcile(u);	/* when in doubt */
}

/* After opening: fetch the stream's state unless it came, or is coming. */
static void
stream_open_fetch(struct dstream *ds)
{
	struct duser	*u = ds->user;
	struct dcall	*c;

	if (ds->got_state)
		return;
	switch (ds->kind) {
	case DS_DIALOG:
		cache_fetch_user_since(u, ds->open_seq, REASON_RESYNC);
		break;
	case DS_DEVICE:
		user_fetch_devices_since(u, ds->open_seq);
		break;
	case DS_QUEUE:
		queues_fetch_since(u, ds->open_seq);
		break;
	case DS_CALL:
		if ((c = cache_find(u, ds->call_id)) != NULL)
			cache_fetch_call_since(c, ds->open_seq);
		break;
	case DS_FAV_LINE:
	case DS_FAV_PRESENCE:
		favourites_fetch_since(u, ds->open_seq);
		break;
	}
}

static void
stream_data_cb(uint64_t id, const char *p, size_t n, void *arg)
{
	struct dstream	*ds = arg;
	struct duser	*u = ds->user;

	if (ds->dead)
		return;
	unsigned long	 comments;
	int		 rc;

	if (!ds->connected)
		stream_opened(ds);	/* n == 0: the head alone */
	if (ds->dead || n == 0)
		return;
	/* A favourite's stream says nothing of the user's own events. */
	if (!DS_IS_FAV(ds))
		u->last_event = time(NULL);
	ds->last_rx = now_usec();
	comments = sse_comments(ds->sse);
	rc = sse_feed(ds->sse, p, n);
	if (ds->dead)
		return;
	if (rc == -1) {
		stream_lost(ds, "event too large", 0);
		return;
	}
	if (sse_comments(ds->sse) != comments)
		stream_beat(ds, ds->last_rx);
}

static void
stream_retry_cb(evutil_socket_t fd, short what, void *arg)
{
	stream_connect(arg);
}

static void
stream_retry_later(struct dstream *ds)
{
	long	base, delay;

	base = sse_retry_ms(ds->sse) > 0 ? sse_retry_ms(ds->sse) : 1000;
	delay = backoff_delay_ms(ds->failures++, base, 30000);
	if (ds->retry_ev == NULL)	/* made at the first failure: most never fail */
		ds->retry_ev = evtimer_new(dbase, stream_retry_cb, ds);
	timer_add_ms(ds->retry_ev, delay);
}

/*
 * What a stream's loss means for its user, said once: events no longer
 * flowing (the dialog stream), the statistics down (the queue's), and a
 * doubt unless the Core refused the stream (why NULL then).
 */
static void
stream_gone(struct dstream *ds, const char *why)
{
	struct duser	*u = ds->user;

	/* A favourite's is polled meanwhile (favourites_keepalive): no doubt. */
	if (DS_IS_FAV(ds))
		return;
	if (ds->kind == DS_DIALOG)
		user_events_lost(u, why);
	else if (why != NULL)
		user_doubt(u, why);
	if (ds->kind == DS_QUEUE)
		queues_stream_state(u, 0);
}

/*
 * The stream is gone while we still want it: doubt, then reconnect, at
 * once (silent: the path died) or after the backoff (it broke on its own
 * data, which a reconnect may well send again).
 */
static void
stream_lost(struct dstream *ds, const char *why, int at_once)
{
	struct duser	*u = ds->user;
	char		*msg;

	log_warnx("%s@%s: %s stream: %s, reconnecting", u->user, u->domain,
	    kind_names[ds->kind], why);
	core_cancel(u, ds->req);
	ds->req = 0;
	ds->connected = 0;
	ds->open_check = 0;
	msg = xasprintf("%s stream %s", kind_names[ds->kind], why);
	stream_gone(ds, msg);
	free(msg);
	if (ds->dead)
		return;
	if (at_once)
		stream_connect(ds);
	else
		stream_retry_later(ds);
}

static void
stream_done_cb(struct duser *u, const struct http_resp *r, void *arg)
{
	struct dstream	*ds = arg;
	char		*why;
	int		 refused;

	ds->req = 0;
	ds->connected = 0;
	ds->open_check = 0;
	if (ds->dead)
		return;
	if (ds->kind == DS_CALL && (r->err == DSTNY_ERR_NOT_FOUND ||
	    r->err == DSTNY_OK)) {
		/* The call's stream ended: is the call still there? */
		cache_hint(u, ds->call_id, 0);
		if (r->err == DSTNY_ERR_NOT_FOUND || ds->dead)
			return;
	} else {
		/*
		 * Any other stream ending, or failing, is a doubt; but a
		 * refusal (a 4xx answer: no licence, no such resource) is no
		 * lost connection, and reconciling at each retry would only
		 * cost the Core requests. The stream retries with its backoff.
		 */
		why = xasprintf("%s stream ended: %s", kind_names[ds->kind],
		    r->err == DSTNY_OK ? "closed by the Core" : r->message);
		log_debug("%s@%s: %s", u->user, u->domain, why);
		refused = r->status >= 400 && r->status < 500;
		stream_gone(ds, refused ? NULL : why);
		free(why);
	}
	if (!ds->dead)
		stream_retry_later(ds);
}

static void
stream_connect(struct dstream *ds)
{
	struct route_var	 vars[] = { { "callId", ds->call_id }, { NULL, NULL } };
	struct route_var	 cvars[] = { { "cid", ds->call_id }, { NULL, NULL } };
	struct core_opts	 o;
	enum route_id		 route;

	memset(&o, 0, sizeof(o));
	sse_reset(ds->sse);
	if (ds->retry_ev != NULL)
		evtimer_del(ds->retry_ev);
	ds->open_check = 0;
	o.stream = stream_data_cb;
	o.stream_arg = ds;
	o.accept = "text/event-stream";
	o.last_event_id = sse_last_id(ds->sse);
	switch (ds->kind) {
	case DS_DIALOG:
		route = ROUTE_STATE_DIALOG_SSE;
		break;
	case DS_DEVICE:
		route = ROUTE_DEVICES_SSE;
		break;
	case DS_QUEUE:
		route = ROUTE_QUEUES_SSE;
		break;
	case DS_FAV_LINE:
	case DS_FAV_PRESENCE:
		route = ds->kind == DS_FAV_LINE ? ROUTE_CONTACT_LINESTATE_SSE :
		    ROUTE_CONTACT_PRESENCE_SSE;
		o.vars = cvars;
		break;
	default:
		route = ROUTE_STATE_CALL_SSE;
		o.vars = vars;
		break;
	}
	ds->req = core_send(ds->user, route, &o, stream_done_cb, ds);
}

static struct dstream *
stream_new(struct duser *u, enum dstream_kind kind, const char *call_id)
{
	struct dstream	*ds = xcalloc(1, sizeof(*ds));

	ds->user = u;
	ds->kind = kind;
	ds->call_id = xstrdup(call_id != NULL ? call_id : "");
	ds->sse = sse_new(stream_event_cb, ds);
	stream_connect(ds);
	return ds;
}

static void
stream_free(struct dstream *ds)
{
	sse_free(ds->sse);
	if (ds->retry_ev != NULL)
		event_free(ds->retry_ev);
	free(ds->call_id);
	free(ds);
}

static void
streams_reap_cb(evutil_socket_t fd, short what, void *arg)
{
	struct dstream	*ds;

	while ((ds = dead_streams) != NULL) {
		dead_streams = ds->next_dead;
		stream_free(ds);
	}
}

/* Stop now, free later: this may run inside the stream's own callback. */
static void
stream_stop(struct dstream *ds)
{
	if (ds == NULL || ds->dead)
		return;
	ds->dead = 1;
	core_cancel(ds->user, ds->req);
	if (ds->retry_ev != NULL)
		evtimer_del(ds->retry_ev);
	ds->next_dead = dead_streams;
	dead_streams = ds;
	if (reap_ev == NULL)
		reap_ev = evtimer_new(dbase, streams_reap_cb, NULL);
	timer_add_ms(reap_ev, 0);
}

/* Waiting for its backoff: connect now. */
static void
stream_reopen(struct dstream *ds)
{
	if (ds == NULL || ds->dead || ds->req != 0)
		return;
	ds->failures = 0;
	stream_connect(ds);
}

void
streams_user_reopen(struct duser *u)
{
	struct dcall	*c;
	struct dfav	*f;

	stream_reopen(u->streams.dialog);
	stream_reopen(u->streams.device);
	stream_reopen(u->streams.queue);
	TAILQ_FOREACH(c, &u->calls, entry)
		stream_reopen(c->stream);
	TAILQ_FOREACH(f, &u->favs.list, entry) {
		stream_reopen(f->line);
		stream_reopen(f->presence);
	}
	/* A dialog stream that never dropped delivers still. */
	if (u->streams.dialog != NULL && u->streams.dialog->connected)
		user_reconciled(u, RECON_EVENTS, cache_seq());
}

/*
 * A stream's turn at the tick: the fetch after it opened, and whether it
 * is overdue (then lost). Returns when it is due next; 0: never.
 */
static uint64_t
stream_tick(struct dstream *ds, uint64_t now)
{
	uint64_t	at;
	char		why[96];

	if (ds == NULL || ds->dead)
		return 0;
	if (ds->open_check) {
		ds->open_check = 0;
		stream_open_fetch(ds);
	}
	if ((at = stream_deadline(ds)) == 0)
		return 0;
	if (at > now)
		return at;
	snprintf(why, sizeof(why), "silent for %llu ms, %d times its rhythm",
	    (unsigned long long)(now - ds->last_rx) / 1000, RHYTHM_MISSES);
	stream_lost(ds, why, 1);
	return 0;
}

static void
streams_tick_cb(evutil_socket_t fd, short what, void *arg)
{
	struct duser	*u;
	struct dcall	*c, *next;
	struct dfav	*f, *fnext;
	struct dstream	*mine[3];
	uint64_t	 now = now_usec(), soonest = 0, at;
	size_t		 i;

	streams_at = 0;
	TAILQ_FOREACH(u, &dusers, entry) {
		mine[0] = u->streams.dialog;
		mine[1] = u->streams.device;
		mine[2] = u->streams.queue;
		for (i = 0; i < 3; i++)
			if ((at = stream_tick(mine[i], now)) != 0 &&
			    (soonest == 0 || at < soonest))
				soonest = at;
		/* A fetch may end a call (and stop its stream): step first. */
		for (c = TAILQ_FIRST(&u->calls); c != NULL; c = next) {
			next = TAILQ_NEXT(c, entry);
			if ((at = stream_tick(c->stream, now)) != 0 &&
			    (soonest == 0 || at < soonest))
				soonest = at;
		}
		/* The same: a fetch may remove a favourite. */
		for (f = TAILQ_FIRST(&u->favs.list); f != NULL; f = fnext) {
			fnext = TAILQ_NEXT(f, entry);
			mine[0] = f->line;
			mine[1] = f->presence;
			for (i = 0; i < 2; i++)
				if ((at = stream_tick(mine[i], now)) != 0 &&
				    (soonest == 0 || at < soonest))
					soonest = at;
		}
	}
	if (soonest != 0)
		streams_arm(soonest);
}

void
streams_free(void)
{
	streams_reap_cb(-1, 0, NULL);
	if (reap_ev != NULL)
		event_free(reap_ev);
	reap_ev = NULL;
	if (streams_ev != NULL)
		event_free(streams_ev);
	streams_ev = NULL;
	streams_at = 0;
}

void
streams_user_start(struct duser *u)
{
	u->streams.dialog = stream_new(u, DS_DIALOG, NULL);
	u->streams.device = stream_new(u, DS_DEVICE, NULL);
}

int
streams_user_active(const struct duser *u)
{
	return u->streams.dialog != NULL;
}

void
streams_user_stop(struct duser *u)
{
	stream_stop(u->streams.dialog);
	stream_stop(u->streams.device);
	u->streams.dialog = u->streams.device = NULL;
}

void
streams_call_start(struct dcall *c)
{
	if (c->stream == NULL && !c->user->stopping)
		c->stream = stream_new(c->user, DS_CALL, c->id);
}

void
streams_call_stop(struct dcall *c)
{
	stream_stop(c->stream);
	c->stream = NULL;
}

void
streams_queue_start(struct duser *u)
{
	if (u->streams.queue == NULL && !u->stopping)
		u->streams.queue = stream_new(u, DS_QUEUE, NULL);
}

void
streams_queue_stop(struct duser *u)
{
	stream_stop(u->streams.queue);
	u->streams.queue = NULL;
}

struct dstream *
streams_contact_start(struct duser *u, const char *cid, int presence)
{
	return stream_new(u, presence ? DS_FAV_PRESENCE : DS_FAV_LINE, cid);
}

void
streams_contact_stop(struct dstream *ds)
{
	stream_stop(ds);
}

int
streams_delivering(const struct dstream *ds)
{
	return ds != NULL && !ds->dead && ds->connected;
}
