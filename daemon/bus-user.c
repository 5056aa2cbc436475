/* bus-user.c: org.dstnyd.Cti1.User objects, one per monitored user. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "bus.h"
#include "dstnyd.h"
#include "xmalloc.h"

#define USER_IFACE	DSTNY_BUS_IFACE ".User"
#define USER_PREFIX	DSTNY_BUS_ROOT "/User"

static void *
user_next(void *prev)
{
	return prev == NULL ? TAILQ_FIRST(&dusers) :
	    TAILQ_NEXT((struct duser *)prev, entry);
}

const struct bus_kind bus_user_kind = {
	USER_PREFIX, USER_IFACE, user_next, offsetof(struct duser, n)
};

char *
bus_user_path(const struct duser *u)
{
	return bus_kind_path(&bus_user_kind, u);
}

static int
user_get(sd_bus *bus, const char *path, const char *interface,
    const char *property, sd_bus_message *reply, void *userdata,
    sd_bus_error *error)
{
	struct duser	*u = userdata;
	struct dcall	*c;
	char		*p;
	size_t		 i;
	int		 r;

	if (strcmp(property, "UserId") == 0)
		return sd_bus_message_append(reply, "s", u->user);
	if (strcmp(property, "Domain") == 0)
		return sd_bus_message_append(reply, "s", u->domain);
	if (strcmp(property, "State") == 0)
		return sd_bus_message_append(reply, "s", user_state_name(u->state));
	if (strcmp(property, "Transport") == 0)
		return sd_bus_message_append(reply, "s",
		    conf_transport_name(u->transport));
	if (strcmp(property, "Devices") == 0) {
		if ((r = sd_bus_message_open_container(reply, 'a', "(ssss)")) < 0)
			return r;
		for (i = 0; i < u->devices.n; i++)
			if ((r = sd_bus_message_append(reply, "(ssss)",
			    u->devices.v[i].id, u->devices.v[i].type,
			    u->devices.v[i].name, u->devices.v[i].status)) < 0)
				return r;
		return sd_bus_message_close_container(reply);
	}
	if (strcmp(property, "Calls") == 0) {
		if ((r = sd_bus_message_open_container(reply, 'a', "o")) < 0)
			return r;
		TAILQ_FOREACH(c, &u->calls, entry) {
			p = bus_call_path(c);
			r = sd_bus_message_append(reply, "o", p);
			free(p);
			if (r < 0)
				return r;
		}
		return sd_bus_message_close_container(reply);
	}
	if (strcmp(property, "Queues") == 0) {
		struct dqueue *q;
		if ((r = sd_bus_message_open_container(reply, 'a', "o")) < 0)
			return r;
		TAILQ_FOREACH(q, &u->queues, entry) {
			p = bus_queue_path(q);
			r = sd_bus_message_append(reply, "o", p);
			free(p);
			if (r < 0)
				return r;
		}
		return sd_bus_message_close_container(reply);
	}
	return sd_bus_error_setf(error, SD_BUS_ERROR_UNKNOWN_PROPERTY,
	    "no property %s", property);
}

static int
user_make_call(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct action_args	 a;
	const char		*dest;
	int			 r;

	if ((r = bus_check_owner(m, userdata, error)) < 0)
		return r;
	memset(&a, 0, sizeof(a));
	if ((r = sd_bus_message_read(m, "s", &dest)) < 0 ||
	    (r = bus_read_options(m, &a, error)) < 0)
		return r;
	a.destination = dest;
	return bus_run_action(m, userdata, NULL, OP_MAKE, &a, 1);
}

static int
bus_user_resync(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct duser	*u = userdata;
	int		 r;

	if ((r = bus_check_owner(m, u, error)) < 0)
		return r;
	user_resync(u);
	return sd_bus_reply_method_return(m, NULL);
}

static int
user_set_line_state(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	const char	*id;
	int64_t		 expires;
	int		 r;

	if ((r = bus_check_owner(m, userdata, error)) < 0)
		return r;
	if ((r = sd_bus_message_read(m, "sx", &id, &expires)) < 0)
		return r;
	return bus_run_linestate(m, userdata, id, expires, 0);
}

static int
user_clear_line_state(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	const char	*id;
	int		 r;

	if ((r = bus_check_owner(m, userdata, error)) < 0 ||
	    (r = sd_bus_message_read(m, "s", &id)) < 0)
		return r;
	return bus_run_linestate(m, userdata, id, 0, 1);
}

static const sd_bus_vtable user_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_PROPERTY("UserId", "s", user_get, 0, SD_BUS_VTABLE_PROPERTY_CONST),
	SD_BUS_PROPERTY("Domain", "s", user_get, 0, SD_BUS_VTABLE_PROPERTY_CONST),
	SD_BUS_PROPERTY("State", "s", user_get, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("Transport", "s", user_get, 0, SD_BUS_VTABLE_PROPERTY_CONST),
	SD_BUS_PROPERTY("Devices", "a(ssss)", user_get, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("Calls", "ao", user_get, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("Queues", "ao", user_get, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_METHOD_WITH_ARGS("MakeCall",
	    SD_BUS_ARGS("s", destination, "a{sv}", options),
	    SD_BUS_RESULT("o", call), user_make_call, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS("Resync", SD_BUS_NO_ARGS, SD_BUS_NO_RESULT,
	    bus_user_resync, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS("SetLineState",
	    SD_BUS_ARGS("s", externalId, "x", expiresOn), SD_BUS_NO_RESULT,
	    user_set_line_state, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS("ClearLineState", SD_BUS_ARGS("s", externalId),
	    SD_BUS_NO_RESULT, user_clear_line_state, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_SIGNAL_WITH_ARGS("CallAdded", SD_BUS_ARGS("o", call), 0),
	SD_BUS_SIGNAL_WITH_ARGS("CallRemoved", SD_BUS_ARGS("o", call, "s", reason), 0),
	SD_BUS_VTABLE_END
};

int
bus_user_init(sd_bus *bus)
{
	return bus_kind_add(bus, &bus_user_kind, user_vtable);
}

void
bus_user_added(struct duser *u)
{
	char	*p;

	if (dbus == NULL)
		return;
	p = bus_user_path(u);
	sd_bus_emit_object_added(dbus, p);
	free(p);
	bus_users_changed();
}

void
bus_user_removed(struct duser *u)
{
	char	*p;

	if (dbus == NULL)
		return;
	p = bus_user_path(u);
	sd_bus_emit_object_removed(dbus, p);
	free(p);
	bus_users_changed();
}

void
bus_user_changed(struct duser *u, const char *const *props)
{
	char	*p;

	if (dbus == NULL)
		return;
	p = bus_user_path(u);
	sd_bus_emit_properties_changed_strv(dbus, p, USER_IFACE, (char **)props);
	free(p);
	bus_update();
}

void
bus_user_signal_call(struct dcall *c, int added, const char *reason)
{
	char	*up, *cp;

	if (dbus == NULL)
		return;
	up = bus_user_path(c->user);
	cp = bus_call_path(c);
	if (added)
		sd_bus_emit_signal(dbus, up, USER_IFACE, "CallAdded", "o", cp);
	else
		sd_bus_emit_signal(dbus, up, USER_IFACE, "CallRemoved", "os", cp,
		    reason);
	free(up);
	free(cp);
}
