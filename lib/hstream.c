/*
 * hstream.c: long-lived HTTP GET streams on libevent's own HTTP client.
 *
 * An event stream is idle almost all of its life. As a curl transfer it
 * costs about 12 KB while idle (the easy handle, its connection and its
 * receive buffer); here it costs the evhttp connection, its bufferevent
 * and the request, about 2 KB, and holds no buffer between events. Short
 * requests stay on curl (lib/http.c), which retries and pools them.
 */
#include "config.h"

#include <sys/queue.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/dns.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "backoff.h"
#include "hstream.h"
#include "secret.h"
#include "xmalloc.h"

#define HSTREAM_ERRBODY_MAX	(64 * 1024)	/* of a non-2xx answer, kept */
#define HSTREAM_HEADERS_MAX	(64 * 1024)
#define HSTREAM_NO_TIMEOUT	(10 * 365 * 86400)	/* evhttp's read timeout */

struct hstream_env {
	struct event_base	*base;
	struct evdns_base	*dns;		/* made for the first host name */
	SSL_CTX			*ssl_ctx;	/* made for the first https URL */
	char			*ca_file;
	int			 insecure;
	char			*known_host;	/* hstream_env_set_address() */
	char			*known_ip;
};

struct hstream {
	struct hstream_env	*env;
	struct evhttp_connection *evcon;
	struct evhttp_request	*req;		/* until evhttp is done with it */
	SSL			*ssl;		/* owned by the bufferevent */
	struct event		*timer;		/* connect timeout, or a failure to report;
						   freed once the answer comes */
	hstream_data_cb		 data;
	hstream_end_cb		 end;
	void			*arg;
	long			 status;
	int			 opening;	/* inside hstream_open(): report later */
	int			 ended;
	int			 streaming;	/* the body has begun */
	int			 error;		/* an enum evhttp_request_error, or -1 */
	char			*fail;		/* a failure to report from the timer */
	struct buf		 body;		/* of a non-2xx answer */
};

struct hstream_env *
hstream_env_new(struct event_base *base, const char *ca_file, int insecure)
{
	struct hstream_env	*env = xcalloc(1, sizeof(*env));

	env->base = base;
	env->ca_file = ca_file != NULL ? xstrdup(ca_file) : NULL;
	env->insecure = insecure;
	return env;
}

void
hstream_env_free(struct hstream_env *env)
{
	if (env == NULL)
		return;
	if (env->dns != NULL)
		evdns_base_free(env->dns, 0);
	if (env->ssl_ctx != NULL)
		SSL_CTX_free(env->ssl_ctx);
	free(env->ca_file);
	free(env->known_host);
	free(env->known_ip);
	free(env);
}

void
hstream_env_set_address(struct hstream_env *env, const char *host,
    const char *ip)
{
	free(env->known_host);
	free(env->known_ip);
	env->known_host = xstrdup(host);
	env->known_ip = xstrdup(ip);
}

static SSL_CTX *
env_ssl_ctx(struct hstream_env *env, char **why)
{
	SSL_CTX	*ctx;
	int	 ok;

	if (env->ssl_ctx != NULL)
		return env->ssl_ctx;
	if ((ctx = SSL_CTX_new(TLS_client_method())) == NULL) {
		*why = xstrdup("TLS: cannot make a context");
		return NULL;
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	/* Idle streams give their TLS record buffers back. */
	SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
	if (!env->insecure) {
		SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
		ok = env->ca_file != NULL ?
		    SSL_CTX_load_verify_locations(ctx, env->ca_file, NULL) :
		    SSL_CTX_set_default_verify_paths(ctx);
		if (ok != 1) {
			*why = xasprintf("TLS: cannot load the CA certificates%s%s",
			    env->ca_file != NULL ? " of " : "",
			    env->ca_file != NULL ? env->ca_file : "");
			SSL_CTX_free(ctx);
			ERR_clear_error();
			return NULL;
		}
	}
	env->ssl_ctx = ctx;
	return ctx;
}

static struct evdns_base *
env_dns(struct hstream_env *env)
{
	/* Resolver sockets exist only while a lookup is in flight. */
	if (env->dns == NULL)
		env->dns = evdns_base_new(env->base,
		    EVDNS_BASE_INITIALIZE_NAMESERVERS |
		    EVDNS_BASE_DISABLE_WHEN_INACTIVE);
	return env->dns;
}

static int
is_ip_literal(const char *host)
{
	unsigned char	a[16];

	return inet_pton(AF_INET, host, a) == 1 || inet_pton(AF_INET6, host, a) == 1;
}

/* Wipe every header value (one may be a bearer token), then drop them. */
static void
wipe_headers(struct evkeyvalq *h)
{
	struct evkeyval	*kv;

	if (h == NULL)
		return;
	TAILQ_FOREACH(kv, h, next)
		secret_wipe(kv->value, strlen(kv->value));
	evhttp_clear_headers(h);
}

static void
hs_finish(struct hstream *s, long status, int timeout, const char *msg)
{
	struct hstream_end	 e;

	if (s->ended)
		return;
	if (s->opening) {	/* hstream_open() reports it from the timer */
		free(s->fail);
		s->fail = xstrdup(msg);
		return;
	}
	s->ended = 1;
	if (s->timer != NULL)
		event_del(s->timer);
	memset(&e, 0, sizeof(e));
	e.status = status;
	e.timeout = timeout;
	e.message = msg != NULL ? msg : "";
	e.body = s->body.data != NULL ? s->body.data : "";
	e.body_len = s->body.len;
	s->end(&e, s->arg);
}

/* What went wrong, in words, when no answer came. */
static char *
hs_why(struct hstream *s)
{
	struct bufferevent	*bev = evhttp_connection_get_bufferevent(s->evcon);
	unsigned long		 e;
	long			 v;
	char			 buf[256];

	if (s->ssl != NULL && !s->env->insecure &&
	    (v = SSL_get_verify_result(s->ssl)) != X509_V_OK)
		return xasprintf("SSL certificate problem: %s",
		    X509_verify_cert_error_string(v));
	if (s->ssl != NULL && bev != NULL &&
	    (e = bufferevent_get_openssl_error(bev)) != 0) {
		ERR_error_string_n(e, buf, sizeof(buf));
		ERR_clear_error();
		return xasprintf("TLS: %s", buf);
	}
	switch (s->error) {
	case EVREQ_HTTP_TIMEOUT:
		return xstrdup("timed out");
	case EVREQ_HTTP_INVALID_HEADER:
		return xstrdup("not an HTTP answer");
	case EVREQ_HTTP_DATA_TOO_LONG:
		return xstrdup("answer headers too large");
	default:
		break;
	}
	/* evhttp does not say which (refused, reset or closed), nor errno. */
	return xstrdup(s->status != 0 ? "connection lost" :
	    "could not connect, or the connection closed without an answer");
}

static void
hs_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct hstream	*s = arg;
	char		*msg;

	if (s->fail != NULL) {
		msg = s->fail;
		s->fail = NULL;
		hs_finish(s, 0, 0, msg);
		free(msg);
		return;
	}
	hs_finish(s, 0, 1, "no answer within the connect timeout");
}

static void
hs_error_cb(enum evhttp_request_error error, void *arg)
{
	struct hstream	*s = arg;

	s->error = error;
}

static int
hs_header_cb(struct evhttp_request *req, void *arg)
{
	struct hstream		*s = arg;
	struct bufferevent	*bev;
	int			 one = 1;

	s->status = evhttp_request_get_response_code(req);
	event_free(s->timer);	/* answered: no timeout for a stream */
	s->timer = NULL;
	/* The request is out: its headers, the token among them, can go. */
	wipe_headers(evhttp_request_get_output_headers(req));
	bev = evhttp_connection_get_bufferevent(s->evcon);
	if (bev != NULL && bufferevent_getfd(bev) >= 0)
		setsockopt(bufferevent_getfd(bev), SOL_SOCKET, SO_KEEPALIVE,
		    &one, sizeof(one));
	return 0;
}

static void
hs_chunk_cb(struct evhttp_request *req, void *arg)
{
	struct hstream	*s = arg;
	struct evbuffer	*in = evhttp_request_get_input_buffer(req);
	size_t		 n;
	int		 ok = s->status >= 200 && s->status < 300;

	/*
	 * evhttp has read the framing from the answer's headers by now; a
	 * stream lives for hours, its headers need not (about 400 B).
	 */
	if (!s->streaming && ok) {
		s->streaming = 1;
		evhttp_clear_headers(evhttp_request_get_input_headers(req));
	}
	while ((n = evbuffer_get_contiguous_space(in)) > 0) {
		const char *p = (const char *)evbuffer_pullup(in, (ssize_t)n);

		if (s->ended)
			;
		else if (ok)
			s->data(p, n, s->arg);
		else if (s->body.len + n <= HSTREAM_ERRBODY_MAX)
			buf_add(&s->body, p, n);
		evbuffer_drain(in, n);
	}
}

static void
hs_done_cb(struct evhttp_request *req, void *arg)
{
	struct hstream	*s = arg;
	char		*why;

	s->req = NULL;		/* evhttp frees it when this returns */
	if (s->ended)
		return;
	if (req == NULL || evhttp_request_get_response_code(req) == 0) {
		why = hs_why(s);
		hs_finish(s, 0, s->error == EVREQ_HTTP_TIMEOUT, why);
		free(why);
		return;
	}
	hs_chunk_cb(req, s);	/* whatever is left */
	hs_finish(s, evhttp_request_get_response_code(req), 0, "");
}

/* Make the connection and send the request; -1 and *why on failure. */
static int
hs_connect(struct hstream *s, const char *url, const char *const *headers,
    char **why)
{
	struct evhttp_uri	*uri;
	struct bufferevent	*bev;
	struct evdns_base	*dns = NULL;
	struct evkeyvalq	*out;
	SSL_CTX			*ctx = NULL;
	const char		*scheme, *host, *path, *query;
	char			*conn_host = NULL, *target = NULL, *hosthdr = NULL;
	const char		*addr;
	int			 port, tls, rc = -1;
	size_t			 i;

	uri = evhttp_uri_parse_with_flags(url, EVHTTP_URI_NONCONFORMANT);
	if (uri == NULL || (scheme = evhttp_uri_get_scheme(uri)) == NULL ||
	    (host = evhttp_uri_get_host(uri)) == NULL || *host == '\0') {
		*why = xstrdup("not a URL");
		goto out;
	}
	if (strcasecmp(scheme, "https") == 0)
		tls = 1;
	else if (strcasecmp(scheme, "http") == 0)
		tls = 0;
	else {
		*why = xasprintf("unsupported scheme %s", scheme);
		goto out;
	}
	if ((port = evhttp_uri_get_port(uri)) < 0)
		port = tls ? 443 : 80;
	/* libevent keeps an IPv6 literal's brackets; connecting wants none. */
	if (host[0] == '[')
		conn_host = xstrndup(host + 1, strcspn(host + 1, "]"));
	else
		conn_host = xstrdup(host);
	path = evhttp_uri_get_path(uri);
	query = evhttp_uri_get_query(uri);
	target = xasprintf("%s%s%s", path != NULL && *path != '\0' ? path : "/",
	    query != NULL ? "?" : "", query != NULL ? query : "");
	if ((tls ? port != 443 : port != 80))
		hosthdr = xasprintf("%s:%d", host, port);
	else
		hosthdr = xstrdup(host);

	addr = conn_host;
	if (s->env->known_host != NULL &&
	    strcasecmp(s->env->known_host, conn_host) == 0)
		addr = s->env->known_ip;
	if (!is_ip_literal(addr) && (dns = env_dns(s->env)) == NULL) {
		*why = xstrdup("cannot set up name resolution");
		goto out;
	}
	if (tls) {
		if ((ctx = env_ssl_ctx(s->env, why)) == NULL)
			goto out;
		if ((s->ssl = SSL_new(ctx)) == NULL) {
			*why = xstrdup("TLS: cannot make a session");
			goto out;
		}
		if (!is_ip_literal(conn_host))
			SSL_set_tlsext_host_name(s->ssl, conn_host);
		if (!s->env->insecure) {
			if (is_ip_literal(conn_host))
				X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(s->ssl),
				    conn_host);
			else
				SSL_set1_host(s->ssl, conn_host);
		}
		bev = bufferevent_openssl_socket_new(s->env->base, -1, s->ssl,
		    BUFFEREVENT_SSL_CONNECTING, BEV_OPT_CLOSE_ON_FREE);
		if (bev == NULL) {
			SSL_free(s->ssl);
			s->ssl = NULL;
		} else
			bufferevent_openssl_set_allow_dirty_shutdown(bev, 1);
	} else
		bev = bufferevent_socket_new(s->env->base, -1, BEV_OPT_CLOSE_ON_FREE);
	if (bev == NULL) {
		*why = xstrdup("cannot make a connection");
		goto out;
	}
	s->evcon = evhttp_connection_base_bufferevent_new(s->env->base, dns, bev,
	    addr, (unsigned short)port);
	if (s->evcon == NULL) {
		bufferevent_free(bev);	/* and the TLS session with it */
		s->ssl = NULL;
		*why = xstrdup("cannot make a connection");
		goto out;
	}
	/* A stream is silent for as long as nothing happens: no read timeout. */
	evhttp_connection_set_timeout(s->evcon, HSTREAM_NO_TIMEOUT);
	evhttp_connection_set_max_headers_size(s->evcon, HSTREAM_HEADERS_MAX);

	s->req = evhttp_request_new(hs_done_cb, s);
	evhttp_request_set_header_cb(s->req, hs_header_cb);
	evhttp_request_set_chunked_cb(s->req, hs_chunk_cb);
	evhttp_request_set_error_cb(s->req, hs_error_cb);
	out = evhttp_request_get_output_headers(s->req);
	evhttp_add_header(out, "Host", hosthdr);
	for (i = 0; headers != NULL && headers[i] != NULL && headers[i + 1] != NULL;
	    i += 2)
		evhttp_add_header(out, headers[i], headers[i + 1]);
	if (evhttp_make_request(s->evcon, s->req, EVHTTP_REQ_GET, target) != 0) {
		s->req = NULL;	/* evhttp has failed it */
		*why = xstrdup("cannot send the request");
		goto out;
	}
	rc = 0;
out:
	if (uri != NULL)
		evhttp_uri_free(uri);
	free(conn_host);
	free(target);
	free(hosthdr);
	return rc;
}

struct hstream *
hstream_open(struct hstream_env *env, const char *url, const char *const *headers,
    long connect_timeout_ms, hstream_data_cb data, hstream_end_cb end, void *arg)
{
	struct hstream	*s = xcalloc(1, sizeof(*s));
	char		*why = NULL;
	int		 rc;

	s->env = env;
	s->data = data;
	s->end = end;
	s->arg = arg;
	s->error = -1;
	buf_init(&s->body);
	s->timer = evtimer_new(env->base, hs_timer_cb, s);
	s->opening = 1;
	rc = hs_connect(s, url, headers, &why);
	s->opening = 0;
	if (rc != 0) {
		free(s->fail);
		s->fail = why;
	}
	/* A failure is reported from the timer, at once; else it times out. */
	timer_add_ms(s->timer, s->fail != NULL ? 0 :
	    connect_timeout_ms > 0 ? connect_timeout_ms : 10000);
	return s;
}

void
hstream_close(struct hstream *s)
{
	if (s == NULL)
		return;
	if (s->req != NULL)
		wipe_headers(evhttp_request_get_output_headers(s->req));
	/* Frees the request, the bufferevent and the TLS session; no callbacks. */
	if (s->evcon != NULL)
		evhttp_connection_free(s->evcon);
	if (s->timer != NULL)
		event_free(s->timer);
	free(s->fail);
	buf_free(&s->body);
	free(s);
}
