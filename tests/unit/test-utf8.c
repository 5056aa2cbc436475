/* test-utf8.c: the UTF-8 check and repair of lib/utf8.c. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "utf8.h"

#define R	"\xef\xbf\xbd"	/* U+FFFD */

/* Bytes in, bytes out; out equal to in means valid, passed untouched. */
static const struct {
	const char	*name;
	const char	*in;
	size_t		 inlen;
	const char	*out;
	size_t		 outlen;
} cases[] = {
#define C(name, in, out)	{ name, in, sizeof(in) - 1, out, sizeof(out) - 1 }
	C("empty", "", ""),
	C("ASCII", "Carol Smith <tel:+4670>", "Carol Smith <tel:+4670>"),
	C("NUL kept", "a\0b", "a\0b"),
	C("two bytes, lowest", "\xc2\x80", "\xc2\x80"),
	C("two bytes, highest", "\xdf\xbf", "\xdf\xbf"),
	C("Latin", "J\xc3\xb6rg \xc3\x85str\xc3\xb6m", "J\xc3\xb6rg \xc3\x85str\xc3\xb6m"),
	C("three bytes, lowest", "\xe0\xa0\x80", "\xe0\xa0\x80"),
	C("euro", "\xe2\x82\xac", "\xe2\x82\xac"),
	C("CJK", "\xe7\x8e\x8b\xe5\xb0\x8f\xe6\x98\x8e", "\xe7\x8e\x8b\xe5\xb0\x8f\xe6\x98\x8e"),
	C("U+D7FF, below the surrogates", "\xed\x9f\xbf", "\xed\x9f\xbf"),
	C("U+E000, above the surrogates", "\xee\x80\x80", "\xee\x80\x80"),
	C("U+FDCF, below the noncharacters", "\xef\xb7\x8f", "\xef\xb7\x8f"),
	C("U+FDF0, above the noncharacters", "\xef\xb7\xb0", "\xef\xb7\xb0"),
	C("U+FFFD itself", R, R),
	C("four bytes, lowest", "\xf0\x90\x80\x80", "\xf0\x90\x80\x80"),
	C("emoji", "\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80"),
	C("U+10FFFD, the last character", "\xf4\x8f\xbf\xbd", "\xf4\x8f\xbf\xbd"),
	C("multibyte across the 8-byte words", "abcdefg\xc3\xa9hijklmn\xe2\x82\xacopqrstuvwxyz",
	    "abcdefg\xc3\xa9hijklmn\xe2\x82\xacopqrstuvwxyz"),

	C("the reviewer's \\xff\\xfe", "\xff\xfe", R R),
	C("a name around \\xff\\xfe", "Bob \xff\xfe Smith", "Bob " R R " Smith"),
	C("lone continuation", "a\x80" "b", "a" R "b"),
	C("continuations", "\x80\xbf\x80", R R R),
	C("C0 and C1 never lead", "\xc0\xaf\xc1\xbf", R R R R),
	C("overlong three bytes", "\xe0\x80\xaf", R R R),
	C("overlong four bytes", "\xf0\x80\x80\xaf", R R R R),
	C("surrogate U+D800", "\xed\xa0\x80", R R R),
	C("lone low surrogate U+DCFF (CESU)", "\xed\xb3\xbf", R R R),
	C("surrogate pair in CESU-8", "\xed\xa0\xbd\xed\xb8\x80", R R R R R R),
	C("U+110000", "\xf4\x90\x80\x80", R R R R),
	C("F5 never leads", "\xf5\x80\x80\x80", R R R R),
	C("F8..FF never lead", "\xf8\xf9\xfa\xfb\xfc\xfd\xfe\xff", R R R R R R R R),
	C("truncated two bytes at the end", "ab\xc3", "ab" R),
	C("truncated three bytes at the end", "\xe2\x82", R),
	C("truncated four bytes at the end", "\xf0\x9f\x98", R),
	C("truncated, then ASCII", "\xe2\x82" "x\xf0\x9f" "y", R "x" R "y"),
	C("truncated, then a valid sequence", "\xe2\xc3\xa9", R "\xc3\xa9"),
	C("noncharacter U+FFFF", "\xef\xbf\xbf", R),
	C("noncharacter U+FFFE", "a\xef\xbf\xbe" "b", "a" R "b"),
	C("noncharacter U+FDD0", "\xef\xb7\x90", R),
	C("noncharacter U+FDEF", "\xef\xb7\xaf", R),
	C("noncharacter U+1FFFF", "\xf0\x9f\xbf\xbf", R),
	C("noncharacter U+10FFFF", "\xf4\x8f\xbf\xbf", R),
	C("an invalid byte after a long ASCII run",
	    "0123456789abcdef0123456789abcdef\xff", "0123456789abcdef0123456789abcdef" R),
#undef C
};

static void
table(void)
{
	size_t	i, len;
	char	*s;
	int	same;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		same = cases[i].inlen == cases[i].outlen &&
		    memcmp(cases[i].in, cases[i].out, cases[i].inlen) == 0;
		ok(utf8_valid(cases[i].in, cases[i].inlen) == same,
		    "%s: %s", cases[i].name, same ? "valid" : "invalid");
		s = utf8_sanitize(cases[i].in, cases[i].inlen, &len);
		ok(len == cases[i].outlen && memcmp(s, cases[i].out, len) == 0 &&
		    s[len] == '\0', "%s: %s", cases[i].name,
		    same ? "copied untouched" : "repaired");
		ok(utf8_valid(s, len), "%s: the copy is valid", cases[i].name);
		free(s);
	}
}

/* Encode cp the way a careless encoder would: surrogates too. */
static size_t
encode(uint32_t cp, unsigned char *o)
{
	if (cp < 0x80) {
		o[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (unsigned char)(0xc0 | cp >> 6);
		o[1] = (unsigned char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (unsigned char)(0xe0 | cp >> 12);
		o[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
		o[2] = (unsigned char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (unsigned char)(0xf0 | cp >> 18);
	o[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3f));
	o[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
	o[3] = (unsigned char)(0x80 | (cp & 0x3f));
	return 4;
}

/* Every code point up to U+13FFFF: valid exactly when sd-bus takes it. */
static void
every_code_point(void)
{
	unsigned char	b[4];
	uint32_t	cp;
	size_t		n, wrong = 0, len;
	int		want;
	char		*s;

	for (cp = 0; cp < 0x140000; cp++) {
		n = encode(cp, b);
		want = cp <= 0x10ffff && (cp < 0xd800 || cp > 0xdfff) &&
		    (cp < 0xfdd0 || cp > 0xfdef) && (cp & 0xfffe) != 0xfffe;
		if (utf8_valid((char *)b, n) != want)
			wrong++;
		if (!want) {
			/* A well-formed noncharacter is one U+FFFD; the rest, one per byte. */
			s = utf8_sanitize((char *)b, n, &len);
			if (!utf8_valid(s, len) || len % 3 != 0 || len == 0)
				wrong++;
			free(s);
		}
	}
	is_int(wrong, 0, "each code point's encoding is valid exactly when it "
	    "is a scalar value and no noncharacter");
}

/* Every pair of bytes: the repair is always valid and never loses ASCII. */
static void
every_byte_pair(void)
{
	char	in[2], *s;
	size_t	len, wrong = 0, ascii;
	int	i, j, k;

	for (i = 0; i < 256; i++)
		for (j = 0; j < 256; j++) {
			in[0] = (char)i;
			in[1] = (char)j;
			s = utf8_sanitize(in, 2, &len);
			ascii = (i < 0x80) + (j < 0x80);
			for (k = 0; k < (int)len; k++)
				ascii -= (unsigned char)s[k] < 0x80;
			if (!utf8_valid(s, len) || ascii != 0 ||
			    (utf8_valid(in, 2) && (len != 2 || memcmp(s, in, 2) != 0)))
				wrong++;
			free(s);
		}
	is_int(wrong, 0, "all 65536 byte pairs repair to valid text that keeps "
	    "their ASCII, and valid pairs are kept");
}

int
main(void)
{
	table();
	every_code_point();
	every_byte_pair();
	return tap_done();
}
