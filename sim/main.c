/* main.c: dstny-coresim, a Dstny Core User API simulator for tests and demos. */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>


#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/util.h>
#include <json-c/json.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "http.h"
#include "log.h"
#include "sim.h"
#include "xmalloc.h"

int				 sim_verbose;
static struct event_base	*base;
static struct evhttp		*srv;
static struct evhttp_bound_socket *bound;
static char			*listen_host;
static int			 listen_port;
static struct event		*up_ev;
static SSL_CTX			*tls_ctx;
static int			 tls_counted;	/* ex_data index: counted already */
static int64_t			 tls_full, tls_resumed;	/* handshakes */

/* Every client connection, so that "down" can cut them all. */
struct conn {
	struct evhttp_connection *evcon;
	struct conn		*next;
};
static struct conn		*conns;

static void
usage(void)
{
	fprintf(stderr, "usage: dstny-coresim [-dv] [-l host:port] [-b base-path] "
	    "[-c control-prefix]\n\t[-s scenario.json] [--loop] [--port-file FILE] "
	    "[--hook-lifetime SECONDS] [--sse-keepalive SECONDS]\n\t[--tls-cert FILE --tls-key FILE]\n");
	exit(2);
}

/* With TLS, every connection gets an OpenSSL bufferevent. */
static struct bufferevent *
tls_bev_cb(struct event_base *evbase, void *arg)
{
	SSL	*ssl = SSL_new(tls_ctx);

	if (ssl == NULL)
		return NULL;
	return bufferevent_openssl_socket_new(evbase, -1, ssl,
	    BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE);
}

/*
 * Count each connection's handshake once, full or resumed. (With TLS 1.3
 * a server may report a handshake done again after sending tickets.)
 */
static void
tls_info_cb(const SSL *ssl, int where, int ret)
{
	if (!(where & SSL_CB_HANDSHAKE_DONE) ||
	    SSL_get_ex_data(ssl, tls_counted) != NULL)
		return;
	SSL_set_ex_data((SSL *)ssl, tls_counted, (void *)1);
	if (SSL_session_reused(ssl))
		tls_resumed++;
	else
		tls_full++;
}

/* "tls" of GET /_sim/state: {"handshakes": full ones, "resumed": N}. */
struct json_object *
sim_tls_json(void)
{
	struct json_object	*o = json_object_new_object();

	json_object_object_add(o, "handshakes", json_object_new_int64(tls_full));
	json_object_object_add(o, "resumed", json_object_new_int64(tls_resumed));
	return o;
}

static SSL_CTX *
tls_setup(const char *cert, const char *key)
{
	SSL_CTX	*ctx = SSL_CTX_new(TLS_server_method());
	char	 buf[256];

	if (ctx == NULL ||
	    SSL_CTX_use_certificate_chain_file(ctx, cert) != 1 ||
	    SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_check_private_key(ctx) != 1) {
		ERR_error_string_n(ERR_get_error(), buf, sizeof(buf));
		fatalx("TLS: %s / %s: %s", cert, key, buf);
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	/*
	 * Sessions can be resumed, as at a real Core: TLS 1.3 tickets and
	 * TLS 1.2 tickets or session ids (OpenSSL's defaults, named here).
	 */
	SSL_CTX_set_session_id_context(ctx, (const unsigned char *)"dstny-coresim",
	    sizeof("dstny-coresim") - 1);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_SERVER);
	SSL_CTX_set_info_callback(ctx, tls_info_cb);
	tls_counted = SSL_get_ex_new_index(0, NULL, NULL, NULL, NULL);
	return ctx;
}

static void
conn_forget(struct evhttp_connection *evcon)
{
	struct conn	**pp, *c;

	for (pp = &conns; *pp != NULL; pp = &(*pp)->next)
		if ((*pp)->evcon == evcon) {
			c = *pp;
			*pp = c->next;
			free(c);
			return;
		}
}

static void
conn_closed_cb(struct evhttp_connection *evcon, void *arg)
{
	conn_forget(evcon);
	events_conn_closed(evcon);
	control_conn_closed(evcon);
}

static void
conn_track(struct evhttp_connection *evcon)
{
	struct conn	*c;
	evutil_socket_t	 fd;
	int		 one = 1;

	for (c = conns; c != NULL; c = c->next)
		if (c->evcon == evcon)
			return;
	c = xcalloc(1, sizeof(*c));
	c->evcon = evcon;
	c->next = conns;
	conns = c;
	evhttp_connection_set_closecb(evcon, conn_closed_cb, NULL);
	/*
	 * As a Core's front end (nginx: tcp_nodelay on) does. Over TLS an
	 * answer leaves as two records, head and body; with Nagle the body
	 * waited for the client's delayed ACK of the head: 40 ms on every
	 * answer but the first few of a kept-alive connection.
	 */
	if ((fd = bufferevent_getfd(evhttp_connection_get_bufferevent(evcon))) !=
	    -1 && setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one,
	    sizeof(one)) == -1)
		log_warn("TCP_NODELAY");
}

static void
request_cb(struct evhttp_request *req, void *arg)
{
	const char	*uri = evhttp_request_get_uri(req);
	char		*path;
	const char	*q;

	conn_track(evhttp_request_get_connection(req));
	q = strchr(uri, '?');
	path = q != NULL ? xstrndup(uri, (size_t)(q - uri)) : xstrdup(uri);
	if (!control_handle(req, path) && !api_handle(req, path))
		evhttp_send_error(req, 404, "Not a Core path");
	free(path);
}

static int
bind_listener(void)
{
	bound = evhttp_bind_socket_with_handle(srv, listen_host, listen_port);
	return bound != NULL ? 0 : -1;
}

static void
listener_up_cb(evutil_socket_t fd, short what, void *arg)
{
	if (bind_listener() == -1)
		log_warnx("could not listen on %s:%d again", listen_host, listen_port);
	else
		log_info("the Core is back on %s:%d", listen_host, listen_port);
}

/*
 * The Core goes away: no new connections, and every open one is cut, the
 * keep-alive ones too, except the one asking (closed after its answer).
 */
/* Cut a client connection now, forgetting what hangs off it. */
void
sim_conn_drop(struct evhttp_connection *evcon)
{
	evhttp_connection_set_closecb(evcon, NULL, NULL);
	conn_forget(evcon);
	events_conn_closed(evcon);
	control_conn_closed(evcon);
	evhttp_connection_free(evcon);
}

void
sim_conns_drop(struct evhttp_connection *keep)
{
	struct conn	*c, *next;

	for (c = conns; c != NULL; c = next) {
		next = c->next;
		if (c->evcon != keep)
			sim_conn_drop(c->evcon);
	}
}

void
sim_listener_down(long seconds, struct evhttp_connection *keep)
{
	struct timeval	 tv = { seconds, 0 };

	if (bound != NULL) {
		evhttp_del_accept_socket(srv, bound);
		bound = NULL;
	}
	sim_conns_drop(keep);
	log_info("the Core is down for %ld s", seconds);
	evtimer_add(up_ev, &tv);
}

static void
signal_cb(evutil_socket_t sig, short what, void *arg)
{
	log_info("signal %d: stopping", (int)sig);
	event_base_loopbreak(base);
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "debug", no_argument, NULL, 'd' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "listen", required_argument, NULL, 'l' },
		{ "base-path", required_argument, NULL, 'b' },
		{ "control-prefix", required_argument, NULL, 'c' },
		{ "scenario", required_argument, NULL, 's' },
		{ "loop", no_argument, NULL, 'L' },
		{ "port-file", required_argument, NULL, 'p' },
		{ "hook-lifetime", required_argument, NULL, 'H' },
		{ "sse-keepalive", required_argument, NULL, 'S' },
		{ "tls-cert", required_argument, NULL, 'C' },
		{ "tls-key", required_argument, NULL, 'K' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char	*listen_arg = "127.0.0.1:8080", *base_path = "/api";
	const char	*ctl_prefix = "/_sim", *scenario = NULL, *port_file = NULL;
	const char	*tls_cert = NULL, *tls_key = NULL;
	struct http_opts hopts;
	struct http	*hooks_http;
	struct event	*sigint_ev, *sigterm_ev;
	struct sockaddr_storage ss;
	socklen_t	 sl = sizeof(ss);
	char		 err[512], *colon;
	int		 ch, loop = 0, debug = 0;
	FILE		*fp;

	while ((ch = getopt_long(argc, argv, "dvl:b:c:s:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'd': debug = 1; break;
		case 'v': sim_verbose = 1; break;
		case 'l': listen_arg = optarg; break;
		case 'b': base_path = optarg; break;
		case 'c': ctl_prefix = optarg; break;
		case 's': scenario = optarg; break;
		case 'L': loop = 1; break;
		case 'p': port_file = optarg; break;
		case 'H':
			events_hook_lifetime = strtol(optarg, NULL, 10);
			if (events_hook_lifetime <= 0)
				usage();
			break;
		case 'S':
			events_sse_keepalive = strtol(optarg, NULL, 10);
			if (events_sse_keepalive <= 0)
				usage();
			break;
		case 'C': tls_cert = optarg; break;
		case 'K': tls_key = optarg; break;
		case 'V':
			printf("dstny-coresim %s\n", DSTNY_VERSION);
			return 0;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	log_init("dstny-coresim", debug);
	if (*base_path != '/' || base_path[strlen(base_path) - 1] == '/' ||
	    *ctl_prefix != '/')
		fatalx("-b and -c take a path such as /api (no trailing '/')");
	if ((tls_cert == NULL) != (tls_key == NULL))
		fatalx("--tls-cert and --tls-key go together");
	if (tls_cert != NULL)
		tls_ctx = tls_setup(tls_cert, tls_key);
	if ((colon = strrchr(listen_arg, ':')) == NULL)
		fatalx("-l takes host:port, such as 127.0.0.1:8080");
	listen_host = xstrndup(listen_arg, (size_t)(colon - listen_arg));
	listen_port = atoi(colon + 1);

	if (scenario != NULL) {
		if (scenario_load(scenario, err, sizeof(err)) == -1)
			fatalx("%s", err);
	} else
		scenario_default_users();

	signal(SIGPIPE, SIG_IGN);
	base = event_base_new();
	memset(&hopts, 0, sizeof(hopts));
	hopts.timeout_ms = 5000;
	hopts.user_agent = "dstny-coresim/" DSTNY_VERSION;
	hooks_http = http_new(base, &hopts);
	events_init(base, hooks_http);
	api_init(base, strcmp(base_path, "/") == 0 ? "" : base_path);
	control_init(base, ctl_prefix);
	srv = evhttp_new(base);
	evhttp_set_allowed_methods(srv, EVHTTP_REQ_GET | EVHTTP_REQ_POST |
	    EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE);
	evhttp_set_max_body_size(srv, 1024 * 1024);
	evhttp_set_gencb(srv, request_cb, NULL);
	if (tls_ctx != NULL)
		evhttp_set_bevcb(srv, tls_bev_cb, NULL);
	up_ev = evtimer_new(base, listener_up_cb, NULL);
	if (bind_listener() == -1)
		fatal("cannot listen on %s", listen_arg);
	getsockname(evhttp_bound_socket_get_fd(bound), (struct sockaddr *)&ss, &sl);
	if (ss.ss_family == AF_INET)
		listen_port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
	else
		listen_port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	printf("dstny-coresim: Core User API on %s://%s:%d%s, control on %s\n",
	    tls_ctx != NULL ? "https" : "http", listen_host, listen_port,
	    base_path, ctl_prefix);
	fflush(stdout);
	if (port_file != NULL) {
		char *tmp = xasprintf("%s.tmp", port_file);
		if ((fp = fopen(tmp, "w")) == NULL)
			fatal("%s", tmp);
		fprintf(fp, "%d\n", listen_port);
		fclose(fp);
		if (rename(tmp, port_file) == -1)
			fatal("rename %s", port_file);
		free(tmp);
	}
	sigint_ev = evsignal_new(base, SIGINT, signal_cb, NULL);
	sigterm_ev = evsignal_new(base, SIGTERM, signal_cb, NULL);
	evsignal_add(sigint_ev, NULL);
	evsignal_add(sigterm_ev, NULL);
	scenario_start(base, loop);

	event_base_dispatch(base);

	scenario_free();
	events_free();
	contacts_free();
	control_free();
	evhttp_free(srv);
	http_free(hooks_http);
	event_free(up_ev);
	event_free(sigint_ev);
	event_free(sigterm_ev);
	event_base_free(base);
	sim_profile_free();	/* issue 21 */
	sim_settings_free();
	sim_users_free();
	free(listen_host);
	SSL_CTX_free(tls_ctx);
	return 0;
}
