/* utf8.c: check and repair UTF-8 read from outside, a word at a time while ASCII. */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "utf8.h"
#include "xmalloc.h"

#define ASCII_MASK	0x8080808080808080ULL

/* How many bytes from p are ASCII: eight at a time, then one by one. */
static size_t
utf8_ascii_span(const unsigned char *p, size_t len)
{
	uint64_t	w;
	size_t		i;

	for (i = 0; len - i >= 8; i += 8) {
		memcpy(&w, p + i, 8);
		if (w & ASCII_MASK)
			break;
	}
	while (i < len && p[i] < 0x80)
		i++;
	return i;
}

/*
 * The length of the valid non-ASCII sequence at p, or 0 with *bad set to
 * the length of what is replaced: the maximal subpart of an ill-formed
 * sequence (at least its first byte), or a whole noncharacter. The second
 * byte's range excludes overlong forms (E0, F0), surrogates (ED) and code
 * points above U+10FFFF (F4), as in Unicode's table 3-7.
 */
static size_t
utf8_seq(const unsigned char *p, size_t left, size_t *bad)
{
	unsigned char	c = p[0], lo = 0x80, hi = 0xbf;
	uint32_t	cp;
	size_t		n, i;

	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		cp = c & 0x0f;
		if (c == 0xe0)
			lo = 0xa0;
		else if (c == 0xed)
			hi = 0x9f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		cp = c & 0x07;
		if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;
	} else {
		*bad = 1;
		return 0;
	}
	for (i = 1; i < n; i++) {
		if (i >= left || p[i] < lo || p[i] > hi) {
			*bad = i;
			return 0;
		}
		cp = cp << 6 | (p[i] & 0x3f);
		lo = 0x80;
		hi = 0xbf;
	}
	if ((cp >= 0xfdd0 && cp <= 0xfdef) || (cp & 0xfffe) == 0xfffe) {
		*bad = n;
		return 0;
	}
	return n;
}

/* How many bytes from p are valid. */
static size_t
utf8_valid_span(const unsigned char *p, size_t len)
{
	size_t	i = 0, n, bad;

	for (;;) {
		i += utf8_ascii_span(p + i, len - i);
		if (i == len || (n = utf8_seq(p + i, len - i, &bad)) == 0)
			return i;
		i += n;
	}
}

int
utf8_valid(const char *s, size_t len)
{
	return utf8_valid_span((const unsigned char *)s, len) == len;
}

char *
utf8_sanitize(const char *s, size_t len, size_t *outlen)
{
	const unsigned char	*p = (const unsigned char *)s;
	struct buf		 b;
	size_t			 i = 0, n, bad;

	buf_init(&b);
	for (;;) {
		n = utf8_valid_span(p + i, len - i);
		buf_add(&b, p + i, n);
		if ((i += n) == len)
			break;
		utf8_seq(p + i, len - i, &bad);
		buf_add(&b, "\xef\xbf\xbd", 3);
		i += bad;
	}
	if (outlen != NULL)
		*outlen = b.len;
	return buf_release(&b);	/* "" for no bytes at all */
}
