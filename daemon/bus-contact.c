/* bus-contact.c: org.dstnyd.Cti1.Directory on each User object, and Contact objects (issue 22). */
#include "config.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "bus.h"
#include "contacts.h"
#include "dstnyd.h"
#include "xmalloc.h"

#define DIRECTORY_IFACE		DSTNY_BUS_IFACE ".Directory"
#define CONTACT_IFACE		DSTNY_BUS_IFACE ".Contact"
#define CONTACT_PREFIX		DSTNY_BUS_ROOT "/Contact"
/* Search's max when 0 is given, and the most it may ask for. */
#define SEARCH_DEFAULT		25
#define SEARCH_MAX		200

/* One contact as a{sv}: what the socket's ContactView says, by D-Bus names. */
static int
append_contact(sd_bus_message *m, const struct contact *c)
{
	size_t	i;
	int	r;

	if ((r = sd_bus_message_open_container(m, 'a', "{sv}")) < 0 ||
	    (r = sd_bus_message_append(m, "{sv}", "Id", "s", c->id)) < 0 ||
	    (r = sd_bus_message_append(m, "{sv}", "Cid", "s", c->cid)) < 0 ||
	    (r = sd_bus_message_append(m, "{sv}", "Name", "s", c->name)) < 0 ||
	    (r = sd_bus_message_append(m, "{sv}", "Company", "s",
	    c->company)) < 0 ||
	    (r = sd_bus_message_append(m, "{sv}", "Type", "s", c->type)) < 0 ||
	    (r = sd_bus_message_append(m, "{sv}", "InCall", "b",
	    c->incall != 0)) < 0)
		return r;
	if ((r = sd_bus_message_open_container(m, 'e', "sv")) < 0 ||
	    (r = sd_bus_message_append(m, "s", "Numbers")) < 0 ||
	    (r = sd_bus_message_open_container(m, 'v', "as")) < 0 ||
	    (r = sd_bus_message_open_container(m, 'a', "s")) < 0)
		return r;
	for (i = 0; i < c->nnumbers; i++)
		if ((r = sd_bus_message_append(m, "s",
		    c->numbers[i].number)) < 0)
			return r;
	if ((r = sd_bus_message_close_container(m)) < 0 ||
	    (r = sd_bus_message_close_container(m)) < 0 ||
	    (r = sd_bus_message_close_container(m)) < 0)
		return r;
	if (c->has_presence &&
	    ((r = sd_bus_message_append(m, "{sv}", "Available", "b",
	    c->available != 0)) < 0 ||
	    (r = sd_bus_message_append(m, "{sv}", "Activity", "s",
	    c->activity)) < 0 ||
	    (r = sd_bus_message_append(m, "{sv}", "Note", "s", c->note)) < 0))
		return r;
	return sd_bus_message_close_container(m);
}

static void
directory_search_cb(enum dstny_err err, const char *msg,
    const struct contact_list *l, void *arg)
{
	sd_bus_message	*m = arg, *reply = NULL;
	size_t		 i;
	int		 r;

	if (err != DSTNY_OK) {
		sd_bus_reply_method_errorf(m, dstny_err_dbus_name(err), "%s",
		    *msg != '\0' ? msg : dstny_err_name(err));
		goto out;
	}
	if ((r = sd_bus_message_new_method_return(m, &reply)) < 0 ||
	    (r = sd_bus_message_open_container(reply, 'a', "a{sv}")) < 0)
		goto fail;
	for (i = 0; i < l->n; i++)
		if ((r = append_contact(reply, &l->v[i])) < 0)
			goto fail;
	if ((r = sd_bus_message_close_container(reply)) < 0 ||
	    (r = sd_bus_send(NULL, reply, NULL)) < 0)
		goto fail;
	goto out;
fail:
	sd_bus_reply_method_errnof(m, -r, "Search: %m");
out:
	sd_bus_message_unref(reply);
	sd_bus_message_unref(m);
	bus_update();
}

static int
directory_search(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct duser	*u = userdata;
	const char	*query;
	uint32_t	 max;
	int		 r;

	if ((r = bus_check_owner(m, u, error)) < 0 ||
	    (r = sd_bus_message_read(m, "su", &query, &max)) < 0)
		return r;
	if (*query == '\0' || max > SEARCH_MAX)
		return sd_bus_error_setf(error, dstny_err_dbus_name(
		    DSTNY_ERR_INVALID_ARGUMENT), *query == '\0' ?
		    "the query is empty" : "max is at most %u", SEARCH_MAX);
	contacts_search(u, query, max == 0 ? SEARCH_DEFAULT : max,
	    directory_search_cb, sd_bus_message_ref(m));
	return 1;
}

static void
favourite_change_cb(enum dstny_err err, const char *msg, struct dcall *c,
    const char *answer, void *arg)
{
	sd_bus_message	*m = arg;

	if (err != DSTNY_OK)
		sd_bus_reply_method_errorf(m, dstny_err_dbus_name(err), "%s",
		    *msg != '\0' ? msg : dstny_err_name(err));
	else
		sd_bus_reply_method_return(m, NULL);
	sd_bus_message_unref(m);
	bus_update();
}

/* AddFavourite(cid), RemoveFavourite(cid): the owner's, as Search. */
static int
directory_favourite(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct duser	*u = userdata;
	const char	*cid;
	int		 r;

	if ((r = bus_check_owner(m, u, error)) < 0 ||
	    (r = sd_bus_message_read(m, "s", &cid)) < 0)
		return r;
	favourites_change(u, cid, strcmp(sd_bus_message_get_member(m),
	    "AddFavourite") == 0, favourite_change_cb, sd_bus_message_ref(m));
	return 1;
}

static const sd_bus_vtable directory_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_METHOD_WITH_ARGS("Search",
	    SD_BUS_ARGS("s", query, "u", max),
	    SD_BUS_RESULT("aa{sv}", contacts), directory_search,
	    SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS("AddFavourite", SD_BUS_ARGS("s", cid),
	    SD_BUS_NO_RESULT, directory_favourite, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS("RemoveFavourite", SD_BUS_ARGS("s", cid),
	    SD_BUS_NO_RESULT, directory_favourite, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_VTABLE_END
};

/* ---- Contact objects: the favourites -------------------------------- */

static void *
fav_next_any(void *prev)
{
	return fav_next(prev);
}

static const struct bus_kind contact_kind = {
	CONTACT_PREFIX, CONTACT_IFACE, fav_next_any, offsetof(struct dfav, n)
};

char *
bus_favourite_path(const struct dfav *f)
{
	return bus_kind_path(&contact_kind, f);
}

#define CO(f)	offsetof(struct contact, f)

/*
 * The Contact object's properties, each once; offsets are in struct
 * contact, bits fav_diff()'s (favourites.c). The socket's view is the
 * directory's ContactView (contact_view), so json is unused here.
 */
static const struct bus_prop contact_props[] = {
	{ "User", "o", BUS_PROP_OTHER, 0, 0, NULL },
	{ "Cid", "s", BUS_PROP_STR, CO(cid), 0, NULL },
	{ "Name", "s", BUS_PROP_STR, CO(name), FAV_PROP_NAME, NULL },
	{ "Company", "s", BUS_PROP_STR, CO(company), FAV_PROP_COMPANY, NULL },
	{ "Numbers", "as", BUS_PROP_OTHER, 0, FAV_PROP_NUMBERS, NULL },
	{ "Available", "b", BUS_PROP_BOOL, CO(available), FAV_PROP_AVAILABLE,
	    NULL },
	{ "Activity", "s", BUS_PROP_STR, CO(activity), FAV_PROP_ACTIVITY, NULL },
	{ "Note", "s", BUS_PROP_STR, CO(note), FAV_PROP_NOTE, NULL },
	{ "InCall", "b", BUS_PROP_BOOL, CO(incall), FAV_PROP_IN_CALL, NULL },
};
#define CONTACT_NPROPS	(sizeof(contact_props) / sizeof(contact_props[0]))

static int
contact_get(sd_bus *bus, const char *path, const char *interface,
    const char *property, sd_bus_message *reply, void *userdata,
    sd_bus_error *error)
{
	const struct bus_prop	*p;
	struct dfav		*f = userdata;
	char			*up;
	size_t			 i;
	int			 r;

	if ((p = bus_prop_find(contact_props, CONTACT_NPROPS, property)) == NULL)
		return sd_bus_error_setf(error, SD_BUS_ERROR_UNKNOWN_PROPERTY,
		    "no property %s", property);
	if (p->kind != BUS_PROP_OTHER)
		return bus_prop_append(reply, p, &f->c);
	if (strcmp(p->name, "User") == 0) {
		up = bus_user_path(f->user);
		r = sd_bus_message_append(reply, "o", up);
		free(up);
		return r;
	}
	if ((r = sd_bus_message_open_container(reply, 'a', "s")) < 0)
		return r;
	for (i = 0; i < f->c.nnumbers; i++)
		if ((r = sd_bus_message_append(reply, "s",
		    f->c.numbers[i].number)) < 0)
			return r;
	return sd_bus_message_close_container(reply);
}

/* Properties alone: a favourite is removed with RemoveFavourite. */
static const sd_bus_vtable contact_members[] = {
	SD_BUS_VTABLE_END
};
static sd_bus_vtable contact_vtable[BUS_PROPS_VTABLE_SIZE(CONTACT_NPROPS,
    contact_members)];

/* The socket's view of a favourite: ContactView, its path and user. */
struct json_object *
favourite_view(const struct dfav *f)
{
	struct json_object	*o = contact_view(&f->c);
	char			*path = bus_favourite_path(f);

	json_object_object_add(o, "path", json_object_new_string(path));
	json_object_object_add(o, "user", json_object_new_string(f->user->user));
	free(path);
	return o;
}

void
bus_favourite_added(struct dfav *f)
{
	char	*p;

	if (dbus == NULL)
		return;
	p = bus_favourite_path(f);
	sd_bus_emit_object_added(dbus, p);
	free(p);
	bus_update();
}

void
bus_favourite_changed(struct dfav *f, uint32_t props)
{
	char	*p;

	if (dbus == NULL || props == 0)
		return;
	p = bus_favourite_path(f);
	bus_props_changed(p, CONTACT_IFACE, contact_props, CONTACT_NPROPS,
	    props);
	free(p);
	bus_update();
}

void
bus_favourite_removed(struct dfav *f)
{
	char	*p;

	if (dbus == NULL)
		return;
	p = bus_favourite_path(f);
	sd_bus_emit_object_removed(dbus, p);
	free(p);
	bus_update();
}

int
bus_contact_init(sd_bus *bus)
{
	int	r;

	if ((r = bus_kind_add_iface(bus, &bus_user_kind, DIRECTORY_IFACE,
	    directory_vtable)) < 0)
		return r;
	bus_props_vtable(contact_vtable, contact_props, CONTACT_NPROPS,
	    contact_get, contact_members);
	return bus_kind_add(bus, &contact_kind, contact_vtable);
}
