/* fuzz-pidf.c: PIDF presence XML (a favourite's presence stream). */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <libxml/parser.h>

#include "pidf.h"
#include "utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Every string is valid UTF-8 without control characters: inert anywhere. */
static void
inert(const char *s)
{
	size_t	i, len = strlen(s);

	if (!utf8_valid(s, len) || len > 512)
		__builtin_trap();
	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			__builtin_trap();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pidf	p;
	char		err[256];

	if (pidf_parse((const char *)data, size, &p, err, sizeof(err)) == 0) {
		inert(p.activity);
		inert(p.note);
		inert(p.entity);
		if (p.available && !p.has_basic)
			__builtin_trap();
		pidf_clear(&p);
	}
	xmlResetLastError();
	return 0;
}
