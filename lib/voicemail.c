/* voicemail.c: voicemail settings read tolerantly; one table names each setting for the Core and for D-Bus. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "callstate.h"
#include "voicemail.h"
#include "xmalloc.h"

/* By VM_*, then VM_HUMAN_NUMBER. */
static const struct {
	const char	*key;
	const char	*prop;
} vm_keys[] = {
	{ "playActivity", "PlayActivity" },
	{ "playMergedUnavailableEndTime", "PlayMergedUnavailableEndTime" },
	{ "playHumanAssistance", "PlayHumanAssistance" },
	{ "smsNotification", "SmsNotification" },
	{ "emailNotification", "EmailNotification" },
	{ "fileAttached", "FileAttached" },
	{ "voicemailInboxFullSmsNotification", "VoicemailInboxFullSmsNotification" },
	{ "voicemailInboxFullEmailNotification", "VoicemailInboxFullEmailNotification" },
	{ "allowDownload", "AllowDownload" },
	{ "allowVoicemail", "AllowVoicemail" },
	{ "bypassVoicemail", "BypassVoicemail" },
	{ "voicemailCallbackEnabled", "VoicemailCallbackEnabled" },
	{ "humanAssistanceNumber", "HumanAssistanceNumber" },
};
_Static_assert(sizeof(vm_keys) / sizeof(vm_keys[0]) == VM_NBOOLS + 1,
    "one key per VM_* and the number");

const char *
voicemail_key_name(int i)
{
	return i >= 0 && i <= VM_HUMAN_NUMBER ? vm_keys[i].key : NULL;
}

const char *
voicemail_prop_name(int i)
{
	return i >= 0 && i <= VM_HUMAN_NUMBER ? vm_keys[i].prop : NULL;
}

int
voicemail_key(const char *s)
{
	int	i;

	for (i = 0; i <= VM_HUMAN_NUMBER; i++)
		if (strcmp(s, vm_keys[i].key) == 0 ||
		    strcmp(s, vm_keys[i].prop) == 0)
			return i;
	return -1;
}

int
voicemail_parse(const char *text, size_t len, struct vm_settings *out,
    char *err, size_t errlen)
{
	struct json_object	*o, *v;
	int			 i;

	memset(out, 0, sizeof(*out));
	if ((o = model_json_parse(text, len, err, errlen)) == NULL)
		return -1;
	v = model_get(o, "voicemailSettings");
	if (!json_object_is_type(v, json_type_object))
		v = o;
	if (!json_object_is_type(v, json_type_object)) {
		snprintf(err, errlen, "voicemail: not an object");
		json_object_put(o);
		return -1;
	}
	for (i = 0; i < VM_NBOOLS; i++) {
		if (model_get(v, vm_keys[i].key) == NULL)
			continue;
		out->known |= 1u << i;
		if (model_bool(v, vm_keys[i].key))
			out->bools |= 1u << i;
	}
	if (model_get(v, vm_keys[VM_HUMAN_NUMBER].key) != NULL)
		out->known |= 1u << VM_HUMAN_NUMBER;
	out->human_number = xstrdup(model_str(v, vm_keys[VM_HUMAN_NUMBER].key));
	json_object_put(o);
	return 0;
}

void
voicemail_clear(struct vm_settings *s)
{
	free(s->human_number);
	memset(s, 0, sizeof(*s));
}

int
voicemail_equal(const struct vm_settings *a, const struct vm_settings *b)
{
	return a->bools == b->bools && a->known == b->known &&
	    strcmp(a->human_number != NULL ? a->human_number : "",
	    b->human_number != NULL ? b->human_number : "") == 0;
}

struct json_object *
voicemail_json(const struct vm_settings *s)
{
	struct json_object	*o = json_object_new_object();
	int			 i;

	for (i = 0; i < VM_NBOOLS; i++)
		if (s->known & (1u << i))
			json_object_object_add(o, vm_keys[i].key,
			    json_object_new_boolean((s->bools >> i) & 1));
	if (s->known & (1u << VM_HUMAN_NUMBER))
		json_object_object_add(o, vm_keys[VM_HUMAN_NUMBER].key,
		    json_object_new_string(s->human_number != NULL ?
		    s->human_number : ""));
	return o;
}
