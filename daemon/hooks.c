/* hooks.c: the webhook transport: the listener, and registrations kept alive. */
#include "config.h"

#include <sys/socket.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/listener.h>
#include <json-c/json.h>

#include "backoff.h"
#include "coremsg.h"
#include "dstnyd.h"
#include "log.h"
#include "xmalloc.h"

#define HOOK_BODY_MAX		(64 * 1024)
#define HOOK_HEADERS_MAX	(8 * 1024)
#define HOOK_TIMEOUT		10
#define HOOK_DEFAULT_LIFE	3600
#define HOOK_RENEW_MAX_MS	(24L * 3600 * 1000)
#define HOOK_MAX_CONNS		256	/* connections; fewer with few descriptors */

enum hook_kind { HK_USER, HK_DEVICE, HK_CALL };

struct hook {
	char			 id[33];	/* 128 random bits in hex */
	uint8_t			 kind;		/* enum hook_kind */
	uint8_t			 registered;
	unsigned		 failures;
	struct duser		*user;
	char			*call_id;
	uint64_t		 req;
	uint64_t		 req_seq;	/* cache_seq() when req was sent */
	time_t			 expires;
	uint64_t		 renew_at;	/* now_usec() it is due; 0: not */
	struct hook		*next_by_id;	/* in hook_index */
	TAILQ_ENTRY(hook)	 entry;
};
TAILQ_HEAD(hook_list, hook);

/*
 * Hooks by targetId, so that a webhook POST finds its hook without a walk
 * over every user's (at 300 users that walk was 19,000 instructions an
 * event, on its critical path: callgrind). Chained, a power of two of
 * buckets, at most one hook per bucket on average.
 */
static struct hook	**hook_index;
static size_t		  hook_index_size;
static size_t		  hook_count;

static struct evhttp	*hooks_http;
static struct evconnlistener *hooks_listener;

/*
 * Every connection, counted from accept (evhttp_set_bevcb): at most
 * hooks_cap of them. When full, the oldest one that has not completed a
 * request makes room (a slow client, not the Core's keep-alive one), so
 * that a new connection, perhaps the Core's, is always served. Each has
 * HOOK_HEAD_DEADLINE seconds from accept, and again from each answer, to
 * send a whole request: a total, not an idle timeout, so a byte every few
 * seconds does not keep it.
 */
#define HOOK_HEAD_DEADLINE	10

struct hook_conn {
	struct bufferevent		*bev;
	struct evhttp_connection	*evcon;		/* NULL until bound */
	struct event			*bind_ev;
	struct event			*deadline_ev;
	int				 served;	/* answered a request */
	int				 closing;	/* shut down, not yet gone */
	TAILQ_ENTRY(hook_conn)		 entry;
};
TAILQ_HEAD(hook_conn_list, hook_conn);
static struct hook_conn_list hook_conns = TAILQ_HEAD_INITIALIZER(hook_conns);
static size_t		 nhook_conns;	/* not closing */
static size_t		 hooks_cap;
static struct hook_list	 hooks = TAILQ_HEAD_INITIALIZER(hooks);

static const enum route_id reg_route[] = {
	[HK_USER] = ROUTE_STATE_USER_WEBHOOK,
	[HK_DEVICE] = ROUTE_DEVICES_WEBHOOK,
	[HK_CALL] = ROUTE_STATE_CALL_WEBHOOK,
};
static const enum route_id del_route[] = {
	[HK_USER] = ROUTE_STATE_USER_WEBHOOK_DELETE,
	[HK_DEVICE] = ROUTE_DEVICES_WEBHOOK_DELETE,
	[HK_CALL] = ROUTE_STATE_CALL_WEBHOOK_DELETE,
};
static const char *const kind_names[] = { "user", "device", "call" };

/* FNV-1a: the id in a request's path is anyone's string, not only ours. */
static size_t
hook_hash(const char *id)
{
	uint64_t	v = 14695981039346656037ULL;

	for (; *id != '\0'; id++) {
		v ^= (unsigned char)*id;
		v *= 1099511628211ULL;
	}
	return (size_t)v;
}

static void
hook_index_add(struct hook *h)
{
	struct hook	**t, *e, *next;
	size_t		  n, i, b;

	if (hook_count + 1 > hook_index_size) {
		n = hook_index_size > 0 ? hook_index_size * 2 : 64;
		t = xcalloc(n, sizeof(*t));
		for (i = 0; i < hook_index_size; i++)
			for (e = hook_index[i]; e != NULL; e = next) {
				next = e->next_by_id;
				b = hook_hash(e->id) & (n - 1);
				e->next_by_id = t[b];
				t[b] = e;
			}
		free(hook_index);
		hook_index = t;
		hook_index_size = n;
	}
	b = hook_hash(h->id) & (hook_index_size - 1);
	h->next_by_id = hook_index[b];
	hook_index[b] = h;
	hook_count++;
}

static void
hook_index_remove(struct hook *h)
{
	struct hook	**pp;

	pp = &hook_index[hook_hash(h->id) & (hook_index_size - 1)];
	while (*pp != h)
		pp = &(*pp)->next_by_id;
	*pp = h->next_by_id;
	if (--hook_count == 0) {
		free(hook_index);
		hook_index = NULL;
		hook_index_size = 0;
	}
}

static struct hook *
hook_find(const char *id)
{
	struct hook	*h;

	if (hook_index_size == 0)
		return NULL;
	for (h = hook_index[hook_hash(id) & (hook_index_size - 1)]; h != NULL;
	    h = h->next_by_id)
		if (strcmp(h->id, id) == 0)
			return h;
	return NULL;
}

static void
hooks_conn_free(struct hook_conn *hc)
{
	TAILQ_REMOVE(&hook_conns, hc, entry);
	if (!hc->closing)
		nhook_conns--;
	event_free(hc->bind_ev);
	event_free(hc->deadline_ev);
	free(hc);
}

/* evhttp frees the connection: called from its code, never ours. */
static void
hooks_conn_closed_cb(struct evhttp_connection *evcon, void *arg)
{
	hooks_conn_free(arg);
	if (hooks_listener != NULL)
		evconnlistener_enable(hooks_listener);
}

/*
 * Close a connection under evhttp: its socket is shut down, evhttp reads
 * the end and frees it (and tells hooks_conn_closed_cb). Never freed
 * here: evhttp may be inside its callbacks.
 */
static void
hooks_conn_shut(struct hook_conn *hc, const char *why)
{
	if (hc->closing)
		return;
	log_debug("webhook listener: a connection closed: %s", why);
	hc->closing = 1;
	nhook_conns--;
	evtimer_del(hc->deadline_ev);
	shutdown(bufferevent_getfd(hc->bev), SHUT_RDWR);
}

static void
hooks_conn_deadline_cb(evutil_socket_t fd, short what, void *arg)
{
	hooks_conn_shut(arg, "no whole request in time");
}

/*
 * The next loop pass after accept: evhttp has made its connection, whose
 * bufferevent callbacks carry it. Until now our reference kept the
 * bufferevent; if evhttp has let go of it already, it is gone.
 */
static void
hooks_conn_bind_cb(evutil_socket_t fd, short what, void *arg)
{
	struct hook_conn	*hc = arg;
	bufferevent_data_cb	 readcb;
	void			*cbarg;

	bufferevent_getcb(hc->bev, &readcb, NULL, NULL, &cbarg);
	if (readcb == NULL || cbarg == NULL) {
		bufferevent_decref(hc->bev);
		hooks_conn_free(hc);
		return;
	}
	hc->evcon = cbarg;
	evhttp_connection_set_closecb(hc->evcon, hooks_conn_closed_cb, hc);
	bufferevent_decref(hc->bev);	/* evhttp's alone now */
}

/* evhttp_set_bevcb: a connection was accepted; its bufferevent is ours to make. */
static struct bufferevent *
hooks_conn_new_cb(struct event_base *base, void *arg)
{
	struct hook_conn	*hc, *victim = NULL, *old;
	struct timeval		 tv = { HOOK_HEAD_DEADLINE, 0 };

	if (nhook_conns >= hooks_cap) {
		/* The oldest without a whole request; else the oldest. */
		TAILQ_FOREACH(old, &hook_conns, entry) {
			if (old->closing)
				continue;
			if (!old->served) {
				victim = old;
				break;
			}
			if (victim == NULL)
				victim = old;
		}
		if (victim != NULL)
			hooks_conn_shut(victim, "the listener is full");
	}
	hc = xcalloc(1, sizeof(*hc));
	hc->bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
	bufferevent_incref(hc->bev);	/* until bound: see hooks_conn_bind_cb */
	hc->bind_ev = event_new(dbase, -1, 0, hooks_conn_bind_cb, hc);
	hc->deadline_ev = evtimer_new(dbase, hooks_conn_deadline_cb, hc);
	evtimer_add(hc->deadline_ev, &tv);
	event_active(hc->bind_ev, EV_TIMEOUT, 0);
	TAILQ_INSERT_TAIL(&hook_conns, hc, entry);
	nhook_conns++;
	return hc->bev;
}

/* A request was read whole on hc's connection: the next has its own deadline. */
static void
hooks_conn_served(struct evhttp_request *req)
{
	struct evhttp_connection	*evcon = evhttp_request_get_connection(req);
	struct hook_conn		*hc;
	struct timeval			 tv = { HOOK_HEAD_DEADLINE, 0 };

	TAILQ_FOREACH_REVERSE(hc, &hook_conns, hook_conn_list, entry)
		if (hc->evcon == evcon) {
			hc->served = 1;
			if (!hc->closing)
				evtimer_add(hc->deadline_ev, &tv);
			return;
		}
}

static void
hooks_accept_error_cb(struct evconnlistener *l, void *arg)
{
	listen_accept_error(l, "webhook listener");
}

/* POST /hooks/<targetId>: a hint, never state. Answers before acting. */
static void
hooks_request_cb(struct evhttp_request *req, void *arg)
{
	const char	*uri = evhttp_request_get_uri(req);
	struct evbuffer	*in = evhttp_request_get_input_buffer(req);
	struct hook	*h;
	struct hint	 hint;
	struct duser	*u;
	char		*call_id, target[33];
	size_t		 i;

	hooks_conn_served(req);
	if (hint_target(uri, target) == -1 || (h = hook_find(target)) == NULL) {
		evhttp_send_error(req, 404, "Not Found");
		return;
	}
	if (evhttp_request_get_command(req) != EVHTTP_REQ_POST) {
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "Allow", "POST");
		evhttp_send_error(req, 405, "Method Not Allowed");
		return;
	}
	if (h->kind == HK_USER)
		hint_parse_user((const char *)evbuffer_pullup(in, -1),
		    evbuffer_get_length(in), &hint);
	else
		hint_parse((const char *)evbuffer_pullup(in, -1),
		    evbuffer_get_length(in), &hint);
	evhttp_send_reply(req, 204, "No Content", NULL);
	u = h->user;
	u->last_event = time(NULL);
	/* Never the targetId: whoever reads it can post hints. */
	log_debug("%s@%s: %s webhook%s%s", u->user, u->domain,
	    kind_names[h->kind], h->kind == HK_CALL ? " for call " : "",
	    h->kind == HK_CALL ? h->call_id : "");
	switch (h->kind) {
	case HK_USER:
		for (i = 0; i < hint.ncalls; i++)
			if (hint.tokens[i] != 0 && cache_find(u, hint.call_ids[i]))
				cache_hint(u, hint.call_ids[i], hint.tokens[i]);
		cache_hint_user(u);
		break;
	case HK_DEVICE:
		user_fetch_devices(u);
		break;
	case HK_CALL:
		call_id = xstrdup(h->call_id);
		cache_hint(u, call_id, hint.kind == HINT_TOKEN ? hint.token : 0);
		free(call_id);
		break;
	}
	hint_clear(&hint);
}

int
hooks_listen(const struct conf *conf, char *err, size_t errlen)
{
	char	*host, *colon;
	int	 port;

	if (hooks_http != NULL)
		return 0;
	host = xstrdup(conf->listen);
	colon = strrchr(host, ':');
	*colon = '\0';
	port = atoi(colon + 1);
	if (host[0] == '[') {
		memmove(host, host + 1, strlen(host));
		host[strlen(host) - 1] = '\0';
	}
	hooks_http = evhttp_new(dbase);
	evhttp_set_max_body_size(hooks_http, HOOK_BODY_MAX);
	evhttp_set_max_headers_size(hooks_http, HOOK_HEADERS_MAX);
	evhttp_set_timeout(hooks_http, HOOK_TIMEOUT);
	evhttp_set_allowed_methods(hooks_http, EVHTTP_REQ_GET | EVHTTP_REQ_POST |
	    EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE | EVHTTP_REQ_HEAD |
	    EVHTTP_REQ_OPTIONS | EVHTTP_REQ_PATCH);
	evhttp_set_gencb(hooks_http, hooks_request_cb, NULL);
	evhttp_set_bevcb(hooks_http, hooks_conn_new_cb, NULL);
	hooks_cap = listen_cap(HOOK_MAX_CONNS);
	struct evhttp_bound_socket *bound;
	if ((bound = evhttp_bind_socket_with_handle(hooks_http, host,
	    (ev_uint16_t)port)) == NULL) {
		snprintf(err, errlen, "webhook listener: cannot listen on %s",
		    conf->listen);
		evhttp_free(hooks_http);
		hooks_http = NULL;
		free(host);
		return -1;
	}
	hooks_listener = evhttp_bound_socket_get_listener(bound);
	evconnlistener_set_error_cb(hooks_listener, hooks_accept_error_cb);
	log_info("webhook listener on %s (at most %zu connections), public "
	    "URL %s/hooks/", conf->listen, hooks_cap, conf->public_url);
	free(host);
	return 0;
}

void
hooks_close(void)
{
	struct hook_conn	*hc;

	hooks_listener = NULL;		/* evhttp_free() frees it */
	/* Bound connections are freed by evhttp_free (hooks_conn_closed_cb). */
	if (hooks_http != NULL)
		evhttp_free(hooks_http);
	hooks_http = NULL;
	while ((hc = TAILQ_FIRST(&hook_conns)) != NULL) {
		if (hc->evcon == NULL)
			bufferevent_decref(hc->bev);
		hooks_conn_free(hc);
	}
	nhook_conns = 0;
}

static void	hook_register(struct hook *);

/*
 * Renewals and retries: one timer for every registration, armed for the
 * earliest one due; a hook only says when it is due. A timer each cost
 * 144 B per registration (massif), two per user and one per live call;
 * renewals due within HOOK_RENEW_SLACK of each other share a wakeup.
 */
#define HOOK_RENEW_SLACK	1000000		/* us */

static struct event	*hooks_renew_ev;
static uint64_t		 hooks_renew_at;	/* when it fires; 0: not armed */

static void	hooks_renew_cb(evutil_socket_t, short, void *);

static void
hooks_renew_arm(uint64_t at)
{
	uint64_t	now = now_usec();

	if (hooks_renew_at != 0 && hooks_renew_at <= at)
		return;
	if (hooks_renew_ev == NULL)
		hooks_renew_ev = evtimer_new(dbase, hooks_renew_cb, NULL);
	hooks_renew_at = at;
	timer_add_ms(hooks_renew_ev, at > now ? (long)((at - now + 999) / 1000) : 0);
}

static void
hooks_renew_cb(evutil_socket_t fd, short what, void *arg)
{
	struct hook	*h, *next;
	uint64_t	 now = now_usec(), soonest = 0;

	hooks_renew_at = 0;
	for (h = TAILQ_FIRST(&hooks); h != NULL; h = next) {
		next = TAILQ_NEXT(h, entry);
		if (h->renew_at == 0)
			continue;
		if (h->renew_at <= now + HOOK_RENEW_SLACK) {
			h->renew_at = 0;
			hook_register(h);
		} else if (soonest == 0 || h->renew_at < soonest)
			soonest = h->renew_at;
	}
	if (soonest != 0)
		hooks_renew_arm(soonest);
}

static void
hook_schedule(struct hook *h, long delay_ms)
{
	/* An expiry far away (or forged) renews daily; no sum can wrap. */
	if (delay_ms > HOOK_RENEW_MAX_MS)
		delay_ms = HOOK_RENEW_MAX_MS;
	h->renew_at = now_usec() + (uint64_t)(delay_ms > 0 ? delay_ms : 0) * 1000;
	if (h->renew_at == 0)
		h->renew_at = 1;
	hooks_renew_arm(h->renew_at);
}

static void
hook_registered_cb(struct duser *u, const struct http_resp *r, void *arg)
{
	struct hook		*h;
	struct call_state	*cs;
	char			 err[256], id[sizeof(h->id)];
	time_t			 now = time(NULL);
	long			 life;

	TAILQ_FOREACH(h, &hooks, entry)
		if (h->req == r->id)
			break;
	if (h == NULL)
		return;
	h->req = 0;
	if (r->err != DSTNY_OK) {
		log_warnx("%s@%s: %s webhook registration: %s: %s", u->user,
		    u->domain, kind_names[h->kind], dstny_err_name(r->err),
		    r->message);
		h->registered = 0;
		if (h->kind == HK_CALL && r->err == DSTNY_ERR_NOT_FOUND) {
			cache_hint(u, h->call_id, 0);
			return;
		}
		/* A registration that failed may have missed news: doubt. */
		if (h->kind == HK_USER)
			user_events_lost(u, "user webhook registration failed");
		else
			user_doubt(u, "webhook registration failed");
		hook_schedule(h, backoff_delay_ms(h->failures++, 1000, 30000));
		return;
	}
	h->failures = 0;
	h->registered = 1;
	if (h->kind == HK_CALL) {
		/* The answer is the call's state, from the Core itself. */
		life = u->hooks.user_expires > now ?
		    (long)(u->hooks.user_expires - now) : HOOK_DEFAULT_LIFE;
		if ((cs = call_state_parse(r->body, r->body_len, err,
		    sizeof(err))) != NULL) {
			/* An ended call stops its hook: h may be gone after. */
			memcpy(id, h->id, sizeof(id));
			cache_apply(u, cs, h->req_seq);	/* as of its sending */
			if ((h = hook_find(id)) == NULL)
				return;
		}
	} else {
		h->expires = core_expires_parse(r->body, r->body_len, now);
		life = h->expires > now ? (long)(h->expires - now) :
		    HOOK_DEFAULT_LIFE;
		if (h->kind == HK_USER) {
			u->hooks.user_expires = now + life;
			user_events_flowing(u);
			user_reconciled(u, RECON_EVENTS, h->req_seq);
		}
	}
	/* Renew well before it runs out. */
	hook_schedule(h, life * 800L);
}

static void
hook_register(struct hook *h)
{
	struct route_var	 vars[] = { { "callId", h->call_id }, { NULL, NULL } };
	struct core_opts	 o;
	struct json_object	*body = json_object_new_object();
	char			*url;

	if (h->req != 0)
		return;
	url = xasprintf("%s/hooks/%s", dconf->public_url, h->id);
	json_object_object_add(body, "targetUrl", json_object_new_string(url));
	json_object_object_add(body, "targetId", json_object_new_string(h->id));
	json_object_object_add(body, "publicTarget",
	    json_object_new_boolean(dconf->public_target));
	memset(&o, 0, sizeof(o));
	o.body = json_object_to_json_string_ext(body, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE);
	if (h->kind == HK_CALL)
		o.vars = vars;
	h->req_seq = cache_seq();
	h->req = core_send(h->user, reg_route[h->kind], &o, hook_registered_cb,
	    NULL);
	json_object_put(body);
	free(url);
}

static struct hook *
hook_new(struct duser *u, enum hook_kind kind, const char *call_id)
{
	struct hook	*h = xcalloc(1, sizeof(*h));
	unsigned char	 raw[16];
	size_t		 i;

	arc4random_buf(raw, sizeof(raw));
	for (i = 0; i < sizeof(raw); i++)
		snprintf(h->id + i * 2, 3, "%02x", raw[i]);
	h->kind = kind;
	h->user = u;
	h->call_id = xstrdup(call_id != NULL ? call_id : "");
	TAILQ_INSERT_TAIL(&hooks, h, entry);
	hook_index_add(h);
	hook_register(h);
	return h;
}

static void
hook_deleted_cb(struct duser *u, const struct http_resp *r, void *arg)
{
	if (r->err != DSTNY_OK && r->err != DSTNY_ERR_NOT_FOUND)
		log_debug("%s@%s: webhook deletion: %s", u->user, u->domain,
		    r->message);
	if (u->stopping)
		user_stop_step(u);
}

/* Forget a registration here, and delete it at the Core. */
static void
hook_free(struct hook *h)
{
	struct route_var	 vars[] = { { "targetId", h->id },
	    { "callId", h->call_id }, { NULL, NULL } };
	struct core_opts	 o = { .vars = vars };
	struct duser		*u = h->user;

	core_cancel(u, h->req);
	if (h->registered) {
		if (u->stopping)
			u->stop_pending++;
		core_send(u, del_route[h->kind], &o, hook_deleted_cb, NULL);
	}
	TAILQ_REMOVE(&hooks, h, entry);
	hook_index_remove(h);
	free(h->call_id);
	free(h);
	if (TAILQ_EMPTY(&hooks) && hooks_renew_ev != NULL) {
		event_free(hooks_renew_ev);
		hooks_renew_ev = NULL;
		hooks_renew_at = 0;
	}
}

static struct hook *
hook_of(struct duser *u, enum hook_kind kind, const char *call_id)
{
	struct hook	*h;

	TAILQ_FOREACH(h, &hooks, entry)
		if (h->user == u && h->kind == kind &&
		    (kind != HK_CALL || strcmp(h->call_id, call_id) == 0))
			return h;
	return NULL;
}

void
hooks_user_start(struct duser *u)
{
	hook_new(u, HK_USER, NULL);
	hook_new(u, HK_DEVICE, NULL);
}

/*
 * The keepalive: register the user webhook again (same targetId), and
 * each live call's, whose answer is the call's state: a Core that
 * restarted and forgot us is noticed, and nothing is missed, within one
 * interval.
 */
void
hooks_user_renew(struct duser *u)
{
	struct hook	*h;

	TAILQ_FOREACH(h, &hooks, entry)
		if (h->user == u && (h->kind == HK_USER || h->kind == HK_CALL)) {
			h->renew_at = 0;
			hook_register(h);
		}
}

/* The Core is back after an outage: it may have forgotten us. */
void
hooks_user_restore(struct duser *u)
{
	struct hook	*h;

	TAILQ_FOREACH(h, &hooks, entry)
		if (h->user == u) {
			h->renew_at = 0;
			hook_register(h);
		}
}

void
hooks_user_stop(struct duser *u)
{
	struct hook	*h, *next;

	for (h = TAILQ_FIRST(&hooks); h != NULL; h = next) {
		next = TAILQ_NEXT(h, entry);
		if (h->user == u)
			hook_free(h);
	}
}

void
hooks_call_start(struct dcall *c)
{
	if (!c->user->stopping && hook_of(c->user, HK_CALL, c->id) == NULL)
		hook_new(c->user, HK_CALL, c->id);
}

void
hooks_call_stop(struct dcall *c)
{
	struct hook	*h = hook_of(c->user, HK_CALL, c->id);

	if (h == NULL)
		return;
	/* An ended call's registration lapses at the Core by itself. */
	if (strcmp(c->cs->status, "TERMINATED") == 0)
		h->registered = 0;
	hook_free(h);
}
