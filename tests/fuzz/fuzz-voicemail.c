/* fuzz-voicemail.c: voicemail settings, and writing them back as the Core's document. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <json-c/json.h>

#include "voicemail.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vm_settings	 s, s2;
	struct json_object	*o;
	const char		*text;
	char			 err[256];

	if (voicemail_parse((const char *)data, size, &s, err, sizeof(err)) == -1)
		return 0;
	if ((s.bools & ~s.known) != 0 || s.human_number == NULL)
		__builtin_trap();
	/* What is written back reads as the same settings. */
	o = voicemail_json(&s);
	text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	if (voicemail_parse(text, strlen(text), &s2, err, sizeof(err)) != 0)
		__builtin_trap();
	/* A NUL in the number ends it in the copy: compare the rest. */
	if (s2.bools != s.bools || s2.known != s.known)
		__builtin_trap();
	voicemail_clear(&s2);
	json_object_put(o);
	voicemail_clear(&s);
	return 0;
}
