/* jsonrpc.h: reading JSON-RPC 2.0 request lines (the socket protocol, interfaces.md 4). */
#ifndef DSTNY_JSONRPC_H
#define DSTNY_JSONRPC_H

#include <stddef.h>
#include <stdint.h>

struct json_object;

/* One request: a lone line's, or one member of a batch. */
struct jsonrpc_request {
	struct json_object	*doc;		/* a reference: owns what is below */
	const char		*method;	/* set when code is 0 */
	struct json_object	*params;	/* an object, or NULL */
	struct json_object	*id;		/* NULL: absent, null or unreadable */
	int			 notification;	/* valid, without "id": no reply */
	int			 code;		/* 0, or the JSON-RPC error it gets */
	const char		*msg;		/* that error's message */
};

/* A line: one request, or a batch (a JSON array) of them. */
struct jsonrpc_line {
	struct json_object	*doc;
	int			 batch;		/* the line held an array */
	size_t			 n;		/* requests, at least 1 */
	struct jsonrpc_request	*reqs;
};

#define JSONRPC_PARSE_ERROR	-32700
#define JSONRPC_INVALID_REQUEST	-32600
#define JSONRPC_NO_METHOD	-32601
#define JSONRPC_INVALID_PARAMS	-32602

/*
 * Read one line into requests, each checked on its own (its code and msg
 * say what is wrong with it). Returns 0, or the JSON-RPC error the whole
 * line gets as one reply with id null (-32700 not JSON, -32600 an empty
 * batch), with *msg set; the line is then empty.
 */
int	 jsonrpc_read(const char *line, size_t len, struct jsonrpc_line *,
	    const char **msg);
void	 jsonrpc_line_clear(struct jsonrpc_line *);

/* Params by name: absent (NULL, 0) or of the wrong type (*bad set). */
const char *jsonrpc_str(struct json_object *params, const char *key, int *bad);
int	 jsonrpc_bool(struct json_object *params, const char *key, int *bad);
int	 jsonrpc_int(struct json_object *params, const char *key, int64_t *out,
	    int *bad);

#endif
