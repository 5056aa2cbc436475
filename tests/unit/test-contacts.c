/* test-contacts.c: contacts, personal contacts and vCards, on the reference's examples. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "contacts.h"
#include "tap.h"

static void
test_search(void)
{
	struct contact_list	 l;
	struct contact		*c;
	char			 err[256], *t;
	size_t			 len;

	t = tap_read_data("fuzz-seeds/ref-contacts-search.json", &len);
	ok(contacts_parse(t, len, &l, err, sizeof(err)) == 0, "search: parsed");
	is_int(l.n, 1, "search: one contact");
	c = &l.v[0];
	is_str(c->name, "Alice Alisson", "search: firstname lastname");
	is_str(c->company, "Organization", "search: company");
	is_str(c->id, "Y29udGFjdElkQGV4YW1wbGUub3JnQGRpcmVjdG9yeQ",
	    "search: id is the contactEntryId");
	is_str(c->cid, "contactId@example.org",
	    "search: cid decoded from id@domain@directory");
	is_int(c->nnumbers, 1, "search: the preferred number");
	is_str(contact_dial_number(c), "+1234567", "search: dial number");
	ok(c->has_presence && c->available, "search: available");
	is_str(c->activity, "1230040550060", "search: activity id");
	is_str(c->note, "Example Note", "search: note");
	is_str(c->role, "business", "search: role Business read as business");
	ok(!c->incall, "search: not in a call");
	is_str(c->status, "FAVORITE", "search: contactStatus");
	is_str(c->type, "SHORTCUT", "search: type");
	contact_list_free(&l);
	free(t);

	/* The bulk example has no "available" in presence: not present. */
	t = tap_read_data("fuzz-seeds/ref-contacts-bulk.json", &len);
	ok(contacts_parse(t, len, &l, err, sizeof(err)) == 0 && l.n == 1,
	    "bulk: parsed");
	ok(l.n == 1 && l.v[0].has_presence && l.v[0].available,
	    "bulk: availability from the activity");
	ok(l.n == 1 && *l.v[0].id == '\0' && *l.v[0].cid == '\0',
	    "bulk: no contactEntryId, no id");
	contact_list_free(&l);
	free(t);
}

static void
test_info(void)
{
	struct contact_list	 l;
	struct contact		*c;
	char			 err[256], *t;
	size_t			 len;

	t = tap_read_data("fuzz-seeds/ref-contact-info.json", &len);
	ok(contacts_parse(t, len, &l, err, sizeof(err)) == 0 && l.n == 1,
	    "info: one contact object");
	c = &l.v[0];
	is_str(c->name, "John Doe", "info: name");
	is_int(c->nnumbers, 2, "info: preferred and mobile");
	is_str(c->numbers[0].number, "+46812345001", "info: preferred first");
	is_str(c->numbers[1].number, "+46456345001", "info: then phonenumbers");
	is_str(c->numbers[1].type, "mobile", "info: number type");
	ok(!c->has_presence, "info: presence with access fields only is none");
	is_str(c->cid, "contactId@example.org", "info: cid");
	contact_list_free(&l);
	free(t);
}

static void
test_personal(void)
{
	struct contact_list	 l;
	char			 err[256], *t;
	size_t			 len;

	t = tap_read_data("fuzz-seeds/ref-personal-contacts.json", &len);
	ok(personal_contacts_parse(t, len, &l, err, sizeof(err)) == 0,
	    "personal: parsed");
	is_int(l.n, 2, "personal: two contacts");
	if (l.n == 2) {
		is_str(l.v[0].name, "John Doe", "personal: name");
		is_str(l.v[0].company, "MinFirma AB", "personal: company");
		is_str(l.v[0].type, "PERSONAL", "personal: type");
		is_str(l.v[0].id, "167271@internal", "personal: cid as id");
		is_str(contact_dial_number(&l.v[1]), "+46890657890",
		    "personal: preferred phoneNumber");
		ok(contact_has_number(&l.v[0], "tel:+46850654760"),
		    "personal: a tel: URI matches its number");
		ok(contact_has_number(&l.v[0], "0850654760"),
		    "personal: the national form matches");
		ok(!contact_has_number(&l.v[0], "+46850654761"),
		    "personal: another number does not");
	}
	contact_list_free(&l);
	free(t);
}

static void
test_vcard(void)
{
	struct contact	 c;
	char		 err[256];
	const char	*t;
	char		*ref;
	size_t		 len;

	ref = tap_read_data("fuzz-seeds/ref-vcard.json", &len);
	ok(vcard_parse(ref, len, &c, err, sizeof(err)) == 0, "vcard: parsed");
	is_str(c.name, "John Doe", "vcard: FN");
	is_str(c.company, "Example Organisation", "vcard: ORG Orgname");
	is_int(c.nnumbers, 2, "vcard: two TEL");
	ok(contact_has_number(&c, "5001"), "vcard: the extension");
	contact_clear(&c);
	free(ref);
	t = "{\"Description\":{\"N\":{\"Given\":\"Ann\",\"Family\":\"Lee\"},"
	    "\"TEL\":\"+461\"}}";
	ok(vcard_parse(t, strlen(t), &c, err, sizeof(err)) == 0,
	    "vcard: N and one TEL string");
	is_str(c.name, "Ann Lee", "vcard: name from N");
	is_str(contact_dial_number(&c), "+461", "vcard: TEL as a string");
	contact_clear(&c);
	ok(vcard_parse("[1]", 3, &c, err, sizeof(err)) == -1,
	    "vcard: a list is refused");
}

static void
test_hostile(void)
{
	struct contact_list	 l;
	const char		*doc = "{\"contact\":[{\"firstname\":"
	    "\"\\u001b]2;pwned\\u0007\",\"lastname\":\"x\\ny\",\"presence\":"
	    "{\"note\":\"a\\r\\nb\",\"available\":\"true\",\"activity\":7},"
	    "\"preferredNumber\":\"+1\"},{\"company\":\"no name, no number\"},"
	    "\"junk\",{\"firstname\":\"B\",\"phonenumbers\":{\"x\":1}}]}";
	char			 err[256];
	size_t			 i;
	int			 clean = 1;

	ok(contacts_parse(doc, strlen(doc), &l, err, sizeof(err)) == 0,
	    "hostile: parsed");
	is_int(l.n, 2, "hostile: the useless and the non-objects skipped");
	for (i = 0; l.n > 0 && l.v[0].name[i] != '\0'; i++)
		if ((unsigned char)l.v[0].name[i] < 0x20)
			clean = 0;
	for (i = 0; l.n > 0 && l.v[0].note[i] != '\0'; i++)
		if ((unsigned char)l.v[0].note[i] < 0x20)
			clean = 0;
	ok(clean, "hostile: no control character left in name or note");
	ok(l.n > 0 && l.v[0].available, "hostile: available as a string");
	is_str(l.n > 0 ? l.v[0].activity : NULL, "7", "hostile: activity as a number");
	contact_list_free(&l);
	ok(contacts_parse("{\"query\":\"q\"}", 13, &l, err, sizeof(err)) == 0 &&
	    l.n == 0, "no match: an empty list");
	contact_list_free(&l);
	ok(contacts_parse("{\"contact\":5}", 13, &l, err, sizeof(err)) == -1,
	    "contact not a list: refused");
	ok(contacts_parse("\"x\"", 3, &l, err, sizeof(err)) == -1,
	    "a string: refused");
	ok(contacts_parse("{\"contact\":[", 12, &l, err, sizeof(err)) == -1,
	    "truncated: refused");
}

static void
test_entry_and_numbers(void)
{
	char	out[64];

	ok(contact_entry_decode("Y29udGFjdElkQGV4YW1wbGUub3JnQGRpcmVjdG9yeQ==",
	    out, sizeof(out)) == 0 && strcmp(out, "contactId@example.org") == 0,
	    "entry: padded base64");
	ok(contact_entry_decode("YUBiQGM", out, sizeof(out)) == 0 &&
	    strcmp(out, "a@b") == 0, "entry: a@b@c");
	ok(contact_entry_decode("YUBi", out, sizeof(out)) == -1,
	    "entry: one @ only is no entry id");
	ok(contact_entry_decode("a*b", out, sizeof(out)) == -1,
	    "entry: not base64");
	ok(contact_entry_decode("Y29udGFjdElkQGV4YW1wbGUub3JnQGRpcmVjdG9yeQ",
	    out, 8) == -1, "entry: too long for out");
	ok(contact_number_match("+46 8 123 45", "+468-12345"),
	    "numbers: separators ignored");
	ok(!contact_number_match("12345", "9912345"),
	    "numbers: a short suffix is no match");
	ok(contact_number_match("0701234567", "+46701234567"),
	    "numbers: 0 + national against +46");
	ok(!contact_number_match("", ""), "numbers: empty never matches");
}

int
main(void)
{
	test_search();
	test_info();
	test_personal();
	test_vcard();
	test_hostile();
	test_entry_and_numbers();
	return tap_done();
}
