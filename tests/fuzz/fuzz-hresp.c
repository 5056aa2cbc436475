/*
 * fuzz-hresp.c: HTTP/1.1 answers (lib/hresp.c). Each input is read whole
 * and again in pieces whose sizes come from its first byte: both must
 * give the same status, body, end and error.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hresp.h"
#include "xmalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

struct out {
	long		 status;
	struct buf	 body;
	int		 done;
	const char	*error;
};

static void
body_cb(const char *p, size_t n, void *arg)
{
	buf_add(arg, p, n);
}

static void
run(const char *p, size_t len, size_t step, struct out *o)
{
	struct hresp	r;
	size_t		off = 0, n;
	ssize_t		used;

	memset(o, 0, sizeof(*o));
	buf_init(&o->body);
	hresp_init(&r);
	while (off < len && !hresp_done(&r)) {
		n = len - off < step ? len - off : step;
		if ((used = hresp_feed(&r, p + off, n, body_cb, &o->body)) == -1) {
			o->error = r.error;
			break;
		}
		if ((size_t)used > n)
			abort();
		off += (size_t)used;
	}
	if (o->error == NULL && !hresp_done(&r) && hresp_eof(&r) == -1)
		o->error = r.error;
	o->status = r.status;
	o->done = hresp_done(&r);
	hresp_free(&r);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct out	a, b;
	size_t		step;

	if (size == 0)
		return 0;
	step = data[0] % 17 + 1;
	run((const char *)data + 1, size - 1, size, &a);
	run((const char *)data + 1, size - 1, step, &b);
	if (a.status != b.status || a.done != b.done ||
	    (a.error == NULL) != (b.error == NULL) ||
	    (a.error != NULL && strcmp(a.error, b.error) != 0) ||
	    a.body.len != b.body.len ||
	    (a.body.len > 0 && memcmp(a.body.data, b.body.data, a.body.len) != 0))
		abort();
	buf_free(&a.body);
	buf_free(&b.body);
	return 0;
}
