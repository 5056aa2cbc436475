/* favourites.c: a user's favourites as live Contact objects (issue 22). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "contacts.h"
#include "dialog-info.h"
#include "dstnyd.h"
#include "log.h"
#include "pidf.h"
#include "xmalloc.h"

static unsigned	fav_counter;	/* object paths are never reused */
static unsigned	fav_streamed;	/* favourites holding streams, every user's */

/* Every favourite of every user, in turn; the first one after NULL. */
struct dfav *
fav_next(const struct dfav *f)
{
	struct duser	*u;

	if (f != NULL && TAILQ_NEXT(f, entry) != NULL)
		return TAILQ_NEXT(f, entry);
	u = f != NULL ? TAILQ_NEXT(f->user, entry) : TAILQ_FIRST(&dusers);
	for (; u != NULL; u = TAILQ_NEXT(u, entry))
		if (!TAILQ_EMPTY(&u->favs.list))
			return TAILQ_FIRST(&u->favs.list);
	return NULL;
}

/* A favourite by its cid or id (what AddFavourite was given). */
struct dfav *
fav_find(struct duser *u, const char *cid)
{
	struct dfav	*f;

	TAILQ_FOREACH(f, &u->favs.list, entry)
		if (strcmp(f->c.cid, cid) == 0 || strcmp(f->c.id, cid) == 0)
			return f;
	return NULL;
}

/*
 * Only directory contacts have Contacts Information streams; a personal
 * contact or a function number among the favourites is shown as listed.
 */
static int
fav_streamable(const struct dfav *f)
{
	return *f->c.cid != '\0' && (*f->c.type == '\0' ||
	    strcmp(f->c.type, "DIRECTORY") == 0);
}

/* Do its streams deliver, or must it be polled? */
static int
fav_live(const struct dfav *f)
{
	return !fav_streamable(f) || (streams_delivering(f->line) &&
	    streams_delivering(f->presence));
}

static void
fav_streams_stop(struct dfav *f)
{
	if (f->line == NULL)
		return;
	streams_contact_stop(f->line);
	streams_contact_stop(f->presence);
	f->line = f->presence = NULL;
	fav_streamed--;
}

/*
 * Streams go to the favourites first listed, every user's, up to
 * [contacts] favourite_streams; the others are polled at the keepalive.
 */
static void
favs_assign_streams(void)
{
	struct dfav	*f;

	for (f = fav_next(NULL); f != NULL &&
	    fav_streamed < (unsigned)dconf->favourite_streams; f = fav_next(f)) {
		if (f->line != NULL || !fav_streamable(f) || f->user->stopping)
			continue;
		f->line = streams_contact_start(f->user, f->c.cid, 0);
		f->presence = streams_contact_start(f->user, f->c.cid, 1);
		fav_streamed++;
	}
}

static void
fav_dialogs_clear(struct dfav *f)
{
	size_t	i;

	for (i = 0; i < f->ndialogs; i++)
		free(f->dialogs[i]);
	free(f->dialogs);
	f->dialogs = NULL;
	f->ndialogs = 0;
}

static void
fav_remove(struct dfav *f)
{
	struct duser	*u = f->user;

	fav_streams_stop(f);
	emit_favourite_removed(f);
	TAILQ_REMOVE(&u->favs.list, f, entry);
	contact_clear(&f->c);
	fav_dialogs_clear(f);
	free(f);
}

/* What changed between two views of a contact: FAV_PROP_* bits. */
static uint32_t
fav_diff(const struct contact *a, const struct contact *b)
{
	uint32_t	bits = 0;
	size_t		i;

	if (strcmp(a->name, b->name) != 0)
		bits |= FAV_PROP_NAME;
	if (strcmp(a->company, b->company) != 0)
		bits |= FAV_PROP_COMPANY;
	if (a->nnumbers != b->nnumbers)
		bits |= FAV_PROP_NUMBERS;
	for (i = 0; !(bits & FAV_PROP_NUMBERS) && i < a->nnumbers; i++)
		if (strcmp(a->numbers[i].number, b->numbers[i].number) != 0)
			bits |= FAV_PROP_NUMBERS;
	if ((a->available != 0) != (b->available != 0))
		bits |= FAV_PROP_AVAILABLE;
	if (strcmp(a->activity, b->activity) != 0)
		bits |= FAV_PROP_ACTIVITY;
	if (strcmp(a->note, b->note) != 0)
		bits |= FAV_PROP_NOTE;
	if ((a->incall != 0) != (b->incall != 0))
		bits |= FAV_PROP_IN_CALL;
	return bits;
}

static void
fav_set_str(char **to, const char *from)
{
	if (strcmp(*to, from) != 0) {
		free(*to);
		*to = xstrdup(from);
	}
}

/*
 * A favourite as contacts.list, asked for at seq, lists it. What its
 * streams carry too (presence, in-call) is taken only when no stream
 * event newer than the request was applied: doc/daemon.md's ordering
 * rule, as for queues.
 */
static void
fav_merge(struct duser *u, const struct contact *c, uint64_t seq)
{
	struct dfav	*f = fav_find(u, c->cid);
	struct contact	 old;
	uint32_t	 bits;
	size_t		 i;

	if (f == NULL) {
		f = xcalloc(1, sizeof(*f));
		f->user = u;
		f->n = fav_counter++;
		contact_copy(&f->c, c);
		TAILQ_INSERT_TAIL(&u->favs.list, f, entry);
		emit_favourite_added(f);
		return;
	}
	contact_copy(&old, &f->c);
	fav_set_str(&f->c.id, c->id);
	fav_set_str(&f->c.name, c->name);
	fav_set_str(&f->c.company, c->company);
	fav_set_str(&f->c.type, c->type);
	if (fav_diff(&f->c, c) & FAV_PROP_NUMBERS) {
		for (i = 0; i < f->c.nnumbers; i++) {
			free(f->c.numbers[i].number);
			free(f->c.numbers[i].type);
		}
		free(f->c.numbers);
		f->c.numbers = xcalloc(c->nnumbers + 1, sizeof(*f->c.numbers));
		for (i = 0; i < c->nnumbers; i++) {
			f->c.numbers[i].number = xstrdup(c->numbers[i].number);
			f->c.numbers[i].type = xstrdup(c->numbers[i].type);
		}
		f->c.nnumbers = c->nnumbers;
	}
	if (seq > f->pres_seq && c->has_presence) {
		f->c.has_presence = 1;
		f->c.available = c->available;
		fav_set_str(&f->c.activity, c->activity);
		fav_set_str(&f->c.note, c->note);
	}
	if (seq > f->line_seq)
		f->c.incall = c->incall;
	bits = fav_diff(&old, &f->c);
	contact_clear(&old);
	if (bits != 0)
		emit_favourite_changed(f, bits);
}

/* The whole list: merge each, drop the favourites no longer in it. */
static void
favs_reconcile(struct duser *u, const struct contact_list *l, uint64_t seq)
{
	struct dfav	*f, *next;
	size_t		 i;
	int		 found;

	for (f = TAILQ_FIRST(&u->favs.list); f != NULL; f = next) {
		next = TAILQ_NEXT(f, entry);
		for (found = 0, i = 0; i < l->n && !found; i++)
			found = strcmp(l->v[i].cid, f->c.cid) == 0;
		if (!found)
			fav_remove(f);
	}
	for (i = 0; i < l->n; i++)
		if (*l->v[i].cid != '\0')
			fav_merge(u, &l->v[i], seq);
	favs_assign_streams();
}

static void
favs_fetched(struct duser *u, const struct http_resp *r, void *arg)
{
	struct contact_list	 l;
	char			 err[256];
	int			 again = u->favs.again;
	uint64_t		 seq = u->favs.fetch_seq;

	u->favs.fetch = 0;
	u->favs.again = 0;
	user_core_result(u, r);
	if (r->err == DSTNY_ERR_FORBIDDEN && !u->favs.loaded) {
		/*
		 * No licence for the Contacts API: no favourites, and no
		 * request at every keepalive to be told so again.
		 */
		log_info("%s@%s: favourites: contacts.list refused (%s): none "
		    "shown", u->user, u->domain, r->message);
		u->favs.loaded = 1;
	} else if (r->err != DSTNY_OK)
		log_warnx("%s@%s: favourites: contacts.list: %s: %s", u->user,
		    u->domain, dstny_err_name(r->err), r->message);
	else if (contacts_parse(r->body, r->body_len, &l, err,
	    sizeof(err)) == -1)
		log_warnx("%s@%s: favourites: contacts.list: %s", u->user,
		    u->domain, err);
	else {
		u->favs.loaded = 1;
		favs_reconcile(u, &l, seq);
		contact_list_free(&l);
	}
	if (again && !u->stopping)
		favourites_fetch(u);
}

/* contacts.list without a query: the favourites; coalesced. */
void
favourites_fetch(struct duser *u)
{
	if (u->favs.fetch != 0) {
		u->favs.again = 1;
		return;
	}
	u->favs.fetch_seq = cache_seq();
	u->favs.fetch = core_send(u, ROUTE_CONTACTS_LIST, NULL, favs_fetched,
	    NULL);
}

void
favourites_fetch_since(struct duser *u, uint64_t seq)
{
	if (u->favs.fetch != 0 && (u->favs.fetch_seq > seq || u->favs.again))
		return;
	favourites_fetch(u);
}

/*
 * The keepalive tick: one contacts.list when a favourite is not kept
 * live by its streams (beyond the cap, or a stream down), or the list
 * never came; nothing when all deliver.
 */
void
favourites_keepalive(struct duser *u)
{
	struct dfav	*f;

	if (u->stopping)
		return;
	if (!u->favs.loaded) {
		favourites_fetch(u);
		return;
	}
	TAILQ_FOREACH(f, &u->favs.list, entry)
		if (!fav_live(f)) {
			favourites_fetch(u);
			return;
		}
}

/* A favourite's line state (dialog-info), read from its stream. */
int
favourites_line_event(struct duser *u, const char *cid, const char *text,
    size_t len)
{
	struct dfav		*f = fav_find(u, cid);
	struct dialog_info	 di;
	char			 err[256];
	size_t			 i, j;
	int			 live, was;

	if (f == NULL)
		return 0;
	if (dialog_info_parse(text, len, &di, err, sizeof(err)) == -1) {
		log_warnx("%s@%s: favourite's line state: %s", u->user,
		    u->domain, err);
		favourites_fetch(u);
		return 0;
	}
	was = f->c.incall != 0;
	if (di.full)
		fav_dialogs_clear(f);
	/* Partial: each dialog named is added or dropped by its state. */
	for (i = 0; i < di.n; i++) {
		for (j = 0; j < f->ndialogs; j++)
			if (strcmp(f->dialogs[j], di.v[i].id) == 0)
				break;
		live = dialog_is_live(&di.v[i]);
		if (live && j == f->ndialogs && f->ndialogs < 8) {
			f->dialogs = xreallocarray(f->dialogs, f->ndialogs + 1,
			    sizeof(*f->dialogs));
			f->dialogs[f->ndialogs++] = xstrdup(di.v[i].id);
		} else if (!live && j < f->ndialogs) {
			free(f->dialogs[j]);
			f->dialogs[j] = f->dialogs[--f->ndialogs];
		}
	}
	dialog_info_clear(&di);
	f->line_seq = cache_seq();
	f->c.incall = f->ndialogs > 0;
	if (was != f->c.incall)
		emit_favourite_changed(f, FAV_PROP_IN_CALL);
	return 1;
}

/* A favourite's presence (PIDF), read from its stream. */
int
favourites_presence_event(struct duser *u, const char *cid, const char *text,
    size_t len)
{
	struct dfav	*f = fav_find(u, cid);
	struct pidf	 p;
	struct contact	 old;
	char		 err[256];
	uint32_t	 bits;

	if (f == NULL)
		return 0;
	if (pidf_parse(text, len, &p, err, sizeof(err)) == -1) {
		log_warnx("%s@%s: favourite's presence: %s", u->user,
		    u->domain, err);
		favourites_fetch(u);
		return 0;
	}
	contact_copy(&old, &f->c);
	f->c.has_presence = 1;
	if (p.has_basic)
		f->c.available = p.available;
	fav_set_str(&f->c.activity, p.activity);
	fav_set_str(&f->c.note, p.note);
	pidf_clear(&p);
	f->pres_seq = cache_seq();
	bits = fav_diff(&old, &f->c);
	contact_clear(&old);
	if (bits != 0)
		emit_favourite_changed(f, bits);
	return 1;
}

void
favourites_start(struct duser *u)
{
	favourites_fetch(u);
}

void
favourites_stop(struct duser *u)
{
	struct dfav	*f;

	if (u->favs.fetch != 0)
		core_cancel(u, u->favs.fetch);
	u->favs.fetch = 0;
	while ((f = TAILQ_FIRST(&u->favs.list)) != NULL)
		fav_remove(f);
	u->favs.loaded = 0;
	/* Its streams are free for another user's favourites. */
	favs_assign_streams();
}

/* buddy.add and buddy.delete answer nothing: the list says what is now. */
static int
fav_changed_apply(struct duser *u, const struct http_resp *r, uint64_t seq,
    struct dcall **call, char **answer)
{
	favourites_fetch(u);
	return 1;
}

void
favourites_change(struct duser *u, const char *cid, int add, action_cb cb,
    void *arg)
{
	struct route_var	 vars[] = { { "cid", cid }, { NULL, NULL } };
	struct core_opts	 o;
	struct dfav		*f;
	const char		*why;
	enum dstny_err		 refused;

	if (*cid == '\0') {
		cb(DSTNY_ERR_INVALID_ARGUMENT, "the contact id is empty", NULL,
		    NULL, arg);
		return;
	}
	if ((refused = user_refusal(u, &why)) != DSTNY_OK) {
		cb(refused, why, NULL, NULL, arg);
		return;
	}
	/* A favourite known by its id or cid: the Core is sent its cid. */
	if (!add && (f = fav_find(u, cid)) != NULL)
		vars[0].value = f->c.cid;
	memset(&o, 0, sizeof(o));
	o.vars = vars;
	action_send(u, add ? ROUTE_BUDDY_ADD : ROUTE_BUDDY_DELETE, &o, NULL,
	    fav_changed_apply, cb, arg);
}
