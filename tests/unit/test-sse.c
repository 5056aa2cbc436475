/* test-sse.c: every stream whole, one byte at a time, and in odd chunks. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "sse.h"
#include "tap.h"
#include "xmalloc.h"

static void
collect_cb(const struct sse_event *ev, void *arg)
{
	struct buf	*out = arg;

	buf_printf(out, "[%s|", ev->type);
	buf_add(out, ev->data, ev->datalen);
	buf_printf(out, "|%s]", ev->id);
}

/* Feed text (len bytes) in pieces of chunk bytes (0: whole). */
static char *
run(const char *text, size_t len, size_t chunk, long *retry, char **lastid)
{
	struct buf	 out;
	struct sse	*s;
	size_t		 off, n;

	buf_init(&out);
	s = sse_new(collect_cb, &out);
	for (off = 0; off < len; off += n) {
		n = chunk == 0 ? len : chunk;
		if (n > len - off)
			n = len - off;
		if (sse_feed(s, text + off, n) == -1)
			buf_addstr(&out, "<overflow>");
	}
	if (retry != NULL)
		*retry = sse_retry_ms(s);
	if (lastid != NULL)
		*lastid = xstrdup(sse_last_id(s));
	sse_free(s);
	return buf_release(&out);
}

static void
stream(const char *name, const char *text, size_t len, const char *want)
{
	static const size_t	 chunks[] = { 0, 1, 2, 3, 7 };
	size_t			 i, differ = 0;
	char			*got;

	for (i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
		got = run(text, len, chunks[i], NULL, NULL);
		if (chunks[i] == 0)
			is_str(got, want, name);
		else if (strcmp(got, want) != 0) {
			printf("#   %s in %zu-byte chunks: got %s\n", name,
			    chunks[i], got);
			differ++;
		}
		free(got);
	}
	ok(differ == 0, "%s: same events for chunks of 1, 2, 3 and 7 bytes", name);
}
#define STREAM(name, lit, want) stream(name, lit, sizeof(lit) - 1, want)

int
main(void)
{
	char	*got, *id, *big;
	const char *text;
	char	*dialog;
	long	 retry;
	size_t	 len;

	STREAM("multi-line data", "data: YHOO\ndata: +2\ndata: 10\n\n",
	    "[message|YHOO\n+2\n10|]");
	STREAM("comments and ids",
	    ": test stream\n\ndata: first event\nid: 1\n\n"
	    "data:second event\nid\n\ndata:  third event\n\n",
	    "[message|first event|1][message|second event|]"
	    "[message| third event|]");
	STREAM("empty data lines", "data\n\ndata\ndata\n\ndata:",
	    "[message||][message|\n|]");
	STREAM("one space stripped", "data:test\n\ndata: test\n\n",
	    "[message|test|][message|test|]");
	STREAM("CRLF", "event: call\r\ndata: a\r\n\r\n", "[call|a|]");
	STREAM("CR", "data: b\rdata: c\r\r", "[message|b\nc|]");
	STREAM("mixed line ends", "data: 1\r\n\rdata: 2\n\r\ndata: 3\r\r\n",
	    "[message|1|][message|2|][message|3|]");
	STREAM("event type resets", "event: a\ndata: 1\n\ndata: 2\n\n",
	    "[a|1|][message|2|]");
	STREAM("event without data", "event: a\n\ndata: 2\n\n", "[message|2|]");
	STREAM("id persists", "id: 7\ndata: a\n\ndata: b\n\nid: 8\n\ndata: c\n\n",
	    "[message|a|7][message|b|7][message|c|8]");
	STREAM("id with NUL ignored", "id: 1\n\nid: a\0b\ndata: x\n\n",
	    "[message|x|1]");
	STREAM("unknown fields ignored", "foo: bar\ndata: x\nDATA: y\n\n",
	    "[message|x|]");
	STREAM("leading BOM", "\xEF\xBB\xBF" "data: bom\n\n", "[message|bom|]");
	STREAM("only the first BOM", "\xEF\xBB\xBF" "data: x\n\n\xEF\xBB\xBF" "data: y\n\n",
	    "[message|x|]");
	STREAM("partial BOM is data", "\xEF\xBB" "data: x\n\n", "");
	STREAM("no trailing blank line", "data: never\n", "");
	STREAM("call state JSON",
	    "event: callstate\nid: 42\ndata: {\"stateToken\": 487345453,\n"
	    "data:  \"callId\": \"aaa111bbb\"}\n\n",
	    "[callstate|{\"stateToken\": 487345453,\n \"callId\": \"aaa111bbb\"}|42]");

	text = "retry: 5000\n\nretry: 5x\n\nretry\n\n";
	got = run(text, strlen(text), 1, &retry, &id);
	is_int(retry, 5000, "retry in ms; non-digits ignored");
	free(got);
	free(id);
	text = "data: a\nid: 99\n\nid: 100\n";
	got = run(text, strlen(text), 0, &retry, &id);
	is_int(retry, -1, "no retry field");
	is_str(id, "100", "last id for Last-Event-ID even without dispatch");
	free(got);
	free(id);

	/* Oversized lines and events are refused. */
	len = SSE_MAX_EVENT + 16;
	big = xmalloc(len);
	memcpy(big, "data: ", 6);
	memset(big + 6, 'x', len - 6);
	got = run(big, len, 65536, NULL, NULL);
	ok(strncmp(got, "<overflow>", 10) == 0, "a line over 1 MiB overflows");
	free(got);
	free(big);
	{
		struct buf b;
		int i;
		buf_init(&b);
		for (i = 0; i < 20; i++) {
			buf_addstr(&b, "data: ");
			for (int j = 0; j < 60000; j++)
				buf_addc(&b, 'y');
			buf_addc(&b, '\n');
		}
		buf_addstr(&b, "\ndata: after\n\n");
		got = run(b.data, b.len, 4096, NULL, NULL);
		ok(strstr(got, "<overflow>") != NULL, "an event over 1 MiB overflows");
		free(got);
		buf_free(&b);
	}

	/* The reference's dialog-info stream, fed as the Core might chunk it. */
	dialog = tap_read_data("dialog-stream.sse", &len);
	got = run(dialog, len, 0, NULL, NULL);
	ok(strstr(got, "[dialog|<?xml version=\"1.0\"?>\n<dialog-info") == got,
	    "dialog-info XML spans data lines");
	{
		char *one = run(dialog, len, 1, NULL, NULL);
		is_str(one, got, "dialog stream byte by byte");
		free(one);
	}
	free(got);
	free(dialog);
	return tap_done();
}
