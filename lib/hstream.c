/*
 * hstream.c: long-lived HTTP GET streams on a socket and one libevent event.
 *
 * An event stream is idle almost all of its life. As a curl transfer it
 * cost about 12 KB while idle (the easy handle, its connection and its
 * receive buffer); on libevent's evhttp, about 2.4 KB (the connection, its
 * bufferevent and four evbuffers, the request). Here it is this struct,
 * one event and, for https, the TLS session: the request is written once,
 * the answer read into a buffer on the stack and its framing taken apart
 * by lib/hresp.c, so nothing is held between events. Short requests stay
 * on curl (lib/http.c), which retries and pools them.
 */
#include "config.h"

#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <event2/dns.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/util.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "castore.h"
#include "hresp.h"
#include "hstream.h"
#include "secret.h"
#include "tcp.h"
#include "xmalloc.h"

#define HSTREAM_ERRBODY_MAX	(64 * 1024)	/* of a non-2xx answer, kept */
#define HSTREAM_READ		(16 * 1024)	/* read at a time, on the stack */
#define HSTREAM_READS		4		/* reads per wakeup, then yield */
#define HSTREAM_SESSIONS	8		/* hosts whose TLS session is kept */

/*
 * The last TLS session (TLS 1.3: ticket) a host gave, offered when a
 * stream connects to it again. A Core drops every stream at once when a
 * node restarts or a balancer moves them; resuming saves each reconnect
 * the certificate exchange and its signature (full and resumed handshakes
 * are counted at the simulator, GET /_sim/state).
 */
struct hs_session {
	char			*key;		/* "host:port", as verified */
	SSL_SESSION		*sess;
	struct hs_session	*next;		/* newest first */
};

struct hstream_env {
	struct event_base	*base;
	struct evdns_base	*dns;		/* made for the first host name */
	SSL_CTX			*ssl_ctx;	/* made for the first https URL */
	BIO_METHOD		*bio_method;	/* with it: hs_bio_*() */
	char			*ca_file;
	int			 insecure;
	struct tcp_keepalive	 keepalive;
	char			*hosts_file;	/* tests: names also looked up here */
	char			*known_host;	/* hstream_env_set_address() */
	char			*known_ip;
	struct hs_session	*sessions;
};

enum hs_phase {
	HS_RESOLVE,		/* evdns is looking the host up */
	HS_CONNECT,
	HS_HANDSHAKE,		/* TLS */
	HS_SEND,		/* the request */
	HS_HEAD,		/* the answer's status and headers */
	HS_BODY,		/* a 2xx answer: no timeout from here on */
	HS_ENDED,
};

struct hstream {
	struct hstream_env	*env;
	struct event		*ev;		/* the socket, the connect timeout, or
						   a failure found while opening */
	evutil_socket_t		 fd;
	SSL			*ssl;
	char			*tls_key;	/* its host:port in env->sessions */
	struct evdns_getaddrinfo_request *dns;
	enum hs_phase		 phase;
	struct timeval		 deadline;	/* of the connect timeout */
	/* Until connected: the addresses to try in turn, and why the last failed. */
	struct evutil_addrinfo	*addrs;
	struct evutil_addrinfo	*addr;		/* the one tried now */
	struct timeval		 addr_deadline;	/* its share of the timeout */
	char			*lookup;	/* resolve this name once they are
						   all refused (they were curl's) */
	int			 port;
	char			*conn_err;
	char			*req;		/* the request; wiped once sent */
	size_t			 req_len;
	size_t			 req_off;
	struct hresp		 resp;
	hstream_data_cb		 data;
	hstream_end_cb		 end;
	void			*arg;
	int			 sock_err;	/* errno of the BIO's last socket call
						   that failed; 0 before each TLS call */
	int			 opening;	/* inside hstream_open(): report later */
	char			*fail;		/* a failure to report from the event */
	struct buf		 body;		/* of a non-2xx answer */
};

struct hstream_env *
hstream_env_new(struct event_base *base, const struct hstream_opts *opts)
{
	struct hstream_env	*env = xcalloc(1, sizeof(*env));

	env->base = base;
	env->ca_file = opts->ca_file != NULL ? xstrdup(opts->ca_file) : NULL;
	env->insecure = opts->insecure;
	env->keepalive = tcp_keepalive_get(&opts->keepalive);
	env->hosts_file = opts->hosts_file != NULL ? xstrdup(opts->hosts_file) :
	    NULL;
	return env;
}

static struct hs_session **
hs_session_find(struct hstream_env *env, const char *key)
{
	struct hs_session	**pp;

	for (pp = &env->sessions; *pp != NULL; pp = &(*pp)->next)
		if (strcmp((*pp)->key, key) == 0)
			return pp;
	return NULL;
}

static void
hs_session_unlink(struct hs_session **pp)
{
	struct hs_session	*e = *pp;

	*pp = e->next;
	SSL_SESSION_free(e->sess);
	free(e->key);
	free(e);
}

/*
 * SSL_CTX_sess_set_new_cb: a session to resume. With TLS 1.3 it comes
 * after the handshake, in the first reads of the answer; a newer one
 * replaces the older (RFC 8446 would have a ticket used once, but a
 * server that refuses one again just gets a full handshake).
 */
static int
hs_new_session_cb(SSL *ssl, SSL_SESSION *sess)
{
	struct hstream		*s = SSL_get_app_data(ssl);
	struct hs_session	*e, **pp;
	int			 n;

	if (s == NULL || s->tls_key == NULL || !SSL_SESSION_is_resumable(sess))
		return 0;
	if ((pp = hs_session_find(s->env, s->tls_key)) != NULL)
		hs_session_unlink(pp);
	for (n = 1, pp = &s->env->sessions; *pp != NULL; pp = &(*pp)->next)
		if (++n > HSTREAM_SESSIONS) {
			hs_session_unlink(pp);
			break;
		}
	e = xcalloc(1, sizeof(*e));
	e->key = xstrdup(s->tls_key);
	e->sess = sess;
	e->next = s->env->sessions;
	s->env->sessions = e;
	return 1;		/* the reference is ours now */
}

void
hstream_env_free(struct hstream_env *env)
{
	if (env == NULL)
		return;
	while (env->sessions != NULL)
		hs_session_unlink(&env->sessions);
	if (env->dns != NULL)
		evdns_base_free(env->dns, 0);
	if (env->ssl_ctx != NULL)
		SSL_CTX_free(env->ssl_ctx);
	BIO_meth_free(env->bio_method);
	free(env->ca_file);
	free(env->hosts_file);
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

/*
 * The socket under a TLS session. OpenSSL's own socket BIO writes with
 * write(2), which raises SIGPIPE on a connection the Core has reset; a
 * library must not count on its program ignoring that signal, so this one
 * sends with MSG_NOSIGNAL. Otherwise it behaves as the socket BIO does.
 */
static int
hs_bio_write(BIO *b, const char *p, int len)
{
	struct hstream	*s = BIO_get_data(b);
	ssize_t		 n;

	BIO_clear_retry_flags(b);
	n = send(s->fd, p, (size_t)len, MSG_NOSIGNAL);
	if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK ||
	    errno == EINTR))
		BIO_set_retry_write(b);
	else if (n == -1)
		s->sock_err = errno;
	return (int)n;
}

static int
hs_bio_read(BIO *b, char *p, int len)
{
	struct hstream	*s = BIO_get_data(b);
	ssize_t		 n;

	BIO_clear_retry_flags(b);
	n = recv(s->fd, p, (size_t)len, 0);
	if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK ||
	    errno == EINTR))
		BIO_set_retry_read(b);
	else if (n == -1)
		s->sock_err = errno;
	else if (n == 0)
		BIO_set_flags(b, BIO_FLAGS_IN_EOF);
	return (int)n;
}

static long
hs_bio_ctrl(BIO *b, int cmd, long num, void *ptr)
{
	struct hstream	*s = BIO_get_data(b);

	switch (cmd) {
	case BIO_C_GET_FD:
		if (ptr != NULL)
			*(int *)ptr = s->fd;
		return s->fd;
	case BIO_CTRL_EOF:
		return BIO_test_flags(b, BIO_FLAGS_IN_EOF) != 0;
	case BIO_CTRL_FLUSH:
	case BIO_CTRL_DUP:
		return 1;
	default:
		return 0;
	}
}

static SSL_CTX *
env_ssl_ctx(struct hstream_env *env, char **why)
{
	SSL_CTX		*ctx;
	X509_STORE	*store;

	if (env->ssl_ctx != NULL)
		return env->ssl_ctx;
	if ((env->bio_method = BIO_meth_new(BIO_get_new_index() |
	    BIO_TYPE_SOURCE_SINK | BIO_TYPE_DESCRIPTOR, "hstream socket")) == NULL ||
	    !BIO_meth_set_write(env->bio_method, hs_bio_write) ||
	    !BIO_meth_set_read(env->bio_method, hs_bio_read) ||
	    !BIO_meth_set_ctrl(env->bio_method, hs_bio_ctrl)) {
		BIO_meth_free(env->bio_method);
		env->bio_method = NULL;
		*why = xstrdup("TLS: cannot make the socket's BIO method");
		return NULL;
	}
	if ((ctx = SSL_CTX_new(TLS_client_method())) == NULL) {
		*why = xstrdup("TLS: cannot make a context");
		return NULL;
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	/* Idle streams give their TLS record buffers back. */
	SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
	/*
	 * A Core that closes the connection without close_notify has ended
	 * it, not failed: OpenSSL 3 calls that an error (unexpected EOF), 1.1
	 * a syscall error with errno 0. With this option both are an EOF.
	 * Truncation is still caught: the answer's own framing (chunked or
	 * Content-Length, lib/hresp.c) tells a cut answer from a whole one.
	 */
	SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
	/* Sessions are kept per host in env->sessions, not OpenSSL's cache. */
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT |
	    SSL_SESS_CACHE_NO_INTERNAL_STORE);
	SSL_CTX_sess_set_new_cb(ctx, hs_new_session_cb);
	if (!env->insecure) {
		SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
		/* The process's one store, shared with curl (castore.c). */
		if ((store = castore_get(env->ca_file, why)) == NULL) {
			SSL_CTX_free(ctx);
			return NULL;
		}
		SSL_CTX_set1_cert_store(ctx, store);
	}
	env->ssl_ctx = ctx;
	return ctx;
}

static struct evdns_base *
env_dns(struct hstream_env *env)
{
	/* Resolver sockets exist only while a lookup is in flight. */
	if (env->dns == NULL) {
		env->dns = evdns_base_new(env->base,
		    EVDNS_BASE_INITIALIZE_NAMESERVERS |
		    EVDNS_BASE_DISABLE_WHEN_INACTIVE);
		if (env->dns != NULL && env->hosts_file != NULL)
			evdns_base_load_hosts(env->dns, env->hosts_file);
	}
	return env->dns;
}

static int
is_ip_literal(const char *host)
{
	unsigned char	a[16];

	return inet_pton(AF_INET, host, a) == 1 || inet_pton(AF_INET6, host, a) == 1;
}

static void	hs_io_cb(evutil_socket_t, short, void *);

static void
hs_finish(struct hstream *s, long status, int timeout, const char *msg)
{
	struct hstream_end	 e;

	if (s->phase == HS_ENDED)
		return;
	if (s->opening) {	/* hstream_open() reports it from the event */
		free(s->fail);
		s->fail = xstrdup(msg);
		return;
	}
	s->phase = HS_ENDED;
	event_del(s->ev);
	memset(&e, 0, sizeof(e));
	e.status = status;
	e.timeout = timeout;
	e.message = msg != NULL ? msg : "";
	e.body = s->body.data != NULL ? s->body.data : "";
	e.body_len = s->body.len;
	s->end(&e, s->arg);
}

/* hs_finish() with a message made by the caller, which is freed. */
static void
hs_fail(struct hstream *s, char *msg)
{
	hs_finish(s, 0, 0, msg);
	free(msg);
}

/*
 * Wait for what (EV_READ or EV_WRITE; 0: only the clock). Until the
 * answer's head has come, the wait ends at the connect timeout; a 2xx
 * body is waited for as long as it takes, on a persistent event.
 */
static void
hs_arm(struct hstream *s, short what)
{
	struct timeval	now, left;
	int		body = s->phase == HS_BODY;

	if (body && event_pending(s->ev, what, NULL))
		return;
	event_del(s->ev);
	event_assign(s->ev, s->env->base, what != 0 ? s->fd : -1,
	    what | (body ? EV_PERSIST : 0), hs_io_cb, s);
	if (body) {
		event_add(s->ev, NULL);
		return;
	}
	event_base_gettimeofday_cached(s->env->base, &now);
	evutil_timersub(s->phase == HS_CONNECT ? &s->addr_deadline :
	    &s->deadline, &now, &left);
	if (left.tv_sec < 0)
		timerclear(&left);
	event_add(s->ev, &left);
}

/* The request is out, or never will be: wipe it (it holds the token). */
static void
hs_drop_request(struct hstream *s)
{
	if (s->req == NULL)
		return;
	secret_wipe(s->req, s->req_len);
	free(s->req);
	s->req = NULL;
}

/* OpenSSL wants the socket readable or writable first: wait; else 0. */
static int
hs_tls_wait(struct hstream *s, int e)
{
	if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE)
		return 0;
	hs_arm(s, e == SSL_ERROR_WANT_READ ? EV_READ : EV_WRITE);
	return 1;
}

/* Why the TLS layer failed, in words; err is the socket's errno, or 0. */
static char *
hs_tls_why(struct hstream *s, int err)
{
	unsigned long	e;
	long		v;
	char		buf[256];

	if (!s->env->insecure &&
	    (v = SSL_get_verify_result(s->ssl)) != X509_V_OK) {
		ERR_clear_error();
		return xasprintf("SSL certificate problem: %s",
		    X509_verify_cert_error_string(v));
	}
	if ((e = ERR_get_error()) != 0) {
		ERR_error_string_n(e, buf, sizeof(buf));
		ERR_clear_error();
		return xasprintf("TLS: %s", buf);
	}
	if (err != 0)
		return xasprintf("TLS: %s", strerror(err));
	return xstrdup("TLS: the connection closed during the handshake");
}

/* The connection failed while reading the answer. */
static char *
hs_lost(struct hstream *s, int err)
{
	char	*why, *msg;

	if (s->resp.status == 0)
		return hs_tls_why(s, err);
	if (err != 0)
		return xasprintf("connection lost: %s", strerror(err));
	why = hs_tls_why(s, 0);
	msg = xasprintf("connection lost: %s", why);
	free(why);
	return msg;
}

static void
hs_send(struct hstream *s)
{
	ssize_t	n;

	while (s->req_off < s->req_len) {
		if (s->ssl != NULL) {
			ERR_clear_error();
			s->sock_err = 0;
			n = SSL_write(s->ssl, s->req + s->req_off,
			    (int)(s->req_len - s->req_off));
			if (n <= 0) {
				if (!hs_tls_wait(s, SSL_get_error(s->ssl, (int)n)))
					hs_fail(s, hs_tls_why(s, s->sock_err));
				return;
			}
		} else if ((n = send(s->fd, s->req + s->req_off,
		    s->req_len - s->req_off, MSG_NOSIGNAL)) == -1) {
			if (errno == EAGAIN || errno == EINTR) {
				hs_arm(s, EV_WRITE);
				return;
			}
			hs_fail(s, xasprintf("could not send the request: %s",
			    strerror(errno)));
			return;
		}
		s->req_off += (size_t)n;
	}
	hs_drop_request(s);
	s->phase = HS_HEAD;
	hs_arm(s, EV_READ);
}

static void
hs_handshake(struct hstream *s)
{
	struct hs_session	**pp;
	int			  r, e;

	ERR_clear_error();
	s->sock_err = 0;
	if ((r = SSL_connect(s->ssl)) == 1) {
		s->phase = HS_SEND;
		hs_send(s);
		return;
	}
	e = SSL_get_error(s->ssl, r);
	if (hs_tls_wait(s, e))
		return;
	/* Whatever went wrong, the next try starts afresh. */
	if ((pp = hs_session_find(s->env, s->tls_key)) != NULL)
		hs_session_unlink(pp);
	hs_fail(s, hs_tls_why(s, s->sock_err));
}

static void	hs_lookup(struct hstream *, const char *);

/* Connected, or out of addresses: forget the ones left. */
static void
hs_addrs_free(struct hstream *s)
{
	if (s->addrs != NULL)
		evutil_freeaddrinfo(s->addrs);
	s->addrs = s->addr = NULL;
	free(s->lookup);
	s->lookup = NULL;
	free(s->conn_err);
	s->conn_err = NULL;
}

/* The address tried now failed with err: close its socket, note why. */
static void
hs_addr_failed(struct hstream *s, int err)
{
	char	host[INET6_ADDRSTRLEN + 2], serv[8];

	event_del(s->ev);
	if (s->fd != -1)
		close(s->fd);
	s->fd = -1;
	if (getnameinfo(s->addr->ai_addr, (socklen_t)s->addr->ai_addrlen, host,
	    sizeof(host), serv, sizeof(serv), NI_NUMERICHOST | NI_NUMERICSERV) != 0)
		snprintf(host, sizeof(host), "?");
	free(s->conn_err);
	s->conn_err = xasprintf("could not connect to %s port %s: %s", host,
	    serv, strerror(err));
}

/* Start connecting to s->addr: 0, or -1 when it failed at once. */
static int
hs_connect_addr(struct hstream *s)
{
	const struct evutil_addrinfo *ai = s->addr;

	s->fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (s->fd == -1) {
		hs_addr_failed(s, errno);
		return -1;
	}
	/* Silent for hours: let the kernel notice a peer that is gone. */
	tcp_keepalive_set(s->fd, &s->env->keepalive);
	s->phase = HS_CONNECT;
	if (connect(s->fd, ai->ai_addr, (socklen_t)ai->ai_addrlen) == -1 &&
	    errno != EINPROGRESS) {
		hs_addr_failed(s, errno);
		return -1;
	}
	hs_arm(s, EV_WRITE);
	return 0;
}

/*
 * Connect to each address in turn until one answers, as curl does: each
 * gets an equal share of the connect timeout left, so one that drops the
 * SYN leaves time for the next. When all have failed and they were the
 * address curl reached the host at (hstream_env_set_address()), the name
 * is looked up: the Core may have moved. Else the stream fails with the
 * last address's error.
 */
static void
hs_connect_next(struct hstream *s)
{
	struct evutil_addrinfo	*ai;
	struct timeval		 now, left;
	long long		 us, n;
	char			*name;

	for (; s->addr != NULL; s->addr = s->addr->ai_next) {
		for (n = s->lookup != NULL, ai = s->addr; ai != NULL;
		    ai = ai->ai_next)
			n++;
		event_base_gettimeofday_cached(s->env->base, &now);
		evutil_timersub(&s->deadline, &now, &left);
		us = left.tv_sec < 0 ? 0 :
		    ((long long)left.tv_sec * 1000000 + left.tv_usec) / n;
		left.tv_sec = (time_t)(us / 1000000);
		left.tv_usec = (suseconds_t)(us % 1000000);
		evutil_timeradd(&now, &left, &s->addr_deadline);
		if (hs_connect_addr(s) == 0)
			return;
	}
	if (s->lookup != NULL) {
		name = s->lookup;
		s->lookup = NULL;
		evutil_freeaddrinfo(s->addrs);
		s->addrs = NULL;
		hs_lookup(s, name);
		free(name);
		return;
	}
	hs_fail(s, s->conn_err != NULL ? xstrdup(s->conn_err) :
	    xstrdup("could not connect: no address"));
}

static void
hs_connected(struct hstream *s)
{
	BIO		*bio;
	int		 err;
	socklen_t	 len = sizeof(err);

	if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1)
		err = errno;
	if (err != 0) {
		hs_addr_failed(s, err);
		s->addr = s->addr->ai_next;
		hs_connect_next(s);
		return;
	}
	hs_addrs_free(s);
	if (s->ssl != NULL) {
		if ((bio = BIO_new(s->env->bio_method)) == NULL) {
			hs_fail(s, xstrdup("TLS: cannot make the socket's BIO"));
			return;
		}
		BIO_set_data(bio, s);
		BIO_set_init(bio, 1);
		SSL_set_bio(s->ssl, bio, bio);	/* the session owns it */
		s->phase = HS_HANDSHAKE;
		hs_handshake(s);
	} else {
		s->phase = HS_SEND;
		hs_send(s);
	}
}

static void
hs_resolved_cb(int result, struct evutil_addrinfo *ai, void *arg)
{
	struct hstream	*s = arg;

	if (result == EVUTIL_EAI_CANCEL)	/* from hstream_close() */
		return;
	s->dns = NULL;
	if (result != 0 || ai == NULL) {
		if (ai != NULL)
			evutil_freeaddrinfo(ai);
		/* After curl's address was refused, that is the news. */
		hs_fail(s, s->conn_err != NULL ? xstrdup(s->conn_err) :
		    xasprintf("could not resolve the host: %s",
		    evutil_gai_strerror(result)));
		return;
	}
	s->addrs = s->addr = ai;
	hs_connect_next(s);
}

/* Look name up with evdns; the connect timeout covers the lookup. */
static void
hs_lookup(struct hstream *s, const char *name)
{
	struct evutil_addrinfo	 hints;
	struct evdns_base	*dns;
	char			 port[16];

	if ((dns = env_dns(s->env)) == NULL) {
		hs_fail(s, xstrdup("cannot set up name resolution"));
		return;
	}
	s->phase = HS_RESOLVE;
	hs_arm(s, 0);
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_protocol = IPPROTO_TCP;
	hints.ai_flags = EVUTIL_AI_ADDRCONFIG;
	snprintf(port, sizeof(port), "%d", s->port);
	/* NULL when answered at once (the hosts file): s->dns is done with. */
	s->dns = evdns_getaddrinfo(dns, name, port, &hints, hs_resolved_cb, s);
}

static void
hs_body_cb(const char *p, size_t n, void *arg)
{
	struct hstream	*s = arg;

	if (s->phase == HS_BODY)
		s->data(p, n, s->arg);
	else if (s->body.len + n <= HSTREAM_ERRBODY_MAX)
		buf_add(&s->body, p, n);
}

static int
hs_2xx(long status)
{
	return status >= 200 && status <= 299;
}

/*
 * The answer broke off (bad framing, or closed too soon): a non-2xx one
 * is reported with its status and the body that came, a stream as lost.
 */
static void
hs_end_broken(struct hstream *s)
{
	long	st = s->resp.status;

	if (st != 0 && !hs_2xx(st))
		hs_finish(s, st, 0, "");
	else
		hs_finish(s, 0, 0, s->resp.error);
}

/* Bytes of the answer: its head, then its body, until its framing ends it. */
static void
hs_take(struct hstream *s, const char *p, size_t n)
{
	ssize_t	used;
	long	st;
	int	had;

	while (n > 0 && s->phase != HS_ENDED) {
		had = hresp_has_head(&s->resp);
		if ((used = hresp_feed(&s->resp, p, n, hs_body_cb, s)) == -1) {
			hs_end_broken(s);
			return;
		}
		p += used;
		n -= (size_t)used;
		st = s->resp.status;
		if (!had && hs_2xx(st)) {
			/* A stream: no timeout from here on. */
			s->phase = HS_BODY;
			hs_arm(s, EV_READ);
			/* Its owner hears of the head: no bytes, it is open. */
			s->data("", 0, s->arg);
		}
		if (hresp_done(&s->resp)) {
			hs_finish(s, st, 0, "");
			return;
		}
	}
}

/* The peer closed the connection: an event stream's usual end. */
static void
hs_eof(struct hstream *s)
{
	if (hresp_eof(&s->resp) == 0)
		hs_finish(s, s->resp.status, 0, "");
	else if (s->phase == HS_BODY)
		hs_finish(s, 0, 0, "connection closed by the Core");
	else
		hs_end_broken(s);
}

/*
 * All read: give the TLS record buffers back until the next event (17.7 KB
 * a stream). SSL_MODE_RELEASE_BUFFERS alone does not: OpenSSL 3.0 kept
 * every idle stream's read buffer (massif, 60 streams: 1,063,200 B under
 * SSL_read, doc/performance.md). SSL_free_buffers() frees nothing while
 * a record is pending.
 */
static void
hs_release_buffers(struct hstream *s)
{
	if (SSL_pending(s->ssl) == 0)
		SSL_free_buffers(s->ssl);
}

static void
hs_read(struct hstream *s)
{
	char	buf[HSTREAM_READ];
	ssize_t	n;
	int	i, e;

	for (i = 0; s->phase == HS_HEAD || s->phase == HS_BODY; i++) {
		/* Yield to others, but TLS bytes already read wake nobody. */
		if (i >= HSTREAM_READS && (s->ssl == NULL || SSL_pending(s->ssl) == 0))
			break;
		if (s->ssl != NULL) {
			ERR_clear_error();
			s->sock_err = 0;
			n = SSL_read(s->ssl, buf, sizeof(buf));
			if (n <= 0) {
				e = SSL_get_error(s->ssl, (int)n);
				if (hs_tls_wait(s, e)) {
					hs_release_buffers(s);
					return;
				}
				/* close_notify, or a close without one (see env_ssl_ctx()). */
				if (e == SSL_ERROR_ZERO_RETURN || (e == SSL_ERROR_SYSCALL &&
				    ERR_peek_error() == 0 && s->sock_err == 0)) {
					hs_eof(s);
					return;
				}
				hs_fail(s, hs_lost(s, s->sock_err));
				return;
			}
		} else if ((n = recv(s->fd, buf, sizeof(buf), 0)) == -1) {
			if (errno == EAGAIN || errno == EINTR)
				break;
			hs_fail(s, xasprintf("connection lost: %s", strerror(errno)));
			return;
		}
		if (n == 0) {
			hs_eof(s);
			return;
		}
		hs_take(s, buf, (size_t)n);
	}
	if (s->phase == HS_HEAD || s->phase == HS_BODY)
		hs_arm(s, EV_READ);
}

static void
hs_io_cb(evutil_socket_t fd, short what, void *arg)
{
	struct hstream	*s = arg;
	char		*msg;

	if (s->fail != NULL) {		/* found inside hstream_open() */
		msg = s->fail;
		s->fail = NULL;
		hs_fail(s, msg);
		return;
	}
	if (what & EV_TIMEOUT) {
		/* An address's share of the time is up: on to the next. */
		if (s->phase == HS_CONNECT &&
		    (s->addr->ai_next != NULL || s->lookup != NULL)) {
			hs_addr_failed(s, ETIMEDOUT);
			s->addr = s->addr->ai_next;
			hs_connect_next(s);
			return;
		}
		hs_finish(s, 0, 1, "no answer within the connect timeout");
		return;
	}
	switch (s->phase) {
	case HS_CONNECT:
		hs_connected(s);
		break;
	case HS_HANDSHAKE:
		hs_handshake(s);
		break;
	case HS_SEND:
		hs_send(s);
		break;
	case HS_HEAD:
	case HS_BODY:
		hs_read(s);
		break;
	default:
		break;
	}
}

/* The request, written once into a buffer of its exact size (it holds the token). */
static char *
hs_request(const char *target, const char *hosthdr, const char *const *headers,
    size_t *lenp)
{
	size_t	len, i, o;
	char	*r;

	len = strlen("GET  HTTP/1.1\r\nHost: \r\n\r\n") + strlen(target) +
	    strlen(hosthdr);
	for (i = 0; headers != NULL && headers[i] != NULL && headers[i + 1] != NULL;
	    i += 2) {
		if (strpbrk(headers[i], "\r\n:") != NULL ||
		    strpbrk(headers[i + 1], "\r\n") != NULL)
			return NULL;
		len += strlen(headers[i]) + strlen(": \r\n") + strlen(headers[i + 1]);
	}
	r = xmalloc(len + 1);
	o = (size_t)snprintf(r, len + 1, "GET %s HTTP/1.1\r\nHost: %s\r\n",
	    target, hosthdr);
	for (i = 0; headers != NULL && headers[i] != NULL && headers[i + 1] != NULL;
	    i += 2)
		o += (size_t)snprintf(r + o, len + 1 - o, "%s: %s\r\n", headers[i],
		    headers[i + 1]);
	memcpy(r + o, "\r\n", 3);
	*lenp = o + 2;
	return r;
}

/* Set the request up and start: connect, or look the host up first. */
static int
hs_start(struct hstream *s, const char *url, const char *const *headers,
    char **why)
{
	struct evhttp_uri	*uri;
	struct evutil_addrinfo	 hints, *ai = NULL;
	struct hs_session	**pp;
	SSL_CTX			*ctx = NULL;
	const char		*scheme, *host, *path, *query, *addr;
	char			*conn_host = NULL, *target = NULL, *hosthdr = NULL;
	char			 portstr[16];
	int			 port, tls, rc = -1, e;

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
	if (strpbrk(target, " \r\n") != NULL || strpbrk(hosthdr, " \r\n") != NULL ||
	    (s->req = hs_request(target, hosthdr, headers, &s->req_len)) == NULL) {
		*why = xstrdup("not a URL, or a header with a line break");
		goto out;
	}

	if (tls) {
		if ((ctx = env_ssl_ctx(s->env, why)) == NULL)
			goto out;
		if ((s->ssl = SSL_new(ctx)) == NULL) {
			*why = xstrdup("TLS: cannot make a session");
			goto out;
		}
		SSL_set_app_data(s->ssl, s);
		s->tls_key = xasprintf("%s:%d", conn_host, port);
		if ((pp = hs_session_find(s->env, s->tls_key)) != NULL) {
			if (SSL_SESSION_is_resumable((*pp)->sess))
				SSL_set_session(s->ssl, (*pp)->sess);
			else	/* its connection failed (a fatal alert) */
				hs_session_unlink(pp);
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
	}

	addr = conn_host;
	if (s->env->known_host != NULL &&
	    strcasecmp(s->env->known_host, conn_host) == 0)
		addr = s->env->known_ip;
	s->port = port;
	if (is_ip_literal(addr)) {
		snprintf(portstr, sizeof(portstr), "%d", port);
		memset(&hints, 0, sizeof(hints));
		hints.ai_family = AF_UNSPEC;
		hints.ai_socktype = SOCK_STREAM;
		hints.ai_protocol = IPPROTO_TCP;
		hints.ai_flags = EVUTIL_AI_NUMERICHOST | EVUTIL_AI_NUMERICSERV;
		if ((e = evutil_getaddrinfo(addr, portstr, &hints, &ai)) != 0) {
			*why = xasprintf("bad address %s: %s", addr,
			    evutil_gai_strerror(e));
			goto out;
		}
		if (addr != conn_host && !is_ip_literal(conn_host))
			s->lookup = xstrdup(conn_host);
		s->addrs = s->addr = ai;
		hs_connect_next(s);
	} else
		hs_lookup(s, addr);
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
	struct timeval	 now, tv;
	char		*why = NULL;
	long		 ms = connect_timeout_ms > 0 ? connect_timeout_ms : 10000;

	s->env = env;
	s->fd = -1;
	s->data = data;
	s->end = end;
	s->arg = arg;
	hresp_init(&s->resp);
	buf_init(&s->body);
	s->ev = event_new(env->base, -1, 0, hs_io_cb, s);
	event_base_gettimeofday_cached(env->base, &now);
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	evutil_timeradd(&now, &tv, &s->deadline);
	s->opening = 1;
	if (hs_start(s, url, headers, &why) != 0) {
		free(s->fail);
		s->fail = why;
	}
	s->opening = 0;
	/* A failure is reported from the event loop, at once. */
	if (s->fail != NULL) {
		event_del(s->ev);
		event_assign(s->ev, env->base, -1, 0, hs_io_cb, s);
		timerclear(&tv);
		event_add(s->ev, &tv);
	}
	return s;
}

void
hstream_close(struct hstream *s)
{
	if (s == NULL)
		return;
	if (s->dns != NULL)
		evdns_getaddrinfo_cancel(s->dns);
	hs_addrs_free(s);
	hs_drop_request(s);
	event_free(s->ev);
	if (s->ssl != NULL) {
		/*
		 * Say goodbye (close_notify, best effort, on the non-blocking
		 * socket). OpenSSL makes the session of a connection freed
		 * without a finished shutdown unresumable, and a Core that cut
		 * the connection leaves none to finish: the shutdown is marked
		 * done, since TLS 1.1 and later allow resuming after an unclean
		 * close (RFC 4346 E.1), and the stream resumes. The error queue
		 * is left empty for curl, which shares it.
		 */
		if (SSL_is_init_finished(s->ssl)) {
			s->sock_err = 0;
			if (s->fd != -1)
				SSL_shutdown(s->ssl);
			SSL_set_shutdown(s->ssl, SSL_SENT_SHUTDOWN |
			    SSL_RECEIVED_SHUTDOWN);
			ERR_clear_error();
		}
		SSL_free(s->ssl);
	}
	free(s->tls_key);
	if (s->fd != -1)
		close(s->fd);
	hresp_free(&s->resp);
	free(s->fail);
	buf_free(&s->body);
	free(s);
}
