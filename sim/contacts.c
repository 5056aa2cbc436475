/* contacts.c: the simulated directory, favourites, personal contacts and contact streams. */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <json-c/json.h>

#include "callstate.h"
#include "routes.h"
#include "sim.h"
#include "xmalloc.h"

struct sim_contact {
	char			*id;		/* "anna": cid "anna@<domain>" */
	char			*domain;
	char			*first;
	char			*last;
	char			*company;
	char			*number;
	char			*mobile;
	int			 available;
	char			*activity;
	char			*note;
	int			 incall;
	unsigned		 version;	/* dialog-info and PIDF */
	struct sim_contact	*next;
};

/* A favourite of a user: a directory contact's cid. */
struct sim_fav {
	struct sim_user		*user;
	char			*cid;
	struct sim_fav		*next;
};

static struct sim_contact	*dir;
static struct sim_contact	**dir_tail = &dir;
static struct sim_fav		*favs;
static int			 dir_ready;

static void
contact_set(char **f, const char *v)
{
	free(*f);
	*f = xstrdup(v);
}

static struct sim_contact *
dir_add(const char *id, const char *domain, const char *first,
    const char *last, const char *company, const char *number)
{
	struct sim_contact	*c = xcalloc(1, sizeof(*c));

	c->id = xstrdup(id);
	c->domain = xstrdup(domain);
	c->first = xstrdup(first);
	c->last = xstrdup(last);
	c->company = xstrdup(company);
	c->number = xstrdup(number);
	c->mobile = xstrdup("");
	c->available = 1;
	c->activity = xstrdup("available");
	c->note = xstrdup("");
	*dir_tail = c;
	dir_tail = &c->next;
	return c;
}

/* The colleagues every simulated organisation has. */
static void
dir_init(void)
{
	struct sim_contact	*c;

	if (dir_ready)
		return;
	dir_ready = 1;
	c = dir_add("anna", "example.com", "Anna", "Andersson", "Example AB",
	    "+46701000001");
	contact_set(&c->mobile, "+46731000001");
	dir_add("annb", "example.com", "Anna", "Berg", "Example AB",
	    "+46701000002");
	dir_add("bertil", "example.com", "Bertil", "Bo", "Support AB",
	    "+46701000003");
	c = dir_add("cecilia", "example.com", "Cecilia", "Ceder", "Example AB",
	    "+46701000004");
	c->available = 0;
	contact_set(&c->activity, "lunch");
	contact_set(&c->note, "Back at 13:00");
}

void
contacts_free(void)
{
	struct sim_contact	*c;
	struct sim_fav		*f;

	while ((c = dir) != NULL) {
		dir = c->next;
		free(c->id);
		free(c->domain);
		free(c->first);
		free(c->last);
		free(c->company);
		free(c->number);
		free(c->mobile);
		free(c->activity);
		free(c->note);
		free(c);
	}
	dir_tail = &dir;
	while ((f = favs) != NULL) {
		favs = f->next;
		free(f->cid);
		free(f);
	}
	dir_ready = 0;
}

/* RFC 4648 base64url without padding, as the reference's contactEntryId. */
static char *
b64url(const char *s)
{
	static const char	 al[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789-_";
	size_t			 len = strlen(s), i, n = 0;
	char			*out = xmalloc(len * 4 / 3 + 4);
	unsigned		 acc;

	for (i = 0; i + 2 < len; i += 3) {
		acc = (unsigned)(unsigned char)s[i] << 16 |
		    (unsigned)(unsigned char)s[i + 1] << 8 | (unsigned char)s[i + 2];
		out[n++] = al[acc >> 18 & 63];
		out[n++] = al[acc >> 12 & 63];
		out[n++] = al[acc >> 6 & 63];
		out[n++] = al[acc & 63];
	}
	if (len - i == 1) {
		acc = (unsigned)(unsigned char)s[i] << 16;
		out[n++] = al[acc >> 18 & 63];
		out[n++] = al[acc >> 12 & 63];
	} else if (len - i == 2) {
		acc = (unsigned)(unsigned char)s[i] << 16 |
		    (unsigned)(unsigned char)s[i + 1] << 8;
		out[n++] = al[acc >> 18 & 63];
		out[n++] = al[acc >> 12 & 63];
		out[n++] = al[acc >> 6 & 63];
	}
	out[n] = '\0';
	return out;
}

static char *
contact_cid(const struct sim_contact *c)
{
	return xasprintf("%s@%s", c->id, c->domain);
}

static int
digits_match(const char *a, const char *b)
{
	char	da[64], db[64];
	size_t	na = 0, nb = 0;

	for (; *a != '\0' && na + 1 < sizeof(da); a++)
		if (isdigit((unsigned char)*a))
			da[na++] = *a;
	for (; *b != '\0' && nb + 1 < sizeof(db); b++)
		if (isdigit((unsigned char)*b))
			db[nb++] = *b;
	da[na] = db[nb] = '\0';
	return na > 0 && strcmp(da, db) == 0;
}

/* A contact by cid: "id@domain", its contactEntryId, or a phone number. */
static struct sim_contact *
contact_find(const char *cid)
{
	struct sim_contact	*c;
	char			*own, *entry, *full;
	int			 hit;

	dir_init();
	for (c = dir; c != NULL; c = c->next) {
		own = contact_cid(c);
		full = xasprintf("%s@directory", own);
		entry = b64url(full);
		free(full);
		hit = strcmp(own, cid) == 0 || strcmp(c->id, cid) == 0 ||
		    strncmp(entry, cid, strlen(entry)) == 0;
		free(own);
		free(entry);
		if (hit)
			return c;
	}
	for (c = dir; c != NULL; c = c->next)
		if (digits_match(c->number, cid) || digits_match(c->mobile, cid))
			return c;
	return NULL;
}

static struct sim_fav *
fav_find(struct sim_user *u, const struct sim_contact *c)
{
	struct sim_fav	*f;
	char		*cid = contact_cid(c);

	for (f = favs; f != NULL; f = f->next)
		if (f->user == u && strcmp(f->cid, cid) == 0)
			break;
	free(cid);
	return f;
}

static int
fav_set(struct sim_user *u, struct sim_contact *c, int on)
{
	struct sim_fav	*f = fav_find(u, c), **pp;

	if (on && f == NULL) {
		f = xcalloc(1, sizeof(*f));
		f->user = u;
		f->cid = contact_cid(c);
		f->next = NULL;
		for (pp = &favs; *pp != NULL; pp = &(*pp)->next)
			;
		*pp = f;
	} else if (!on && f != NULL) {
		for (pp = &favs; *pp != f; pp = &(*pp)->next)
			;
		*pp = f->next;
		free(f->cid);
		free(f);
	}
	return 0;
}

/*
 * A contact as the Contacts API answers, with the reference's quirks:
 * the role alternates "Business" and "business", the access fields are
 * free strings, contactEntryId is base64url of id@domain@directory.
 */
static struct json_object *
contact_json(struct sim_user *u, const struct sim_contact *c, size_t i)
{
	struct json_object	*o = json_object_new_object(), *p, *a, *caps;
	char			*cid = contact_cid(c), *full, *entry;
	int			 fav = fav_find(u, c) != NULL;

	full = xasprintf("%s@directory", cid);
	entry = b64url(full);
	json_object_object_add(o, "firstname", json_object_new_string(c->first));
	json_object_object_add(o, "lastname", json_object_new_string(c->last));
	json_object_object_add(o, "company", json_object_new_string(c->company));
	p = json_object_new_object();
	json_object_object_add(p, "futurePresenceAccess", json_object_new_string("WRITE"));
	json_object_object_add(p, "activityAccess", json_object_new_string(
	    i % 2 ? "READ_ONLY" : "WRITE"));
	json_object_object_add(p, "roleAccess", json_object_new_string("NONE"));
	json_object_object_add(p, "noteAccess", json_object_new_string("WRITE"));
	json_object_object_add(p, "role", json_object_new_string(
	    i % 2 ? "business" : "Business"));
	json_object_object_add(p, "note", json_object_new_string(c->note));
	a = json_object_new_object();
	json_object_object_add(a, "id", json_object_new_string(c->activity));
	json_object_object_add(a, "expiration", json_object_new_string("NEVER"));
	json_object_object_add(a, "available", json_object_new_boolean(c->available));
	json_object_object_add(p, "activity", a);
	json_object_object_add(p, "idle", json_object_new_boolean(0));
	json_object_object_add(p, "available", json_object_new_boolean(c->available));
	caps = json_object_new_array();
	json_object_array_add(caps, json_object_new_string("MESSAGE"));
	json_object_array_add(caps, json_object_new_string("SMS"));
	json_object_object_add(p, "capabilities", caps);
	json_object_object_add(o, "presence", p);
	json_object_object_add(o, "incall", json_object_new_boolean(c->incall));
	json_object_object_add(o, "inlist", json_object_new_boolean(fav));
	json_object_object_add(o, "diversionAccess", json_object_new_string("NONE"));
	json_object_object_add(o, "type", json_object_new_string("DIRECTORY"));
	json_object_object_add(o, "image", json_object_new_int(12));
	json_object_object_add(o, "vcard", json_object_new_int((int)c->version + 1));
	json_object_object_add(o, "contactStatus", json_object_new_string(
	    fav ? "FAVORITE" : "CONTACT"));
	json_object_object_add(o, "preferredNumber", json_object_new_string(c->number));
	json_object_object_add(o, "collaboration", json_object_new_boolean(1));
	json_object_object_add(o, "contactEntryId", json_object_new_string(entry));
	free(cid);
	free(full);
	free(entry);
	return o;
}

/* Does any word of s start with q (case-insensitively)? */
static int
word_starts(const char *s, const char *q)
{
	size_t	len = strlen(q);
	const char *p;

	for (p = s; *p != '\0'; p++)
		if ((p == s || *(p - 1) == ' ' || *(p - 1) == '-') &&
		    strncasecmp(p, q, len) == 0)
			return 1;
	return 0;
}

static int
contact_matches(const struct sim_contact *c, const char *q)
{
	char	*full = xasprintf("%s %s", c->first, c->last);
	int	 hit;

	hit = word_starts(full, q) || word_starts(c->company, q) ||
	    (*q == '+' || isdigit((unsigned char)*q) ?
	    strncmp(c->number, q, strlen(q)) == 0 ||
	    strncmp(c->mobile, q, strlen(q)) == 0 : 0);
	if (!hit && strchr(q, ' ') != NULL)
		hit = strncasecmp(full, q, strlen(q)) == 0;
	free(full);
	return hit;
}

/* contacts.list: a search with query, else the user's favourites. */
static void
contacts_list(struct evhttp_request *req, struct sim_user *u,
    struct evkeyvalq *query)
{
	const char		*q = evhttp_find_header(query, "query");
	const char		*max = evhttp_find_header(query, "maxResults");
	struct json_object	*o = json_object_new_object(), *a;
	struct sim_contact	*c;
	struct sim_fav		*f;
	long			 limit = 25, n = 0;
	char			*end;

	if (max != NULL) {
		/* maxResults is a string in the reference: digits only. */
		limit = strtol(max, &end, 10);
		if (*max == '\0' || *end != '\0' || limit < 0) {
			json_object_put(o);
			sim_reply_error(req, 400, "maxResults.invalid",
			    "maxResults must be a number");
			return;
		}
	}
	dir_init();
	json_object_object_add(o, "query", json_object_new_string(
	    q != NULL ? q : ""));
	a = json_object_new_array();
	if (q != NULL && *q != '\0') {
		for (c = dir; c != NULL && n < limit; c = c->next)
			if (strcmp(c->domain, u->domain) == 0 &&
			    contact_matches(c, q))
				json_object_array_add(a, contact_json(u, c,
				    (size_t)n++));
	} else {
		for (f = favs; f != NULL; f = f->next)
			if (f->user == u && (c = contact_find(f->cid)) != NULL)
				json_object_array_add(a, contact_json(u, c,
				    (size_t)n++));
	}
	json_object_object_add(o, "contact", a);
	sim_reply_json(req, 200, o);
}

static struct json_object *
vcard_json(const struct sim_contact *c)
{
	struct json_object	*o = json_object_new_object(), *d, *tel, *t, *n,
				*org;
	char			*fn = xasprintf("%s %s", c->first, c->last);
	const char		*nums[2] = { c->number, c->mobile };
	size_t			 i;

	d = json_object_new_object();
	tel = json_object_new_array();
	for (i = 0; i < 2; i++) {
		if (*nums[i] == '\0')
			continue;
		t = json_object_new_object();
		json_object_object_add(t, "value", json_object_new_string(nums[i]));
		json_object_object_add(t, "parseType", json_object_new_string("Resource"));
		json_object_object_add(t, "type", json_object_new_array());
		json_object_array_add(tel, t);
	}
	json_object_object_add(d, "TEL", tel);
	json_object_object_add(d, "FN", json_object_new_string(fn));
	n = json_object_new_object();
	json_object_object_add(n, "parseType", json_object_new_string("Resource"));
	json_object_object_add(n, "Family", json_object_new_string(c->last));
	json_object_object_add(n, "Given", json_object_new_string(c->first));
	json_object_object_add(d, "N", n);
	org = json_object_new_object();
	json_object_object_add(org, "parseType", json_object_new_string("Resource"));
	json_object_object_add(org, "Orgname", json_object_new_string(c->company));
	json_object_object_add(d, "ORG", org);
	json_object_object_add(o, "Description", d);
	free(fn);
	return o;
}

/*
 * The reference's two personal contacts: the first user's (alice in the
 * default scenario). The others have none, so that a test can tell one
 * user's personal contacts from another's.
 */
static struct json_object *
personal_json(const struct sim_user *u)
{
	static const char *const p[][5] = {
		{ "167271@internal", "John", "Doe", "MinFirma AB", "+46850654760" },
		{ "167272@internal", "Bob", "Dilen", "MinFirma AB", "+46890657890" },
	};
	struct json_object	*o = json_object_new_object(), *a, *e, *nums, *n;
	size_t			 i;

	a = json_object_new_array();
	for (i = 0; u == sim_users() && i < sizeof(p) / sizeof(p[0]); i++) {
		e = json_object_new_object();
		json_object_object_add(e, "cid", json_object_new_string(p[i][0]));
		json_object_object_add(e, "company", json_object_new_string(p[i][3]));
		json_object_object_add(e, "firstname", json_object_new_string(p[i][1]));
		json_object_object_add(e, "lastname", json_object_new_string(p[i][2]));
		json_object_object_add(e, "showInDefaultContactList",
		    json_object_new_boolean(1));
		json_object_object_add(e, "contactStatus",
		    json_object_new_string(i ? "FAVORITE" : "VIP"));
		json_object_object_add(e, "ownerType", json_object_new_string("USER"));
		nums = json_object_new_array();
		n = json_object_new_object();
		json_object_object_add(n, "type", json_object_new_string("WORK"));
		json_object_object_add(n, "phoneNumber", json_object_new_string(p[i][4]));
		json_object_object_add(n, "preferredNumber", json_object_new_boolean(1));
		json_object_array_add(nums, n);
		json_object_object_add(e, "phoneNumbers", nums);
		json_object_array_add(a, e);
	}
	json_object_object_add(o, "personal_contact", a);
	return o;
}

int
contacts_api(struct evhttp_request *req, int route, struct sim_user *u,
    const char *cid, struct evkeyvalq *query)
{
	struct sim_contact	*c;

	switch (route) {
	case ROUTE_CONTACTS_LIST:
		contacts_list(req, u, query);
		return 1;
	case ROUTE_PERSONAL_LIST:
		sim_reply_json(req, 200, personal_json(u));
		return 1;
	case ROUTE_BUDDY_ADD:
	case ROUTE_BUDDY_DELETE:
	case ROUTE_CONTACT_VCARD:
	case ROUTE_CONTACT_LINESTATE_SSE:
	case ROUTE_CONTACT_PRESENCE_SSE:
		break;
	default:
		return 0;
	}
	if ((c = contact_find(cid)) == NULL) {
		sim_reply_error(req, 404, "contact.not.found", "no such contact");
		return 1;
	}
	switch (route) {
	case ROUTE_BUDDY_ADD:
	case ROUTE_BUDDY_DELETE:
		if (route == ROUTE_BUDDY_DELETE && fav_find(u, c) == NULL) {
			sim_reply_error(req, 404, "favourite.not.found",
			    "not a favourite");
			return 1;
		}
		fav_set(u, c, route == ROUTE_BUDDY_ADD);
		sim_reply(req, 204, NULL, NULL);
		return 1;
	case ROUTE_CONTACT_VCARD:
		sim_reply_json(req, 200, vcard_json(c));
		return 1;
	default:
		contacts_stream_open(req, u, c->id, route ==
		    ROUTE_CONTACT_LINESTATE_SSE);
		return 1;
	}
}

/* RFC 4235 dialog-info for a contact's line: one dialog while in a call. */
char *
contacts_dialog_xml(const char *id)
{
	struct sim_contact	*c = contact_find(id);
	char			*cid, *out;

	if (c == NULL)
		return xstrdup("");
	cid = contact_cid(c);
	out = xasprintf("<?xml version=\"1.0\"?>\n<dialog-info "
	    "xmlns=\"urn:ietf:params:xml:ns:dialog-info\" version=\"%u\" "
	    "state=\"full\" entity=\"sip:%s\">%s</dialog-info>", c->version,
	    cid, c->incall ? "<dialog id=\"1\" direction=\"initiator\">"
	    "<state>confirmed</state></dialog>" : "");
	free(cid);
	return out;
}

/* RFC 3863 PIDF with RFC 4480 activities, as the presence stream sends. */
char *
contacts_pidf_xml(const char *id)
{
	struct sim_contact	*c = contact_find(id);
	char			*cid, *out;

	if (c == NULL)
		return xstrdup("");
	cid = contact_cid(c);
	/* The note is the user's own text: escaped as XML requires. */
	{
		struct buf	 b;
		const char	*p;

		buf_init(&b);
		for (p = c->note; *p != '\0'; p++) {
			if (*p == '<')
				buf_addstr(&b, "&lt;");
			else if (*p == '&')
				buf_addstr(&b, "&amp;");
			else if (*p == '>')
				buf_addstr(&b, "&gt;");
			else
				buf_addc(&b, *p);
		}
		out = xasprintf("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		    "<presence xmlns=\"urn:ietf:params:xml:ns:pidf\" "
		    "xmlns:rpid=\"urn:ietf:params:xml:ns:pidf:rpid\" "
		    "entity=\"pres:%s\"><tuple id=\"t1\"><status><basic>%s</basic>"
		    "</status></tuple><rpid:person><rpid:activities>"
		    "<rpid:%s/></rpid:activities></rpid:person>"
		    "<note>%s</note></presence>", cid, c->available ? "open" :
		    "closed", *c->activity != '\0' &&
		    strspn(c->activity, "abcdefghijklmnopqrstuvwxyz-_") ==
		    strlen(c->activity) ? c->activity : "unknown", b.data);
		buf_free(&b);
	}
	free(cid);
	return out;
}

/*
 * The control API's /contacts: POST /contacts adds (or replaces) a
 * directory contact; POST /contacts/<id> changes one (available,
 * activity, note, incall, names), and its streams are told; a body with
 * "favouriteOf": user makes it that user's favourite (false: not).
 */
int
contacts_control(int post, const char *rest, struct json_object *b,
    struct sim_user *u, struct json_object **out)
{
	struct sim_contact	*c;
	struct json_object	*a;
	int			 line = 0, pres = 0;

	dir_init();
	*out = NULL;
	if (!post && (*rest == '\0' || strcmp(rest, "/") == 0)) {
		a = json_object_new_array();
		for (c = dir; c != NULL; c = c->next)
			json_object_array_add(a, contact_json(u, c, 0));
		*out = a;
		return 200;
	}
	if (!post)
		return 405;
	if (*rest == '\0') {
		if (*model_str(b, "id") == '\0')
			return 400;
		if ((c = contact_find(model_str(b, "id"))) == NULL ||
		    strcmp(c->id, model_str(b, "id")) != 0)
			c = dir_add(model_str(b, "id"), *model_str(b, "domain") ?
			    model_str(b, "domain") : u->domain, "", "", "", "");
	} else if (rest[0] != '/' || (c = contact_find(rest + 1)) == NULL)
		return 404;
#define SETS(key, f, what) if (json_object_object_get_ex(b, key, NULL)) { \
	contact_set(&c->f, model_str(b, key)); what = 1; }
	SETS("firstname", first, pres);
	SETS("lastname", last, pres);
	SETS("company", company, pres);
	SETS("number", number, pres);
	SETS("mobile", mobile, pres);
	SETS("activity", activity, pres);
	SETS("note", note, pres);
#undef SETS
	if (json_object_object_get_ex(b, "available", NULL)) {
		c->available = model_bool(b, "available");
		pres = 1;
	}
	if (json_object_object_get_ex(b, "incall", NULL)) {
		line = c->incall != model_bool(b, "incall");
		c->incall = model_bool(b, "incall");
	}
	if (json_object_object_get_ex(b, "favouriteOf", &a)) {
		struct sim_user *fu = sim_user_find(u->domain,
		    json_object_is_type(a, json_type_string) ?
		    json_object_get_string(a) : u->user);
		if (fu != NULL)
			fav_set(fu, c, !json_object_is_type(a, json_type_boolean) ||
			    json_object_get_boolean(a));
	}
	if (line || pres) {
		c->version++;
		contacts_streams_changed(c->id, line, pres);
	}
	*out = contact_json(u, c, 0);
	return 200;
}
