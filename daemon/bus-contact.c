/* bus-contact.c: org.dstnyd.Cti1.Directory on each User object (issue 22). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "bus.h"
#include "contacts.h"
#include "dstnyd.h"
#include "xmalloc.h"

#define DIRECTORY_IFACE		DSTNY_BUS_IFACE ".Directory"
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

static const sd_bus_vtable directory_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_METHOD_WITH_ARGS("Search",
	    SD_BUS_ARGS("s", query, "u", max),
	    SD_BUS_RESULT("aa{sv}", contacts), directory_search,
	    SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_VTABLE_END
};

int
bus_contact_init(sd_bus *bus)
{
	return bus_kind_add_iface(bus, &bus_user_kind, DIRECTORY_IFACE,
	    directory_vtable);
}
