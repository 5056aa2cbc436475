/* fuzz-callstate.c: CallState, UserState, webhook hints and the loose syntax. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "callstate.h"
#include "coremsg.h"
#include "directory.h"
#include "loose.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int
known_even(const char *id, int64_t token, void *arg)
{
	return token % 2 == 0;
}

/* The streaming UserState parser agrees with the whole-tree one. */
static void
user_state_check(const char *text, size_t size, int use_known)
{
	struct user_state	*a, *b;
	char			 ea[256] = "", eb[256] = "";
	size_t			 i;

	a = user_state_parse_known(text, size, use_known ? known_even : NULL,
	    NULL, ea, sizeof(ea));
	b = user_state_parse_tree(text, size, use_known ? known_even : NULL,
	    NULL, eb, sizeof(eb));
	if ((a == NULL) != (b == NULL) || (a == NULL && strcmp(ea, eb) != 0))
		__builtin_trap();
	if (a != NULL && (a->full_state != b->full_state || a->ncalls != b->ncalls))
		__builtin_trap();
	for (i = 0; a != NULL && i < a->ncalls; i++) {
		if (a->calls[i]->unchanged != b->calls[i]->unchanged ||
		    strcmp(a->calls[i]->call_id, b->calls[i]->call_id) != 0 ||
		    a->calls[i]->state_token != b->calls[i]->state_token)
			__builtin_trap();
		if (!a->calls[i]->unchanged &&
		    strcmp(call_state_json(a->calls[i]), call_state_json(b->calls[i])) != 0)
			__builtin_trap();
	}
	user_state_free(a);
	user_state_free(b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char		*text = (const char *)data;
	char			 err[256];
	struct call_state	*cs, *again;
	struct user_state	*us;
	struct hint		 h;
	struct device_list	 d;
	struct queue_list	 q;
	struct ticket_info	 ti;
	struct json_object	*o;

	if ((cs = call_state_parse(text, size, err, sizeof(err))) != NULL) {
		const char *js = call_state_json(cs);
		char *ref;

		/* The direct writer equals the json-c tree it replaced. */
		o = model_json_parse(text, size, err, sizeof(err));
		ref = call_state_json_reference(o);
		if (strcmp(ref, js) != 0)
			__builtin_trap();
		free(ref);
		json_object_put(o);
		/* Normalisation is stable: its output parses to the same state. */
		again = call_state_parse(js, strlen(js), err, sizeof(err));
		if (again == NULL || call_state_diff(cs, again) != 0)
			__builtin_trap();
		call_state_has_action(cs, "ANSWER", "+1555555");
		call_state_answer_device(cs);
		call_state_free(again);
		call_state_free(cs);
	}
	user_state_check(text, size, 0);
	user_state_check(text, size, 1);
	(void)us;
	hint_parse(text, size, &h);
	hint_clear(&h);
	hint_parse_user(text, size, &h);
	hint_clear(&h);
	if (devices_parse(text, size, &d, err, sizeof(err)) == 0)
		devices_free(&d);
	if (groups_parse(text, size, &q, err, sizeof(err)) == 0)
		queue_list_free(&q);
	if (queue_stats_parse_json(text, size, &q, err, sizeof(err)) == 0)
		queue_list_free(&q);
	if (ticket_info_parse(text, size, &ti, err, sizeof(err)) == 0)
		ticket_info_clear(&ti);
	free(core_error_message(text, size));
	core_expires_parse(text, size, 0);
	if ((o = loose_parse(text, size)) != NULL)
		json_object_put(o);
	return 0;
}
