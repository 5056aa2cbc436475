/* bus-queue.c: org.dstnyd.Cti1.Queue objects, one per distribution group. */
#include "config.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "bus.h"
#include "dstnyd.h"
#include "xmalloc.h"

#define QUEUE_IFACE	DSTNY_BUS_IFACE ".Queue"
#define QUEUE_PREFIX	DSTNY_BUS_ROOT "/Queue"

static void *
queue_next_any(void *prev)
{
	return queue_next(prev);
}

static const struct bus_kind queue_kind = {
	QUEUE_PREFIX, QUEUE_IFACE, queue_next_any, offsetof(struct dqueue, n)
};

char *
bus_queue_path(const struct dqueue *q)
{
	return bus_kind_path(&queue_kind, q);
}

#define QI(f)	offsetof(struct queue_info, f)

/*
 * The Queue object's properties (interfaces.md 2.4), each once, with
 * their names in the socket's queue view (queues.list, queue.changed);
 * offsets are in struct queue_info, bits queue_info_diff()'s.
 */
static const struct bus_prop queue_props[] = {
	{ "Id", "x", BUS_PROP_I64, QI(id), 0, "id" },
	{ "Domain", "s", BUS_PROP_STR, QI(domain), QUEUE_PROP_DOMAIN, "domain" },
	{ "Name", "s", BUS_PROP_STR, QI(name), QUEUE_PROP_NAME, "name" },
	{ "Type", "s", BUS_PROP_STR, QI(type), QUEUE_PROP_TYPE, "type" },
	{ "LoggedIn", "b", BUS_PROP_BOOL, QI(logged_in), QUEUE_PROP_LOGGED_IN,
	    "loggedIn" },
	{ "NightMode", "b", BUS_PROP_BOOL, QI(night_mode),
	    QUEUE_PROP_NIGHT_MODE, "nightMode" },
	{ "LoggedInAgents", "u", BUS_PROP_U32, QI(logged_in_agents),
	    QUEUE_PROP_LOGGED_IN_AGENTS, "loggedInAgents" },
	{ "FreeAgents", "u", BUS_PROP_U32, QI(free_agents),
	    QUEUE_PROP_FREE_AGENTS, "freeAgents" },
	{ "CallsWaiting", "u", BUS_PROP_U32, QI(calls_waiting),
	    QUEUE_PROP_CALLS_WAITING, "callsWaiting" },
	{ "LongestWaiting", "u", BUS_PROP_U32, QI(longest_waiting),
	    QUEUE_PROP_LONGEST_WAITING, "longestWaiting" },
	{ "AverageWait", "u", BUS_PROP_U32, QI(average_wait),
	    QUEUE_PROP_AVERAGE_WAIT, "averageWait" },
	{ "LastWait", "u", BUS_PROP_U32, QI(last_wait), QUEUE_PROP_LAST_WAIT,
	    "lastWait" },
	{ "AnsweredLast24h", "u", BUS_PROP_U32, QI(answered_24h),
	    QUEUE_PROP_ANSWERED_24H, "answeredLast24h" },
	{ "DroppedLast24h", "u", BUS_PROP_U32, QI(dropped_24h),
	    QUEUE_PROP_DROPPED_24H, "droppedLast24h" },
	{ "TotalLast24h", "u", BUS_PROP_U32, QI(total_24h),
	    QUEUE_PROP_TOTAL_24H, "totalLast24h" },
};
#define QUEUE_NPROPS	(sizeof(queue_props) / sizeof(queue_props[0]))

static int
queue_get(sd_bus *bus, const char *path, const char *interface,
    const char *property, sd_bus_message *reply, void *userdata,
    sd_bus_error *error)
{
	const struct bus_prop	*p;

	if ((p = bus_prop_find(queue_props, QUEUE_NPROPS, property)) == NULL)
		return sd_bus_error_setf(error, SD_BUS_ERROR_UNKNOWN_PROPERTY,
		    "no property %s", property);
	return bus_prop_append(reply, p, &((struct dqueue *)userdata)->q);
}

/* The socket's view of a queue: the table's properties, its path and user. */
struct json_object *
queue_view(const struct dqueue *dq)
{
	struct json_object	*o = json_object_new_object(), *v;
	const struct bus_prop	*p;
	const char		*at;
	char			*path = bus_queue_path(dq);

	for (p = queue_props; p < queue_props + QUEUE_NPROPS; p++) {
		at = (const char *)&dq->q + p->off;
		switch (p->kind) {
		case BUS_PROP_STR:
			v = json_object_new_string(*(char *const *)(const void *)at);
			break;
		case BUS_PROP_BOOL:
			v = json_object_new_boolean(*(const int *)(const void *)at);
			break;
		case BUS_PROP_U32:
			v = json_object_new_int64(*(const uint32_t *)(const void *)at);
			break;
		default:
			v = json_object_new_int64(*(const int64_t *)(const void *)at);
			break;
		}
		json_object_object_add(o, p->json, v);
	}
	json_object_object_add(o, "path", json_object_new_string(path));
	json_object_object_add(o, "user", json_object_new_string(dq->user->user));
	free(path);
	return o;
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

/* The methods; the properties come from queue_props. */
static const sd_bus_vtable queue_members[] = {
	SD_BUS_METHOD_WITH_ARGS("Login", SD_BUS_ARGS("a{sv}", options),
	    SD_BUS_NO_RESULT, queue_login_method, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS("Logout", SD_BUS_ARGS("a{sv}", options),
	    SD_BUS_NO_RESULT, queue_login_method, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_VTABLE_END
};
static sd_bus_vtable queue_vtable[BUS_PROPS_VTABLE_SIZE(QUEUE_NPROPS,
    queue_members)];

int
bus_queue_init(sd_bus *bus)
{
	bus_props_vtable(queue_vtable, queue_props, QUEUE_NPROPS, queue_get,
	    queue_members);
	return bus_kind_add(bus, &queue_kind, queue_vtable);
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
	char	*p;

	if (dbus == NULL || props == 0)
		return;
	p = bus_queue_path(q);
	/* One PropertiesChanged per queue per update. */
	bus_props_changed(p, QUEUE_IFACE, queue_props, QUEUE_NPROPS, props);
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
