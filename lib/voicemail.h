/* voicemail.h: the user's voicemail settings (User Voicemail Settings) as the Core sends them. */
#ifndef DSTNY_VOICEMAIL_H
#define DSTNY_VOICEMAIL_H

#include <stddef.h>
#include <stdint.h>

struct json_object;

/* The booleans, in the reference's order; VM_NBOOLS is the number. */
enum vm_bool {
	VM_PLAY_ACTIVITY,
	VM_PLAY_MERGED_UNAVAILABLE_END_TIME,
	VM_PLAY_HUMAN_ASSISTANCE,
	VM_SMS_NOTIFICATION,
	VM_EMAIL_NOTIFICATION,
	VM_FILE_ATTACHED,
	VM_INBOX_FULL_SMS,
	VM_INBOX_FULL_EMAIL,
	VM_ALLOW_DOWNLOAD,
	VM_ALLOW_VOICEMAIL,
	VM_BYPASS_VOICEMAIL,
	VM_CALLBACK_ENABLED,
	VM_NBOOLS
};
/* The human-assistance number's index beside the booleans' (voicemail_key). */
#define VM_HUMAN_NUMBER	VM_NBOOLS

struct vm_settings {
	uint32_t	 bools;		/* bit 1 << VM_*: true */
	uint32_t	 known;		/* bit 1 << VM_* (and VM_HUMAN_NUMBER): sent by the Core */
	char		*human_number;	/* humanAssistanceNumber, "" when none */
};

/* The Core's key of VM_* (and VM_HUMAN_NUMBER): "playActivity", ... */
const char	*voicemail_key_name(int);
/* The D-Bus property of VM_*: "PlayActivity", ... */
const char	*voicemail_prop_name(int);
/* The index of a Core key or a D-Bus property name; -1 when none. */
int		 voicemail_key(const char *);
/*
 * The settings object, also inside {voicemailSettings: {...}}; booleans
 * may come as "true"/"false" or 0/1, the number as a number. -1 with err
 * set when the text is no object.
 */
int		 voicemail_parse(const char *, size_t, struct vm_settings *,
		    char *err, size_t errlen);
void		 voicemail_clear(struct vm_settings *);
int		 voicemail_equal(const struct vm_settings *,
		    const struct vm_settings *);
/* The settings as the Core's document: the known keys only. */
struct json_object *voicemail_json(const struct vm_settings *);

#endif
