/* test-jsonrpc.c: request lines and batches, member by member (JSON-RPC 2.0, 4-7). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "jsonrpc.h"
#include "tap.h"

/* What one member must read as: its error code, notification or not, its id. */
struct want_req {
	int		 code;
	int		 notification;
	const char	*id;		/* the id as JSON text, NULL for none */
};

static const struct {
	const char	*line;
	int		 code;		/* the line's own error, or 0 */
	int		 batch;
	size_t		 n;
	struct want_req	 reqs[4];
} cases[] = {
	{ "{\"jsonrpc\":\"2.0\",\"method\":\"status\",\"id\":1}", 0, 0, 1,
	    { { 0, 0, "1" } } },
	{ "{\"jsonrpc\":\"2.0\",\"method\":\"status\",\"id\":\"a\"}", 0, 0, 1,
	    { { 0, 0, "\"a\"" } } },
	{ "{\"jsonrpc\":\"2.0\",\"method\":\"status\",\"id\":1.5}", 0, 0, 1,
	    { { 0, 0, "1.5" } } },
	{ "{\"jsonrpc\":\"2.0\",\"method\":\"status\",\"id\":null}", 0, 0, 1,
	    { { 0, 0, NULL } } },
	{ "{\"jsonrpc\":\"2.0\",\"method\":\"status\"}", 0, 0, 1,
	    { { 0, 1, NULL } } },
	{ "{\"jsonrpc\":\"2.0\",\"method\":\"update\",\"params\":[1,2,3,4,5]}",
	    0, 0, 1, { { JSONRPC_INVALID_PARAMS, 1, NULL } } },
	{ "{\"jsonrpc\":\"2.0\",\"method\":\"subtract\",\"params\":[42,23],\"id\":1}",
	    0, 0, 1, { { JSONRPC_INVALID_PARAMS, 0, "1" } } },
	{ "{\"jsonrpc\":\"2.0\",\"method\":\"status\",\"params\":null,\"id\":2}",
	    0, 0, 1, { { 0, 0, "2" } } },
	{ "{\"jsonrpc\":\"2.0\",\"method\":\"foobar, \"params\": \"bar\", \"baz]",
	    JSONRPC_PARSE_ERROR, 0, 0, { { 0, 0, NULL } } },
	{ "{\"jsonrpc\":\"2.0\",\"method\":1,\"params\":\"bar\"}", 0, 0, 1,
	    { { JSONRPC_INVALID_REQUEST, 0, NULL } } },
	{ "{\"jsonrpc\":\"2.0\",\"method\":\"status\",\"params\":\"bar\",\"id\":3}",
	    0, 0, 1, { { JSONRPC_INVALID_REQUEST, 0, "3" } } },
	{ "{\"jsonrpc\":\"1.0\",\"method\":\"status\",\"id\":4}", 0, 0, 1,
	    { { JSONRPC_INVALID_REQUEST, 0, "4" } } },
	{ "{\"jsonrpc\":\"2.0\",\"method\":\"status\",\"id\":{}}", 0, 0, 1,
	    { { JSONRPC_INVALID_REQUEST, 0, NULL } } },
	{ "{\"jsonrpc\":\"2.0\",\"method\":\"status\",\"id\":true}", 0, 0, 1,
	    { { JSONRPC_INVALID_REQUEST, 0, NULL } } },
	{ "null", 0, 0, 1, { { JSONRPC_INVALID_REQUEST, 0, NULL } } },
	{ "42", 0, 0, 1, { { JSONRPC_INVALID_REQUEST, 0, NULL } } },
	{ "[{\"jsonrpc\":\"2.0\",\"method\":\"sum\",\"params\":[1,2,4],\"id\":\"1\"},"
	    "{\"jsonrpc\":\"2.0\",\"method\"]", JSONRPC_PARSE_ERROR, 0, 0,
	    { { 0, 0, NULL } } },
	{ "[]", JSONRPC_INVALID_REQUEST, 0, 0, { { 0, 0, NULL } } },
	{ " [ ] ", JSONRPC_INVALID_REQUEST, 0, 0, { { 0, 0, NULL } } },
	{ "[1]", 0, 1, 1, { { JSONRPC_INVALID_REQUEST, 0, NULL } } },
	{ "[1,2,3]", 0, 1, 3, { { JSONRPC_INVALID_REQUEST, 0, NULL },
	    { JSONRPC_INVALID_REQUEST, 0, NULL },
	    { JSONRPC_INVALID_REQUEST, 0, NULL } } },
	{ "[[]]", 0, 1, 1, { { JSONRPC_INVALID_REQUEST, 0, NULL } } },
	{ "[{\"jsonrpc\":\"2.0\",\"method\":\"status\",\"id\":\"1\"},"
	    "{\"jsonrpc\":\"2.0\",\"method\":\"notify_hello\",\"params\":[7]},"
	    "{\"foo\":\"boo\"},"
	    "{\"jsonrpc\":\"2.0\",\"method\":\"foo.get\",\"params\":{\"name\":\"myself\"},\"id\":\"5\"}]",
	    0, 1, 4, { { 0, 0, "\"1\"" }, { JSONRPC_INVALID_PARAMS, 1, NULL },
	    { JSONRPC_INVALID_REQUEST, 0, NULL }, { 0, 0, "\"5\"" } } },
	{ "[{\"jsonrpc\":\"2.0\",\"method\":\"notify_sum\",\"params\":{}},"
	    "{\"jsonrpc\":\"2.0\",\"method\":\"notify_hello\"}]", 0, 1, 2,
	    { { 0, 1, NULL }, { 0, 1, NULL } } },
};

int
main(void)
{
	static const char	 hold[] = "{\"jsonrpc\":\"2.0\",\"method\":"
	    "\"call.hold\",\"params\":{\"call\":\"c1\",\"blind\":true,"
	    "\"stateToken\":5},\"id\":7}";
	struct jsonrpc_line	 l;
	const struct want_req	*w;
	const char		*msg, *id;
	size_t			 i, k;
	int			 code, good;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		msg = NULL;
		code = jsonrpc_read(cases[i].line, strlen(cases[i].line), &l, &msg);
		good = code == cases[i].code && l.batch == cases[i].batch &&
		    l.n == cases[i].n && (code == 0 || msg != NULL);
		for (k = 0; good && k < l.n; k++) {
			w = &cases[i].reqs[k];
			id = l.reqs[k].id != NULL ?
			    json_object_to_json_string(l.reqs[k].id) : NULL;
			good = l.reqs[k].code == w->code &&
			    l.reqs[k].notification == w->notification &&
			    (id == NULL ? w->id == NULL :
			    w->id != NULL && strcmp(id, w->id) == 0) &&
			    (w->code != 0 || l.reqs[k].method != NULL) &&
			    (w->code == 0 || l.reqs[k].msg != NULL);
			if (!good)
				printf("# member %zu: code %d, notification %d, "
				    "id %s\n", k, l.reqs[k].code,
				    l.reqs[k].notification, id ? id : "none");
		}
		if (!ok(good, "%s", cases[i].line))
			printf("#   line: code %d, batch %d, %zu requests\n",
			    code, l.batch, l.n);
		jsonrpc_line_clear(&l);
	}

	/* Params by name reach the typed getters. */
	code = jsonrpc_read(hold, strlen(hold), &l, &msg);
	{
		int64_t	 x = 0;
		int	 bad = 0;

		ok(code == 0 && l.n == 1 && l.reqs[0].code == 0 &&
		    strcmp(l.reqs[0].method, "call.hold") == 0 &&
		    strcmp(jsonrpc_str(l.reqs[0].params, "call", &bad), "c1") == 0 &&
		    jsonrpc_bool(l.reqs[0].params, "blind", &bad) == 1 &&
		    jsonrpc_int(l.reqs[0].params, "stateToken", &x, &bad) == 1 &&
		    x == 5 && !bad, "params by name, typed");
		(void)jsonrpc_int(l.reqs[0].params, "call", &x, &bad);
		ok(bad, "a parameter of the wrong type is flagged");
	}
	jsonrpc_line_clear(&l);
	return tap_done();
}
