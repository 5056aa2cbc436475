/* contacts.c: the Contacts, Contacts Information V1 and Personal Contacts documents. */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "callstate.h"
#include "contacts.h"
#include "xmalloc.h"

/* A name or note longer than this is cut (at a character boundary). */
#define CONTACT_TEXT_MAX	512
#define CONTACT_NUMBERS_MAX	16

/*
 * s as a contact's text: control characters (C0, DEL) become spaces, so
 * that a name cannot move a terminal's cursor or forge a second line in
 * dstnyctl's tables; at most CONTACT_TEXT_MAX bytes. model_json_parse()
 * already made it valid UTF-8.
 */
char *
contact_text(const char *s)
{
	size_t	 len = strlen(s), i;
	char	*out;

	if (len > CONTACT_TEXT_MAX) {
		len = CONTACT_TEXT_MAX;
		while (len > 0 && ((unsigned char)s[len] & 0xc0) == 0x80)
			len--;
	}
	out = xstrndup(s, len);
	for (i = 0; i < len; i++)
		if ((unsigned char)out[i] < 0x20 || out[i] == 0x7f)
			out[i] = ' ';
	return out;
}

/* "a" "b" -> "a b"; either may be empty. */
static char *
contact_join(const char *a, const char *b)
{
	char	*s, *out;

	if (*a == '\0' || *b == '\0')
		s = xstrdup(*a != '\0' ? a : b);
	else
		s = xasprintf("%s %s", a, b);
	out = contact_text(s);
	free(s);
	return out;
}

static void
contact_add_number(struct contact *c, const char *number, const char *type,
    int first)
{
	size_t	i;

	if (*number == '\0')
		return;
	for (i = 0; i < c->nnumbers; i++)
		if (strcmp(c->numbers[i].number, number) == 0)
			return;
	if (c->nnumbers == CONTACT_NUMBERS_MAX)
		return;
	c->numbers = xreallocarray(c->numbers, c->nnumbers + 1,
	    sizeof(*c->numbers));
	if (first) {
		memmove(&c->numbers[1], &c->numbers[0],
		    c->nnumbers * sizeof(*c->numbers));
		i = 0;
	} else
		i = c->nnumbers;
	c->numbers[i].number = contact_text(number);
	c->numbers[i].type = contact_text(type);
	c->nnumbers++;
}

/* Every string member set, so that readers never meet a NULL. */
static void
contact_fill(struct contact *c)
{
	char	**s[] = { &c->id, &c->cid, &c->name, &c->company, &c->type,
	    &c->status, &c->activity, &c->note, &c->role };
	size_t	  i;

	for (i = 0; i < sizeof(s) / sizeof(s[0]); i++)
		if (*s[i] == NULL)
			*s[i] = xstrdup("");
}

static void
contact_presence(struct contact *c, struct json_object *p)
{
	struct json_object	*a;
	char			*r;
	size_t			 i;

	if (!json_object_is_type(p, json_type_object))
		return;
	a = model_get(p, "activity");
	c->has_presence = model_get(p, "available") != NULL || a != NULL;
	/* Contacts: activity {id, expiration, available}; events: a string. */
	if (json_object_is_type(a, json_type_object)) {
		c->activity = contact_text(model_str(a, "id"));
		c->available = model_bool(a, "available");
	} else
		c->activity = contact_text(model_str(p, "activity"));
	if (model_get(p, "available") != NULL)
		c->available = model_bool(p, "available");
	c->note = contact_text(model_str(p, "note"));
	/* The reference writes both "business" and "Business". */
	r = contact_text(model_str(p, "role"));
	for (i = 0; r[i] != '\0'; i++)
		r[i] = (char)tolower((unsigned char)r[i]);
	c->role = r;
}

/* One object of the Contacts API or Contacts Information V1. */
static void
contact_from_json(struct contact *c, struct json_object *e)
{
	struct json_object	*arr, *n;
	const char		*entry = model_str(e, "contactEntryId");
	char			 dec[512];
	size_t			 i;

	memset(c, 0, sizeof(*c));
	if (*entry != '\0') {
		c->id = contact_text(entry);
		if (contact_entry_decode(entry, dec, sizeof(dec)) == 0)
			c->cid = contact_text(dec);
	} else if (*model_str(e, "cid") != '\0')
		c->id = contact_text(model_str(e, "cid"));
	else
		c->id = contact_text(model_str(e, "id"));
	if (c->cid == NULL)
		c->cid = contact_text(*model_str(e, "cid") != '\0' ?
		    model_str(e, "cid") : c->id);
	c->name = contact_join(model_str(e, "firstname"),
	    model_str(e, "lastname"));
	if (*c->name == '\0') {
		free(c->name);
		c->name = contact_text(*model_str(e, "name") != '\0' ?
		    model_str(e, "name") : *model_str(e, "shortname") != '\0' ?
		    model_str(e, "shortname") : model_str(e, "email"));
	}
	c->company = contact_text(model_str(e, "company"));
	c->type = contact_text(model_str(e, "type"));
	c->status = contact_text(model_str(e, "contactStatus"));
	c->incall = model_bool(e, "incall");
	contact_add_number(c, model_str(e, "preferredNumber"), "preferred", 0);
	/* Contacts Information V1: phonenumbers [{number, type}]. */
	arr = model_get(e, "phonenumbers");
	for (i = 0; json_object_is_type(arr, json_type_array) &&
	    i < json_object_array_length(arr); i++) {
		n = json_object_array_get_idx(arr, i);
		contact_add_number(c, model_str(n, "number"),
		    model_str(n, "type"), 0);
	}
	/* Personal Contacts: phoneNumbers [{type, phoneNumber, preferredNumber}]. */
	arr = model_get(e, "phoneNumbers");
	for (i = 0; json_object_is_type(arr, json_type_array) &&
	    i < json_object_array_length(arr); i++) {
		n = json_object_array_get_idx(arr, i);
		contact_add_number(c, model_str(n, "phoneNumber"),
		    model_str(n, "type"), model_bool(n, "preferredNumber"));
	}
	contact_presence(c, model_get(e, "presence"));
	contact_fill(c);
}

static int
contact_useful(const struct contact *c)
{
	return *c->name != '\0' || c->nnumbers > 0;
}

static int
contacts_read(const char *text, size_t len, struct contact_list *out,
    const char *key, const char *type, char *err, size_t errlen)
{
	struct json_object	*o, *arr, *one = NULL, *e;
	struct contact		*c;
	size_t			 i, n;

	memset(out, 0, sizeof(*out));
	if ((o = model_json_parse(text, len, err, errlen)) == NULL)
		return -1;
	if (json_object_is_type(o, json_type_array))
		arr = o;
	else if (!json_object_is_type(o, json_type_object)) {
		snprintf(err, errlen, "contacts: not an object or a list");
		json_object_put(o);
		return -1;
	} else if ((arr = model_get(o, key)) != NULL) {
		/* A single contact where a list was due is taken too. */
		if (json_object_is_type(arr, json_type_object)) {
			one = arr;
			arr = NULL;
		} else if (!json_object_is_type(arr, json_type_array)) {
			snprintf(err, errlen, "contacts: \"%s\" is not a list",
			    key);
			json_object_put(o);
			return -1;
		}
	} else if (model_get(o, "query") == NULL &&
	    json_object_object_length(o) > 0)
		one = o;	/* one contact (Contacts Information V1) */
	/* else {"query": "x"} with no list: nothing matched. */
	n = arr != NULL ? json_object_array_length(arr) : one != NULL;
	out->v = xcalloc(n > 0 ? n : 1, sizeof(*out->v));
	for (i = 0; i < n; i++) {
		e = arr != NULL ? json_object_array_get_idx(arr, i) : one;
		if (!json_object_is_type(e, json_type_object))
			continue;
		c = &out->v[out->n];
		contact_from_json(c, e);
		if (type != NULL && *c->type == '\0') {
			free(c->type);
			c->type = xstrdup(type);
		}
		if (contact_useful(c))
			out->n++;
		else
			contact_clear(c);
	}
	json_object_put(o);
	return 0;
}

int
contacts_parse(const char *text, size_t len, struct contact_list *out,
    char *err, size_t errlen)
{
	return contacts_read(text, len, out, "contact", NULL, err, errlen);
}

int
personal_contacts_parse(const char *text, size_t len,
    struct contact_list *out, char *err, size_t errlen)
{
	return contacts_read(text, len, out, "personal_contact", "PERSONAL",
	    err, errlen);
}

int
vcard_parse(const char *text, size_t len, struct contact *c, char *err,
    size_t errlen)
{
	struct json_object	*o, *d, *v, *e;
	size_t			 i;

	memset(c, 0, sizeof(*c));
	if ((o = model_json_parse(text, len, err, errlen)) == NULL)
		return -1;
	if ((d = model_get(o, "Description")) == NULL)
		d = o;
	if (!json_object_is_type(d, json_type_object)) {
		snprintf(err, errlen, "vcard: not an object");
		json_object_put(o);
		return -1;
	}
	c->name = contact_text(model_str(d, "FN"));
	if (*c->name == '\0') {
		free(c->name);
		v = model_get(d, "N");
		c->name = contact_join(model_str(v, "Given"),
		    model_str(v, "Family"));
	}
	v = model_get(d, "ORG");
	c->company = contact_text(json_object_is_type(v, json_type_object) ?
	    model_str(v, "Orgname") : model_str(d, "ORG"));
	/* TEL: an array of {value, type[]}, or one such object or string. */
	v = model_get(d, "TEL");
	if (json_object_is_type(v, json_type_array)) {
		for (i = 0; i < json_object_array_length(v); i++) {
			e = json_object_array_get_idx(v, i);
			contact_add_number(c, json_object_is_type(e,
			    json_type_string) ? json_object_get_string(e) :
			    model_str(e, "value"), "", 0);
		}
	} else if (json_object_is_type(v, json_type_object))
		contact_add_number(c, model_str(v, "value"), "", 0);
	else if (json_object_is_type(v, json_type_string))
		contact_add_number(c, json_object_get_string(v), "", 0);
	c->type = xstrdup("DIRECTORY");
	contact_fill(c);
	json_object_put(o);
	return 0;
}

void
contact_clear(struct contact *c)
{
	size_t	i;

	free(c->id);
	free(c->cid);
	free(c->name);
	free(c->company);
	free(c->type);
	free(c->status);
	free(c->activity);
	free(c->note);
	free(c->role);
	for (i = 0; i < c->nnumbers; i++) {
		free(c->numbers[i].number);
		free(c->numbers[i].type);
	}
	free(c->numbers);
	memset(c, 0, sizeof(*c));
}

void
contact_copy(struct contact *dst, const struct contact *src)
{
	size_t	i;

	*dst = *src;
	dst->id = xstrdup(src->id);
	dst->cid = xstrdup(src->cid);
	dst->name = xstrdup(src->name);
	dst->company = xstrdup(src->company);
	dst->type = xstrdup(src->type);
	dst->status = xstrdup(src->status);
	dst->activity = xstrdup(src->activity);
	dst->note = xstrdup(src->note);
	dst->role = xstrdup(src->role);
	dst->numbers = src->nnumbers > 0 ?
	    xcalloc(src->nnumbers, sizeof(*dst->numbers)) : NULL;
	for (i = 0; i < src->nnumbers; i++) {
		dst->numbers[i].number = xstrdup(src->numbers[i].number);
		dst->numbers[i].type = xstrdup(src->numbers[i].type);
	}
}

void
contact_list_free(struct contact_list *l)
{
	size_t	i;

	for (i = 0; i < l->n; i++)
		contact_clear(&l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

int
contact_entry_decode(const char *in, char *out, size_t outlen)
{
	unsigned	acc = 0;
	int		bits = 0, v;
	size_t		n = 0;
	char		*at;

	for (; *in != '\0' && *in != '='; in++) {
		if (*in >= 'A' && *in <= 'Z')
			v = *in - 'A';
		else if (*in >= 'a' && *in <= 'z')
			v = *in - 'a' + 26;
		else if (*in >= '0' && *in <= '9')
			v = *in - '0' + 52;
		else if (*in == '+' || *in == '-')
			v = 62;
		else if (*in == '/' || *in == '_')
			v = 63;
		else
			return -1;
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (n + 1 >= outlen)
				return -1;
			out[n++] = (char)((acc >> bits) & 0xff);
			if (out[n - 1] == '\0' ||
			    (unsigned char)out[n - 1] < 0x20)
				return -1;
		}
	}
	if (outlen == 0)
		return -1;
	out[n] = '\0';
	/* id@domain@directory: keep id@domain. */
	if ((at = strrchr(out, '@')) == NULL || at == out ||
	    memchr(out, '@', (size_t)(at - out)) == NULL)
		return -1;
	*at = '\0';
	return 0;
}

/* The digits of s, at most outlen - 1 of them. */
static size_t
number_digits(const char *s, char *out, size_t outlen)
{
	size_t	n = 0;

	if (strncmp(s, "tel:", 4) == 0 || strncmp(s, "sip:", 4) == 0)
		s += 4;
	for (; *s != '\0' && *s != '@' && *s != ';'; s++)
		if (isdigit((unsigned char)*s) && n + 1 < outlen)
			out[n++] = *s;
	out[n] = '\0';
	return n;
}

/* Does long (n digits) end with short, trunk zeros dropped, >= 7 digits? */
static int
number_suffix(const char *lng, size_t n, const char *shrt)
{
	size_t	m;

	while (*shrt == '0')
		shrt++;
	m = strlen(shrt);
	return m >= 7 && m <= n && strcmp(lng + (n - m), shrt) == 0;
}

int
contact_number_match(const char *a, const char *b)
{
	char	da[64], db[64];
	size_t	na, nb;

	na = number_digits(a, da, sizeof(da));
	nb = number_digits(b, db, sizeof(db));
	if (na == 0 || nb == 0)
		return 0;
	if (na == nb)
		return strcmp(da, db) == 0;
	if (na > nb)
		return number_suffix(da, na, db);
	return number_suffix(db, nb, da);
}

int
contact_has_number(const struct contact *c, const char *number)
{
	size_t	i;

	for (i = 0; i < c->nnumbers; i++)
		if (contact_number_match(c->numbers[i].number, number))
			return 1;
	return 0;
}

const char *
contact_dial_number(const struct contact *c)
{
	return c->nnumbers > 0 ? c->numbers[0].number : "";
}
