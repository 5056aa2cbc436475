/* loose.h: the Core's unquoted pseudo-JSON, e.g. "[{action: ANSWER, deviceIds: [+1555555]}]". */
#ifndef DSTNY_LOOSE_H
#define DSTNY_LOOSE_H

#include <stddef.h>

struct json_object;

/*
 * Parse text where strings may be bare: a bare word is a string, except
 * true and false. Quoted strings ("..." with \" escapes) are accepted too.
 * Returns a new json_object, or NULL when text is not of that shape.
 */
struct json_object	*loose_parse(const char *text, size_t len);

#endif
