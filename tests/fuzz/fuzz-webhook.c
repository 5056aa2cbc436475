/* fuzz-webhook.c: a webhook request as the listener reads it: "URI\nBODY". */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "coremsg.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char	*nl = memchr(data, '\n', size);
	char		*uri, id[33];
	size_t		 ulen = nl != NULL ? (size_t)(nl - (const char *)data) : size;
	struct hint	 h;

	uri = malloc(ulen + 1);
	memcpy(uri, data, ulen);
	uri[ulen] = '\0';
	if (hint_target(uri, id) == 0 && strlen(id) != 32)
		__builtin_trap();
	free(uri);
	if (nl != NULL) {
		hint_parse(nl + 1, size - ulen - 1, &h);
		hint_clear(&h);
	}
	return 0;
}
