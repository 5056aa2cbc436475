/* jsonrpc.c: JSON-RPC 2.0 request lines and batches, checked before anything acts on them. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "callstate.h"
#include "jsonrpc.h"
#include "xmalloc.h"

/* An id a reply can carry: a string or a number (JSON-RPC 2.0, 4). */
static int
id_usable(struct json_object *v)
{
	return json_object_is_type(v, json_type_string) ||
	    json_object_is_type(v, json_type_int) ||
	    json_object_is_type(v, json_type_double);
}

/* Check one Request object (v may be anything, even NULL for null). */
static void
request_check(struct json_object *v, struct jsonrpc_request *r)
{
	struct json_object	*ver, *method, *id = NULL, *params = NULL;
	int			 has_id, has_params;

	memset(r, 0, sizeof(*r));
	r->doc = json_object_get(v);
	if (!json_object_is_type(v, json_type_object)) {
		r->code = JSONRPC_INVALID_REQUEST;
		r->msg = "invalid request";
		return;
	}
	/* Even a bad request's id is answered when it can be read. */
	if ((has_id = json_object_object_get_ex(v, "id", &id)) && id_usable(id))
		r->id = id;
	has_params = json_object_object_get_ex(v, "params", &params) &&
	    !json_object_is_type(params, json_type_null);
	if (!json_object_object_get_ex(v, "jsonrpc", &ver) ||
	    !json_object_is_type(ver, json_type_string) ||
	    strcmp(json_object_get_string(ver), "2.0") != 0 ||
	    !json_object_object_get_ex(v, "method", &method) ||
	    !json_object_is_type(method, json_type_string) ||
	    (has_id && r->id == NULL && !json_object_is_type(id, json_type_null)) ||
	    (has_params && !json_object_is_type(params, json_type_object) &&
	    !json_object_is_type(params, json_type_array))) {
		r->code = JSONRPC_INVALID_REQUEST;
		r->msg = "invalid request";
		return;
	}
	/* A valid request without an id is a notification, whatever follows. */
	r->notification = !has_id;
	r->method = json_object_get_string(method);
	if (has_params && !json_object_is_type(params, json_type_object)) {
		r->code = JSONRPC_INVALID_PARAMS;
		r->msg = "params must be an object (by name)";
		return;
	}
	r->params = has_params ? params : NULL;
}

int
jsonrpc_read(const char *line, size_t len, struct jsonrpc_line *l,
    const char **msg)
{
	char	 err[256] = "";
	size_t	 i;

	memset(l, 0, sizeof(*l));
	/* NULL without an error is the JSON text null: an invalid request. */
	if ((l->doc = model_json_parse(line, len, err, sizeof(err))) == NULL &&
	    *err != '\0') {
		*msg = "parse error";
		return JSONRPC_PARSE_ERROR;
	}
	if (!json_object_is_type(l->doc, json_type_array)) {
		l->n = 1;
		l->reqs = xcalloc(1, sizeof(*l->reqs));
		request_check(l->doc, &l->reqs[0]);
		return 0;
	}
	if ((l->n = json_object_array_length(l->doc)) == 0) {
		jsonrpc_line_clear(l);
		*msg = "invalid request (an empty batch)";
		return JSONRPC_INVALID_REQUEST;
	}
	l->batch = 1;
	l->reqs = xcalloc(l->n, sizeof(*l->reqs));
	for (i = 0; i < l->n; i++)
		request_check(json_object_array_get_idx(l->doc, i), &l->reqs[i]);
	return 0;
}

void
jsonrpc_line_clear(struct jsonrpc_line *l)
{
	size_t	i;

	for (i = 0; i < l->n && l->reqs != NULL; i++)
		json_object_put(l->reqs[i].doc);
	free(l->reqs);
	json_object_put(l->doc);
	memset(l, 0, sizeof(*l));
}

const char *
jsonrpc_str(struct json_object *params, const char *key, int *bad)
{
	struct json_object	*v;

	if (params == NULL || !json_object_object_get_ex(params, key, &v) ||
	    json_object_is_type(v, json_type_null))
		return NULL;
	if (!json_object_is_type(v, json_type_string)) {
		*bad = 1;
		return NULL;
	}
	return json_object_get_string(v);
}

int
jsonrpc_bool(struct json_object *params, const char *key, int *bad)
{
	struct json_object	*v;

	if (params == NULL || !json_object_object_get_ex(params, key, &v))
		return 0;
	if (!json_object_is_type(v, json_type_boolean)) {
		*bad = 1;
		return 0;
	}
	return json_object_get_boolean(v);
}

int
jsonrpc_int(struct json_object *params, const char *key, int64_t *out, int *bad)
{
	struct json_object	*v;

	if (params == NULL || !json_object_object_get_ex(params, key, &v))
		return 0;
	if (!json_object_is_type(v, json_type_int)) {
		*bad = 1;
		return 0;
	}
	*out = json_object_get_int64(v);
	return 1;
}
