/*
 * bench-probe.c: the timing half of `make bench`.
 *
 * tests/bench/bench.py starts the simulator, a private dbus-daemon and
 * dstnyd, then runs this program for each measurement. It is a minimal
 * client on purpose: blocking-free poll(2) over plain sockets, a
 * Content-Length-only HTTP/1.1 reader and sd-bus, so that what it adds to a
 * figure is the same for the floor and for the daemon.
 *
 *   bench-probe latency    floor and daemon samples, interleaved: the
 *                          floor is a minimal client forked here that
 *                          gets the hint, GETs, writes one line and sends
 *                          one D-Bus signal
 *   bench-probe fanout     delivery to the last of many subscribers
 *   bench-probe capacity   GETs per second the simulator serves
 *   bench-probe churn      state changes per second the daemon absorbs
 *
 * Results go to stdout as one JSON object; latencies in microseconds.
 * BENCH_TOKEN holds the floor user's ticket (never on the command line).
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/wait.h>
#include <sys/un.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>
#include <systemd/sd-bus.h>

#define MAX_SINKS	256
#define MAX_CONNS	64
#define WAIT_MS		10000	/* one sample may take this long, no more */

/* A byte stream with an input buffer: HTTP, webhook or socket client. */
struct conn {
	int	 fd;
	char	*buf;
	size_t	 len;
	size_t	 cap;
};

/* Something that is told about the daemon call's changes. */
struct sink {
	int		 is_bus;
	struct conn	 c;		/* socket subscriber */
	sd_bus		*bus;		/* D-Bus client */
	int64_t		 token;		/* the last stateToken it was told */
	double		 when;
};

/* What one completed HTTP message left behind. */
struct reply {
	int	 done;
	int	 status;
	double	 when;
	int64_t	 token;		/* "stateToken" of the body, or 0 */
	char	*body;
};

static struct opts {
	const char	*sim;		/* http://127.0.0.1:PORT */
	const char	*bus;
	const char	*socket;
	const char	*call;		/* the daemon's user's call */
	const char	*path;		/* its D-Bus object path */
	const char	*user;
	const char	*floor_call;
	const char	*floor_user;
	const char	*domain;
	long		 samples;
	long		 subs;
	long		 buses;
	long		 conns;
	long		 changes;
	long		 rate;
	double		 seconds;
} o = {
	.user = "alice", .floor_user = "bob", .domain = "example.com",
	.samples = 1000, .subs = 1, .buses = 1, .conns = 4, .changes = 10000,
	.seconds = 3,
};

static char		 sim_host[64];
static int		 sim_port;
static struct sink	 sinks[MAX_SINKS];
static size_t		 nsinks;
static struct conn	 ctl, api, hook_listen, hook, floor_line;
static struct reply	 ctl_reply, api_reply;
static double		 hook_when;

static void	floor_line_read(void);
static int		 floor_muted, call_muted;

static void __attribute__((noreturn, format(printf, 1, 2)))
die(const char *fmt, ...)
{
	va_list	ap;

	fprintf(stderr, "bench-probe: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static double
now_us(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static void
conn_init(struct conn *c, int fd)
{
	c->fd = fd;
	c->len = 0;
	if (c->buf == NULL) {
		c->cap = 65536;
		if ((c->buf = malloc(c->cap)) == NULL)
			die("out of memory");
	}
}

/* Read what is there; 0 on EOF or error. */
static int
conn_fill(struct conn *c)
{
	ssize_t	n;

	if (c->cap - c->len < 4096) {
		c->cap *= 2;
		if ((c->buf = realloc(c->buf, c->cap)) == NULL)
			die("out of memory");
	}
	n = read(c->fd, c->buf + c->len, c->cap - c->len - 1);
	if (n <= 0)
		return n < 0 && errno == EAGAIN;
	c->len += (size_t)n;
	c->buf[c->len] = '\0';
	return 1;
}

static void
conn_consume(struct conn *c, size_t n)
{
	memmove(c->buf, c->buf + n, c->len - n);
	c->len -= n;
	c->buf[c->len] = '\0';
}

static void
conn_write(struct conn *c, const char *data, size_t len)
{
	ssize_t	n;

	while (len > 0) {
		if ((n = write(c->fd, data, len)) < 0) {
			if (errno == EAGAIN || errno == EINTR) {
				struct pollfd pfd = { c->fd, POLLOUT, 0 };
				poll(&pfd, 1, WAIT_MS);
				continue;
			}
			die("write: %s", strerror(errno));
		}
		data += n;
		len -= (size_t)n;
	}
}

static int
tcp_connect(const char *host, int port)
{
	struct sockaddr_in	sin;
	int			fd, one = 1;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, host, &sin.sin_addr) != 1)
		die("%s: not an IPv4 address", host);
	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1 ||
	    connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1)
		die("connect %s:%d: %s", host, port, strerror(errno));
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

static int
unix_connect(const char *path)
{
	struct sockaddr_un	sun;
	int			fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path))
		die("%s: path too long", path);
	strcpy(sun.sun_path, path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1 ||
	    connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1)
		die("connect %s: %s", path, strerror(errno));
	return fd;
}

static void
http_send(struct conn *c, const char *method, const char *path,
    const char *auth, const char *body)
{
	char	head[1024];
	int	n;

	n = snprintf(head, sizeof(head), "%s %s HTTP/1.1\r\nHost: %s:%d\r\n"
	    "%s%s%sContent-Length: %zu\r\n%s\r\n", method, path, sim_host,
	    sim_port, auth != NULL ? "Authorization: Bearer " : "",
	    auth != NULL ? auth : "", auth != NULL ? "\r\n" : "",
	    body != NULL ? strlen(body) : 0,
	    body != NULL ? "Content-Type: application/json\r\n" : "");
	if (n < 0 || (size_t)n >= sizeof(head))
		die("request head too long");
	conn_write(c, head, (size_t)n);
	if (body != NULL)
		conn_write(c, body, strlen(body));
}

/*
 * One whole HTTP message (request or response) at the head of c: its
 * first line's status (responses) and body. 0 while incomplete.
 */
static int
http_take(struct conn *c, int *status, char **body, size_t *body_len)
{
	char	*end, *p, *line;
	size_t	 head_len, clen = 0;

	if ((end = strstr(c->buf, "\r\n\r\n")) == NULL)
		return 0;
	head_len = (size_t)(end - c->buf) + 4;
	for (line = strstr(c->buf, "\r\n"); line != NULL && line < end;
	    line = strstr(line + 2, "\r\n")) {
		p = line + 2;
		if (strncasecmp(p, "Content-Length:", 15) == 0)
			clen = strtoul(p + 15, NULL, 10);
		else if (strncasecmp(p, "Transfer-Encoding:", 18) == 0)
			die("chunked messages are not expected here");
	}
	if (c->len < head_len + clen)
		return 0;
	if (status != NULL)
		*status = strncmp(c->buf, "HTTP/", 5) == 0 ?
		    atoi(strchr(c->buf, ' ') + 1) : 0;
	*body = malloc(clen + 1);
	memcpy(*body, c->buf + head_len, clen);
	(*body)[clen] = '\0';
	*body_len = clen;
	conn_consume(c, head_len + clen);
	return 1;
}

static int64_t
json_token(const char *text)
{
	struct json_object	*j = json_tokener_parse(text), *t;
	int64_t			 v = 0;

	if (j != NULL && json_object_object_get_ex(j, "stateToken", &t))
		v = json_object_get_int64(t);
	json_object_put(j);
	return v;
}

/* Drain complete responses on an HTTP client connection into r. */
static void
http_client_read(struct conn *c, struct reply *r)
{
	char	*body;
	size_t	 len;

	if (!conn_fill(c))
		die("the simulator closed a connection");
	while (http_take(c, &r->status, &body, &len)) {
		r->when = now_us();
		r->token = json_token(body);
		r->done = 1;
		free(r->body);
		r->body = body;
	}
}

/* A webhook delivery: answer it, and the floor client does its one GET. */
static void
hook_read(void)
{
	char	*body, path[512];
	size_t	 len;

	if (!conn_fill(&hook)) {
		close(hook.fd);
		hook.fd = -1;
		return;
	}
	while (http_take(&hook, NULL, &body, &len)) {
		free(body);
		hook_when = now_us();
		conn_write(&hook, "HTTP/1.1 204 No Content\r\n\r\n", 27);
		snprintf(path, sizeof(path), "/api/callstate/%s/%s/calls/%s",
		    o.domain, o.floor_user, o.floor_call);
		api_reply.done = 0;
		http_send(&api, "GET", path, getenv("BENCH_TOKEN"), NULL);
	}
}

/* A socket subscriber's lines: call.changed of the watched call. */
static void
rpc_read(struct sink *s)
{
	char	*nl, *line, *tok;
	double	 t;

	if (!conn_fill(&s->c))
		die("the daemon closed a socket subscriber");
	t = now_us();
	line = s->c.buf;
	while ((nl = strchr(line, '\n')) != NULL) {
		*nl = '\0';
		/*
		 * No full parse: at tens of thousands of lines a second the
		 * probe must not be what falls behind. A call.changed line
		 * has one "stateToken".
		 */
		if (strstr(line, "\"method\":\"call.changed\"") != NULL &&
		    (tok = strstr(line, "\"stateToken\":")) != NULL) {
			s->token = strtoll(tok + 13, NULL, 10);
			s->when = t;
		}
		line = nl + 1;
	}
	conn_consume(&s->c, (size_t)(line - s->c.buf));	/* once: no O(n^2) */
}

static int
bus_changed(sd_bus_message *m, void *arg, sd_bus_error *err)
{
	struct sink	*s = arg;
	const char	*iface, *name;
	int64_t		 token;

	if (sd_bus_message_read(m, "s", &iface) < 0 ||
	    sd_bus_message_enter_container(m, 'a', "{sv}") < 0)
		return 0;
	while (sd_bus_message_enter_container(m, 'e', "sv") > 0) {
		if (sd_bus_message_read(m, "s", &name) < 0)
			return 0;
		if (strcmp(name, "StateToken") == 0 &&
		    sd_bus_message_read(m, "v", "x", &token) >= 0) {
			s->token = token;
			s->when = now_us();
		} else
			sd_bus_message_skip(m, "v");
		sd_bus_message_exit_container(m);
	}
	return 0;
}

static void
sink_bus_open(struct sink *s)
{
	int	r;

	s->is_bus = 1;
	if ((r = sd_bus_new(&s->bus)) < 0 ||
	    (r = sd_bus_set_address(s->bus, o.bus)) < 0 ||
	    (r = sd_bus_set_bus_client(s->bus, 1)) < 0 ||
	    (r = sd_bus_start(s->bus)) < 0)
		die("D-Bus %s: %s", o.bus, strerror(-r));
	if ((r = sd_bus_match_signal(s->bus, NULL, "org.dstnyd.Cti1", o.path,
	    "org.freedesktop.DBus.Properties", "PropertiesChanged",
	    bus_changed, s)) < 0)
		die("D-Bus match: %s", strerror(-r));
}

static void
sink_rpc_open(struct sink *s)
{
	static const char	 sub[] = "{\"jsonrpc\":\"2.0\",\"id\":1,"
	    "\"method\":\"subscribe\",\"params\":{\"topics\":[\"calls\"]}}\n";
	double			 deadline = now_us() + WAIT_MS * 1e3;

	conn_init(&s->c, unix_connect(o.socket));
	conn_write(&s->c, sub, sizeof(sub) - 1);
	/* The answer to subscribe: from here on, nothing is missed. */
	while (strchr(s->c.buf, '\n') == NULL) {
		struct pollfd pfd = { s->c.fd, POLLIN, 0 };

		if (now_us() > deadline)
			die("no answer to subscribe from %s", o.socket);
		if (poll(&pfd, 1, 100) > 0 && !conn_fill(&s->c))
			die("the daemon closed the socket");
	}
	conn_consume(&s->c, (size_t)(strchr(s->c.buf, '\n') - s->c.buf) + 1);
	fcntl(s->c.fd, F_SETFL, O_NONBLOCK);
}

/* One pass: wait up to timeout_ms for any input, handle all of it. */
static void
pump(int timeout_ms)
{
	struct pollfd	pfd[MAX_SINKS + 8];
	size_t		i, n = 0, first_sink;
	int		fd;

	if (ctl.fd >= 0)
		pfd[n++] = (struct pollfd){ ctl.fd, POLLIN, 0 };
	if (api.fd >= 0)
		pfd[n++] = (struct pollfd){ api.fd, POLLIN, 0 };
	if (hook_listen.fd >= 0)
		pfd[n++] = (struct pollfd){ hook_listen.fd, POLLIN, 0 };
	if (hook.fd >= 0)
		pfd[n++] = (struct pollfd){ hook.fd, POLLIN, 0 };
	if (floor_line.fd >= 0)
		pfd[n++] = (struct pollfd){ floor_line.fd, POLLIN, 0 };
	first_sink = n;
	for (i = 0; i < nsinks; i++)
		pfd[n++] = (struct pollfd){ sinks[i].is_bus ?
		    sd_bus_get_fd(sinks[i].bus) : sinks[i].c.fd, POLLIN, 0 };
	if (poll(pfd, n, timeout_ms) < 0 && errno != EINTR)
		die("poll: %s", strerror(errno));
	for (i = 0; i < n; i++) {
		if (pfd[i].revents == 0)
			continue;
		fd = pfd[i].fd;
		if (i >= first_sink) {
			struct sink *s = &sinks[i - first_sink];

			if (s->is_bus)
				while (sd_bus_process(s->bus, NULL) > 0)
					;
			else
				rpc_read(s);
		} else if (fd == ctl.fd)
			http_client_read(&ctl, &ctl_reply);
		else if (fd == api.fd)
			http_client_read(&api, &api_reply);
		else if (fd == hook_listen.fd) {
			if (hook.fd >= 0)
				close(hook.fd);
			conn_init(&hook, accept4(hook_listen.fd, NULL, NULL,
			    SOCK_CLOEXEC | SOCK_NONBLOCK));
		} else if (fd == hook.fd)
			hook_read();
		else if (fd == floor_line.fd)
			floor_line_read();
	}
	/* sd-bus may hold messages it read already: drain them too. */
	for (i = 0; i < nsinks; i++)
		if (sinks[i].is_bus)
			while (sd_bus_process(sinks[i].bus, NULL) > 0)
				;
}

/* Toggle mute on call at the phone; returns the time it was asked. */
static double
toggle(const char *call, int *muted)
{
	char	path[256];
	double	t0;

	snprintf(path, sizeof(path), "/_sim/calls/%s/%s", call,
	    *muted ? "unmute" : "mute");
	*muted = !*muted;
	ctl_reply.done = 0;
	t0 = now_us();
	http_send(&ctl, "POST", path, NULL, "{}");
	return t0;
}

static int
sinks_have(int64_t token)
{
	size_t	i;

	for (i = 0; i < nsinks; i++)
		if (sinks[i].token != token)
			return 0;
	return 1;
}

/* The daemon path: every sink told the new token; per-sink latencies. */
static void
daemon_sample(double *lat)
{
	double	t0 = toggle(o.call, &call_muted), deadline = t0 + WAIT_MS * 1e3;
	size_t	i;

	while (!ctl_reply.done || !sinks_have(ctl_reply.token)) {
		if (now_us() > deadline)
			die("no change of call %s reached every subscriber within "
			    "%d ms (control answered: %d)", o.call, WAIT_MS,
			    ctl_reply.done);
		pump(100);
	}
	if (ctl_reply.status != 200)
		die("the simulator answered %d to a mute toggle", ctl_reply.status);
	for (i = 0; i < nsinks; i++)
		lat[i] = sinks[i].when - t0;
}

/* The floor client's webhook on the floor user's call. */
static void
floor_setup(void)
{
	struct sockaddr_in	sin;
	socklen_t		len = sizeof(sin);
	char			path[512], body[512];
	double			deadline = now_us() + WAIT_MS * 1e3;
	int			fd;

	if (getenv("BENCH_TOKEN") == NULL || o.floor_call == NULL)
		die("the floor needs --floor-call and BENCH_TOKEN");
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1 ||
	    bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    listen(fd, 16) == -1 ||
	    getsockname(fd, (struct sockaddr *)&sin, &len) == -1)
		die("webhook listener: %s", strerror(errno));
	conn_init(&hook_listen, fd);
	conn_init(&api, tcp_connect(sim_host, sim_port));
	snprintf(path, sizeof(path), "/api/callstate/%s/%s/calls/%s/webhook",
	    o.domain, o.floor_user, o.floor_call);
	snprintf(body, sizeof(body), "{\"targetUrl\":\"http://127.0.0.1:%d/"
	    "hooks/floor\",\"targetId\":\"floor\",\"publicTarget\":false}",
	    ntohs(sin.sin_port));
	api_reply.done = 0;
	http_send(&api, "POST", path, getenv("BENCH_TOKEN"), body);
	while (!api_reply.done) {
		if (now_us() > deadline)
			die("no answer to the floor's webhook registration");
		pump(100);
	}
	if (api_reply.status != 200)
		die("the floor's webhook registration got %d", api_reply.status);
}

static void
print_array(const char *name, const double *v, long n, int last)
{
	long	i;

	printf("\"%s\":[", name);
	for (i = 0; i < n; i++)
		printf("%s%.1f", i ? "," : "", v[i]);
	printf("]%s", last ? "" : ",");
}

/*
 * The floor client: the least any client of the Core must do to tell a
 * local reader of a change. A child process of its own (as dstnyd is)
 * takes the webhook POST, answers it, GETs the call state and, with the
 * answer read, writes one line over a Unix socket and then sends one
 * D-Bus signal from a minimal sd-bus connection through the same
 * dbus-daemon: the two deliveries dstnyd makes, in its order.
 */
static int64_t		 floor_line_token, floor_bus_token;
static double		 floor_line_when, floor_bus_when, floor_get_when;
static pid_t		 floor_pid = -1;

static void __attribute__((noreturn))
floor_child(int wfd)
{
	sd_bus		*tx;
	char		 line[64];
	int		 r, n;

	if ((r = sd_bus_new(&tx)) < 0 ||
	    (r = sd_bus_set_address(tx, o.bus)) < 0 ||
	    (r = sd_bus_set_bus_client(tx, 1)) < 0 ||
	    (r = sd_bus_start(tx)) < 0)
		die("floor D-Bus %s: %s", o.bus, strerror(-r));
	/* Ready once the connection is up: no sample may pay for it. */
	if (write(wfd, "ready\n", 6) != 6)
		_exit(1);
	for (;;) {
		struct pollfd pfd[4] = {
			{ wfd, POLLIN, 0 }, { hook_listen.fd, POLLIN, 0 },
			{ api.fd, POLLIN, 0 }, { hook.fd, POLLIN, 0 },
		};

		if (poll(pfd, hook.fd >= 0 ? 4 : 3, -1) < 0 && errno != EINTR)
			die("floor poll: %s", strerror(errno));
		if (pfd[0].revents != 0)
			_exit(0);	/* the parent is done */
		if (pfd[1].revents != 0) {
			if (hook.fd >= 0)
				close(hook.fd);
			conn_init(&hook, accept4(hook_listen.fd, NULL, NULL,
			    SOCK_CLOEXEC | SOCK_NONBLOCK));
		}
		if (hook.fd >= 0 && pfd[3].revents != 0)
			hook_read();
		if (pfd[2].revents == 0)
			continue;
		http_client_read(&api, &api_reply);
		if (!api_reply.done)
			continue;
		api_reply.done = 0;
		n = snprintf(line, sizeof(line), "%" PRId64 " %.1f\n",
		    api_reply.status == 200 ? api_reply.token : -1,
		    api_reply.when);
		if (write(wfd, line, (size_t)n) != n)
			_exit(1);
		if ((r = sd_bus_emit_signal(tx, "/org/dstnyd/Bench",
		    "org.dstnyd.Bench", "Floor", "x", api_reply.token)) < 0 ||
		    (r = sd_bus_flush(tx)) < 0)
			die("floor D-Bus signal: %s", strerror(-r));
	}
}

static int
floor_bus_cb(sd_bus_message *m, void *arg, sd_bus_error *err)
{
	int64_t	v;

	if (sd_bus_message_read(m, "x", &v) >= 0) {
		floor_bus_token = v;
		floor_bus_when = now_us();
	}
	return 0;
}

static void
floor_line_read(void)
{
	char	*nl, *line, *sp;
	double	 t;

	if (!conn_fill(&floor_line))
		die("the floor client ended");
	t = now_us();
	line = floor_line.buf;
	while ((nl = strchr(line, '\n')) != NULL) {
		*nl = '\0';
		floor_line_token = strtoll(line, &sp, 10);
		floor_get_when = strtod(sp, NULL);
		floor_line_when = t;
		line = nl + 1;
	}
	conn_consume(&floor_line, (size_t)(line - floor_line.buf));
}

/* Fork the floor client; the parent keeps only its end of the line. */
static void
floor_start(sd_bus *rx)
{
	int	sv[2], r;
	char	buf[8];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == -1)
		die("socketpair: %s", strerror(errno));
	fflush(stdout);
	if ((floor_pid = fork()) == -1)
		die("fork: %s", strerror(errno));
	if (floor_pid == 0) {
		close(sv[0]);
		nsinks = 0;
		floor_child(sv[1]);
	}
	close(sv[1]);
	close(hook_listen.fd);
	close(api.fd);
	hook_listen.fd = api.fd = -1;
	if (read(sv[0], buf, 6) != 6 || memcmp(buf, "ready\n", 6) != 0)
		die("the floor client did not start");
	conn_init(&floor_line, sv[0]);
	fcntl(sv[0], F_SETFL, O_NONBLOCK);
	if ((r = sd_bus_match_signal(rx, NULL, NULL, "/org/dstnyd/Bench",
	    "org.dstnyd.Bench", "Floor", floor_bus_cb, NULL)) < 0)
		die("D-Bus match: %s", strerror(-r));
}

static void
floor_stop(void)
{
	close(floor_line.fd);
	floor_line.fd = -1;
	if (floor_pid > 0)
		waitpid(floor_pid, NULL, 0);
}

/* One floor sample: the GET's answer read, the line, the signal. */
static void
floor_sample(double *get, double *line, double *bus)
{
	double	t0, deadline;

	t0 = toggle(o.floor_call, &floor_muted);
	deadline = t0 + WAIT_MS * 1e3;
	while (!ctl_reply.done || floor_line_token != ctl_reply.token ||
	    floor_bus_token != ctl_reply.token) {
		if (now_us() > deadline)
			die("the floor client delivered no change within %d ms "
			    "(line %" PRId64 ", signal %" PRId64 ", want %" PRId64
			    ")", WAIT_MS, floor_line_token, floor_bus_token,
			    ctl_reply.token);
		pump(100);
	}
	*get = floor_get_when - t0;
	*line = floor_line_when - t0;
	*bus = floor_bus_when - t0;
}

static void
cmd_latency(void)
{
	double	*get = calloc((size_t)o.samples, sizeof(double));
	double	*fline = calloc((size_t)o.samples, sizeof(double));
	double	*fbus = calloc((size_t)o.samples, sizeof(double));
	double	*bus = calloc((size_t)o.samples, sizeof(double));
	double	*sock = calloc((size_t)o.samples, sizeof(double));
	double	 lat[2];
	long	 i;

	floor_setup();
	sink_bus_open(&sinks[nsinks++]);
	sink_rpc_open(&sinks[nsinks++]);
	floor_start(sinks[0].bus);
	for (i = 0; i < o.samples; i++) {
		/* Interleaved, so both see the same machine. */
		floor_sample(&get[i], &fline[i], &fbus[i]);
		daemon_sample(lat);
		bus[i] = lat[0];
		sock[i] = lat[1];
	}
	floor_stop();
	printf("{");
	print_array("floor_get", get, o.samples, 0);
	print_array("floor_socket", fline, o.samples, 0);
	print_array("floor_dbus", fbus, o.samples, 0);
	print_array("dbus", bus, o.samples, 0);
	print_array("socket", sock, o.samples, 1);
	printf("}\n");
	free(get);
	free(fline);
	free(fbus);
	free(bus);
	free(sock);
}

static void
cmd_fanout(void)
{
	double	*last = calloc((size_t)o.samples, sizeof(double));
	double	*lat = calloc(MAX_SINKS, sizeof(double)), m;
	long	 i, k;
	size_t	 j;

	if (o.subs + o.buses > MAX_SINKS)
		die("at most %d subscribers", MAX_SINKS);
	for (k = 0; k < o.buses; k++)
		sink_bus_open(&sinks[nsinks++]);
	for (k = 0; k < o.subs; k++)
		sink_rpc_open(&sinks[nsinks++]);
	for (i = 0; i < o.samples; i++) {
		daemon_sample(lat);
		for (m = 0, j = 0; j < nsinks; j++)
			if (lat[j] > m)
				m = lat[j];
		last[i] = m;
	}
	printf("{");
	print_array("last", last, o.samples, 1);
	printf("}\n");
	free(last);
	free(lat);
}

/* GETs back to back on o.conns connections for o.seconds. */
static void
cmd_capacity(void)
{
	struct conn	 c[MAX_CONNS];
	struct pollfd	 pfd[MAX_CONNS];
	char		 path[512], *body;
	size_t		 len;
	long		 i, n = (long)o.conns, gets = 0;
	double		 t0, end;
	int		 status;

	if (n < 1 || n > MAX_CONNS || getenv("BENCH_TOKEN") == NULL)
		die("capacity needs 1..%d --conns and BENCH_TOKEN", MAX_CONNS);
	snprintf(path, sizeof(path), "/api/callstate/%s/%s/calls/%s",
	    o.domain, o.floor_user, o.floor_call);
	memset(c, 0, sizeof(c));
	for (i = 0; i < n; i++) {
		conn_init(&c[i], tcp_connect(sim_host, sim_port));
		pfd[i] = (struct pollfd){ c[i].fd, POLLIN, 0 };
		http_send(&c[i], "GET", path, getenv("BENCH_TOKEN"), NULL);
	}
	t0 = now_us();
	end = t0 + o.seconds * 1e6;
	while (now_us() < end) {
		if (poll(pfd, (nfds_t)n, 1000) < 0)
			die("poll: %s", strerror(errno));
		for (i = 0; i < n; i++) {
			if (pfd[i].revents == 0)
				continue;
			if (!conn_fill(&c[i]))
				die("the simulator closed a connection");
			while (http_take(&c[i], &status, &body, &len)) {
				free(body);
				if (status != 200)
					die("a capacity GET got %d", status);
				gets++;
				http_send(&c[i], "GET", path,
				    getenv("BENCH_TOKEN"), NULL);
			}
		}
	}
	printf("{\"gets\":%ld,\"seconds\":%.6f}\n", gets, (now_us() - t0) / 1e6);
	for (i = 0; i < n; i++) {
		close(c[i].fd);
		free(c[i].buf);
	}
}

/*
 * The simulator makes o.changes changes (o.rate per second, 0: as fast as
 * it can); done when calls.list shows every call's final token. calls.list
 * is asked every 2 ms from then on, not subscribed to: a subscriber that
 * falls behind a burst would be cut off (interfaces.md 4), and the figure
 * is about the daemon's state, not about one client's reading speed.
 */
static void
cmd_churn(void)
{
	static const char	 list[] = "{\"jsonrpc\":\"2.0\",\"id\":7,"
	    "\"method\":\"calls.list\"}\n";
	struct json_object	*j, *calls, *got, *res, *v;
	struct conn		 rpc;
	char			 body[256], *nl;
	double			 t0, deadline, when;
	size_t			 i, want, match;

	memset(&rpc, 0, sizeof(rpc));
	conn_init(&rpc, unix_connect(o.socket));
	snprintf(body, sizeof(body), "{\"user\":\"%s\",\"changes\":%ld,"
	    "\"rate\":%ld}", o.user, o.changes, o.rate);
	ctl_reply.done = 0;
	t0 = now_us();
	http_send(&ctl, "POST", "/_sim/churn", NULL, body);
	deadline = t0 + 120e6;
	while (!ctl_reply.done) {	/* it answers once the last change is made */
		if (now_us() > deadline)
			die("the churn did not end within 120 s");
		pump(100);
	}
	if (ctl_reply.status != 200 ||
	    (j = json_tokener_parse(ctl_reply.body)) == NULL ||
	    !json_object_object_get_ex(j, "calls", &calls))
		die("the churn failed (%d): %s", ctl_reply.status, ctl_reply.body);
	want = (size_t)json_object_object_length(calls);
	deadline = now_us() + 60e6;
	for (;;) {
		conn_write(&rpc, list, sizeof(list) - 1);
		while ((nl = strchr(rpc.buf, '\n')) == NULL)
			if (!conn_fill(&rpc))
				die("the daemon closed the socket");
		when = now_us();
		*nl = '\0';
		match = 0;
		if ((got = json_tokener_parse(rpc.buf)) != NULL &&
		    json_object_object_get_ex(got, "result", &res))
			for (i = 0; i < json_object_array_length(res); i++) {
				struct json_object *c = json_object_array_get_idx(res, i), *id, *t;

				if (json_object_object_get_ex(c, "callId", &id) &&
				    json_object_object_get_ex(c, "stateToken", &t) &&
				    json_object_object_get_ex(calls,
				    json_object_get_string(id), &v) &&
				    json_object_get_int64(v) == json_object_get_int64(t))
					match++;
			}
		json_object_put(got);
		conn_consume(&rpc, (size_t)(nl - rpc.buf) + 1);
		if (match == want)
			break;
		if (now_us() > deadline)
			die("%zu of %zu calls never reached their final state",
			    want - match, want);
		usleep(2000);
	}
	printf("{\"changes\":%ld,\"calls\":%zu,\"sim_seconds\":%.6f,"
	    "\"seconds\":%.6f}\n", o.changes, want, json_object_get_double(
	    json_object_object_get(j, "seconds")), (when - t0) / 1e6);
	json_object_put(j);
	close(rpc.fd);
	free(rpc.buf);
}

static void
usage(void)
{
	fprintf(stderr, "usage: bench-probe latency|fanout|capacity|churn "
	    "--sim URL [--bus ADDRESS] [--socket PATH] [--call ID --path PATH] "
	    "[--floor-call ID] [--samples N] [--subs N] [--buses N] "
	    "[--conns N] [--seconds S] [--changes N] [--rate N] [--user NAME]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	const char	*cmd, *k, *v, *p;
	int		 i;

	if (argc < 2)
		usage();
	signal(SIGPIPE, SIG_IGN);	/* a closed peer is an error message */
	cmd = argv[1];
	for (i = 2; i + 1 < argc; i += 2) {
		k = argv[i];
		v = argv[i + 1];
		if (strcmp(k, "--sim") == 0) o.sim = v;
		else if (strcmp(k, "--bus") == 0) o.bus = v;
		else if (strcmp(k, "--socket") == 0) o.socket = v;
		else if (strcmp(k, "--call") == 0) o.call = v;
		else if (strcmp(k, "--path") == 0) o.path = v;
		else if (strcmp(k, "--user") == 0) o.user = v;
		else if (strcmp(k, "--floor-call") == 0) o.floor_call = v;
		else if (strcmp(k, "--samples") == 0) o.samples = atol(v);
		else if (strcmp(k, "--subs") == 0) o.subs = atol(v);
		else if (strcmp(k, "--buses") == 0) o.buses = atol(v);
		else if (strcmp(k, "--conns") == 0) o.conns = atol(v);
		else if (strcmp(k, "--changes") == 0) o.changes = atol(v);
		else if (strcmp(k, "--rate") == 0) o.rate = atol(v);
		else if (strcmp(k, "--seconds") == 0) o.seconds = atof(v);
		else
			usage();
	}
	if (i != argc || o.sim == NULL || strncmp(o.sim, "http://", 7) != 0 ||
	    (p = strrchr(o.sim + 7, ':')) == NULL ||
	    (size_t)(p - o.sim - 7) >= sizeof(sim_host))
		usage();
	memcpy(sim_host, o.sim + 7, (size_t)(p - o.sim - 7));
	sim_port = atoi(p + 1);
	ctl.fd = api.fd = hook_listen.fd = hook.fd = floor_line.fd = -1;
	if (strcmp(cmd, "capacity") == 0) {
		cmd_capacity();
		return 0;
	}
	conn_init(&ctl, tcp_connect(sim_host, sim_port));
	if (strcmp(cmd, "churn") == 0) {
		if (o.socket == NULL)
			usage();
		cmd_churn();
		return 0;
	}
	if (o.socket == NULL || o.bus == NULL || o.call == NULL || o.path == NULL)
		usage();
	if (strcmp(cmd, "latency") == 0)
		cmd_latency();
	else if (strcmp(cmd, "fanout") == 0)
		cmd_fanout();
	else
		usage();
	return 0;
}
