/*
 * test-net.c: the connections lib/http and lib/hstream make to the Core:
 * their TCP options, read back from the client's own socket, and every
 * address of a name tried in turn.
 */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>

#include "hstream.h"
#include "http.h"
#include "tap.h"
#include "xmalloc.h"

#define FD_SCAN_MAX	4096	/* descriptors looked at for the client's */

static struct event_base	*base;

/* What the client's socket said, read when the server accepted it. */
struct seen {
	int	accepted;
	int	found;		/* the client's descriptor was found */
	int	keepalive, idle, interval, count;
	int	user_timeout;
};
static struct seen		 seen;

static int
same_addr(const struct sockaddr_in *a, const struct sockaddr_in *b)
{
	return a->sin_family == b->sin_family && a->sin_port == b->sin_port &&
	    a->sin_addr.s_addr == b->sin_addr.s_addr;
}

/* This process's descriptor whose local address is peer: the client's. */
static int
client_fd(const struct sockaddr_in *peer)
{
	struct sockaddr_in	sin;
	socklen_t		len;
	int			fd;

	for (fd = 0; fd < FD_SCAN_MAX; fd++) {
		len = sizeof(sin);
		if (getsockname(fd, (struct sockaddr *)&sin, &len) == 0 &&
		    len == sizeof(sin) && same_addr(&sin, peer))
			return fd;
	}
	return -1;
}

static int
opt(int fd, int level, int name)
{
	int		v = -1;
	socklen_t	len = sizeof(v);

	if (getsockopt(fd, level, name, &v, &len) == -1)
		return -1;
	return v;
}

static void
accept_cb(evutil_socket_t lfd, short what, void *arg)
{
	struct sockaddr_in	peer;
	socklen_t		len = sizeof(peer);
	int			afd, fd;

	if ((afd = accept(lfd, (struct sockaddr *)&peer, &len)) == -1)
		return;
	memset(&seen, 0, sizeof(seen));
	seen.accepted = 1;
	if ((fd = client_fd(&peer)) != -1) {
		seen.found = 1;
		seen.keepalive = opt(fd, SOL_SOCKET, SO_KEEPALIVE);
		seen.idle = opt(fd, IPPROTO_TCP, TCP_KEEPIDLE);
		seen.interval = opt(fd, IPPROTO_TCP, TCP_KEEPINTVL);
		seen.count = opt(fd, IPPROTO_TCP, TCP_KEEPCNT);
		seen.user_timeout = opt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT);
	}
	close(afd);
	event_base_loopbreak(base);
}

static void
done_cb(const struct http_resp *r, void *arg)
{
}

static void
data_cb(uint64_t id, const char *p, size_t n, void *arg)
{
}

static void
give_up_cb(evutil_socket_t fd, short what, void *arg)
{
	event_base_loopbreak(base);
}

/*
 * Send one request (or open a stream) to the listener and read the
 * client's options when it connects; a bounded wait, not a timing.
 */
static void
connect_once(struct http *h, const char *url, int stream)
{
	struct http_req	 req;
	struct event	*give_up = evtimer_new(base, give_up_cb, NULL);
	struct timeval	 tv = { 10, 0 };
	uint64_t	 id;

	memset(&seen, 0, sizeof(seen));
	memset(&req, 0, sizeof(req));
	req.url = url;
	req.no_retry = 1;
	if (stream)
		req.stream = data_cb;
	id = http_send(h, &req, done_cb, NULL);
	evtimer_add(give_up, &tv);
	event_base_dispatch(base);
	event_free(give_up);
	http_cancel(h, id);
}

static void
check(const char *what, int idle, int interval, int count)
{
	ok(seen.accepted && seen.found, "%s: connected, the client's socket "
	    "found", what);
	is_int(seen.keepalive, 1, "SO_KEEPALIVE on");
	is_int(seen.idle, idle, "TCP_KEEPIDLE");
	is_int(seen.interval, interval, "TCP_KEEPINTVL");
	is_int(seen.count, count, "TCP_KEEPCNT");
	is_int(seen.user_timeout, (idle + interval * count) * 1000,
	    "TCP_USER_TIMEOUT: idle + interval * count, in ms");
}

/* How the last hstream ended. */
static struct {
	int	ended;
	long	status;
	char	msg[256];
} hs_last;

static void
hs_data_cb(const char *p, size_t n, void *arg)
{
}

static void
hs_end_cb(const struct hstream_end *e, void *arg)
{
	hs_last.ended = 1;
	hs_last.status = e->status;
	snprintf(hs_last.msg, sizeof(hs_last.msg), "%s", e->message);
	event_base_loopbreak(base);
}

/* GET url on lib/hstream.c until it ends (a bounded wait). */
static void
hs_get(struct hstream_env *env, const char *url)
{
	struct hstream	*s;

	memset(&hs_last, 0, sizeof(hs_last));
	s = hstream_open(env, url, NULL, 5000, hs_data_cb, hs_end_cb, NULL);
	event_base_dispatch(base);
	hstream_close(s);
}

static void
hello_cb(struct evhttp_request *req, void *arg)
{
	struct evbuffer	*b = evbuffer_new();

	evbuffer_add_printf(b, "hello");
	evhttp_send_reply(req, 200, "OK", b);
	evbuffer_free(b);
}

/*
 * Names with several addresses, from a hosts file of the test's own: the
 * first ones refuse (nothing listens on 127.0.0.2 or .3, the whole of
 * 127/8 is loopback), the last is a server on 127.0.0.1.
 */
static void
test_addresses(void)
{
	char			 hosts[] = "/tmp/test-net-hosts-XXXXXX";
	const char		 text[] =
	    "127.0.0.2 dual.test\n127.0.0.1 dual.test\n"
	    "127.0.0.2 dead.test\n127.0.0.3 dead.test\n";
	struct hstream_opts	 hopts;
	struct hstream_env	*env;
	struct evhttp		*srv;
	struct evhttp_bound_socket *bound;
	struct sockaddr_in	 sin;
	socklen_t		 len = sizeof(sin);
	char			*url, want[128];
	int			 fd, port;

	if ((fd = mkstemp(hosts)) == -1 ||
	    write(fd, text, sizeof(text) - 1) != (ssize_t)sizeof(text) - 1) {
		printf("Bail out! cannot write a hosts file\n");
		exit(1);
	}
	close(fd);
	srv = evhttp_new(base);
	evhttp_set_gencb(srv, hello_cb, NULL);
	bound = evhttp_bind_socket_with_handle(srv, "127.0.0.1", 0);
	getsockname(evhttp_bound_socket_get_fd(bound), (struct sockaddr *)&sin,
	    &len);
	port = ntohs(sin.sin_port);

	memset(&hopts, 0, sizeof(hopts));
	hopts.hosts_file = hosts;
	env = hstream_env_new(base, &hopts);

	url = xasprintf("http://dual.test:%d/", port);
	hs_get(env, url);
	ok(hs_last.ended && hs_last.status == 200, "a name whose first address "
	    "refuses: the next one is tried and answers (%ld %s)",
	    hs_last.status, hs_last.msg);
	free(url);

	url = xasprintf("http://dead.test:%d/", port);
	hs_get(env, url);
	snprintf(want, sizeof(want), "could not connect to 127.0.0.3 port %d: "
	    "Connection refused", port);
	ok(hs_last.ended && hs_last.status == 0, "a name whose addresses all "
	    "refuse: the stream fails");
	is_str(hs_last.msg, want, "with the last address's error");
	free(url);

	/* The address curl reached the name at refuses: the name is looked up. */
	hstream_env_set_address(env, "dual.test", "127.0.0.3");
	url = xasprintf("http://dual.test:%d/", port);
	hs_get(env, url);
	ok(hs_last.ended && hs_last.status == 200, "curl's address for the name "
	    "refuses: the name's own addresses are tried (%ld %s)",
	    hs_last.status, hs_last.msg);
	free(url);

	hstream_env_free(env);
	evhttp_free(srv);
	unlink(hosts);
}

int
main(void)
{
	struct sockaddr_in	 sin;
	socklen_t		 len = sizeof(sin);
	struct http_opts	 opts;
	struct http		*h;
	struct event		*lev;
	char			*url;
	int			 lfd;

	base = event_base_new();
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0)) == -1 ||
	    bind(lfd, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    listen(lfd, 8) == -1 ||
	    getsockname(lfd, (struct sockaddr *)&sin, &len) == -1) {
		printf("Bail out! cannot listen on 127.0.0.1: %s\n",
		    strerror(errno));
		return 1;
	}
	lev = event_new(base, lfd, EV_READ | EV_PERSIST, accept_cb, NULL);
	event_add(lev, NULL);
	url = xasprintf("http://127.0.0.1:%d/s", ntohs(sin.sin_port));

	/* [events] tcp_keepalive = 7,3,5 */
	memset(&opts, 0, sizeof(opts));
	opts.timeout_ms = 5000;
	opts.keepalive.idle = 7;
	opts.keepalive.interval = 3;
	opts.keepalive.count = 5;
	h = http_new(base, &opts);
	connect_once(h, url, 1);
	check("a stream (lib/hstream.c) with 7,3,5", 7, 3, 5);
	connect_once(h, url, 0);
	check("a request (curl) with 7,3,5", 7, 3, 5);
	http_free(h);

	/* Nothing configured: dead within a minute (30,10,3). */
	memset(&opts, 0, sizeof(opts));
	opts.timeout_ms = 5000;
	h = http_new(base, &opts);
	connect_once(h, url, 1);
	check("a stream with the defaults", 30, 10, 3);
	connect_once(h, url, 0);
	check("a request with the defaults", 30, 10, 3);
	http_free(h);

	event_free(lev);
	close(lfd);
	free(url);

	test_addresses();
	event_base_free(base);
	return tap_done();
}
