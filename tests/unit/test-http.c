/* test-http.c: the HTTP client against a real evhttp server on loopback. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "http.h"
#include "secret.h"
#include "tap.h"
#include "xmalloc.h"

static struct event_base	*base;
static struct evhttp		*srv;
static int			 port;
static int			 flaky_left;
static struct http_resp		 last;
static char			*last_body;
static char			*last_msg;
static int			 done_calls;
static int			 never_calls;	/* never_cb: must stay 0 */
static struct buf		 streamed;

/* Echo method, interesting headers and body, one per line. */
static void
echo_cb(struct evhttp_request *req, void *arg)
{
	static const char *const names[] = { "Authorization", "Accept",
	    "Content-Type", "User-Agent", "X-HTTP-Method-Override",
	    "Last-Event-ID", "X-Request-Id", "Expect" };
	struct evkeyvalq	*in = evhttp_request_get_input_headers(req);
	struct evbuffer		*out = evbuffer_new(), *body;
	const char		*v;
	size_t			 i;
	static const char *const methods[] = { [EVHTTP_REQ_GET] = "GET" };

	(void)methods;
	switch (evhttp_request_get_command(req)) {
	case EVHTTP_REQ_GET: evbuffer_add_printf(out, "method=GET\n"); break;
	case EVHTTP_REQ_POST: evbuffer_add_printf(out, "method=POST\n"); break;
	case EVHTTP_REQ_PUT: evbuffer_add_printf(out, "method=PUT\n"); break;
	case EVHTTP_REQ_DELETE: evbuffer_add_printf(out, "method=DELETE\n"); break;
	default: evbuffer_add_printf(out, "method=other\n"); break;
	}
	evbuffer_add_printf(out, "uri=%s\n", evhttp_request_get_uri(req));
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if ((v = evhttp_find_header(in, names[i])) != NULL)
			evbuffer_add_printf(out, "%s=%s\n", names[i], v);
	body = evhttp_request_get_input_buffer(req);
	evbuffer_add_printf(out, "body=");
	evbuffer_add_buffer(out, body);
	evhttp_send_reply(req, 200, "OK", out);
	evbuffer_free(out);
}

static void
status_cb(struct evhttp_request *req, void *arg)
{
	struct evbuffer	*out = evbuffer_new();
	const char	*uri = evhttp_request_get_uri(req);
	int		 code = atoi(strrchr(uri, '/') + 1);

	if (code >= 400 && code < 500)
		evbuffer_add_printf(out, "{\"field\": [{\"fieldName\": \"x\", "
		    "\"description\": \"Core says %d\"}], \"generated-id\": \"g\"}", code);
	evhttp_send_reply(req, code, "Status", out);
	evbuffer_free(out);
}

static void
flaky_cb(struct evhttp_request *req, void *arg)
{
	struct evbuffer	*out = evbuffer_new();

	if (flaky_left-- > 0)
		evhttp_send_reply(req, 503, "Busy", NULL);
	else {
		evbuffer_add_printf(out, "{\"fine\": true}");
		evhttp_send_reply(req, 200, "OK", out);
	}
	evbuffer_free(out);
}

static void
slow_reply_cb(evutil_socket_t fd, short what, void *arg)
{
	evhttp_send_reply(arg, 200, "OK", NULL);
}

static void
slow_cb(struct evhttp_request *req, void *arg)
{
	struct timeval	tv = { 3, 0 };

	event_base_once(base, -1, EV_TIMEOUT, slow_reply_cb, req, &tv);
}

struct chunker {
	struct evhttp_request	*req;
	int			 n;
};

static void
chunk_cb(evutil_socket_t fd, short what, void *arg)
{
	static const char *const parts[] = { "data: one\n", "\ndata: t",
	    "wo\n\n" };
	struct chunker	*c = arg;
	struct evbuffer	*b;
	struct timeval	 tv = { 0, 20000 };

	if (c->n == 3) {
		evhttp_send_reply_end(c->req);
		free(c);
		return;
	}
	b = evbuffer_new();
	evbuffer_add_printf(b, "%s", parts[c->n++]);
	evhttp_send_reply_chunk(c->req, b);
	evbuffer_free(b);
	event_base_once(base, -1, EV_TIMEOUT, chunk_cb, c, &tv);
}

static void
stream_cb(struct evhttp_request *req, void *arg)
{
	struct chunker	*c = xcalloc(1, sizeof(*c));

	c->req = req;
	evhttp_add_header(evhttp_request_get_output_headers(req),
	    "Content-Type", "text/event-stream");
	evhttp_send_reply_start(req, 200, "OK");
	chunk_cb(-1, 0, c);
}

static void
big_cb(struct evhttp_request *req, void *arg)
{
	struct evbuffer	*out = evbuffer_new();
	char		*junk = xmalloc(HTTP_MAX_BODY + 10);

	memset(junk, 'x', HTTP_MAX_BODY + 10);
	evbuffer_add(out, junk, HTTP_MAX_BODY + 10);
	free(junk);
	evhttp_send_reply(req, 200, "OK", out);
	evbuffer_free(out);
}

/* /hold: answers wait until released; hold_want breaks the loop. */
static struct evhttp_request	*held[64];
static int			 nheld, hold_release, hold_want;
static int			 bg_done, bg_ok;

static void
hold_cb(struct evhttp_request *req, void *arg)
{
	if (hold_release || nheld == (int)(sizeof(held) / sizeof(held[0]))) {
		evhttp_send_reply(req, 200, "OK", NULL);
		return;
	}
	held[nheld++] = req;
	if (nheld == hold_want)
		event_base_loopbreak(base);
}

static void
bg_done_cb(const struct http_resp *r, void *arg)
{
	bg_done++;
	bg_ok += r->status == 200;
	if (bg_done == *(int *)arg)
		event_base_loopbreak(base);
}

static void
done_cb(const struct http_resp *r, void *arg)
{
	done_calls++;
	last = *r;
	free(last_body);
	free(last_msg);
	last_body = xstrdup(r->body);
	last_msg = xstrdup(r->message);
	last.body = last_body;
	last.message = last_msg;
	if (arg != NULL)
		*(int *)arg = 1;
	event_base_loopbreak(base);
}

static void
never_cb(const struct http_resp *r, void *arg)
{
	never_calls++;
	ok(0, "a cancelled request called back");
}

static void
data_cb(uint64_t id, const char *p, size_t n, void *arg)
{
	buf_add(&streamed, p, n);
}

static void
watchdog_cb(evutil_socket_t fd, short what, void *arg)
{
	printf("Bail out! no answer within 10 s (%s)\n", (const char *)arg);
	exit(1);
}

/* The answer's own buffer, not a copy: what http leaves in it. */
static const char	*raw_body;
static size_t		 raw_len;

static void
raw_cb(const struct http_resp *r, void *arg)
{
	raw_body = r->body;
	raw_len = r->body_len;
	event_base_loopbreak(base);
}

/* Send and run the loop until the answer, or bail out after 10 s. */
static void
roundtrip_cb(struct http *h, struct http_req *req, http_done_cb cb,
    const char *what)
{
	struct event	*wd = evtimer_new(base, watchdog_cb, (void *)what);
	struct timeval	 tv = { 10, 0 };

	done_calls = 0;
	evtimer_add(wd, &tv);
	http_send(h, req, cb, NULL);
	event_base_dispatch(base);
	event_free(wd);
}

static void
roundtrip(struct http *h, struct http_req *req, const char *what)
{
	roundtrip_cb(h, req, done_cb, what);
}

static char *
url(const char *path)
{
	return xasprintf("http://127.0.0.1:%d%s", port, path);
}

int
main(void)
{
	struct evhttp_bound_socket	*bound;
	struct http_opts		 opts = { 0 };
	struct http			*h, *ho;
	struct http_req			 req;
	struct secret			*tok, *pw;
	char				*u;
	uint64_t			 id;
	struct sockaddr_storage		 ss;
	socklen_t			 sl = sizeof(ss);

	base = event_base_new();
	srv = evhttp_new(base);
	evhttp_set_allowed_methods(srv, EVHTTP_REQ_GET | EVHTTP_REQ_POST |
	    EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE);
	evhttp_set_cb(srv, "/echo", echo_cb, NULL);
	evhttp_set_cb(srv, "/flaky", flaky_cb, NULL);
	evhttp_set_cb(srv, "/slow", slow_cb, NULL);
	evhttp_set_cb(srv, "/stream", stream_cb, NULL);
	evhttp_set_cb(srv, "/big", big_cb, NULL);
	evhttp_set_cb(srv, "/hold", hold_cb, NULL);
	evhttp_set_gencb(srv, status_cb, NULL);
	bound = evhttp_bind_socket_with_handle(srv, "127.0.0.1", 0);
	getsockname(evhttp_bound_socket_get_fd(bound), (struct sockaddr *)&ss, &sl);
	port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
	ok(port > 0, "test server on 127.0.0.1:%d", port);

	opts.timeout_ms = 2000;
	opts.max_retries = 3;
	opts.retry_base_ms = 10;
	h = http_new(base, &opts);
	tok = secret_new("tok-3141592653", 14);
	pw = secret_new("pass word", 9);

	/* GET with bearer auth and the fixed headers. */
	memset(&req, 0, sizeof(req));
	req.url = u = url("/echo");
	req.bearer = tok;
	roundtrip(h, &req, "GET /echo");
	is_int(last.status, 200, "GET answered");
	is_int(last.err, DSTNY_OK, "no error");
	ok(strstr(last.body, "method=GET\n") != NULL, "method GET");
	ok(strstr(last.body, "Authorization=Bearer tok-3141592653\n") != NULL, "bearer token");
	ok(strstr(last.body, "Accept=application/json\n") != NULL, "Accept");
	ok(strstr(last.body, "User-Agent=dstnyd/" DSTNY_VERSION "\n") != NULL, "User-Agent");
	ok(strstr(last.body, "X-Request-Id=") != NULL, "request id header");
	ok(strstr(last.body, "Content-Type=") == NULL, "no Content-Type without a body");

	/* POST with a JSON body. */
	req.method = "POST";
	req.body = "{\"stateToken\": 487345453}";
	req.body_len = strlen(req.body);
	roundtrip(h, &req, "POST /echo");
	ok(strstr(last.body, "method=POST\n") != NULL, "method POST");
	ok(strstr(last.body, "Content-Type=application/json\n") != NULL, "JSON content type");
	ok(strstr(last.body, "body={\"stateToken\": 487345453}") != NULL, "body sent");
	ok(strstr(last.body, "Expect=") == NULL, "no Expect: 100-continue");

	/* DELETE and PUT as themselves, then through the override. */
	req.method = "DELETE";
	req.body = NULL;
	req.body_len = 0;
	roundtrip(h, &req, "DELETE /echo");
	ok(strstr(last.body, "method=DELETE\n") != NULL, "DELETE sent as DELETE");
	opts.method_override = 1;
	ho = http_new(base, &opts);
	roundtrip(ho, &req, "DELETE override");
	ok(strstr(last.body, "method=POST\n") != NULL &&
	    strstr(last.body, "X-HTTP-Method-Override=DELETE\n") != NULL,
	    "DELETE as POST with X-HTTP-Method-Override");
	req.method = "PUT";
	req.body = "{\"expiresOn\": \"2026-11-28T20:00:00Z\"}";
	req.body_len = strlen(req.body);
	roundtrip(ho, &req, "PUT override");
	ok(strstr(last.body, "method=POST\n") != NULL &&
	    strstr(last.body, "X-HTTP-Method-Override=PUT\n") != NULL &&
	    strstr(last.body, "body={\"expiresOn\"") != NULL,
	    "PUT as POST with the override and its body");
	req.method = "GET";
	req.body = NULL;
	roundtrip(ho, &req, "GET override");
	ok(strstr(last.body, "method=GET\n") != NULL &&
	    strstr(last.body, "X-HTTP-Method-Override") == NULL, "GET is never overridden");
	http_free(ho);

	/* HTTP Basic for ticket.create. */
	memset(&req, 0, sizeof(req));
	req.url = u;
	req.method = "POST";
	req.basic_user = "alice@example.com";
	req.basic_pass = pw;
	roundtrip(h, &req, "basic");
	ok(strstr(last.body, "Authorization=Basic YWxpY2VAZXhhbXBsZS5jb206cGFzcyB3b3Jk\n") != NULL,
	    "HTTP Basic user@domain:password");
	/*
	 * The answer to a request that carried a password (ticket.create's,
	 * with the new token) is wiped once delivered. The loop stops in the
	 * callback, so the buffer is still allocated here: the reaper frees
	 * it in the next pass.
	 */
	raw_body = NULL;
	roundtrip_cb(h, &req, raw_cb, "basic, raw");
	ok(raw_body != NULL && raw_len > 0 && memchr(raw_body, 'A', raw_len) == NULL &&
	    memchr(raw_body, '=', raw_len) == NULL, "a ticket answer is wiped after delivery");
	req.basic_user = NULL;
	req.basic_pass = NULL;
	roundtrip_cb(h, &req, raw_cb, "no basic, raw");
	ok(raw_body != NULL && memmem(raw_body, raw_len, "method=POST", 11) != NULL,
	    "other answers are left alone");
	free(u);

	/* Error mapping, with the Core's description carried. */
	{
		static const struct { int code; enum dstny_err err; } map[] = {
			{ 400, DSTNY_ERR_INVALID_ARGUMENT }, { 401, DSTNY_ERR_UNAUTHORIZED },
			{ 403, DSTNY_ERR_FORBIDDEN }, { 404, DSTNY_ERR_NOT_FOUND },
			{ 409, DSTNY_ERR_STATE_CONFLICT }, { 412, DSTNY_ERR_STATE_CONFLICT },
			{ 500, DSTNY_ERR_UPSTREAM }, { 502, DSTNY_ERR_UPSTREAM },
		};
		size_t i;
		char path[32], want[64];
		for (i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
			snprintf(path, sizeof(path), "/status/%d", map[i].code);
			memset(&req, 0, sizeof(req));
			req.url = u = url(path);
			req.method = "POST";
			roundtrip(h, &req, path);
			snprintf(want, sizeof(want), map[i].code < 500 ?
			    "Core says %d" : "HTTP %d", map[i].code);
			ok(last.status == map[i].code && last.err == map[i].err &&
			    strcmp(last.message, want) == 0 && last.attempts == 1,
			    "HTTP %d is %s (\"%s\")", map[i].code,
			    dstny_err_name(map[i].err), last.message);
			free(u);
		}
	}

	/* GETs are retried with backoff; POSTs never. */
	memset(&req, 0, sizeof(req));
	req.url = u = url("/flaky");
	flaky_left = 2;
	roundtrip(h, &req, "flaky GET");
	ok(last.status == 200 && last.attempts == 3, "GET retried twice then 200 (attempts %d)",
	    last.attempts);
	flaky_left = 10;
	roundtrip(h, &req, "flaky GET gives up");
	ok(last.status == 503 && last.err == DSTNY_ERR_UPSTREAM && last.attempts == 4,
	    "GET gives up after 3 retries (attempts %d)", last.attempts);
	flaky_left = 1;
	req.method = "POST";
	roundtrip(h, &req, "flaky POST");
	ok(last.status == 503 && last.attempts == 1, "a POST is not retried");
	flaky_left = 0;
	free(u);

	/* Timeouts, refused connections, oversized answers. */
	memset(&req, 0, sizeof(req));
	req.url = u = url("/slow");
	req.timeout_ms = 200;
	req.no_retry = 1;
	roundtrip(h, &req, "slow");
	ok(last.status == 0 && last.err == DSTNY_ERR_TIMEOUT && *last.message != '\0',
	    "timeout is Timeout (%s)", last.message);
	free(u);
	memset(&req, 0, sizeof(req));
	req.url = "http://127.0.0.1:1/nothing";
	req.no_retry = 1;
	roundtrip(h, &req, "refused");
	ok(last.status == 0 && last.err == DSTNY_ERR_UPSTREAM, "refused connection is Upstream (%s)",
	    last.message);
	req.url = u = url("/big");
	roundtrip(h, &req, "big");
	ok(last.err == DSTNY_ERR_UPSTREAM && strcmp(last.message, "answer larger than 4 MiB") == 0,
	    "an answer over 4 MiB is refused");
	free(u);

	/* Streams deliver chunks as they come, with Last-Event-ID sent. */
	buf_init(&streamed);
	memset(&req, 0, sizeof(req));
	req.url = u = url("/stream");
	req.accept = "text/event-stream";
	req.stream = data_cb;
	req.last_event_id = "41";
	roundtrip(h, &req, "stream");
	ok(last.status == 200 && last.err == DSTNY_OK, "stream ends cleanly");
	is_str(streamed.data, "data: one\n\ndata: two\n\n", "stream bytes delivered");
	free(u);

	/* A stream sends the same headers as a request. */
	buf_reset(&streamed);
	req.url = u = url("/echo");
	req.bearer = tok;
	roundtrip(h, &req, "stream headers");
	ok(last.status == 200 && streamed.data != NULL &&
	    strstr(streamed.data, "method=GET\n") != NULL &&
	    strstr(streamed.data, "Authorization=Bearer tok-3141592653\n") != NULL &&
	    strstr(streamed.data, "Accept=text/event-stream\n") != NULL &&
	    strstr(streamed.data, "Last-Event-ID=41\n") != NULL &&
	    strstr(streamed.data, "User-Agent=dstnyd/" DSTNY_VERSION "\n") != NULL &&
	    strstr(streamed.data, "X-Request-Id=") != NULL,
	    "stream: method, bearer, Accept, Last-Event-ID, User-Agent, request id");
	free(u);

	ok(strstr(streamed.data, "uri=/echo\n") != NULL,
	    "stream: sent directly (lib/hstream), origin-form URI");

	/* Through a proxy, streams stay on curl, which knows how. */
	buf_reset(&streamed);
	{
		char *proxy = xasprintf("http://127.0.0.1:%d", port);

		req.url = u = url("/echo");
		setenv("http_proxy", proxy, 1);
		roundtrip(h, &req, "stream through a proxy");
		unsetenv("http_proxy");
		free(proxy);
		free(u);
	}
	ok(last.status == 200 && streamed.data != NULL &&
	    strstr(streamed.data, "uri=http://127.0.0.1:") != NULL &&
	    strstr(streamed.data, "Authorization=Bearer tok-3141592653\n") != NULL &&
	    strstr(streamed.data, "Last-Event-ID=41\n") != NULL,
	    "stream: with http_proxy set it goes through the proxy (curl)");

	/* A refused stream is an error with the Core's words; nothing streams. */
	buf_reset(&streamed);
	req.url = u = url("/status/404");
	roundtrip(h, &req, "stream 404");
	ok(last.status == 404 && last.err == DSTNY_ERR_NOT_FOUND &&
	    strcmp(last.message, "Core says 404") == 0 && streamed.len == 0,
	    "stream: HTTP 404 is NotFound (\"%s\"), no data", last.message);
	free(u);
	req.url = u = url("/status/503");
	roundtrip(h, &req, "stream 503");
	ok(last.status == 503 && last.err == DSTNY_ERR_UPSTREAM && last.attempts == 1,
	    "stream: HTTP 503 is Upstream, not retried here");
	free(u);
	req.url = "http://127.0.0.1:1/nothing";
	roundtrip(h, &req, "stream refused");
	ok(last.status == 0 && last.err == DSTNY_ERR_UPSTREAM && *last.message != '\0',
	    "stream: a refused connection is Upstream (%s)", last.message);
	req.url = "not a url";
	roundtrip(h, &req, "stream bad url");
	ok(last.status == 0 && last.err == DSTNY_ERR_UPSTREAM &&
	    strcmp(last.message, "not a URL") == 0, "stream: a bad URL is Upstream (%s)",
	    last.message);
	req.url = "ftp://127.0.0.1/x";
	roundtrip(h, &req, "stream scheme");
	ok(last.status == 0 && last.err == DSTNY_ERR_UPSTREAM,
	    "stream: only http and https (%s)", last.message);
	req.url = u = url("/slow");
	req.timeout_ms = 200;
	roundtrip(h, &req, "stream timeout");
	ok(last.status == 0 && last.err == DSTNY_ERR_TIMEOUT,
	    "stream: no answer within the connect timeout is Timeout (%s)", last.message);
	req.timeout_ms = 0;

	/* A cancelled stream never calls back. */
	id = http_send(h, &req, never_cb, NULL);
	ok(http_pending(h) == 1, "stream: one pending");
	http_cancel(h, id);
	ok(http_pending(h) == 0, "stream: none pending after cancel");
	free(u);
	buf_free(&streamed);

	/* A cancelled request never calls back, and others go on. */
	memset(&req, 0, sizeof(req));
	req.url = u = url("/slow");
	id = http_send(h, &req, never_cb, NULL);
	ok(http_pending(h) == 1, "one pending");
	http_cancel(h, id);
	ok(http_pending(h) == 0, "none pending after cancel");
	free(u);
	req.url = u = url("/echo");
	roundtrip(h, &req, "after cancel");
	ok(last.status == 200 && done_calls == 1, "the next request completes alone");
	http_cancel(h, 999999);
	ok(http_pending(h) == 0, "cancelling an unknown id cancels nothing");
	roundtrip(h, &req, "after cancelling an unknown id");
	ok(last.status == 200 && done_calls == 1,
	    "and the client goes on: the next request completes");
	free(u);

	/*
	 * Background requests take a few connections at once, the rest
	 * waiting in order; others never wait for them, and a waiting one
	 * can be cancelled.
	 */
	{
		struct event	*wd = evtimer_new(base, watchdog_cb, "background");
		struct timeval	 tv = { 10, 0 };
		int		 i, want = 19, first;

		evtimer_add(wd, &tv);
		memset(&req, 0, sizeof(req));
		req.url = u = url("/hold");
		req.background = 1;
		for (i = 0; i < 20; i++) {
			id = http_send(h, &req, bg_done_cb, &want);
			if (i == 19)
				http_cancel(h, id);
		}
		hold_want = 6;
		event_base_dispatch(base);
		first = nheld;
		free(u);
		req.url = u = url("/echo");
		req.background = 0;
		http_send(h, &req, done_cb, NULL);
		event_base_dispatch(base);
		ok(last.status == 200 && first == 6 && nheld == 6 && bg_done == 0,
		    "background: 6 at once (%d, then %d), another request passes them",
		    first, nheld);
		free(u);
		hold_release = 1;
		for (i = 0; i < nheld; i++)
			evhttp_send_reply(held[i], 200, "OK", NULL);
		event_base_dispatch(base);
		ok(bg_done == 19 && bg_ok == 19 && http_pending(h) == 0,
		    "background: the waiting ones follow, the cancelled one never (%d)",
		    bg_done);
		event_free(wd);
	}

	/* Freeing the client with requests in flight calls nobody back. */
	req.url = u = url("/slow");
	http_send(h, &req, never_cb, NULL);
	never_calls = 0;
	http_free(h);
	event_base_loop(base, EVLOOP_NONBLOCK);
	ok(never_calls == 0, "freed with a request in flight: nobody is called back");
	free(u);

	secret_free(tok);
	secret_free(pw);
	free(last_body);
	free(last_msg);
	evhttp_free(srv);
	event_base_free(base);
	return tap_done();
}
