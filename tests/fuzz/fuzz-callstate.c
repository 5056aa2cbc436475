/* fuzz-callstate.c: CallState, UserState, webhook hints and the loose syntax. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "callstate-ref.h"
#include "callstate.h"
#include "coremsg.h"
#include "directory.h"
#include "loose.h"
#include "queue-stats-json.h"
#include "utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Every string a parser emits is valid UTF-8 (utf8.h): sd-bus takes it. */
#define VALID(s)	do {						\
	if (!utf8_valid((s), strlen(s)))				\
		__builtin_trap();					\
} while (0)

static void
party_valid(const struct party *p)
{
	VALID(p->type);
	VALID(p->tel_uri);
	VALID(p->display_name);
	VALID(p->display_number);
}

static void
call_valid(const struct call_state *cs)
{
	size_t	i, j;

	VALID(cs->call_id);
	if (cs->unchanged)
		return;
	party_valid(&cs->remote);
	for (i = 0; i < cs->nparticipants; i++) {
		VALID(cs->participants[i].id);
		party_valid(&cs->participants[i].party);
	}
	VALID(cs->conference_id);
	VALID(cs->status);
	VALID(cs->event);
	VALID(cs->event_description);
	VALID(cs->correlation_id);
	for (i = 0; i < cs->ndevice_ids; i++)
		VALID(cs->device_ids[i]);
	for (i = 0; i < cs->nactions; i++) {
		VALID(cs->actions[i].action);
		for (j = 0; j < cs->actions[i].ndevice_ids; j++)
			VALID(cs->actions[i].device_ids[j]);
	}
	VALID(call_state_json(cs));
}

static void
queues_valid(const struct queue_list *q)
{
	size_t	i, j;

	for (i = 0; i < q->n; i++) {
		VALID(q->v[i].domain);
		VALID(q->v[i].name);
		VALID(q->v[i].type);
		VALID(q->v[i].number);
		for (j = 0; j < q->v[i].npresence; j++)
			VALID(q->v[i].presence[j].name);
	}
}

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
		call_valid(a->calls[i]);
		call_valid(b->calls[i]);
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
	char			*msg;
	size_t			 i;

	if ((cs = call_state_parse(text, size, err, sizeof(err))) != NULL) {
		const char *js = call_state_json(cs);
		char *ref;

		call_valid(cs);
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
	for (i = 0; i < h.ncalls; i++)
		VALID(h.call_ids[i]);
	hint_clear(&h);
	hint_parse_user(text, size, &h);
	for (i = 0; i < h.ncalls; i++)
		VALID(h.call_ids[i]);
	hint_clear(&h);
	if (devices_parse(text, size, &d, err, sizeof(err)) == 0) {
		for (i = 0; i < d.n; i++) {
			VALID(d.v[i].id);
			VALID(d.v[i].type);
			VALID(d.v[i].name);
			VALID(d.v[i].status);
		}
		devices_free(&d);
	}
	if (groups_parse(text, size, &q, err, sizeof(err)) == 0) {
		queues_valid(&q);
		queue_list_free(&q);
	}
	if (queue_stats_parse_json(text, size, &q, err, sizeof(err)) == 0) {
		queues_valid(&q);
		queue_list_free(&q);
	}
	if (ticket_info_parse(text, size, &ti, err, sizeof(err)) == 0) {
		VALID(ti.name);
		ticket_info_clear(&ti);
	}
	if ((msg = core_error_message(text, size)) != NULL)
		VALID(msg);
	free(msg);
	core_expires_parse(text, size, 0);
	if ((o = loose_parse(text, size)) != NULL)
		json_object_put(o);
	return 0;
}
