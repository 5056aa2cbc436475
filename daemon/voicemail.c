/* voicemail.c: the user's voicemail settings, read and updated (issue 21 part 5). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "dstnyd.h"
#include "log.h"
#include "xmalloc.h"

/*
 * Read when the user starts, on Resync, at every third keepalive tick
 * (profile.c) and from the answer of each change made through dstnyd
 * (voicemail.put answers the settings; without an answer they are read
 * again). An update sends every setting known, changed or not: the
 * reference does not say whether a missing key is left alone.
 */

static void
voicemail_apply(struct duser *u, struct vm_settings *s)
{
	const char	*props[VM_HUMAN_NUMBER + 2];
	size_t		 k = 0;
	int		 i;

	if (voicemail_equal(&u->vm.s, s)) {
		voicemail_clear(s);
		return;
	}
	for (i = 0; i < VM_NBOOLS; i++)
		if (((u->vm.s.bools ^ s->bools) >> i) & 1)
			props[k++] = voicemail_prop_name(i);
	if (strcmp(u->vm.s.human_number != NULL ? u->vm.s.human_number : "",
	    s->human_number) != 0)
		props[k++] = voicemail_prop_name(VM_HUMAN_NUMBER);
	props[k] = NULL;
	voicemail_clear(&u->vm.s);
	u->vm.s = *s;
	emit_voicemail_changed(u, props);
}

static void
voicemail_fetched(struct duser *u, const struct http_resp *r, void *arg)
{
	struct vm_settings	s;
	char			err[256];

	if (r->err != DSTNY_OK ||
	    voicemail_parse(r->body, r->body_len, &s, err, sizeof(err)) == -1)
		profile_read_failed(u, ROUTE_VOICEMAIL_GET, r, err);
	else
		voicemail_apply(u, &s);
	profile_fetch_done(u, &u->vm.fetch_f, ROUTE_VOICEMAIL_GET,
	    voicemail_fetched);
}

void
voicemail_refresh(struct duser *u)
{
	profile_fetch(u, &u->vm.fetch_f, ROUTE_VOICEMAIL_GET, voicemail_fetched);
}

void
voicemail_user_free(struct duser *u)
{
	voicemail_clear(&u->vm.s);
	memset(&u->vm, 0, sizeof(u->vm));
}

struct json_object *
voicemail_view(const struct duser *u)
{
	struct json_object	*o = json_object_new_object();
	int			 i;

	json_object_object_add(o, "user", json_object_new_string(u->user));
	for (i = 0; i < VM_NBOOLS; i++)
		json_object_object_add(o, voicemail_key_name(i),
		    json_object_new_boolean((u->vm.s.bools >> i) & 1));
	json_object_object_add(o, voicemail_key_name(VM_HUMAN_NUMBER),
	    json_object_new_string(u->vm.s.human_number != NULL ?
	    u->vm.s.human_number : ""));
	return o;
}

struct voicemail_op {
	profile_cb		 cb;
	void			*arg;
	struct vm_settings	 want;	/* what was sent */
};

static void
voicemail_op_cancelled(void *arg)
{
	struct voicemail_op	*op = arg;

	op->cb(DSTNY_ERR_OFFLINE, "the request was cancelled (user removed "
	    "or daemon stopping)", NULL, op->arg);
	voicemail_clear(&op->want);
	free(op);
}

static void
voicemail_put_done(struct duser *u, const struct http_resp *r, void *arg)
{
	struct voicemail_op	*op = arg;
	struct vm_settings	 s;
	char			 err[256];

	if (r->err != DSTNY_OK) {
		log_info("%s@%s: voicemail.put: %s: %s", u->user, u->domain,
		    dstny_err_name(r->err), r->message);
		op->cb(r->err, r->message, NULL, op->arg);
		voicemail_clear(&op->want);
		free(op);
		return;
	}
	/*
	 * The answer is the settings; without them, what was sent holds
	 * until they are read again.
	 */
	memset(&s, 0, sizeof(s));
	if (r->body_len > 0 && voicemail_parse(r->body, r->body_len, &s, err,
	    sizeof(err)) == 0 && s.known != 0)
		voicemail_apply(u, &s);
	else {
		voicemail_clear(&s);
		voicemail_apply(u, &op->want);
		memset(&op->want, 0, sizeof(op->want));
		voicemail_refresh(u);
	}
	op->cb(DSTNY_OK, "", NULL, op->arg);
	voicemail_clear(&op->want);
	free(op);
}

void
voicemail_set(struct duser *u, struct json_object *changes, profile_cb cb,
    void *arg)
{
	struct voicemail_op	*op;
	struct vm_settings	 s;
	struct json_object	*b;
	struct core_opts	 o;
	const char		*msg, *num;
	char			 err[256];
	enum dstny_err		 e;
	int			 i;

	if (!json_object_is_type(changes, json_type_object) ||
	    json_object_object_length(changes) == 0) {
		cb(DSTNY_ERR_INVALID_ARGUMENT, "settings: nothing to change",
		    NULL, arg);
		return;
	}
	memset(&s, 0, sizeof(s));
	s.bools = u->vm.s.bools;
	s.known = u->vm.s.known;
	num = u->vm.s.human_number != NULL ? u->vm.s.human_number : "";
	json_object_object_foreach(changes, key, val) {
		if ((i = voicemail_key(key)) == -1) {
			snprintf(err, sizeof(err), "%.60s: no such voicemail "
			    "setting", key);
			cb(DSTNY_ERR_INVALID_ARGUMENT, err, NULL, arg);
			return;
		}
		if (i == VM_HUMAN_NUMBER) {
			if (!json_object_is_type(val, json_type_string) ||
			    (*(num = json_object_get_string(val)) != '\0' &&
			    !phone_number_valid(num))) {
				snprintf(err, sizeof(err), "%s: 1 to 32 digits, "
				    "with + * # only (\"\": none)", key);
				cb(DSTNY_ERR_INVALID_ARGUMENT, err, NULL, arg);
				return;
			}
		} else if (!json_object_is_type(val, json_type_boolean)) {
			snprintf(err, sizeof(err), "%s: true or false", key);
			cb(DSTNY_ERR_INVALID_ARGUMENT, err, NULL, arg);
			return;
		} else if (json_object_get_boolean(val))
			s.bools |= 1u << i;
		else
			s.bools &= ~(1u << i);
		s.known |= 1u << i;
	}
	if ((e = user_refusal(u, &msg)) != DSTNY_OK) {
		cb(e, msg, NULL, arg);
		return;
	}
	s.human_number = (char *)num;
	b = voicemail_json(&s);
	op = xcalloc(1, sizeof(*op));
	op->cb = cb;
	op->arg = arg;
	op->want = s;
	op->want.human_number = xstrdup(num);
	memset(&o, 0, sizeof(o));
	o.body = json_object_to_json_string_ext(b, JSON_C_TO_STRING_PLAIN);
	o.arg_free = voicemail_op_cancelled;
	core_send(u, ROUTE_VOICEMAIL_PUT, &o, voicemail_put_done, op);
	json_object_put(b);
}
