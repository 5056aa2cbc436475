/* jsonrpc.c: JSON-RPC 2.0 request lines, checked before anything acts on them. */
#include "config.h"

#include <string.h>

#include <json-c/json.h>

#include "callstate.h"
#include "jsonrpc.h"

int
jsonrpc_parse(const char *line, size_t len, struct jsonrpc_request *r,
    const char **msg)
{
	struct json_object	*v, *method;
	char			 err[256];

	memset(r, 0, sizeof(*r));
	if ((r->doc = model_json_parse(line, len, err, sizeof(err))) == NULL) {
		*msg = "parse error";
		return JSONRPC_PARSE_ERROR;
	}
	if (json_object_is_type(r->doc, json_type_object) &&
	    json_object_object_get_ex(r->doc, "id", &v) &&
	    (json_object_is_type(v, json_type_int) ||
	    json_object_is_type(v, json_type_string)))
		r->id = v;
	if (!json_object_is_type(r->doc, json_type_object) ||
	    !json_object_object_get_ex(r->doc, "jsonrpc", &v) ||
	    !json_object_is_type(v, json_type_string) ||
	    strcmp(json_object_get_string(v), "2.0") != 0 ||
	    !json_object_object_get_ex(r->doc, "method", &method) ||
	    !json_object_is_type(method, json_type_string) ||
	    (json_object_object_get_ex(r->doc, "id", &v) &&
	    !json_object_is_type(v, json_type_int) &&
	    !json_object_is_type(v, json_type_string) &&
	    !json_object_is_type(v, json_type_null))) {
		*msg = "invalid request";
		return JSONRPC_INVALID_REQUEST;
	}
	r->method = json_object_get_string(method);
	if (json_object_object_get_ex(r->doc, "params", &v) &&
	    !json_object_is_type(v, json_type_null)) {
		if (!json_object_is_type(v, json_type_object)) {
			*msg = "params must be an object (by name)";
			return JSONRPC_INVALID_PARAMS;
		}
		r->params = v;
	}
	return 0;
}

void
jsonrpc_clear(struct jsonrpc_request *r)
{
	json_object_put(r->doc);
	memset(r, 0, sizeof(*r));
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
