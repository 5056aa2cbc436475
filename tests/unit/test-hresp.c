/* test-hresp.c: HTTP/1.1 answers read incrementally, split anywhere, and broken ones. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "hresp.h"
#include "tap.h"
#include "xmalloc.h"

/* What one answer gave: its status, body and how it ended. */
struct result {
	long		status;
	struct buf	body;
	int		done;		/* ended by its framing (or by EOF when fed_eof) */
	const char	*error;
	size_t		used;		/* bytes used before it ended or failed */
};

static void
body_cb(const char *p, size_t n, void *arg)
{
	buf_add(arg, p, n);
}

/* Feed text in pieces of step bytes (0: whole), then EOF when eof. */
static void
run(const char *text, size_t len, size_t step, int eof, struct result *res)
{
	struct hresp	r;
	size_t		off = 0, n;
	ssize_t		used;

	memset(res, 0, sizeof(*res));
	buf_init(&res->body);
	hresp_init(&r);
	while (off < len && !hresp_done(&r)) {
		n = step == 0 || len - off < step ? len - off : step;
		while (n > 0 && !hresp_done(&r)) {
			if ((used = hresp_feed(&r, text + off, n, body_cb,
			    &res->body)) == -1) {
				res->error = r.error;
				goto out;
			}
			off += (size_t)used;
			n -= (size_t)used;
		}
	}
	if (eof && !hresp_done(&r) && hresp_eof(&r) == -1)
		res->error = r.error;
out:
	res->status = r.status;
	res->done = hresp_done(&r);
	res->used = off;
	hresp_free(&r);
}

static int
body_is(struct result *res, const char *want)
{
	size_t	n = strlen(want);

	return res->body.len == n && (n == 0 || memcmp(res->body.data, want, n) == 0);
}

#define SSE_ANSWER							\
	"HTTP/1.1 200 OK\r\n"						\
	"Content-Type: text/event-stream\r\n"				\
	"Transfer-Encoding: chunked\r\n"				\
	"Date: Sun, 29 Nov 2026 01:00:00 GMT\r\n"			\
	"\r\n"								\
	"b\r\ndata: one\n\n\r\n"					\
	"B;ext=1\r\ndata: two\n\n\r\n"					\
	"0\r\nX-Trailer: yes\r\n\r\n"

static const struct {
	const char	*name;
	const char	*text;
	int		 eof;
	const char	*error;
} broken[] = {
	{ "not HTTP", "SSH-2.0-OpenSSH_9.2\r\n\r\n", 0, "not an HTTP answer" },
	{ "four-digit status", "HTTP/1.1 2000 OK\r\n\r\n", 0, "not an HTTP answer" },
	{ "bad chunk size", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
	    "zz\r\n", 0, "bad chunk size" },
	{ "chunk longer than its size", "HTTP/1.1 200 OK\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n2\r\nokX\r\n", 0,
	    "chunk not followed by CRLF" },
	{ "chunk size overflow", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
	    "fffffffffffffffff\r\n", 0, "chunk too large" },
	{ "bad Content-Length", "HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\n", 0,
	    "bad Content-Length" },
	{ "two Content-Lengths", "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n"
	    "Content-Length: 2\r\n\r\n", 0, "two different Content-Lengths" },
	{ "EOF at once", "", 1, "the connection closed without an answer" },
	{ "EOF in the head", "HTTP/1.1 200 OK\r\nServ", 1,
	    "the connection closed inside the answer's head" },
};

int
main(void)
{
	struct result	res;
	struct hresp	r;
	const char	*t;
	char		*big;
	size_t		 step, len, i;
	int		 same = 1;
	ssize_t		 used;

	t = SSE_ANSWER;
	run(t, strlen(t), 0, 0, &res);
	ok(res.status == 200 && res.done && res.error == NULL &&
	    body_is(&res, "data: one\n\ndata: two\n\n"),
	    "chunked: status, body without the framing, ended by the last chunk");
	ok(res.used == strlen(t), "chunked: every byte used, trailer included");
	buf_free(&res.body);

	for (step = 1; step < 40; step++) {
		run(t, strlen(t), step, 0, &res);
		same &= res.status == 200 && res.done && res.error == NULL &&
		    body_is(&res, "data: one\n\ndata: two\n\n");
		buf_free(&res.body);
	}
	ok(same, "chunked: the same answer in pieces of 1 to 39 bytes");

	/* The head first: the caller sees the status before any body byte. */
	hresp_init(&r);
	used = hresp_feed(&r, t, strlen(t), body_cb, NULL);
	ok(used > 0 && hresp_has_head(&r) && r.status == 200 &&
	    used == strstr(t, "\r\n\r\n") + 4 - t,
	    "feed stops at the end of the head (%zd bytes)", used);
	hresp_free(&r);

	t = "HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\nnot here!EXTRA";
	run(t, strlen(t), 0, 0, &res);
	ok(res.status == 404 && res.done && body_is(&res, "not here!") &&
	    res.used == strlen(t) - 5, "Content-Length: that many bytes, no more");
	buf_free(&res.body);

	t = "HTTP/1.0 200 OK\nContent-Type: text/event-stream\n\ndata: x\n\n";
	run(t, strlen(t), 0, 0, &res);
	ok(res.status == 200 && !res.done && body_is(&res, "data: x\n\n"),
	    "no framing: the body runs until the connection closes (bare LF lines)");
	buf_free(&res.body);
	run(t, strlen(t), 0, 1, &res);
	ok(res.done && res.error == NULL, "no framing: EOF ends it cleanly");
	buf_free(&res.body);

	t = "HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n";
	run(t, strlen(t), 0, 0, &res);
	ok(res.status == 204 && res.done && res.body.len == 0, "204: no body");
	buf_free(&res.body);

	t = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n"
	    "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
	run(t, strlen(t), 0, 0, &res);
	ok(res.status == 200 && res.done && body_is(&res, "ok"),
	    "interim 1xx answers are skipped");
	buf_free(&res.body);

	t = "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n";
	run(t, strlen(t), 0, 0, &res);
	ok(res.done && body_is(&res, "ok"), "chunked as the last coding is chunked");
	buf_free(&res.body);
	t = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\nContent-Length: 1\r\n\r\nabc";
	run(t, strlen(t), 0, 0, &res);
	ok(!res.done && body_is(&res, "abc"),
	    "another last coding: until close, Content-Length ignored");
	buf_free(&res.body);

	/* Broken answers, each with the error it must give (EOF after it when eof). */
	for (i = 0; i < sizeof(broken) / sizeof(broken[0]); i++) {
		run(broken[i].text, strlen(broken[i].text), 0, broken[i].eof, &res);
		is_str(res.error, broken[i].error, broken[i].name);
		buf_free(&res.body);
	}
	t = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab";
	run(t, strlen(t), 0, 1, &res);
	ok(res.error != NULL && strstr(res.error, "before the end") != NULL &&
	    body_is(&res, "ab"), "EOF inside a chunk is an error (%s)", res.error);
	buf_free(&res.body);

	len = HRESP_HEAD_MAX + 100;
	big = xmalloc(len);
	memcpy(big, "HTTP/1.1 200 OK\r\nX: ", 20);
	memset(big + 20, 'a', len - 20);
	run(big, len, 4096, 0, &res);
	is_str(res.error, "answer headers too large", "a head over 64 KiB is refused");
	buf_free(&res.body);
	free(big);

	return tap_done();
}
