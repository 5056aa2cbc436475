/* fuzz-teluri.c: tel:, callto: and sip: URIs as dstnyctl dial gets them. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "teluri.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*in, out[TELURI_MAX], small[12], err[256];

	if ((in = malloc(size + 1)) == NULL)
		return 0;
	memcpy(in, data, size);
	in[size] = '\0';
	/* Whatever it accepts is a URI again, and parses to itself. */
	if (teluri_parse(in, out, sizeof(out), err, sizeof(err)) == 0) {
		char again[TELURI_MAX];
		if (teluri_parse(out, again, sizeof(again), err,
		    sizeof(err)) != 0 || strcmp(out, again) != 0)
			abort();
	}
	(void)teluri_parse(in, small, sizeof(small), err, sizeof(err));
	free(in);
	return 0;
}
