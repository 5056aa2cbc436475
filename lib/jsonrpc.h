/* jsonrpc.h: reading one JSON-RPC 2.0 request line (the socket protocol, interfaces.md 4). */
#ifndef DSTNY_JSONRPC_H
#define DSTNY_JSONRPC_H

#include <stddef.h>
#include <stdint.h>

struct json_object;

struct jsonrpc_request {
	struct json_object	*doc;		/* owns everything below */
	const char		*method;
	struct json_object	*params;	/* an object, or NULL */
	struct json_object	*id;		/* NULL for a notification */
};

#define JSONRPC_PARSE_ERROR	-32700
#define JSONRPC_INVALID_REQUEST	-32600
#define JSONRPC_NO_METHOD	-32601
#define JSONRPC_INVALID_PARAMS	-32602

/*
 * Parse one line. Returns 0, or a JSON-RPC error code with *msg set; the
 * request's id is kept even then, so the error can name it.
 */
int	 jsonrpc_parse(const char *line, size_t len, struct jsonrpc_request *,
	    const char **msg);
void	 jsonrpc_clear(struct jsonrpc_request *);

/* Params by name: absent (NULL, 0) or of the wrong type (*bad set). */
const char *jsonrpc_str(struct json_object *params, const char *key, int *bad);
int	 jsonrpc_bool(struct json_object *params, const char *key, int *bad);
int	 jsonrpc_int(struct json_object *params, const char *key, int64_t *out,
	    int *bad);

#endif
