/* fuzz-jsonrpc.c: socket request lines, as the daemon reads them. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>

#include "jsonrpc.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const keys[] = { "user", "call", "destination",
	    "device", "digits", "target", "externalId", "action", "participant" };
	struct jsonrpc_request	 r;
	const char		*msg;
	int64_t			 x;
	size_t			 i;
	int			 bad = 0;

	if (jsonrpc_parse((const char *)data, size, &r, &msg) == 0) {
		for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
			(void)jsonrpc_str(r.params, keys[i], &bad);
		(void)jsonrpc_bool(r.params, "blind", &bad);
		(void)jsonrpc_int(r.params, "stateToken", &x, &bad);
		if (r.method == NULL)
			__builtin_trap();
	}
	jsonrpc_clear(&r);
	return 0;
}
