/* events.c: webhook registrations and deliveries, and the SSE streams. */
#include "config.h"

#include <sys/time.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <json-c/json.h>

#include "backoff.h"
#include "http.h"
#include "log.h"
#include "sim.h"
#include "xmalloc.h"


struct hook {
	enum sim_hook_kind	 kind;
	struct sim_user		*user;
	char			*call_id;	/* HOOK_CALL */
	char			*url;
	char			*target_id;
	time_t			 expires;
	uint64_t		 inflight;	/* the delivery being sent */
	char			*pending;	/* the newest hint, sent after it */
	struct hook		*next;
};

struct stream {
	struct evhttp_request	*req;
	struct evhttp_connection *evcon;
	enum sim_stream_kind	 kind;
	struct sim_user		*user;
	char			*call_id;
	int			 frozen;	/* gets nothing more (a dead path) */
	struct stream		*next;
};

/* A stream request the Core has not taken yet (the streamDelayMs fault). */
struct held_stream {
	struct evhttp_request	*req;
	struct evhttp_connection *evcon;
	enum sim_stream_kind	 kind;
	struct sim_user		*user;
	char			*call_id;
	struct event		*ev;
	struct held_stream	*next;
};

long			 events_hook_lifetime = 3600;
long			 events_sse_keepalive = 15;
int			 events_silent;
int			 events_initial_state = 1;
long			 events_stream_delay_ms;
static struct event_base *events_base;
static struct held_stream *held_streams;
static struct hook	*hooks;
static struct stream	*streams;
static struct http	*hook_http;
static struct event	*keepalive_ev;
static uint64_t		 event_seq;

/*
 * A hint or stream event the latencyMs fault holds back, as a Core that
 * far away would: sent in the order made, latencyMs after it was made.
 */
struct late {
	struct timeval		 due;
	struct hook		*hook;		/* a webhook POST, or */
	struct stream		*stream;	/* a stream event */
	char			*event;
	char			*data;
	struct late		*next;
};
static struct late	*late_head, **late_tail = &late_head;
static struct event	*late_ev;

static void	late_send(struct late *);
static void	hook_post(struct hook *, const char *);

static const char *const hook_kinds[] = { "user", "call", "device" };
static const char *const stream_kinds[] = { "call", "dialog", "device", "queue",
	"contactline", "contactpresence" };

static void
late_free(struct late *l)
{
	free(l->event);
	free(l->data);
	free(l);
}

/* A hook or stream is gone: what was held for it is dropped. */
static void
late_forget(struct hook *h, struct stream *s)
{
	struct late	**pp = &late_head, *l;

	while ((l = *pp) != NULL) {
		if ((h != NULL && l->hook == h) ||
		    (s != NULL && l->stream == s)) {
			*pp = l->next;
			late_free(l);
		} else
			pp = &l->next;
	}
	for (late_tail = &late_head; *late_tail != NULL;
	    late_tail = &(*late_tail)->next)
		;
}

static void
late_arm(void)
{
	struct timeval	now, tv;

	if (late_head == NULL)
		return;
	gettimeofday(&now, NULL);
	if (timercmp(&late_head->due, &now, >))
		timersub(&late_head->due, &now, &tv);
	else
		timerclear(&tv);
	evtimer_add(late_ev, &tv);
}

static void
late_cb(evutil_socket_t fd, short what, void *arg)
{
	struct late	*l;
	struct timeval	 now;

	(void)fd;
	(void)what;
	(void)arg;
	gettimeofday(&now, NULL);
	while ((l = late_head) != NULL && !timercmp(&l->due, &now, >)) {
		if ((late_head = l->next) == NULL)
			late_tail = &late_head;
		late_send(l);
		late_free(l);
	}
	late_arm();
}

/* Hold a hint (h) or a stream event (s) back latencyMs; 0 if none. */
static int
late_hold(struct hook *h, struct stream *s, const char *event,
    const char *data)
{
	struct late	*l;
	struct timeval	 tv;
	long		 ms = control_latency_ms();

	if (ms <= 0)
		return 0;
	l = xcalloc(1, sizeof(*l));
	gettimeofday(&l->due, NULL);
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	timeradd(&l->due, &tv, &l->due);
	l->hook = h;
	l->stream = s;
	l->event = event != NULL ? xstrdup(event) : NULL;
	l->data = xstrdup(data);
	*late_tail = l;
	late_tail = &l->next;
	if (late_head == l)
		late_arm();
	return 1;
}

static void
hook_free(struct hook *h)
{
	late_forget(h, NULL);
	if (h->inflight != 0)
		http_cancel(hook_http, h->inflight);
	free(h->pending);
	free(h->call_id);
	free(h->url);
	free(h->target_id);
	free(h);
}

static void
stream_unlink(struct stream *s)
{
	struct stream	**pp;

	late_forget(NULL, s);
	for (pp = &streams; *pp != NULL; pp = &(*pp)->next)
		if (*pp == s) {
			*pp = s->next;
			break;
		}
	free(s->call_id);
	free(s);
}

static void
stream_send(struct stream *s, const char *event, const char *data)
{
	struct evbuffer	*b = evbuffer_new();
	const char	*p = data, *nl;
	size_t		 len;

	if (s->frozen) {
		evbuffer_free(b);
		return;
	}
	evbuffer_add_printf(b, "event: %s\nid: %llu\n", event,
	    (unsigned long long)++event_seq);
	for (;;) {
		nl = strchr(p, '\n');
		len = nl != NULL ? (size_t)(nl - p) : strlen(p);
		evbuffer_add_printf(b, "data: %.*s\n", (int)len, p);
		if (nl == NULL || nl[1] == '\0')
			break;
		p = nl + 1;
	}
	evbuffer_add(b, "\n", 1);
	evhttp_send_reply_chunk(s->req, b);
	evbuffer_free(b);
}

static void
held_stream_free(struct held_stream *hs)
{
	struct held_stream	**pp;

	for (pp = &held_streams; *pp != NULL; pp = &(*pp)->next)
		if (*pp == hs) {
			*pp = hs->next;
			break;
		}
	event_free(hs->ev);
	free(hs->call_id);
	free(hs);
}

void
events_conn_closed(struct evhttp_connection *evcon)
{
	struct stream		*s, *next;
	struct held_stream	*hs, *hnext;

	for (hs = held_streams; hs != NULL; hs = hnext) {
		hnext = hs->next;
		if (hs->evcon != evcon)
			continue;
		if (evhttp_request_get_connection(hs->req) == NULL)
			evhttp_request_free(hs->req);
		held_stream_free(hs);
	}

	for (s = streams; s != NULL; s = next) {
		next = s->next;
		if (s->evcon != evcon)
			continue;
		/* A reply in progress is detached from a failed connection. */
		if (evhttp_request_get_connection(s->req) == NULL)
			evhttp_request_free(s->req);
		stream_unlink(s);
	}
}

static void
keepalive_cb(evutil_socket_t fd, short what, void *arg)
{
	struct stream	*s;
	struct evbuffer	*b;

	for (s = streams; s != NULL; s = s->next) {
		if (s->frozen)
			continue;
		b = evbuffer_new();
		evbuffer_add_printf(b, ": keepalive\n\n");
		evhttp_send_reply_chunk(s->req, b);
		evbuffer_free(b);
	}
}

void
events_init(struct event_base *base, struct http *http)
{
	struct timeval	tv = { events_sse_keepalive, 0 };

	hook_http = http;
	events_base = base;
	keepalive_ev = event_new(base, -1, EV_PERSIST, keepalive_cb, NULL);
	event_add(keepalive_ev, &tv);
	late_ev = evtimer_new(base, late_cb, NULL);
}

static void
late_send(struct late *l)
{
	if (l->hook != NULL)
		hook_post(l->hook, l->data);
	else
		stream_send(l->stream, l->event, l->data);
}

void
events_free(void)
{
	struct hook	*h;

	events_drop_streams();
	while (held_streams != NULL)
		sim_conn_drop(held_streams->evcon);
	while ((h = hooks) != NULL) {
		hooks = h->next;
		hook_free(h);
	}
	if (keepalive_ev != NULL)
		event_free(keepalive_ev);
	keepalive_ev = NULL;
	if (late_ev != NULL)
		event_free(late_ev);
	late_ev = NULL;
}

long
events_hook_register(struct sim_user *u, enum sim_hook_kind kind,
    const char *call_id, const char *url, const char *target_id)
{
	struct hook	*h;

	for (h = hooks; h != NULL; h = h->next)
		if (h->user == u && h->kind == kind &&
		    strcmp(h->target_id, target_id) == 0 &&
		    (kind != HOOK_CALL || strcmp(h->call_id, call_id) == 0))
			break;
	if (h == NULL) {
		h = xcalloc(1, sizeof(*h));
		h->kind = kind;
		h->user = u;
		h->call_id = xstrdup(call_id != NULL ? call_id : "");
		h->target_id = xstrdup(target_id);
		h->next = hooks;
		hooks = h;
	} else
		free(h->url);
	h->url = xstrdup(url);
	h->expires = time(NULL) + events_hook_lifetime;
	return events_hook_lifetime;
}

int
events_hook_delete(struct sim_user *u, enum sim_hook_kind kind,
    const char *call_id, const char *target_id)
{
	struct hook	**pp, *h;

	for (pp = &hooks; *pp != NULL; pp = &(*pp)->next) {
		h = *pp;
		if (h->user == u && h->kind == kind &&
		    strcmp(h->target_id, target_id) == 0 &&
		    (kind != HOOK_CALL || strcmp(h->call_id, call_id) == 0)) {
			*pp = h->next;
			hook_free(h);
			return 0;
		}
	}
	return -1;
}

static void	hook_post(struct hook *, const char *);

static void
hook_done_cb(const struct http_resp *r, void *arg)
{
	struct hook	*h = arg;
	char		*next;

	if (r->err != DSTNY_OK)
		log_debug("webhook #%llu: %s", (unsigned long long)r->id,
		    r->message);
	h->inflight = 0;
	if ((next = h->pending) != NULL) {
		h->pending = NULL;
		hook_post(h, next);
		free(next);
	}
}

/*
 * Deliveries to one target go one at a time, as a Core's would: a hint
 * made while one is on its way waits, and a newer one replaces it (they
 * only say "this changed", so the newest says all).
 */
static void
hook_post(struct hook *h, const char *body)
{
	struct http_req	req;

	if (h->inflight != 0) {
		free(h->pending);
		h->pending = xstrdup(body);
		return;
	}
	memset(&req, 0, sizeof(req));
	req.method = "POST";
	req.url = h->url;
	req.body = body;
	req.body_len = strlen(body);
	req.timeout_ms = 5000;
	h->inflight = http_send(hook_http, &req, hook_done_cb, h);
}

/* POST body to every live hook of kind for user (and call). */
static void
hooks_fire(struct sim_user *u, enum sim_hook_kind kind, const char *call_id,
    const char *body)
{
	struct hook	*h;
	time_t		 now = time(NULL);

	if (events_silent)
		return;		/* the change is made, nobody is told */
	for (h = hooks; h != NULL; h = h->next)
		if (h->user == u && h->kind == kind && h->expires > now &&
		    (kind != HOOK_CALL || strcmp(h->call_id, call_id) == 0) &&
		    !late_hold(h, NULL, NULL, body))
			hook_post(h, body);
}

static void
streams_fire(struct sim_user *u, enum sim_stream_kind kind,
    const char *call_id, const char *event, const char *data)
{
	struct stream	*s, *next;

	if (events_silent)
		return;
	for (s = streams; s != NULL; s = next) {
		next = s->next;
		if (s->user == u && s->kind == kind &&
		    (kind != STREAM_CALL || strcmp(s->call_id, call_id) == 0) &&
		    !late_hold(NULL, s, event, data))
			stream_send(s, event, data);
	}
}

void
events_call_changed(struct sim_user *u, struct sim_call *c)
{
	struct json_object	*o;
	char			 body[64];

	snprintf(body, sizeof(body), "{\"stateToken\": %lld}", (long long)c->token);
	hooks_fire(u, HOOK_CALL, c->id, body);
	o = sim_call_json(u, c);
	streams_fire(u, STREAM_CALL, c->id, "callstate",
	    json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
}

void
events_call_added_or_removed(struct sim_user *u, struct sim_call *c, int added)
{
	struct json_object	*o;
	struct stream		*s, *next;
	struct hook		**pp, *h;
	char			*xml;

	o = sim_user_state_json(u);
	hooks_fire(u, HOOK_USER, NULL, json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
	xml = sim_dialog_xml(u, c, "partial");
	streams_fire(u, STREAM_DIALOG, NULL, "dialog", xml);
	free(xml);
	if (added)
		return;
	/* The call is gone: its streams end and its hooks lapse. */
	for (s = streams; s != NULL; s = next) {
		next = s->next;
		if (s->user == u && s->kind == STREAM_CALL &&
		    strcmp(s->call_id, c->id) == 0) {
			evhttp_send_reply_end(s->req);
			stream_unlink(s);
		}
	}
	for (pp = &hooks; *pp != NULL;) {
		h = *pp;
		if (h->user == u && h->kind == HOOK_CALL &&
		    strcmp(h->call_id, c->id) == 0) {
			*pp = h->next;
			hook_free(h);
		} else
			pp = &h->next;
	}
}

void
events_devices_changed(struct sim_user *u)
{
	struct json_object	*o;
	char			 body[128], when[32];
	struct tm		 tm;
	time_t			 now = time(NULL);

	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S.000", &tm);
	snprintf(body, sizeof(body), "{\"timeStamp\": \"%s\", "
	    "\"changedField\": \"DEVICE_INFO\"}", when);
	hooks_fire(u, HOOK_DEVICE, NULL, body);
	o = sim_devices_json(u, 0);
	streams_fire(u, STREAM_DEVICE, NULL, "devices",
	    json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
}

void
events_queues_changed(struct sim_user *u)
{
	char	*xml = sim_queues_xml(u);

	streams_fire(u, STREAM_QUEUE, NULL, "queuestatistics", xml);
	free(xml);
}

static void
stream_start(struct evhttp_request *req, struct sim_user *u,
    enum sim_stream_kind kind, const char *call_id)
{
	struct stream		*s = xcalloc(1, sizeof(*s));
	struct evkeyvalq	*out = evhttp_request_get_output_headers(req);
	struct evbuffer		*b = evbuffer_new();
	struct json_object	*o;
	struct sim_call		*c;
	char			*xml;

	s->req = req;
	s->evcon = evhttp_request_get_connection(req);
	s->kind = kind;
	s->user = u;
	s->call_id = xstrdup(call_id != NULL ? call_id : "");
	s->next = streams;
	streams = s;
	evhttp_add_header(out, "Content-Type", "text/event-stream");
	evhttp_add_header(out, "Cache-Control", "no-cache");
	evhttp_send_reply_start(req, 200, "OK");
	evbuffer_add_printf(b, ": dstny-coresim %s stream\nretry: 1000\n\n",
	    stream_kinds[kind]);
	evhttp_send_reply_chunk(req, b);
	evbuffer_free(b);
	/* Every (re)connect starts with the current state, unless told not to. */
	if (!events_initial_state)
		return;
	switch (kind) {
	case STREAM_CALL:
		if ((c = sim_call_find(u, call_id)) != NULL) {
			o = sim_call_json(u, c);
			stream_send(s, "callstate", json_object_to_json_string_ext(o,
			    JSON_C_TO_STRING_PLAIN));
			json_object_put(o);
		}
		break;
	case STREAM_DIALOG:
		xml = sim_dialog_xml(u, NULL, "full");
		stream_send(s, "dialog", xml);
		free(xml);
		break;
	case STREAM_DEVICE:
		o = sim_devices_json(u, 0);
		stream_send(s, "devices", json_object_to_json_string_ext(o,
		    JSON_C_TO_STRING_PLAIN));
		json_object_put(o);
		break;
	case STREAM_QUEUE:
		xml = sim_queues_xml(u);
		stream_send(s, "queuestatistics", xml);
		free(xml);
		break;
	case STREAM_CONTACT_LINE:
	case STREAM_CONTACT_PRESENCE:
		xml = kind == STREAM_CONTACT_LINE ? contacts_dialog_xml(call_id) :
		    contacts_pidf_xml(call_id);
		stream_send(s, kind == STREAM_CONTACT_LINE ? "dialog" :
		    "presence", xml);
		free(xml);
		break;
	}
}

static void
held_stream_cb(evutil_socket_t fd, short what, void *arg)
{
	struct held_stream	*hs = arg;
	struct evhttp_request	*req = hs->req;
	struct sim_user		*u = hs->user;
	enum sim_stream_kind	 kind = hs->kind;
	char			*call_id = xstrdup(hs->call_id);

	held_stream_free(hs);
	stream_start(req, u, kind, call_id);
	free(call_id);
}

/*
 * A stream request: taken at once, or after streamDelayMs, as a Core
 * whose subscription is not made yet: changes meanwhile are not sent.
 */
void
events_stream_open(struct evhttp_request *req, struct sim_user *u,
    enum sim_stream_kind kind, const char *call_id)
{
	struct held_stream	*hs;

	if (events_stream_delay_ms <= 0) {
		stream_start(req, u, kind, call_id);
		return;
	}
	hs = xcalloc(1, sizeof(*hs));
	hs->req = req;
	hs->evcon = evhttp_request_get_connection(req);
	hs->kind = kind;
	hs->user = u;
	hs->call_id = xstrdup(call_id != NULL ? call_id : "");
	hs->ev = evtimer_new(events_base, held_stream_cb, hs);
	hs->next = held_streams;
	held_streams = hs;
	timer_add_ms(hs->ev, events_stream_delay_ms);
}

size_t
events_streams_held(void)
{
	struct held_stream	*hs;
	size_t			 n = 0;

	for (hs = held_streams; hs != NULL; hs = hs->next)
		n++;
	return n;
}

/* Streams open now (of kind, or all with -1) get nothing more. */
size_t
events_freeze(int kind)
{
	struct stream	*s;
	size_t		 n = 0;

	for (s = streams; s != NULL; s = s->next)
		if (!s->frozen && (kind == -1 || (int)s->kind == kind)) {
			s->frozen = 1;
			n++;
		}
	return n;
}

/* Hints and stream events latencyMs holds back now. */
size_t
events_late_count(void)
{
	struct late	*l;
	size_t		 n = 0;

	for (l = late_head; l != NULL; l = l->next)
		n++;
	return n;
}

size_t
events_frozen_count(void)
{
	struct stream	*s;
	size_t		 n = 0;

	for (s = streams; s != NULL; s = s->next)
		n += s->frozen;
	return n;
}

int
events_stream_kind(const char *route)
{
	if (strcmp(route, "state.call.sse") == 0)
		return STREAM_CALL;
	if (strcmp(route, "state.dialog.sse") == 0)
		return STREAM_DIALOG;
	if (strcmp(route, "devices.sse") == 0)
		return STREAM_DEVICE;
	if (strcmp(route, "queues.sse") == 0)
		return STREAM_QUEUE;
	if (strcmp(route, "contact.linestate.sse") == 0)
		return STREAM_CONTACT_LINE;
	if (strcmp(route, "contact.presence.sse") == 0)
		return STREAM_CONTACT_PRESENCE;
	return -2;
}

void
events_expire_hooks(void)
{
	struct hook	*h;

	for (h = hooks; h != NULL; h = h->next)
		h->expires = 0;
}

/* Every stream ends as a Core shutting down in order ends it. */
void
events_end_streams(void)
{
	struct stream	*s;

	while ((s = streams) != NULL) {
		evhttp_send_reply_end(s->req);
		streams = s->next;
		late_forget(NULL, s);
		free(s->call_id);
		free(s);
	}
}

void
events_drop_streams(void)
{
	/* Dropping a connection forgets its streams (events_conn_closed). */
	while (streams != NULL)
		sim_conn_drop(streams->evcon);
}

void
events_restart(int graceful)
{
	struct hook	*h;

	if (graceful)
		events_end_streams();
	events_drop_streams();
	while (held_streams != NULL)
		sim_conn_drop(held_streams->evcon);
	while ((h = hooks) != NULL) {
		hooks = h->next;
		hook_free(h);
	}
	events_silent = 0;	/* a new node tells again */
}

size_t
events_hook_count(void)
{
	struct hook	*h;
	size_t		 n = 0;
	time_t		 now = time(NULL);

	for (h = hooks; h != NULL; h = h->next)
		n += h->expires > now;
	return n;
}

size_t
events_stream_count(void)
{
	struct stream	*s;
	size_t		 n = 0;

	for (s = streams; s != NULL; s = s->next)
		n++;
	return n;
}

struct json_object *
events_json(void)
{
	struct json_object	*o = json_object_new_object();
	struct json_object	*a = json_object_new_array(), *e;
	struct hook		*h;
	struct stream		*s;
	time_t			 now = time(NULL);

	for (h = hooks; h != NULL; h = h->next) {
		e = json_object_new_object();
		json_object_object_add(e, "kind", json_object_new_string(hook_kinds[h->kind]));
		json_object_object_add(e, "user", json_object_new_string(h->user->user));
		json_object_object_add(e, "callId", json_object_new_string(h->call_id));
		json_object_object_add(e, "targetId", json_object_new_string(h->target_id));
		json_object_object_add(e, "targetUrl", json_object_new_string(h->url));
		json_object_object_add(e, "expiresIn", json_object_new_int64(
		    h->expires > now ? (int64_t)(h->expires - now) : 0));
		json_object_array_add(a, e);
	}
	json_object_object_add(o, "webhooks", a);
	a = json_object_new_array();
	for (s = streams; s != NULL; s = s->next) {
		e = json_object_new_object();
		json_object_object_add(e, "kind", json_object_new_string(stream_kinds[s->kind]));
		json_object_object_add(e, "user", json_object_new_string(s->user->user));
		json_object_object_add(e, "callId", json_object_new_string(s->call_id));
		json_object_object_add(e, "frozen", json_object_new_boolean(s->frozen));
		json_object_array_add(a, e);
	}
	json_object_object_add(o, "streams", a);
	return o;
}

/* A contact's streams (issue 22): the call_id member holds the contact's id. */
void
contacts_stream_open(struct evhttp_request *req, struct sim_user *u,
    const char *id, int line)
{
	events_stream_open(req, u, line ? STREAM_CONTACT_LINE :
	    STREAM_CONTACT_PRESENCE, id);
}

void
contacts_streams_changed(const char *id, int line, int presence)
{
	struct stream	*s, *next;
	char		*xml;

	if (events_silent)
		return;
	for (s = streams; s != NULL; s = next) {
		next = s->next;
		if (strcmp(s->call_id, id) != 0 ||
		    (s->kind == STREAM_CONTACT_LINE && !line) ||
		    (s->kind == STREAM_CONTACT_PRESENCE && !presence) ||
		    (s->kind != STREAM_CONTACT_LINE &&
		    s->kind != STREAM_CONTACT_PRESENCE))
			continue;
		xml = s->kind == STREAM_CONTACT_LINE ? contacts_dialog_xml(id) :
		    contacts_pidf_xml(id);
		stream_send(s, s->kind == STREAM_CONTACT_LINE ? "dialog" :
		    "presence", xml);
		free(xml);
	}
}
