/* utf8.h: text as D-Bus takes it; anything else becomes U+FFFD. */
#ifndef DSTNY_UTF8_H
#define DSTNY_UTF8_H

#include <stddef.h>

/*
 * Valid here is what sd-bus accepts in a string: well-formed UTF-8
 * (shortest form, no surrogates U+D800..DFFF, nothing above U+10FFFF) and
 * no noncharacter (U+FDD0..FDEF, and U+FFFE and U+FFFF in every plane),
 * which sd-bus refuses as well. A NUL byte is valid: callers that need C
 * strings stop there, as they always did.
 */
int	 utf8_valid(const char *, size_t);
/*
 * A NUL-terminated copy of the bytes in which each maximal ill-formed
 * subpart (Unicode 3.9, as WHATWG and Python decode) and each
 * noncharacter is replaced by one U+FFFD. *outlen, when not NULL, is the
 * copy's length.
 */
char	*utf8_sanitize(const char *, size_t, size_t *outlen);

#endif
