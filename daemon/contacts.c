/* contacts.c: directory search and caller names from the directory (issue 22). */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "contacts.h"
#include "dstnyd.h"
#include "log.h"
#include "xmalloc.h"

/* ---- Search -------------------------------------------------------- */

struct search {
	contacts_cb	 cb;
	void		*arg;
};

static void
search_free(void *arg)
{
	struct search	*s = arg;

	/* Cancelled (the user stopped): the caller still gets its answer. */
	s->cb(DSTNY_ERR_OFFLINE, "the user is stopping", NULL, s->arg);
	free(s);
}

static void
search_done(struct duser *u, const struct http_resp *r, void *arg)
{
	struct search		*s = arg;
	struct contact_list	 l;
	char			 err[256];

	user_core_result(u, r);
	if (r->err != DSTNY_OK)
		s->cb(r->err, r->message, NULL, s->arg);
	else if (contacts_parse(r->body, r->body_len, &l, err,
	    sizeof(err)) == -1) {
		log_warnx("%s@%s: contacts.list: %s", u->user, u->domain, err);
		s->cb(DSTNY_ERR_UPSTREAM, "the Core's answer is not a list of "
		    "contacts", NULL, s->arg);
	} else {
		s->cb(DSTNY_OK, "", &l, s->arg);
		contact_list_free(&l);
	}
	free(s);
}

void
contacts_search(struct duser *u, const char *query, unsigned max,
    contacts_cb cb, void *arg)
{
	struct search		*s;
	struct core_opts	 o;
	struct query		*q;
	char			 n[16];

	if (*query == '\0') {
		cb(DSTNY_ERR_INVALID_ARGUMENT, "the query is empty", NULL, arg);
		return;
	}
	s = xcalloc(1, sizeof(*s));
	s->cb = cb;
	s->arg = arg;
	q = query_new();
	query_add(q, "query", query);
	if (max > 0) {
		/* maxResults is a string in the reference: digits. */
		snprintf(n, sizeof(n), "%u", max);
		query_add(q, "maxResults", n);
	}
	memset(&o, 0, sizeof(o));
	o.query = q;
	o.arg_free = search_free;
	core_send(u, ROUTE_CONTACTS_LIST, &o, search_done, s);
	query_free(q);
}

struct json_object *
contact_view(const struct contact *c)
{
	struct json_object	*o = json_object_new_object(), *a, *n;
	size_t			 i;

	json_object_object_add(o, "id", json_object_new_string(c->id));
	json_object_object_add(o, "cid", json_object_new_string(c->cid));
	json_object_object_add(o, "name", json_object_new_string(c->name));
	json_object_object_add(o, "company", json_object_new_string(c->company));
	json_object_object_add(o, "type", json_object_new_string(c->type));
	a = json_object_new_array();
	for (i = 0; i < c->nnumbers; i++) {
		n = json_object_new_object();
		json_object_object_add(n, "number",
		    json_object_new_string(c->numbers[i].number));
		json_object_object_add(n, "type",
		    json_object_new_string(c->numbers[i].type));
		json_object_array_add(a, n);
	}
	json_object_object_add(o, "numbers", a);
	if (c->has_presence) {
		json_object_object_add(o, "available",
		    json_object_new_boolean(c->available));
		json_object_object_add(o, "activity",
		    json_object_new_string(c->activity));
		json_object_object_add(o, "note", json_object_new_string(c->note));
	}
	json_object_object_add(o, "inCall", json_object_new_boolean(c->incall));
	return o;
}

/* ---- Caller names -------------------------------------------------- */

/*
 * A number's answer, kept for name_cache_ttl seconds, the least recently
 * used first out when name_cache entries are held. A number no directory
 * knows is kept too (name ""), so a caller who calls again costs nothing.
 */
struct name_entry {
	char			*key;		/* domain + " " + number */
	char			*name;
	const char		*source;
	time_t			 at;
	TAILQ_ENTRY(name_entry)	 entry;
};
static TAILQ_HEAD(name_entry_head, name_entry) names =
    TAILQ_HEAD_INITIALIZER(names);
static size_t			names_n;

/* The name a call carries since its lookup answered: the call's life. */
struct name_fill {
	unsigned		 n;		/* the call's /Call/<n> */
	char			*number;	/* the number it was found by */
	char			*name;
	const char		*source;
	TAILQ_ENTRY(name_fill)	 entry;
};
static TAILQ_HEAD(, name_fill)	fills = TAILQ_HEAD_INITIALIZER(fills);

/* A lookup on its way: calls of the user with its number wait for it. */
struct lookup {
	struct duser		*user;
	char			*number;
	uint64_t		 req;
	int			 personal;	/* the second step */
	TAILQ_ENTRY(lookup)	 entry;
};
static TAILQ_HEAD(, lookup)	lookups = TAILQ_HEAD_INITIALIZER(lookups);

static void	lookup_step(struct lookup *);

/*
 * Per user: a name may come from the user's own personal contacts, which
 * are no other user's business, and an unknown number for one user may
 * be in another's.
 */
static char *
name_key(const struct duser *u, const char *number)
{
	return xasprintf("%s %s %s", u->domain, u->user, number);
}

static void
name_entry_free(struct name_entry *e)
{
	TAILQ_REMOVE(&names, e, entry);
	names_n--;
	free(e->key);
	free(e->name);
	free(e);
}

static struct name_entry *
name_cached(const struct duser *u, const char *number)
{
	struct name_entry	*e;
	char			*key = name_key(u, number);
	time_t			 now = time(NULL);

	TAILQ_FOREACH(e, &names, entry)
		if (strcmp(e->key, key) == 0)
			break;
	free(key);
	if (e == NULL)
		return NULL;
	if (now - e->at >= dconf->name_cache_ttl || now < e->at) {
		name_entry_free(e);
		return NULL;
	}
	TAILQ_REMOVE(&names, e, entry);
	TAILQ_INSERT_HEAD(&names, e, entry);
	return e;
}

static void
name_remember(const struct duser *u, const char *number, const char *name,
    const char *source)
{
	struct name_entry	*e;

	if (dconf->name_cache <= 0)
		return;
	if ((e = name_cached(u, number)) != NULL)
		name_entry_free(e);
	while (names_n >= (size_t)dconf->name_cache)
		name_entry_free(TAILQ_LAST(&names, name_entry_head));
	e = xcalloc(1, sizeof(*e));
	e->key = name_key(u, number);
	e->name = xstrdup(name);
	e->source = source;
	e->at = time(NULL);
	TAILQ_INSERT_HEAD(&names, e, entry);
	names_n++;
}

static struct name_fill *
fill_find(unsigned n)
{
	struct name_fill	*f;

	TAILQ_FOREACH(f, &fills, entry)
		if (f->n == n)
			return f;
	return NULL;
}

const char *
contacts_call_name(const struct dcall *c, const char **source)
{
	struct name_fill	*f;

	if (*c->cs->remote.display_name != '\0') {
		*source = "core";
		return c->cs->remote.display_name;
	}
	if ((f = fill_find(c->n)) != NULL) {
		*source = f->source;
		return f->name;
	}
	*source = "";
	return "";
}

/* The number to look a call's caller up by; NULL when it needs none. */
static const char *
call_number(const struct dcall *c)
{
	const struct party	*p = &c->cs->remote;

	if (*p->display_name != '\0')
		return NULL;
	if (*p->display_number != '\0')
		return p->display_number;
	if (strncmp(p->tel_uri, "tel:", 4) == 0 && p->tel_uri[4] != '\0')
		return p->tel_uri + 4;
	return NULL;
}

/* Give the name to every call of u with that number and no name yet. */
static void
name_apply(struct duser *u, const char *number, const char *name,
    const char *source)
{
	struct dcall		*c;
	struct name_fill	*f;
	const char		*num;

	if (*name == '\0')
		return;		/* not found: the call keeps its number */
	TAILQ_FOREACH(c, &u->calls, entry) {
		if ((num = call_number(c)) == NULL ||
		    strcmp(num, number) != 0 || fill_find(c->n) != NULL)
			continue;
		f = xcalloc(1, sizeof(*f));
		f->n = c->n;
		f->number = xstrdup(number);
		f->name = xstrdup(name);
		f->source = source;
		TAILQ_INSERT_TAIL(&fills, f, entry);
		emit_call_changed(c, CALL_PROP_REMOTE_NAME |
		    CALL_PROP_NAME_SOURCE, NULL);
	}
}

static void
lookup_free(struct lookup *l)
{
	TAILQ_REMOVE(&lookups, l, entry);
	free(l->number);
	free(l);
}

static void
lookup_cancelled(void *arg)
{
	lookup_free(arg);
}

static void
lookup_finish(struct lookup *l, const char *name, const char *source)
{
	if (*name == '\0')
		log_debug("%s@%s: caller name: no contact has the number",
		    l->user->user, l->user->domain);
	name_remember(l->user, l->number, name, source);
	name_apply(l->user, l->number, name, source);
	lookup_free(l);
}

static void
lookup_done(struct duser *u, const struct http_resp *r, void *arg)
{
	struct lookup		*l = arg;
	struct contact_list	 list;
	struct contact		 c;
	char			 err[256];
	size_t			 i;

	l->req = 0;
	user_core_result(u, r);
	if (r->err != DSTNY_OK && r->err != DSTNY_ERR_NOT_FOUND) {
		/* No answer: the call keeps its number; nothing is cached. */
		log_debug("%s@%s: caller name: %s: %s", u->user, u->domain,
		    route_name(l->personal ? ROUTE_PERSONAL_LIST :
		    ROUTE_CONTACT_VCARD), dstny_err_name(r->err));
		lookup_free(l);
		return;
	}
	if (!l->personal) {
		if (r->err == DSTNY_OK && vcard_parse(r->body, r->body_len,
		    &c, err, sizeof(err)) == 0) {
			if (*c.name != '\0') {
				lookup_finish(l, c.name, "directory");
				contact_clear(&c);
				return;
			}
			contact_clear(&c);
		}
		l->personal = 1;
		lookup_step(l);
		return;
	}
	if (r->err == DSTNY_OK && personal_contacts_parse(r->body, r->body_len,
	    &list, err, sizeof(err)) == 0) {
		for (i = 0; i < list.n; i++)
			if (*list.v[i].name != '\0' &&
			    contact_has_number(&list.v[i], l->number))
				break;
		if (i < list.n) {
			lookup_finish(l, list.v[i].name, "personal");
			contact_list_free(&list);
			return;
		}
		contact_list_free(&list);
	}
	lookup_finish(l, "", "");
}

static void
lookup_step(struct lookup *l)
{
	struct core_opts	 o;
	struct route_var	 vars[] = { { "cid", l->number }, { NULL, NULL } };

	memset(&o, 0, sizeof(o));
	o.arg_free = lookup_cancelled;
	if (!l->personal)
		o.vars = vars;
	l->req = core_send(l->user, l->personal ? ROUTE_PERSONAL_LIST :
	    ROUTE_CONTACT_VCARD, &o, lookup_done, l);
}

void
contacts_call_added(struct dcall *c)
{
	struct duser		*u = c->user;
	struct name_entry	*e;
	struct lookup		*l;
	const char		*number;

	if (!dconf->name_lookup || (number = call_number(c)) == NULL)
		return;
	if ((e = name_cached(u, number)) != NULL) {
		name_apply(u, number, e->name, e->source);
		return;
	}
	TAILQ_FOREACH(l, &lookups, entry)
		if (l->user == u && strcmp(l->number, number) == 0)
			return;		/* its answer names this call too */
	l = xcalloc(1, sizeof(*l));
	l->user = u;
	l->number = xstrdup(number);
	TAILQ_INSERT_TAIL(&lookups, l, entry);
	lookup_step(l);
}

static void
fill_free(struct name_fill *f)
{
	TAILQ_REMOVE(&fills, f, entry);
	free(f->number);
	free(f->name);
	free(f);
}

uint32_t
contacts_call_renamed(struct dcall *c)
{
	struct name_fill	*f = fill_find(c->n);
	const char		*number = call_number(c);

	/* The Core names the caller now, or it is another caller. */
	if (f != NULL && (number == NULL || strcmp(number, f->number) != 0))
		fill_free(f);
	return CALL_PROP_REMOTE_NAME | CALL_PROP_NAME_SOURCE;
}

void
contacts_call_removed(struct dcall *c)
{
	struct name_fill	*f;

	if ((f = fill_find(c->n)) != NULL)
		fill_free(f);
}

void
contacts_free(void)
{
	struct name_fill	*f;

	while (!TAILQ_EMPTY(&names))
		name_entry_free(TAILQ_FIRST(&names));
	while ((f = TAILQ_FIRST(&fills)) != NULL)
		fill_free(f);
}
