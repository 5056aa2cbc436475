/*
 * hresp.c: an HTTP/1.1 response, read incrementally (RFC 9112).
 *
 * Only what a GET stream needs: the status, and where the body ends
 * (chunked, Content-Length, or the connection's close). Interim 1xx
 * answers are skipped. The head is held until it is whole, then freed;
 * the body is passed on from the caller's buffer, never copied.
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hresp.h"
#include "xmalloc.h"

#define HRESP_CHUNK_MAX	((uint64_t)1 << 56)

enum {
	HR_HEAD,
	HR_CHUNK_SIZE,
	HR_CHUNK_EXT,
	HR_CHUNK_DATA,
	HR_CHUNK_CRLF,
	HR_TRAILER,
	HR_LENGTH,
	HR_CLOSE,
	HR_DONE,
};

void
hresp_init(struct hresp *r)
{
	memset(r, 0, sizeof(*r));
	r->state = HR_HEAD;
}

void
hresp_free(struct hresp *r)
{
	free(r->head);
	r->head = NULL;
	r->head_len = 0;
}

int
hresp_has_head(const struct hresp *r)
{
	return r->status != 0;
}

int
hresp_done(const struct hresp *r)
{
	return r->state == HR_DONE;
}

static int
fail(struct hresp *r, const char *why)
{
	r->error = why;
	return -1;
}

/* The last element of a comma-separated list, trimmed. */
static void
last_token(const char *v, size_t n, const char **tok, size_t *tlen)
{
	const char	*p = v + n;

	while (p > v && p[-1] != ',')
		p--;
	while (p < v + n && (*p == ' ' || *p == '\t'))
		p++;
	n = (size_t)(v + n - p);
	while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
		n--;
	*tok = p;
	*tlen = n;
}

/* The whole head is in r->head: status line, then header fields. */
static int
head_parse(struct hresp *r)
{
	char		*p = r->head, *end = r->head + r->head_len, *eol, *colon;
	const char	*tok;
	size_t		 n, tlen;
	uint64_t	 length = 0;
	int		 te = 0, chunked = 0, have_length = 0;
	long		 status;

	eol = memchr(p, '\n', (size_t)(end - p));
	n = (size_t)(eol - p);
	if (n > 0 && p[n - 1] == '\r')
		n--;
	if (n < 12 || memcmp(p, "HTTP/1.", 7) != 0 || !isdigit((unsigned char)p[7]) ||
	    p[8] != ' ' || !isdigit((unsigned char)p[9]) ||
	    !isdigit((unsigned char)p[10]) || !isdigit((unsigned char)p[11]) ||
	    (n > 12 && p[12] != ' '))
		return fail(r, "not an HTTP answer");
	status = (p[9] - '0') * 100 + (p[10] - '0') * 10 + (p[11] - '0');
	if (status < 100)
		return fail(r, "not an HTTP answer");

	for (p = eol + 1; p < end; p = eol + 1) {
		eol = memchr(p, '\n', (size_t)(end - p));
		n = (size_t)(eol - p);
		if (n > 0 && p[n - 1] == '\r')
			n--;
		if (n == 0)
			break;
		/* A folded line continues a field we do not read. */
		if (*p == ' ' || *p == '\t' ||
		    (colon = memchr(p, ':', n)) == NULL)
			continue;
		tok = colon + 1;
		tlen = n - (size_t)(tok - p);
		while (tlen > 0 && (*tok == ' ' || *tok == '\t')) {
			tok++;
			tlen--;
		}
		while (tlen > 0 && (tok[tlen - 1] == ' ' || tok[tlen - 1] == '\t'))
			tlen--;
		if ((size_t)(colon - p) == 17 &&
		    strncasecmp(p, "transfer-encoding", 17) == 0) {
			te = 1;
			last_token(tok, tlen, &tok, &tlen);
			chunked = tlen == 7 && strncasecmp(tok, "chunked", 7) == 0;
		} else if ((size_t)(colon - p) == 14 &&
		    strncasecmp(p, "content-length", 14) == 0) {
			uint64_t	v = 0;
			size_t		i;

			if (tlen == 0)
				return fail(r, "bad Content-Length");
			for (i = 0; i < tlen; i++) {
				if (!isdigit((unsigned char)tok[i]) ||
				    v > (UINT64_MAX - 9) / 10)
					return fail(r, "bad Content-Length");
				v = v * 10 + (uint64_t)(tok[i] - '0');
			}
			if (have_length && v != length)
				return fail(r, "two different Content-Lengths");
			have_length = 1;
			length = v;
		}
	}

	hresp_free(r);
	r->line = 0;
	if (status < 200 && status != 101)
		return 0;		/* interim: the real head follows */
	r->status = status;
	if (status < 200 || status == 204 || status == 304)
		r->state = HR_DONE;
	else if (te)
		r->state = chunked ? HR_CHUNK_SIZE : HR_CLOSE;
	else if (have_length) {
		r->left = length;
		r->state = length > 0 ? HR_LENGTH : HR_DONE;
	} else
		r->state = HR_CLOSE;
	return 0;
}

/* Take head bytes up to the blank line that ends the head. */
static ssize_t
head_feed(struct hresp *r, const char *p, size_t n)
{
	size_t	i;
	int	whole = 0;

	for (i = 0; i < n && !whole; i++) {
		if (p[i] == '\n') {
			whole = r->line == 0 && (r->head_len > 0 || i > 0);
			r->line = 0;
		} else if (p[i] != '\r')
			r->line++;
	}
	if (r->head_len + i > HRESP_HEAD_MAX)
		return fail(r, "answer headers too large");
	r->head = xreallocarray(r->head, r->head_len + i, 1);
	memcpy(r->head + r->head_len, p, i);
	r->head_len += i;
	if (whole && head_parse(r) == -1)
		return -1;
	return (ssize_t)i;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The end of a chunk-size line: data follows, or the trailer. */
static void
chunk_size_done(struct hresp *r)
{
	r->state = r->left > 0 ? HR_CHUNK_DATA : HR_TRAILER;
	r->line = 0;
}

ssize_t
hresp_feed(struct hresp *r, const char *p, size_t n, hresp_body_cb body,
    void *arg)
{
	size_t	i = 0, k;
	int	v;

	if (r->state == HR_HEAD)
		return head_feed(r, p, n);
	while (i < n && r->state != HR_DONE) {
		switch (r->state) {
		case HR_CLOSE:
			body(p + i, n - i, arg);
			i = n;
			break;
		case HR_LENGTH:
		case HR_CHUNK_DATA:
			k = n - i < r->left ? n - i : (size_t)r->left;
			body(p + i, k, arg);
			i += k;
			if ((r->left -= k) == 0)
				r->state = r->state == HR_LENGTH ? HR_DONE :
				    HR_CHUNK_CRLF;
			break;
		case HR_CHUNK_SIZE:
			if ((v = hexval(p[i])) >= 0) {
				if (r->left >= HRESP_CHUNK_MAX)
					return fail(r, "chunk too large");
				r->left = r->left * 16 + (uint64_t)v;
				r->digits++;
			} else if (r->digits == 0)
				return fail(r, "bad chunk size");
			else if (p[i] == '\n')
				chunk_size_done(r);
			else if (p[i] == ';' || p[i] == ' ' || p[i] == '\t' ||
			    p[i] == '\r')
				r->state = HR_CHUNK_EXT;
			else
				return fail(r, "bad chunk size");
			i++;
			break;
		case HR_CHUNK_EXT:
			if (p[i] == '\n')
				chunk_size_done(r);
			else if (++r->line > HRESP_HEAD_MAX)
				return fail(r, "chunk extension too long");
			i++;
			break;
		case HR_CHUNK_CRLF:
			if (p[i] == '\n') {
				r->state = HR_CHUNK_SIZE;
				r->digits = 0;
			} else if (p[i] != '\r')
				return fail(r, "chunk not followed by CRLF");
			i++;
			break;
		case HR_TRAILER:
			if (p[i] == '\n') {
				if (r->line == 0)
					r->state = HR_DONE;
				r->line = 0;
			} else if (p[i] != '\r' && ++r->line > HRESP_HEAD_MAX)
				return fail(r, "trailer too long");
			i++;
			break;
		}
	}
	return (ssize_t)i;
}

int
hresp_eof(struct hresp *r)
{
	switch (r->state) {
	case HR_CLOSE:
		r->state = HR_DONE;
		/* FALLTHROUGH */
	case HR_DONE:
		return 0;
	case HR_HEAD:
		return fail(r, r->head_len == 0 ?
		    "the connection closed without an answer" :
		    "the connection closed inside the answer's head");
	default:
		return fail(r, "the connection closed before the end of the answer");
	}
}
