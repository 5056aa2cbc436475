/* bus-queue.c: org.dstnyd.Cti1.Queue objects, one per distribution group. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "bus.h"
#include "dstnyd.h"
#include "xmalloc.h"

#define QUEUE_IFACE	DSTNY_BUS_IFACE ".Queue"
#define QUEUE_PREFIX	DSTNY_BUS_ROOT "/Queue"

char *
bus_queue_path(const struct dqueue *q)
{
	return xasprintf(QUEUE_PREFIX "/%u", q->n);
}

static int
queue_find_cb(sd_bus *bus, const char *path, const char *interface,
    void *userdata, void **found, sd_bus_error *error)
{
	struct dqueue	*q = queue_find_path(path);

	if (q == NULL)
		return 0;
	*found = q;
	return 1;
}

static int
queue_enumerate_cb(sd_bus *bus, const char *prefix, void *userdata,
    char ***nodes, sd_bus_error *error)
{
	struct duser	*u;
	struct dqueue	*q;
	char		**v = xcalloc(1, sizeof(*v));
	size_t		 n = 0;

	TAILQ_FOREACH(u, &dusers, entry)
		TAILQ_FOREACH(q, &u->queues, entry) {
			v = xreallocarray(v, n + 2, sizeof(*v));
			v[n++] = bus_queue_path(q);
			v[n] = NULL;
		}
	*nodes = v;
	return 1;
}

static int
queue_get(sd_bus *bus, const char *path, const char *interface,
    const char *property, sd_bus_message *reply, void *userdata,
    sd_bus_error *error)
{
	const struct queue_info	*q = &((struct dqueue *)userdata)->q;

#define S(name, v) if (strcmp(property, name) == 0) \
	return sd_bus_message_append(reply, "s", v)
#define B(name, v) if (strcmp(property, name) == 0) \
	return sd_bus_message_append(reply, "b", (int)(v))
#define U(name, v) if (strcmp(property, name) == 0) \
	return sd_bus_message_append(reply, "u", (uint32_t)(v))
	if (strcmp(property, "Id") == 0)
		return sd_bus_message_append(reply, "x", q->id);
	S("Domain", q->domain);
	S("Name", q->name);
	S("Type", q->type);
	B("LoggedIn", q->logged_in);
	B("NightMode", q->night_mode);
	U("LoggedInAgents", q->logged_in_agents);
	U("FreeAgents", q->free_agents);
	U("CallsWaiting", q->calls_waiting);
	U("LongestWaiting", q->longest_waiting);
	U("AverageWait", q->average_wait);
	U("LastWait", q->last_wait);
	U("AnsweredLast24h", q->answered_24h);
	U("DroppedLast24h", q->dropped_24h);
	U("TotalLast24h", q->total_24h);
#undef S
#undef B
#undef U
	return sd_bus_error_setf(error, SD_BUS_ERROR_UNKNOWN_PROPERTY,
	    "no property %s", property);
}

static int
queue_login_method(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct dqueue		*q = userdata;
	struct action_args	 a;
	int			 r;

	if ((r = bus_check_owner(m, q->user, error)) < 0)
		return r;
	memset(&a, 0, sizeof(a));
	if ((r = bus_read_options(m, &a, error)) < 0)
		return r;
	return bus_run_login(m, q->user, q,
	    strcmp(sd_bus_message_get_member(m), "Login") == 0);
}

#define PROP(name, sig) SD_BUS_PROPERTY(name, sig, queue_get, 0, \
	SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE)
static const sd_bus_vtable queue_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_PROPERTY("Id", "x", queue_get, 0, SD_BUS_VTABLE_PROPERTY_CONST),
	PROP("Domain", "s"),
	PROP("Name", "s"),
	PROP("Type", "s"),
	PROP("LoggedIn", "b"),
	PROP("NightMode", "b"),
	PROP("LoggedInAgents", "u"),
	PROP("FreeAgents", "u"),
	PROP("CallsWaiting", "u"),
	PROP("LongestWaiting", "u"),
	PROP("AverageWait", "u"),
	PROP("LastWait", "u"),
	PROP("AnsweredLast24h", "u"),
	PROP("DroppedLast24h", "u"),
	PROP("TotalLast24h", "u"),
	SD_BUS_METHOD_WITH_ARGS("Login", SD_BUS_ARGS("a{sv}", options),
	    SD_BUS_NO_RESULT, queue_login_method, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS("Logout", SD_BUS_ARGS("a{sv}", options),
	    SD_BUS_NO_RESULT, queue_login_method, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_VTABLE_END
};

int
bus_queue_init(sd_bus *bus)
{
	int	r;

	if ((r = sd_bus_add_fallback_vtable(bus, NULL, QUEUE_PREFIX, QUEUE_IFACE,
	    queue_vtable, queue_find_cb, NULL)) < 0)
		return r;
	return sd_bus_add_node_enumerator(bus, NULL, QUEUE_PREFIX,
	    queue_enumerate_cb, NULL);
}

void
bus_queue_added(struct dqueue *q)
{
	char	*p;

	if (dbus == NULL)
		return;
	p = bus_queue_path(q);
	sd_bus_emit_object_added(dbus, p);
	free(p);
	bus_update();
}

void
bus_queue_changed(struct dqueue *q, uint32_t props)
{
	const char	*names[QUEUE_PROP_COUNT + 1];
	size_t		 n = 0;
	uint32_t	 bit;
	char		*p;

	if (dbus == NULL)
		return;
	for (bit = 1; bit < (1u << QUEUE_PROP_COUNT); bit <<= 1)
		if (props & bit)
			names[n++] = queue_prop_name(bit);
	names[n] = NULL;
	if (n == 0)
		return;
	p = bus_queue_path(q);
	/* One PropertiesChanged per queue per update. */
	sd_bus_emit_properties_changed_strv(dbus, p, QUEUE_IFACE, (char **)names);
	free(p);
	bus_update();
}

void
bus_queue_removed(struct dqueue *q)
{
	char	*p;

	if (dbus == NULL)
		return;
	p = bus_queue_path(q);
	sd_bus_emit_object_removed(dbus, p);
	free(p);
	bus_update();
}
