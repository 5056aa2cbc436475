/* fuzz-sse.c: the SSE framer; whole and byte-by-byte feeding must agree. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "sse.h"
#include "xmalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
collect(const struct sse_event *ev, void *arg)
{
	struct buf	*b = arg;

	buf_addstr(b, ev->type);
	buf_addc(b, '\0');
	buf_add(b, ev->data, ev->datalen);
	buf_addc(b, '\0');
	buf_addstr(b, ev->id);
	buf_addc(b, '\0');
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf	 whole, bytes;
	struct sse	*a, *b;
	size_t		 i;
	int		 ra, rb = 0;

	buf_init(&whole);
	buf_init(&bytes);
	a = sse_new(collect, &whole);
	b = sse_new(collect, &bytes);
	ra = sse_feed(a, (const char *)data, size);
	for (i = 0; i < size && rb == 0; i++)
		rb = sse_feed(b, (const char *)data + i, 1);
	if (ra == 0 && rb == 0 && (whole.len != bytes.len ||
	    (whole.len > 0 && memcmp(whole.data, bytes.data, whole.len) != 0) ||
	    strcmp(sse_last_id(a), sse_last_id(b)) != 0 ||
	    sse_retry_ms(a) != sse_retry_ms(b)))
		__builtin_trap();
	sse_free(a);
	sse_free(b);
	buf_free(&whole);
	buf_free(&bytes);
	return 0;
}
