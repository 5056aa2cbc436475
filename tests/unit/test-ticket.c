/* test-ticket.c: token files, credentials, create/renew/delete against loopback HTTP. */
#include "config.h"

#include <sys/stat.h>

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "coremsg.h"
#include "http.h"
#include "routes.h"
#include "secret.h"
#include "tap.h"
#include "ticket.h"
#include "xmalloc.h"

static struct event_base	*base;
static int			 creates, deletes, refuse_next;
static long			 lifetime = 3600;
static char			 last_create_uri[512], last_auth[256];
static char			 last_delete_uri[512], last_delete_auth[256];
static enum dstny_err		 cb_err;
static int			 cb_calls;
static char			 dir[] = "/tmp/test-ticket-XXXXXX";

static void
core_cb(struct evhttp_request *req, void *arg)
{
	struct evkeyvalq	*in = evhttp_request_get_input_headers(req);
	const char		*auth = evhttp_find_header(in, "Authorization");
	struct evbuffer		*out = evbuffer_new();
	char			 when[32];

	if (evhttp_request_get_command(req) == EVHTTP_REQ_POST) {
		creates++;
		snprintf(last_create_uri, sizeof(last_create_uri), "%s",
		    evhttp_request_get_uri(req));
		snprintf(last_auth, sizeof(last_auth), "%s", auth ? auth : "");
		if (refuse_next) {
			refuse_next = 0;
			evhttp_send_reply(req, 401, "No", NULL);
			evbuffer_free(out);
			return;
		}
		iso8601_format(time(NULL) + lifetime, when, sizeof(when));
		evbuffer_add_printf(out, "{\"expires\": \"%s\", \"name\": \"desk\", "
		    "\"token\": \"tok-%d-abcdef\", \"allowedApis\": [\"CALL_CONTROL\"]}",
		    when, creates);
		evhttp_send_reply(req, 200, "OK", out);
	} else {
		deletes++;
		snprintf(last_delete_uri, sizeof(last_delete_uri), "%s",
		    evhttp_request_get_uri(req));
		snprintf(last_delete_auth, sizeof(last_delete_auth), "%s", auth ? auth : "");
		evhttp_send_reply(req, 204, "No Content", NULL);
	}
	evbuffer_free(out);
}

static void
ticket_cb_fn(struct ticket *t, enum dstny_err err, const char *msg, void *arg)
{
	cb_calls++;
	cb_err = err;
	event_base_loopbreak(base);
}

static void
stopped_cb(void *arg)
{
	*(int *)arg = 1;
	event_base_loopbreak(base);
}

static void
watchdog_cb(evutil_socket_t fd, short what, void *arg)
{
	printf("Bail out! nothing happened within 10 s (%s)\n", (const char *)arg);
	exit(1);
}

static void
wait_loop(const char *what)
{
	struct event	*wd = evtimer_new(base, watchdog_cb, (void *)what);
	struct timeval	 tv = { 10, 0 };

	evtimer_add(wd, &tv);
	event_base_dispatch(base);
	event_free(wd);
}

static char *
write_file(const char *name, const char *content, mode_t mode)
{
	char	*path = xasprintf("%s/%s", dir, name);
	int	 fd;

	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	if (write(fd, content, strlen(content)) < 0)
		abort();
	fchmod(fd, mode);
	close(fd);
	return path;
}

int
main(void)
{
	struct evhttp		*srv;
	struct evhttp_bound_socket *bound;
	struct sockaddr_in	 sin;
	socklen_t		 sl = sizeof(sin);
	struct http_opts	 hopts = { 0 };
	struct http		*h;
	struct routes		*routes = routes_new();
	struct ticket_conf	 tc;
	struct ticket		*t;
	struct secret		*s;
	char			 err[512], *tokpath, *pwpath, *base_url;
	char *const		 apis[] = { "CALL_CONTROL", "USER" };
	int			 stopped = 0;
	time_t			 now;

	if (mkdtemp(dir) == NULL)
		abort();
	base = event_base_new();
	srv = evhttp_new(base);
	evhttp_set_allowed_methods(srv, EVHTTP_REQ_POST | EVHTTP_REQ_DELETE);
	evhttp_set_gencb(srv, core_cb, NULL);
	bound = evhttp_bind_socket_with_handle(srv, "127.0.0.1", 0);
	getsockname(evhttp_bound_socket_get_fd(bound), (struct sockaddr *)&sin, &sl);
	base_url = xasprintf("http://127.0.0.1:%d/api", ntohs(sin.sin_port));
	h = http_new(base, &hopts);

	/* Credential files. */
	tokpath = write_file("token", "tok-from-file-123\n", 0600);
	s = credential_read(tokpath, err, sizeof(err));
	ok(s != NULL && strcmp(secret_value(s), "tok-from-file-123") == 0,
	    "token file read, newline dropped");
	secret_free(s);
	free(tokpath);
	tokpath = write_file("open", "tok-open\n", 0644);
	ok(credential_read(tokpath, err, sizeof(err)) == NULL, "mode 0644 refused");
	ok(strstr(err, "readable by group or others (mode 0644)") != NULL, "message: %s", err);
	ok(strstr(err, "tok-open") == NULL, "the message does not show the secret");
	free(tokpath);
	tokpath = write_file("grp", "tok-grp\n", 0640);
	ok(credential_read(tokpath, err, sizeof(err)) == NULL, "mode 0640 refused");
	free(tokpath);
	tokpath = write_file("empty", "", 0600);
	ok(credential_read(tokpath, err, sizeof(err)) == NULL && strstr(err, ": empty") != NULL,
	    "empty file refused");
	free(tokpath);
	ok(credential_read("/nonexistent/token", err, sizeof(err)) == NULL &&
	    strcmp(err, "/nonexistent/token: No such file or directory") == 0,
	    "missing file refused");

	/* Token mode, from the systemd credentials directory. */
	memset(&tc, 0, sizeof(tc));
	tc.base_url = base_url;
	tc.routes = routes;
	tc.domain = "example.com";
	tc.user = "alice";
	tc.apis = apis;
	tc.napis = 2;
	tc.name = "dstnyd";
	tc.expires = 60;
	unsetenv("CREDENTIALS_DIRECTORY");
	ok(ticket_new(base, h, &tc, ticket_cb_fn, NULL, err, sizeof(err)) == NULL,
	    "no credentials at all refused");
	ok(strstr(err, "no credentials") != NULL, "message: %s", err);
	tokpath = write_file("token", "tok-cred-dir-1\n", 0400);
	setenv("CREDENTIALS_DIRECTORY", dir, 1);
	t = ticket_new(base, h, &tc, ticket_cb_fn, NULL, err, sizeof(err));
	ok(t != NULL, "token from $CREDENTIALS_DIRECTORY/token (%s)", t ? "" : err);
	ok(!ticket_owned(t), "a given token is not ours");
	ticket_start(t);
	ok(cb_calls == 1 && cb_err == DSTNY_OK, "usable at once");
	is_str(secret_value(ticket_token(t)), "tok-cred-dir-1", "token value");
	/* 401 with the same token in the file: unauthorized. */
	ticket_invalid(t);
	ok(cb_calls == 2 && cb_err == DSTNY_ERR_UNAUTHORIZED, "same token again is Unauthorized");
	/* A replaced file is picked up. */
	chmod(tokpath, 0600);
	free(write_file("token", "tok-cred-dir-2\n", 0600));
	ticket_invalid(t);
	ok(cb_calls == 3 && cb_err == DSTNY_OK, "a new token in the file is used");
	is_str(secret_value(ticket_token(t)), "tok-cred-dir-2", "new token value");
	ticket_stop(t, stopped_cb, &stopped);
	ok(stopped && deletes == 0, "a given token is never deleted");
	ticket_free(t);
	free(tokpath);

	/* Password mode: create, renew at 80%, re-create on 401, delete. */
	pwpath = write_file("password", "pa:ss w0rd\n", 0600);
	tc.password_file = pwpath;
	cb_calls = 0;
	t = ticket_new(base, h, &tc, ticket_cb_fn, NULL, err, sizeof(err));
	ok(t != NULL && ticket_owned(t), "password file read");
	ticket_start(t);
	wait_loop("ticket.create");
	ok(cb_calls == 1 && cb_err == DSTNY_OK && creates == 1, "ticket created");
	is_str(last_create_uri, "/api/ticket/example.com/alice?api=CALL_CONTROL&api=USER"
	    "&platform=other&name=dstnyd&expires=60", "ticket.create query");
	is_str(last_auth, "Basic YWxpY2VAZXhhbXBsZS5jb206cGE6c3MgdzByZA==",
	    "HTTP Basic alice@example.com:pa:ss w0rd");
	is_str(secret_value(ticket_token(t)), "tok-1-abcdef", "created token");
	now = time(NULL);
	ok(ticket_expires(t) >= now + 3598 && ticket_expires(t) <= now + 3600,
	    "expiry from the answer");
	ok(ticket_renews(t) >= now + 2877 && ticket_renews(t) <= now + 2880,
	    "renewal at 80%% of the lifetime");

	ticket_invalid(t);
	ok(ticket_token(t) == NULL, "a refused token is dropped at once");
	ticket_invalid(t);	/* another 401 while it is made: one request */
	wait_loop("re-create after 401");
	ok(cb_err == DSTNY_OK && creates == 2, "a new ticket after a 401, one "
	    "for two refusals (and nothing leaked: valgrind, ASan)");
	is_str(secret_value(ticket_token(t)), "tok-2-abcdef", "second token");

	/* Renewal: a 2 s ticket is renewed after 1.6 s. */
	lifetime = 2;
	ticket_invalid(t);
	wait_loop("short ticket");
	is_str(secret_value(ticket_token(t)), "tok-3-abcdef", "short-lived token");
	lifetime = 3600;
	wait_loop("renewal");
	ok(creates == 4 && cb_err == DSTNY_OK, "renewed before it ran out");
	is_str(secret_value(ticket_token(t)), "tok-4-abcdef", "renewed token");

	/* A refused password is reported and not retried in a loop. */
	refuse_next = 1;
	ticket_invalid(t);
	wait_loop("refused create");
	ok(cb_err == DSTNY_ERR_UNAUTHORIZED && ticket_token(t) == NULL,
	    "ticket.create 401 is Unauthorized");
	ticket_invalid(t);
	wait_loop("create again");
	ok(cb_err == DSTNY_OK, "works again when asked");

	stopped = 0;
	ticket_stop(t, stopped_cb, &stopped);
	wait_loop("ticket.delete");
	ok(stopped && deletes == 1, "ticket deleted on stop");
	is_str(last_delete_uri, "/api/ticket/example.com/alice/desk",
	    "ticket.delete uses the Core's name for it");
	is_str(last_delete_auth, "Bearer tok-6-abcdef", "deleted with its own token");
	ok(ticket_token(t) == NULL, "no token after stop");
	ticket_free(t);
	free(pwpath);

	http_free(h);
	routes_free(routes);
	evhttp_free(srv);
	event_base_free(base);
	free(base_url);
	{
		char *cmd = xasprintf("rm -rf %s", dir);
		if (system(cmd) != 0)
			printf("# could not remove %s\n", dir);
		free(cmd);
	}
	return tap_done();
}
