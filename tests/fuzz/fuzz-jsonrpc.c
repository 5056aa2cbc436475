/* fuzz-jsonrpc.c: socket request lines, lone requests and batches, as the daemon reads them. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "jsonrpc.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const keys[] = { "user", "call", "destination",
	    "device", "digits", "target", "externalId", "action", "participant" };
	struct jsonrpc_line	 l;
	struct jsonrpc_request	*r;
	const char		*msg;
	int64_t			 x;
	size_t			 i, k;
	int			 bad = 0, code;

	if ((code = jsonrpc_read((const char *)data, size, &l, &msg)) != 0) {
		/* A line-wide error leaves nothing behind. */
		if ((code != JSONRPC_PARSE_ERROR &&
		    code != JSONRPC_INVALID_REQUEST) || msg == NULL ||
		    l.n != 0 || l.reqs != NULL || l.doc != NULL)
			__builtin_trap();
		return 0;
	}
	if (l.n == 0 || (l.batch && (size_t)json_object_array_length(l.doc) != l.n) ||
	    (!l.batch && l.n != 1))
		__builtin_trap();
	for (k = 0; k < l.n; k++) {
		r = &l.reqs[k];
		/* What the daemon relies on before it dispatches or replies. */
		if ((r->code == 0 && r->method == NULL) ||
		    (r->code != 0 && r->msg == NULL) ||
		    (r->notification && r->id != NULL) ||
		    (r->code == JSONRPC_INVALID_REQUEST && r->notification) ||
		    (r->params != NULL &&
		    !json_object_is_type(r->params, json_type_object)))
			__builtin_trap();
		if (r->code != 0)
			continue;
		for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
			(void)jsonrpc_str(r->params, keys[i], &bad);
		(void)jsonrpc_bool(r->params, "blind", &bad);
		(void)jsonrpc_int(r->params, "stateToken", &x, &bad);
		(void)json_object_to_json_string(r->id);
	}
	jsonrpc_line_clear(&l);
	return 0;
}
