/* contacts.h: directory contacts, personal contacts and vCards (JSON) read tolerantly. */
#ifndef DSTNY_CONTACTS_H
#define DSTNY_CONTACTS_H

#include <stddef.h>

struct contact_number {
	char	*number;
	char	*type;		/* "work", "mobile", "MAIN", ... as given; may be "" */
};

/*
 * One contact as dstnyd shows it, whichever document it came from: the
 * Contacts API (search, favourites), Contacts Information V1, Personal
 * Contacts, or a vCard. Every string is set (maybe ""), valid UTF-8, and
 * holds no control character (each became a space): a hostile name or
 * note is inert on D-Bus, the socket and a terminal alike.
 */
struct contact {
	char			*id;		/* what buddy.add and contact.* take */
	char			*cid;		/* id@domain, decoded from id when it can be */
	char			*name;
	char			*company;
	char			*type;		/* DIRECTORY, SHORTCUT, PERSONAL, ... */
	char			*status;	/* contactStatus: FAVORITE, CONTACT, ... */
	struct contact_number	*numbers;	/* the preferred one first */
	size_t			 nnumbers;
	int			 has_presence;
	int			 available;
	char			*activity;	/* an activity id or name */
	char			*note;
	char			*role;		/* lower case: "business" */
	int			 incall;
};

struct contact_list {
	struct contact	*v;
	size_t		 n;
};

/*
 * contacts.search and favourites: {"query", "contact": [...]}, a bare
 * array, or one contact object (Contacts Information V1). A contact
 * with no name and no number is skipped.
 */
int	 contacts_parse(const char *, size_t, struct contact_list *,
	    char *err, size_t errlen);
/* Personal Contacts: {"personal_contact": [...]} (or one, or an array). */
int	 personal_contacts_parse(const char *, size_t, struct contact_list *,
	    char *err, size_t errlen);
/* A vCard as JSON, {"Description": {FN, N, ORG, TEL[]}}: one contact. */
int	 vcard_parse(const char *, size_t, struct contact *, char *err,
	    size_t errlen);
/*
 * s as a contact's text (malloc'd): control characters become spaces, cut
 * at 512 bytes on a character boundary; s must be valid UTF-8.
 */
char	*contact_text(const char *);
void	 contact_clear(struct contact *);
void	 contact_copy(struct contact *dst, const struct contact *);
void	 contact_list_free(struct contact_list *);

/*
 * A contactEntryId is base64 (standard or URL alphabet, padded or not) of
 * "id@domain@directory": "id@domain" into out. -1 when it is not one.
 */
int	 contact_entry_decode(const char *, char *out, size_t outlen);
/*
 * Do two phone numbers name the same line? Digits are compared (a
 * leading +, tel:/sip: and separators ignored); when they differ in
 * length, the shorter without its trunk zeros must have at least 7
 * digits and end the longer (0701234567 against +46701234567). Empty
 * numbers never match.
 */
int	 contact_number_match(const char *, const char *);
/* Does c have a number that matches number? */
int	 contact_has_number(const struct contact *, const char *number);
/* The number to dial c at: the preferred one, else the first; "" if none. */
const char *contact_dial_number(const struct contact *);

#endif
