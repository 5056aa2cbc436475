/* http.c: libcurl multi_socket driven by libevent; no blocking calls, no threads. */
#include "config.h"

#include <sys/queue.h>

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>
#include <openssl/ssl.h>
#include <event2/event.h>

#include "backoff.h"
#include "castore.h"
#include "coremsg.h"
#include "hstream.h"
#include "http.h"
#include "log.h"
#include "secret.h"
#include "tcp.h"
#include "utf8.h"
#include "xmalloc.h"

#define HTTP_IDLE_CONNS		8	/* idle connections kept for reuse */
#define HTTP_BG_CONNS		6	/* background requests at once */
#define HTTP_STREAM_BUFSIZE	2048	/* a curl stream's receive buffer */
#define HTTP_HEADERS_MAX	9	/* http_common_headers(): 4 pairs and NULL */

struct http_xfer {
	uint64_t		 id;
	struct http		*http;
	CURL			*easy;		/* a request; NULL for a stream */
	struct hstream		*hs;		/* an event stream (lib/hstream.c) */
	struct curl_slist	*headers;
	char			*body;		/* request body, kept for curl and retries */
	struct buf		 resp;
	int			 is_get;
	int			 attempts;
	int			 dead;		/* cancelled: reap, never call back */
	int			 overflow;
	int			 active;	/* added to the multi handle */
	int			 background;	/* waits for a free connection */
	int			 admitted;	/* counted in http.nbg */
	enum { XQ_NONE, XQ_START, XQ_WAIT } queue; /* in startq or waitq */
	TAILQ_ENTRY(http_xfer)	 qentry;
	int			 secret;	/* sent a password: the answer (a
					   ticket) is wiped after delivery */
	int			 opened;	/* a stream's 2xx head was told */
	http_done_cb		 done;
	http_data_cb		 stream;
	void			*arg;
	struct event		*retry_ev;
	char			*errbuf;	/* CURL_ERROR_SIZE; requests only */
	struct http_xfer	*next;
};

struct http {
	struct event_base	*base;
	CURLM			*multi;
	CURLSH			*share;		/* TLS sessions of every request */
	struct event		*timer;
	struct event		*reaper;
	struct event		*starter;
	struct hstream_env	*streams;
	struct http_opts	 opts;
	char			*ca_file;
	char			*user_agent;
	char			 known_ip[64];	/* last told to streams */
	uint64_t		 next_id;
	struct http_xfer	*xfers;		/* newest first */
	size_t			 ndead;		/* of them, waiting for the reaper */
	TAILQ_HEAD(, http_xfer)	 startq;	/* for http_starter_cb */
	TAILQ_HEAD(, http_xfer)	 waitq;		/* background, waiting for room */
	size_t			 nbg;		/* background ones admitted */
};

struct http_sock {
	struct http		*http;
	curl_socket_t		 fd;
	struct event		*ev;
};

static void http_check_done(struct http *);
static void http_xfer_free(struct http_xfer *);
static void http_starter_cb(evutil_socket_t, short, void *);
static void http_bg_next(struct http *);

/*
 * Run ev's callback as soon as the current one returns: made active, it
 * runs in this same loop pass, without another epoll_wait(2) first, yet
 * never inside curl's or the caller's callbacks.
 */
static void
http_kick(struct event *ev)
{
	if (!event_pending(ev, EV_TIMEOUT, NULL))
		event_active(ev, EV_TIMEOUT, 0);
}

static struct http_xfer *
http_find(struct http *h, uint64_t id)
{
	struct http_xfer	*x;

	for (x = h->xfers; x != NULL; x = x->next)
		if (x->id == id)
			return x;
	return NULL;
}

static void
http_unlink(struct http *h, struct http_xfer *x)
{
	struct http_xfer	**pp;

	for (pp = &h->xfers; *pp != NULL; pp = &(*pp)->next)
		if (*pp == x) {
			*pp = x->next;
			return;
		}
}

static void
http_sock_cb(evutil_socket_t fd, short what, void *arg)
{
	struct http_sock	*s = arg;
	struct http		*h = s->http;
	int			 flags = 0, running;

	if (what & EV_READ)
		flags |= CURL_CSELECT_IN;
	if (what & EV_WRITE)
		flags |= CURL_CSELECT_OUT;
	curl_multi_socket_action(h->multi, fd, flags, &running);
	http_check_done(h);
}

/* CURLMOPT_SOCKETFUNCTION: re-arm our event from what curl wants. */
static int
http_socket_fn(CURL *easy, curl_socket_t fd, int what, void *userp,
    void *socketp)
{
	struct http		*h = userp;
	struct http_sock	*s = socketp;
	short			 kind = EV_PERSIST;

	if (what == CURL_POLL_REMOVE) {
		if (s != NULL) {
			event_free(s->ev);
			free(s);
			curl_multi_assign(h->multi, fd, NULL);
		}
		return 0;
	}
	if (what & CURL_POLL_IN)
		kind |= EV_READ;
	if (what & CURL_POLL_OUT)
		kind |= EV_WRITE;
	if (s == NULL) {
		s = xcalloc(1, sizeof(*s));
		s->http = h;
		s->fd = fd;
		curl_multi_assign(h->multi, fd, s);
	} else
		event_free(s->ev);
	s->ev = event_new(h->base, fd, kind, http_sock_cb, s);
	event_add(s->ev, NULL);
	return 0;
}

static void
http_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct http	*h = arg;
	int		 running;

	curl_multi_socket_action(h->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	http_check_done(h);
}

/* CURLMOPT_TIMERFUNCTION. */
static int
http_timer_fn(CURLM *multi, long timeout_ms, void *userp)
{
	struct http	*h = userp;

	if (timeout_ms < 0)
		evtimer_del(h->timer);
	else if (timeout_ms == 0) {
		evtimer_del(h->timer);
		http_kick(h->timer);	/* "now": this loop pass */
	} else
		timer_add_ms(h->timer, timeout_ms);
	return 0;
}

/*
 * A stream through a proxy (on curl): the end of a 2xx head is told to its
 * owner once, with no bytes, as lib/hstream.c does: the subscription exists.
 */
static size_t
http_header_fn(char *p, size_t size, size_t n, void *arg)
{
	struct http_xfer	*x = arg;
	long			 status = 0;

	n *= size;
	if (x->dead)
		return 0;
	if (x->opened || n > 2 || (n == 2 && p[0] != '\r') ||
	    (n == 1 && p[0] != '\n'))
		return n;
	curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &status);
	if (status >= 200 && status < 300) {
		x->opened = 1;
		x->stream(x->id, "", 0, x->arg);
	}
	return x->dead ? 0 : n;
}

static size_t
http_write_fn(char *p, size_t size, size_t n, void *arg)
{
	struct http_xfer	*x = arg;
	long			 status = 0;

	if (x->dead)
		return 0;		/* aborts the transfer */
	n *= size;
	if (x->stream != NULL) {	/* a stream through a proxy */
		curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &status);
		if (status >= 200 && status < 300) {
			x->stream(x->id, p, n, x->arg);
			return x->dead ? 0 : n;
		}
	}
	if (x->resp.len + n > HTTP_MAX_BODY) {
		x->overflow = 1;
		return 0;
	}
	buf_add(&x->resp, p, n);
	return n;
}

static void
http_reaper_cb(evutil_socket_t fd, short what, void *arg)
{
	struct http		*h = arg;
	struct http_xfer	*x, *next;

	/*
	 * The dead are nearly always the newest requests, at the head; a
	 * thousand users' streams behind them are not walked at each one.
	 */
	for (x = h->xfers; x != NULL && h->ndead > 0; x = next) {
		next = x->next;
		if (x->dead) {
			http_unlink(h, x);
			http_xfer_free(x);
			h->ndead--;
		}
	}
	http_bg_next(h);
}

/*
 * curl's TLS connections, so that their record buffers can be given back
 * once a transfer is done: each idle connection in curl's pool otherwise
 * keeps its 17.7 KB read buffer (and write buffer) until it is used again
 * or closed (massif, doc/performance.md); SSL_MODE_RELEASE_BUFFERS does
 * not free them on OpenSSL 3.0. curl hands out no SSL of an idle
 * connection, so each is noted when its handshake starts and forgotten
 * when OpenSSL frees it (the ex_data's free function).
 */
struct http_tls {
	SSL			*ssl;
	LIST_ENTRY(http_tls)	 entry;
};
static LIST_HEAD(, http_tls) http_tls_conns = LIST_HEAD_INITIALIZER(http_tls_conns);
static int		 http_tls_index = -1;

static void
http_tls_gone(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl,
    void *argp)
{
	struct http_tls	*t = ptr;

	if (t != NULL) {
		LIST_REMOVE(t, entry);
		free(t);
	}
}

static void
http_tls_info_cb(const SSL *ssl, int where, int ret)
{
	struct http_tls	*t;

	if ((where & SSL_CB_HANDSHAKE_START) == 0 ||
	    SSL_get_ex_data(ssl, http_tls_index) != NULL)
		return;
	t = xcalloc(1, sizeof(*t));
	t->ssl = (SSL *)ssl;
	if (!SSL_set_ex_data(t->ssl, http_tls_index, t)) {
		free(t);
		return;
	}
	LIST_INSERT_HEAD(&http_tls_conns, t, entry);
}

/*
 * A transfer is done: its connection is back in curl's pool. Every curl
 * connection without a partly read or written record drops its buffers;
 * one in use gets them again at its next read.
 */
static void
http_tls_release(void)
{
	struct http_tls	*t;

	LIST_FOREACH(t, &http_tls_conns, entry)
		if (SSL_is_init_finished(t->ssl) && SSL_pending(t->ssl) == 0)
			SSL_free_buffers(t->ssl);
}

struct http *
http_new(struct event_base *base, const struct http_opts *opts)
{
	static int		 curl_ready;
	struct hstream_opts	 sopts;
	struct http		*h;

	if (!curl_ready) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
			return NULL;
		http_tls_index = SSL_get_ex_new_index(0, NULL, NULL, NULL,
		    http_tls_gone);
		curl_ready = 1;
	}
	h = xcalloc(1, sizeof(*h));
	h->base = base;
	h->opts = *opts;
	if (h->opts.timeout_ms <= 0)
		h->opts.timeout_ms = 10000;
	if (h->opts.retry_base_ms <= 0)
		h->opts.retry_base_ms = 250;
	if (h->opts.retry_cap_ms <= 0)
		h->opts.retry_cap_ms = 10000;
	h->ca_file = opts->ca_file != NULL ? xstrdup(opts->ca_file) : NULL;
	h->user_agent = opts->user_agent != NULL ? xstrdup(opts->user_agent) :
	    xstrdup("dstnyd/" DSTNY_VERSION);
	h->opts.ca_file = h->ca_file;
	h->opts.user_agent = h->user_agent;
	h->next_id = 1;
	TAILQ_INIT(&h->startq);
	TAILQ_INIT(&h->waitq);
	h->multi = curl_multi_init();
	h->opts.keepalive = tcp_keepalive_get(&opts->keepalive);
	memset(&sopts, 0, sizeof(sopts));
	sopts.ca_file = h->ca_file;
	sopts.insecure = h->opts.insecure;
	sopts.keepalive = h->opts.keepalive;
	h->streams = hstream_env_new(base, &sopts);
	h->timer = evtimer_new(base, http_timer_cb, h);
	h->reaper = evtimer_new(base, http_reaper_cb, h);
	h->starter = evtimer_new(base, http_starter_cb, h);
	curl_multi_setopt(h->multi, CURLMOPT_SOCKETFUNCTION, http_socket_fn);
	curl_multi_setopt(h->multi, CURLMOPT_SOCKETDATA, h);
	curl_multi_setopt(h->multi, CURLMOPT_TIMERFUNCTION, http_timer_fn);
	curl_multi_setopt(h->multi, CURLMOPT_TIMERDATA, h);
	/*
	 * Idle connections kept for reuse: a few, not curl's default of four
	 * per transfer ever added, which with a thousand users (each with
	 * its own streams) kept thousands of sockets open for nothing.
	 */
	curl_multi_setopt(h->multi, CURLMOPT_MAXCONNECTS, (long)HTTP_IDLE_CONNS);
	/*
	 * curl keeps TLS sessions per easy handle, and each request has its
	 * own: without a share every new connection was a full handshake.
	 * The multi handle already shares the connection pool.
	 */
	if ((h->share = curl_share_init()) != NULL)
		curl_share_setopt(h->share, CURLSHOPT_SHARE,
		    CURL_LOCK_DATA_SSL_SESSION);
	return h;
}

static void
http_xfer_free(struct http_xfer *x)
{
	struct curl_slist	*l;

	if (x->active)
		curl_multi_remove_handle(x->http->multi, x->easy);
	if (x->queue == XQ_START)
		TAILQ_REMOVE(&x->http->startq, x, qentry);
	else if (x->queue == XQ_WAIT)
		TAILQ_REMOVE(&x->http->waitq, x, qentry);
	if (x->admitted)
		x->http->nbg--;
	if (x->easy != NULL)
		curl_easy_cleanup(x->easy);
	hstream_close(x->hs);
	if (x->secret && x->resp.data != NULL)
		secret_wipe(x->resp.data, x->resp.len);
	/* Headers may carry a bearer token. */
	for (l = x->headers; l != NULL; l = l->next)
		secret_wipe(l->data, strlen(l->data));
	curl_slist_free_all(x->headers);
	if (x->retry_ev != NULL)
		event_free(x->retry_ev);
	free(x->body);
	free(x->errbuf);
	buf_free(&x->resp);
	free(x);
}

void
http_free(struct http *h)
{
	struct http_xfer	*x;

	if (h == NULL)
		return;
	while ((x = h->xfers) != NULL) {
		h->xfers = x->next;
		http_xfer_free(x);
	}
	curl_multi_cleanup(h->multi);
	if (h->share != NULL)
		curl_share_cleanup(h->share);
	hstream_env_free(h->streams);
	event_free(h->timer);
	event_free(h->reaper);
	event_free(h->starter);
	castore_free();		/* contexts still open keep their reference */
	free(h->ca_file);
	free(h->user_agent);
	free(h);
}

/*
 * CURLOPT_SOCKOPTFUNCTION: the connection's TCP keepalive and user timeout,
 * as lib/hstream.c sets them (curl 7.88 has options for the first two of
 * the four, so all are set here, in one place).
 */
/* A new TLS connection's context verifies against the shared store. */
static CURLcode
http_ssl_ctx_fn(CURL *easy, void *sslctx, void *arg)
{
	struct http	*h = arg;
	X509_STORE	*store;
	char		*why = NULL;

	(void)easy;
	if ((store = castore_get(h->ca_file, &why)) == NULL) {
		log_warnx("%s", why);
		free(why);
		return CURLE_SSL_CACERT_BADFILE;
	}
	SSL_CTX_set1_cert_store(sslctx, store);
	if (http_tls_index != -1)
		SSL_CTX_set_info_callback(sslctx, http_tls_info_cb);
	return CURLE_OK;
}

static int
http_sockopt_fn(void *arg, curl_socket_t fd, curlsocktype purpose)
{
	struct http	*h = arg;

	if (purpose == CURLSOCKTYPE_IPCXN &&
	    tcp_keepalive_set(fd, &h->opts.keepalive) == -1)
		log_warn("http: TCP keepalive");
	return CURL_SOCKOPT_OK;
}

/* "Name: value"; an empty value removes a header curl would add. */
static void
http_add_header(struct http_xfer *x, const char *name, const char *value)
{
	size_t	 nlen = strlen(name), vlen = strlen(value), len;
	char	*line;

	/* Copied, not formatted: vasprintf was a quarter of http_send(). */
	len = nlen + 1 + (vlen != 0) + vlen;
	line = xmalloc(len + 1);
	memcpy(line, name, nlen);
	line[nlen] = ':';
	if (vlen != 0)
		line[nlen + 1] = ' ';
	memcpy(line + len - vlen, value, vlen);
	line[len] = '\0';
	x->headers = curl_slist_append(x->headers, line);
	secret_wipe(line, len);
	free(line);
}

/*
 * The headers every request and stream carries, as name, value, ...,
 * NULL in hdr (HTTP_HEADERS_MAX entries). idbuf holds the request id;
 * *bearer, when set, the Authorization value: the caller wipes and frees it.
 */
static void
http_common_headers(const struct http_req *req, uint64_t id,
    const char *hdr[HTTP_HEADERS_MAX], char idbuf[32], char **bearer)
{
	const char	*token;
	size_t		 n = 0, tlen;

	hdr[n++] = "Accept";
	hdr[n++] = req->accept != NULL ? req->accept : "application/json";
	snprintf(idbuf, 32, "%llu", (unsigned long long)id);
	hdr[n++] = "X-Request-Id";
	hdr[n++] = idbuf;
	if (req->last_event_id != NULL && *req->last_event_id != '\0') {
		hdr[n++] = "Last-Event-ID";
		hdr[n++] = req->last_event_id;
	}
	*bearer = NULL;
	if (req->bearer != NULL) {
		token = secret_value(req->bearer);
		tlen = strlen(token);
		*bearer = xmalloc(sizeof("Bearer ") + tlen);
		memcpy(*bearer, "Bearer ", sizeof("Bearer ") - 1);
		memcpy(*bearer + sizeof("Bearer ") - 1, token, tlen + 1);
		hdr[n++] = "Authorization";
		hdr[n++] = *bearer;
	}
	hdr[n] = NULL;
}

static void
http_wipe_free(char *s)
{
	if (s != NULL) {
		secret_wipe(s, strlen(s));
		free(s);
	}
}

/*
 * Transfers are added to the multi handle from an event of their own:
 * http_send() may be called from inside a curl callback (a stream's data
 * starting a request), where curl refuses new handles.
 */
static void
http_starter_cb(evutil_socket_t fd, short what, void *arg)
{
	struct http		*h = arg;
	struct http_xfer	*x;
	CURLMcode		 rc;

	while ((x = TAILQ_FIRST(&h->startq)) != NULL) {
		TAILQ_REMOVE(&h->startq, x, qentry);
		x->queue = XQ_NONE;
		if (x->dead)
			continue;
		x->active = 1;
		if ((rc = curl_multi_add_handle(h->multi, x->easy)) != CURLM_OK) {
			x->active = 0;
			log_warnx("http: #%llu: %s", (unsigned long long)x->id,
			    curl_multi_strerror(rc));
		}
	}
	/*
	 * curl asks for a zero timeout now: http_timer_fn() makes the timer
	 * active, so they are sent in this same loop pass.
	 */
}

static void
http_launch(struct http_xfer *x)
{
	if (x->queue == XQ_NONE) {
		x->queue = XQ_START;
		TAILQ_INSERT_TAIL(&x->http->startq, x, qentry);
	}
	http_kick(x->http->starter);
}

static void
http_start(struct http_xfer *x)
{
	struct http	*h = x->http;

	buf_reset(&x->resp);
	x->overflow = 0;
	x->errbuf[0] = '\0';
	x->attempts++;
	if (x->background && !x->admitted) {
		if (h->nbg >= HTTP_BG_CONNS) {
			x->queue = XQ_WAIT;
			TAILQ_INSERT_TAIL(&h->waitq, x, qentry);
			return;
		}
		x->admitted = 1;
		h->nbg++;
	}
	http_launch(x);
}

/*
 * Background requests (the keepalive tick's renewals and refreshes for
 * every user, the start of a user) take at most HTTP_BG_CONNS connections
 * at once, the rest waiting in order, so that they reuse the pooled
 * connections. Sent all at once, 60 users' tick opened a connection, with
 * a TLS handshake, for nearly each of its 180 requests, and the heap
 * those left behind stayed: 250 KB per user (doc/performance.md). Other
 * requests never wait for them.
 */
static void
http_bg_done(struct http *h, struct http_xfer *x)
{
	if (x->admitted) {
		x->admitted = 0;
		h->nbg--;
	}
	http_bg_next(h);
}

static void
http_bg_next(struct http *h)
{
	struct http_xfer	*x;

	while (h->nbg < HTTP_BG_CONNS && (x = TAILQ_FIRST(&h->waitq)) != NULL) {
		TAILQ_REMOVE(&h->waitq, x, qentry);
		x->queue = XQ_NONE;
		if (x->dead)
			continue;
		x->admitted = 1;
		h->nbg++;
		http_launch(x);
	}
}

static struct http_xfer *
http_xfer_new(struct http *h, http_done_cb done, void *arg)
{
	struct http_xfer	*x = xcalloc(1, sizeof(*x));

	x->id = h->next_id++;
	x->http = h;
	x->done = done;
	x->arg = arg;
	buf_init(&x->resp);
	x->next = h->xfers;
	h->xfers = x;
	return x;
}

/*
 * Hand the outcome to the owner. The transfer is marked dead first: the
 * callback may cancel or send freely; the reaper frees it.
 */
static void
http_deliver(struct http *h, struct http_xfer *x, struct http_resp *resp,
    char *msg)
{
	char	*fixed;

	/* D-Bus errors carry it, and curl's may quote the peer's certificate. */
	if (msg != NULL && !utf8_valid(msg, strlen(msg))) {
		fixed = utf8_sanitize(msg, strlen(msg), NULL);
		free(msg);
		msg = fixed;
	}
	resp->id = x->id;
	resp->message = msg != NULL ? msg : "";
	log_debug("http: #%llu done: %ld %s%s%s", (unsigned long long)x->id,
	    resp->status, resp->err != DSTNY_OK ? dstny_err_name(resp->err) : "ok",
	    *resp->message != '\0' ? ": " : "", resp->message);
	x->dead = 1;
	h->ndead++;
	http_kick(h->reaper);
	x->done(resp, x->arg);
	free(msg);
	/* A ticket answer: no copy of the token waits for the reaper. */
	if (x->secret && x->resp.data != NULL)
		secret_wipe(x->resp.data, x->resp.len);
}

static void
http_stream_data(const char *p, size_t n, void *arg)
{
	struct http_xfer	*x = arg;

	if (!x->dead)
		x->stream(x->id, p, n, x->arg);
}

/*
 * An HTTP answer came: its status, its error kind and, for an error, the
 * Core's description of it (else "HTTP <status>"); NULL when all is well.
 */
static char *
http_answer(struct http_resp *resp, long status)
{
	char	*msg = NULL;

	resp->status = status;
	resp->err = dstny_err_from_http(status);
	if (resp->err != DSTNY_OK &&
	    (msg = core_error_message(resp->body, resp->body_len)) == NULL)
		msg = xasprintf("HTTP %ld", status);
	return msg;
}

static void
http_stream_end(const struct hstream_end *e, void *arg)
{
	struct http_xfer	*x = arg;
	struct http_resp	 resp;
	char			*msg = NULL;

	if (x->dead)
		return;
	memset(&resp, 0, sizeof(resp));
	resp.attempts = 1;
	resp.body = e->body;
	resp.body_len = e->body_len;
	if (e->status == 0) {
		resp.err = e->timeout ? DSTNY_ERR_TIMEOUT : DSTNY_ERR_UPSTREAM;
		msg = xstrdup(e->message);
	} else
		msg = http_answer(&resp, e->status);
	http_deliver(x->http, x, &resp, msg);
}

/*
 * Does curl send requests for url through a proxy (http_proxy, https_proxy,
 * all_proxy in its environment)? lib/hstream.c speaks to the Core
 * directly, so streams that would go through one stay on curl, which also
 * applies no_proxy: heavier, but they reach the Core as the requests do.
 */
static int
http_proxied(const char *url)
{
	static const char *const https[] = { "https_proxy", "HTTPS_PROXY",
	    "all_proxy", "ALL_PROXY", NULL };
	static const char *const http[] = { "http_proxy", "all_proxy",
	    "ALL_PROXY", NULL };
	const char *const	*v;
	const char		*s;

	v = strncasecmp(url, "https:", 6) == 0 ? https : http;
	for (; *v != NULL; v++)
		if ((s = getenv(*v)) != NULL && *s != '\0')
			return 1;
	return 0;
}

/*
 * What the debug log calls a request: its route's name, or its URL's
 * origin. Never the path: a webhook deletion's carries the targetId.
 */
static const char *
http_log_name(const struct http_req *req, char *buf, size_t len)
{
	const char	*p = strstr(req->url, "://");

	if (req->log_name != NULL)
		return req->log_name;
	p = p != NULL ? p + 3 : req->url;
	snprintf(buf, len, "%.*s/...", (int)(p - req->url + strcspn(p, "/?#")),
	    req->url);
	return buf;
}

/*
 * An event stream: a GET on lib/hstream.c, not curl, because it is idle
 * nearly all its life and a curl transfer costs six times the memory.
 * Never retried here: the stream's owner reconnects with its own backoff.
 */
static uint64_t
http_stream_send(struct http *h, const struct http_req *req, http_done_cb done,
    void *arg)
{
	struct http_xfer	*x = http_xfer_new(h, done, arg);
	const char		*hdr[2 + HTTP_HEADERS_MAX];
	char			 idbuf[32], *bearer, name[128];

	x->stream = req->stream;
	hdr[0] = "User-Agent";	/* curl sets it from CURLOPT_USERAGENT */
	hdr[1] = h->user_agent;
	http_common_headers(req, x->id, hdr + 2, idbuf, &bearer);
	log_debug("http: #%llu GET %s (stream)", (unsigned long long)x->id,
	    http_log_name(req, name, sizeof(name)));
	x->hs = hstream_open(h->streams, req->url, hdr,
	    req->timeout_ms > 0 ? req->timeout_ms : h->opts.timeout_ms,
	    http_stream_data, http_stream_end, x);
	http_wipe_free(bearer);
	return x->id;
}

uint64_t
http_send(struct http *h, const struct http_req *req, http_done_cb done,
    void *arg)
{
	struct http_xfer	*x;
	const char		*method = req->method != NULL ? req->method : "GET";
	const char		*hdr[HTTP_HEADERS_MAX];
	char			 idbuf[32], *bearer, name[128];
	size_t			 i;
	int			 override;

	if (req->stream != NULL && !http_proxied(req->url))
		return http_stream_send(h, req, done, arg);
	x = http_xfer_new(h, done, arg);
	x->stream = req->stream;
	x->is_get = strcmp(method, "GET") == 0;
	x->background = req->background && req->stream == NULL;
	x->easy = curl_easy_init();
	x->errbuf = xcalloc(1, CURL_ERROR_SIZE);

	curl_easy_setopt(x->easy, CURLOPT_URL, req->url);
	if (h->share != NULL)
		curl_easy_setopt(x->easy, CURLOPT_SHARE, h->share);
	/*
	 * The URL comes from the route table with every parameter encoded:
	 * sent as built, curl never merges "/../" into a parent resource.
	 */
	curl_easy_setopt(x->easy, CURLOPT_PATH_AS_IS, 1L);
	curl_easy_setopt(x->easy, CURLOPT_PRIVATE, (void *)(uintptr_t)x->id);
	curl_easy_setopt(x->easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(x->easy, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(x->easy, CURLOPT_ERRORBUFFER, x->errbuf);
	curl_easy_setopt(x->easy, CURLOPT_WRITEFUNCTION, http_write_fn);
	curl_easy_setopt(x->easy, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(x->easy, CURLOPT_USERAGENT, h->user_agent);
	curl_easy_setopt(x->easy, CURLOPT_SOCKOPTFUNCTION, http_sockopt_fn);
	curl_easy_setopt(x->easy, CURLOPT_SOCKOPTDATA, h);
	curl_easy_setopt(x->easy, CURLOPT_CONNECTTIMEOUT_MS,
	    req->timeout_ms > 0 ? req->timeout_ms : h->opts.timeout_ms);
	if (req->stream == NULL)
		curl_easy_setopt(x->easy, CURLOPT_TIMEOUT_MS,
		    req->timeout_ms > 0 ? req->timeout_ms : h->opts.timeout_ms);
	else {	/* long-lived and mostly idle: a small receive buffer */
		curl_easy_setopt(x->easy, CURLOPT_BUFFERSIZE,
		    (long)HTTP_STREAM_BUFSIZE);
		curl_easy_setopt(x->easy, CURLOPT_HEADERFUNCTION, http_header_fn);
		curl_easy_setopt(x->easy, CURLOPT_HEADERDATA, x);
		/* A proxy's CONNECT answer is not the stream's head. */
		curl_easy_setopt(x->easy, CURLOPT_SUPPRESS_CONNECT_HEADERS, 1L);
	}
	if (h->opts.insecure) {
		curl_easy_setopt(x->easy, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(x->easy, CURLOPT_SSL_VERIFYHOST, 0L);
	} else {
		/*
		 * curl loads no CA file of its own: each connection's
		 * context gets the process's one store (castore.c), which
		 * a bundle per connection would multiply.
		 */
		if (curl_easy_setopt(x->easy, CURLOPT_SSL_CTX_FUNCTION,
		    http_ssl_ctx_fn) == CURLE_OK) {
			curl_easy_setopt(x->easy, CURLOPT_SSL_CTX_DATA, h);
			curl_easy_setopt(x->easy, CURLOPT_CAINFO, NULL);
			curl_easy_setopt(x->easy, CURLOPT_CAPATH, NULL);
		} else if (h->ca_file != NULL)	/* not curl on OpenSSL */
			curl_easy_setopt(x->easy, CURLOPT_CAINFO, h->ca_file);
	}

	override = h->opts.method_override && (strcmp(method, "PUT") == 0 ||
	    strcmp(method, "DELETE") == 0);
	if (override) {
		http_add_header(x, "X-HTTP-Method-Override", method);
		method = "POST";
	}
	if (strcmp(method, "POST") == 0 || req->body != NULL) {
		x->body = xstrndup(req->body != NULL ? req->body : "",
		    req->body != NULL ? req->body_len : 0);
		curl_easy_setopt(x->easy, CURLOPT_POSTFIELDS, x->body);
		curl_easy_setopt(x->easy, CURLOPT_POSTFIELDSIZE,
		    (long)(req->body != NULL ? req->body_len : 0));
	}
	if (strcmp(method, "GET") != 0 && strcmp(method, "POST") != 0)
		curl_easy_setopt(x->easy, CURLOPT_CUSTOMREQUEST, method);

	http_common_headers(req, x->id, hdr, idbuf, &bearer);
	for (i = 0; hdr[i] != NULL; i += 2)
		http_add_header(x, hdr[i], hdr[i + 1]);
	http_wipe_free(bearer);
	if (req->body != NULL)
		http_add_header(x, "Content-Type", "application/json");
	http_add_header(x, "Expect", "");
	if (req->basic_user != NULL && req->basic_pass != NULL) {
		curl_easy_setopt(x->easy, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		curl_easy_setopt(x->easy, CURLOPT_USERNAME, req->basic_user);
		curl_easy_setopt(x->easy, CURLOPT_PASSWORD,
		    secret_value(req->basic_pass));
		/* curl's copy lives for this one attempt: never retried. */
		x->secret = 1;
	}
	curl_easy_setopt(x->easy, CURLOPT_HTTPHEADER, x->headers);
	if (req->no_retry || req->stream != NULL || x->secret)
		x->is_get = 0;		/* a stream's owner reconnects */
	log_debug("http: #%llu %s %s", (unsigned long long)x->id,
	    req->method != NULL ? req->method : "GET",
	    http_log_name(req, name, sizeof(name)));
	http_start(x);
	return x->id;
}

void
http_cancel(struct http *h, uint64_t id)
{
	struct http_xfer	*x = http_find(h, id);

	if (x == NULL || x->dead)
		return;
	x->dead = 1;
	h->ndead++;
	if (x->retry_ev != NULL)
		event_del(x->retry_ev);
	http_kick(h->reaper);
}

size_t
http_pending(const struct http *h)
{
	const struct http_xfer	*x;
	size_t			 n = 0;

	for (x = h->xfers; x != NULL; x = x->next)
		n += !x->dead;
	return n;
}

static void
http_retry_cb(evutil_socket_t fd, short what, void *arg)
{
	struct http_xfer	*x = arg;

	if (!x->dead)
		http_start(x);
}

/* Is this outcome worth another try of an idempotent GET? */
static int
http_retryable(CURLcode rc, long status)
{
	if (rc == CURLE_OK)
		return status >= 500 || status == 429 || status == 408;
	switch (rc) {
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_GOT_NOTHING:
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_PARTIAL_FILE:
		return 1;
	default:
		return 0;
	}
}

/*
 * Tell the streams where curl reached the host: they then connect there
 * instead of resolving the name again with a resolver of their own.
 */
static void
http_note_address(struct http *h, CURL *easy)
{
	CURLU	*u;
	char	*ip = NULL, *url = NULL, *host = NULL;

	if (curl_easy_getinfo(easy, CURLINFO_PRIMARY_IP, &ip) != CURLE_OK ||
	    ip == NULL || *ip == '\0' || strcmp(ip, h->known_ip) == 0)
		return;		/* the usual case: nothing new */
	if (curl_easy_getinfo(easy, CURLINFO_EFFECTIVE_URL, &url) != CURLE_OK ||
	    url == NULL || (u = curl_url()) == NULL)
		return;
	if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK) {
		hstream_env_set_address(h->streams, host, ip);
		snprintf(h->known_ip, sizeof(h->known_ip), "%s", ip);
	}
	curl_free(host);
	curl_url_cleanup(u);
}

static void
http_finish(struct http *h, struct http_xfer *x, CURLcode rc)
{
	struct http_resp	 resp;
	char			*msg = NULL;
	long			 status = 0, delay;

	curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &status);
	if (status != 0)
		http_note_address(h, x->easy);
	curl_multi_remove_handle(h->multi, x->easy);
	x->active = 0;
	http_bg_done(h, x);
	if (x->secret) {
		/* curl frees its copy of the password now, not at cleanup. */
		curl_easy_setopt(x->easy, CURLOPT_USERNAME, NULL);
		curl_easy_setopt(x->easy, CURLOPT_PASSWORD, NULL);
	}
	if (x->dead)
		return;

	if (x->is_get && x->attempts <= h->opts.max_retries &&
	    http_retryable(rc, status)) {
		delay = backoff_delay_ms((unsigned)x->attempts - 1,
		    h->opts.retry_base_ms, h->opts.retry_cap_ms);
		log_debug("http: #%llu failed (%ld, %s), retry %d in %ld ms",
		    (unsigned long long)x->id, status, rc != CURLE_OK ?
		    curl_easy_strerror(rc) : "HTTP", x->attempts, delay);
		if (x->retry_ev == NULL)
			x->retry_ev = evtimer_new(h->base, http_retry_cb, x);
		timer_add_ms(x->retry_ev, delay);
		return;
	}

	memset(&resp, 0, sizeof(resp));
	resp.attempts = x->attempts;
	resp.body = x->resp.data != NULL ? x->resp.data : "";
	resp.body_len = x->resp.len;
	if (x->overflow) {
		resp.status = status;
		resp.err = DSTNY_ERR_UPSTREAM;
		msg = xstrdup("answer larger than 4 MiB");
	} else if (rc != CURLE_OK) {
		resp.status = 0;
		resp.err = rc == CURLE_OPERATION_TIMEDOUT ? DSTNY_ERR_TIMEOUT :
		    DSTNY_ERR_UPSTREAM;
		msg = xstrdup(x->errbuf[0] != '\0' ? x->errbuf :
		    curl_easy_strerror(rc));
	} else
		msg = http_answer(&resp, status);
	http_deliver(h, x, &resp, msg);
}

static void
http_check_done(struct http *h)
{
	struct http_xfer	*x;
	CURLMsg			*m;
	void			*priv;
	int			 left, done = 0;

	while ((m = curl_multi_info_read(h->multi, &left)) != NULL) {
		if (m->msg != CURLMSG_DONE)
			continue;
		done = 1;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, &priv);
		if ((x = http_find(h, (uint64_t)(uintptr_t)priv)) == NULL) {
			curl_multi_remove_handle(h->multi, m->easy_handle);
			continue;
		}
		http_finish(h, x, m->data.result);
	}
	if (done)
		http_tls_release();
}
