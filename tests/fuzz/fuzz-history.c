/* fuzz-history.c: Communication Log answers (history_parse) and the socket's view of each item. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <json-c/json.h>

#include "history.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct history_list	 l;
	struct json_object	*o;
	char			 err[256];
	size_t			 i;

	if (history_parse((const char *)data, size, &l, err, sizeof(err)) == -1)
		return 0;
	for (i = 0; i < l.n; i++) {
		/* Every kept item has a positive id, newest is the largest. */
		if (l.v[i].id <= 0 || l.v[i].id > l.newest)
			__builtin_trap();
		o = history_item_json(&l.v[i]);
		if (json_object_to_json_string(o) == NULL)
			__builtin_trap();
		json_object_put(o);
	}
	history_type_valid(l.n > 0 ? l.v[0].type : "");
	history_free(&l);
	return 0;
}
