/* streams.c: the SSE transport: dialog and device streams per user, one stream per call. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "backoff.h"
#include "dstnyd.h"
#include "log.h"
#include "sse.h"
#include "xmalloc.h"

enum dstream_kind { DS_DIALOG, DS_DEVICE, DS_CALL, DS_QUEUE };

struct dstream {
	struct duser		*user;
	enum dstream_kind	 kind;
	char			*call_id;
	struct sse		*sse;
	uint64_t		 req;
	unsigned		 failures;
	int			 connected;
	int			 dead;
	struct event		*retry_ev;
};

static const char *const kind_names[] = { "dialog", "device", "call", "queue" };

static void	stream_connect(struct dstream *);

static void
stream_event_cb(const struct sse_event *ev, void *arg)
{
	struct dstream		*ds = arg;
	struct duser		*u = ds->user;
	struct call_state	*cs;
	char			 err[256];

	if (ds->dead)
		return;
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
		cache_apply(u, cs, cache_seq());
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
	u->last_event = time(NULL);
	if (!ds->connected) {
		ds->connected = 1;
		ds->failures = 0;
		log_debug("%s@%s: %s stream connected", u->user, u->domain,
		    kind_names[ds->kind]);
		if (ds->kind == DS_DIALOG)
			user_events_flowing(u);
		if (ds->kind == DS_QUEUE)
			queues_stream_state(u, 1);
	}
	if (sse_feed(ds->sse, p, n) == -1 && !ds->dead) {
		log_warnx("%s@%s: %s stream: event too large, reconnecting",
		    u->user, u->domain, kind_names[ds->kind]);
		core_cancel(u, ds->req);
		ds->req = 0;
		ds->connected = 0;
		stream_connect(ds);
	}
}

static void
stream_retry_cb(evutil_socket_t fd, short what, void *arg)
{
	stream_connect(arg);
}

static void
stream_done_cb(struct duser *u, const struct http_resp *r, void *arg)
{
	struct dstream	*ds = arg;
	long		 base, delay;

	ds->req = 0;
	if (ds->dead)
		return;
	if (ds->kind == DS_DIALOG)
		user_events_lost(u);
	if (ds->kind == DS_QUEUE)
		queues_stream_state(u, 0);
	if (ds->kind == DS_CALL && (r->err == DSTNY_ERR_NOT_FOUND ||
	    r->err == DSTNY_OK)) {
		/* The call's stream ended: is the call still there? */
		cache_hint(u, ds->call_id, 0);
		if (r->err == DSTNY_ERR_NOT_FOUND)
			return;
	}
	if (r->err != DSTNY_OK)
		log_debug("%s@%s: %s stream: %s: %s", u->user, u->domain,
		    kind_names[ds->kind], dstny_err_name(r->err), r->message);
	ds->connected = 0;
	base = sse_retry_ms(ds->sse) > 0 ? sse_retry_ms(ds->sse) : 1000;
	delay = backoff_delay_ms(ds->failures++, base, 30000);
	if (ds->retry_ev == NULL)	/* made at the first failure: most never fail */
		ds->retry_ev = evtimer_new(dbase, stream_retry_cb, ds);
	timer_add_ms(ds->retry_ev, delay);
}

static void
stream_connect(struct dstream *ds)
{
	struct route_var	 vars[] = { { "callId", ds->call_id }, { NULL, NULL } };
	struct core_opts	 o;
	enum route_id		 route;

	memset(&o, 0, sizeof(o));
	sse_reset(ds->sse);
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
stream_free_cb(evutil_socket_t fd, short what, void *arg)
{
	struct dstream	*ds = arg;

	sse_free(ds->sse);
	if (ds->retry_ev != NULL)
		event_free(ds->retry_ev);
	free(ds->call_id);
	free(ds);
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
	event_base_once(dbase, -1, EV_TIMEOUT, stream_free_cb, ds, NULL);
}

void
streams_user_start(struct duser *u)
{
	u->dialog_stream = stream_new(u, DS_DIALOG, NULL);
	u->device_stream = stream_new(u, DS_DEVICE, NULL);
}

void
streams_user_stop(struct duser *u)
{
	stream_stop(u->dialog_stream);
	stream_stop(u->device_stream);
	u->dialog_stream = u->device_stream = NULL;
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
	if (u->queue_stream == NULL && !u->stopping)
		u->queue_stream = stream_new(u, DS_QUEUE, NULL);
}

void
streams_queue_stop(struct duser *u)
{
	stream_stop(u->queue_stream);
	u->queue_stream = NULL;
}
