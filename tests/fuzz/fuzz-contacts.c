/* fuzz-contacts.c: contacts, personal contacts and vCard JSON, and contactEntryIds. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "contacts.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* What every reader of a contact relies on: set strings, inert text. */
static void
check(const struct contact *c)
{
	const char	*s[] = { c->id, c->cid, c->name, c->company, c->type,
	    c->status, c->activity, c->note, c->role };
	struct contact	 copy;
	size_t		 i, j;

	for (i = 0; i < sizeof(s) / sizeof(s[0]); i++) {
		if (s[i] == NULL)
			abort();
		for (j = 0; s[i][j] != '\0'; j++)
			if ((unsigned char)s[i][j] < 0x20 || s[i][j] == 0x7f)
				abort();
	}
	if (c->nnumbers > 16 || (*c->name == '\0' && c->nnumbers == 0 &&
	    strcmp(c->type, "DIRECTORY") != 0))
		abort();
	for (i = 0; i < c->nnumbers; i++)
		if (*c->numbers[i].number == '\0' ||
		    !contact_has_number(c, c->numbers[i].number) !=
		    !contact_number_match(c->numbers[i].number,
		    c->numbers[i].number))
			abort();
	contact_copy(&copy, c);
	if (strcmp(copy.name, c->name) != 0 || copy.nnumbers != c->nnumbers)
		abort();
	contact_clear(&copy);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct contact_list	 l;
	struct contact		 c;
	char			 err[256], out[128], *s;
	size_t			 i;

	if (contacts_parse((const char *)data, size, &l, err, sizeof(err)) == 0) {
		for (i = 0; i < l.n; i++)
			check(&l.v[i]);
		contact_list_free(&l);
	}
	if (personal_contacts_parse((const char *)data, size, &l, err,
	    sizeof(err)) == 0) {
		for (i = 0; i < l.n; i++)
			check(&l.v[i]);
		contact_list_free(&l);
	}
	if (vcard_parse((const char *)data, size, &c, err, sizeof(err)) == 0) {
		check(&c);
		contact_clear(&c);
	}
	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (contact_entry_decode(s, out, sizeof(out)) == 0 &&
	    strchr(out, '@') == NULL)
		abort();
	(void)contact_number_match(s, "+46701234567");
	free(s);
	return 0;
}
