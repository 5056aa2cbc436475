/* emit.c: one place that tells every audience (bus, socket, transport) what changed. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "dstnyd.h"
#include "xmalloc.h"

void
emit_call_added(struct dcall *c)
{
	if (c->user->transport == CONF_TRANSPORT_WEBHOOK)
		hooks_call_start(c);
	else
		streams_call_start(c);
	bus_call_added(c);
	rpc_notify_call("call.added", c);
	/* The call is out; its caller's name follows as a change. */
	contacts_call_added(c);
}

void
emit_call_changed(struct dcall *c, uint32_t props, const char *old_status)
{
	if (props & (CALL_PROP_REMOTE_NAME | CALL_PROP_REMOTE_NUMBER |
	    CALL_PROP_REMOTE_URI))
		props |= contacts_call_renamed(c);
	/* The socket first: its readers are one hop away, the bus's two. */
	rpc_notify_call("call.changed", c);
	bus_call_changed(c, props, old_status);
	if (props & (CALL_PROP_REMOTE_NUMBER | CALL_PROP_REMOTE_URI))
		contacts_call_added(c);
}

void
emit_call_removed(struct dcall *c, const char *reason)
{
	struct json_object	*p = json_object_new_object();

	if (c->user->transport == CONF_TRANSPORT_WEBHOOK)
		hooks_call_stop(c);
	else
		streams_call_stop(c);
	bus_call_removed(c, reason);
	contacts_call_removed(c);
	json_object_object_add(p, "callId", json_object_new_string(c->id));
	json_object_object_add(p, "reason", json_object_new_string(reason));
	json_object_object_add(p, "user", json_object_new_string(c->user->user));
	rpc_notify("calls", "call.removed", p);
	/* issue 21: a call that ended may have left a missed call behind. */
	if (strcmp(reason, REASON_RESYNC) != 0 &&
	    strcmp(reason, REASON_SHUTDOWN) != 0)
		profile_call_ended(c->user);
}

void
emit_user_changed(struct duser *u, const char *property)
{
	const char		*props[] = { property, NULL };
	struct json_object	*p;

	bus_user_changed(u, props);
	if (strcmp(property, "State") == 0) {
		p = json_object_new_object();
		json_object_object_add(p, "user", json_object_new_string(u->user));
		json_object_object_add(p, "state",
		    json_object_new_string(user_state_name(u->state)));
		rpc_notify("status", "status.changed", p);
		daemon_status_changed();
	}
}

void
emit_devices_changed(struct duser *u)
{
	const char		*props[] = { "Devices", NULL };
	struct json_object	*p = json_object_new_object(), *a, *d;
	size_t			 i;

	bus_user_changed(u, props);
	a = json_object_new_array();
	for (i = 0; i < u->devices.n; i++) {
		d = json_object_new_object();
		json_object_object_add(d, "deviceId",
		    json_object_new_string(u->devices.v[i].id));
		json_object_object_add(d, "deviceType",
		    json_object_new_string(u->devices.v[i].type));
		json_object_object_add(d, "deviceName",
		    json_object_new_string(u->devices.v[i].name));
		json_object_object_add(d, "deviceStatus",
		    json_object_new_string(u->devices.v[i].status));
		json_object_array_add(a, d);
	}
	json_object_object_add(p, "user", json_object_new_string(u->user));
	json_object_object_add(p, "devices", a);
	rpc_notify("devices", "devices.changed", p);
}

static void
queue_notify(struct dqueue *q, int removed)
{
	struct json_object	*p = json_object_new_object(), *v = queue_view(q);

	if (removed)
		json_object_object_add(v, "removed", json_object_new_boolean(1));
	json_object_object_add(p, "queue", v);
	rpc_notify("queues", "queue.changed", p);
}

void
emit_queue_added(struct dqueue *q)
{
	bus_queue_added(q);
	queue_notify(q, 0);
}

void
emit_queue_changed(struct dqueue *q, uint32_t props)
{
	bus_queue_changed(q, props);
	queue_notify(q, 0);
}

void
emit_queue_removed(struct dqueue *q)
{
	bus_queue_removed(q);
	queue_notify(q, 1);
}

/* issue 21: history and presence. */
void
emit_history_changed(struct duser *u, struct json_object *items)
{
	struct json_object	*p = history_counts_json(u);

	json_object_object_add(p, "items", json_object_get(items));
	rpc_notify("history", "history.changed", p);
	bus_history_changed(u);
}

void
emit_presence_changed(struct duser *u, const char *const *props)
{
	rpc_notify("presence", "presence.changed", presence_view(u));
	bus_presence_changed(u, props);
}

/* Favourites (issue 22): contact.changed, as queue.changed, then the bus. */
static void
favourite_notify(struct dfav *f, int removed)
{
	struct json_object	*p = json_object_new_object(), *v;

	v = favourite_view(f);
	if (removed)
		json_object_object_add(v, "removed", json_object_new_boolean(1));
	json_object_object_add(p, "contact", v);
	rpc_notify("contacts", "contact.changed", p);
}

void
emit_favourite_added(struct dfav *f)
{
	favourite_notify(f, 0);
	bus_favourite_added(f);
}

void
emit_favourite_changed(struct dfav *f, uint32_t props)
{
	favourite_notify(f, 0);
	bus_favourite_changed(f, props);
}

void
emit_favourite_removed(struct dfav *f)
{
	favourite_notify(f, 1);
	bus_favourite_removed(f);
}

/* issue 21 parts 3-5: forwarding, caller ID, voicemail settings. */
void
emit_forward_changed(struct duser *u, const char *const *props)
{
	rpc_notify("forward", "forward.changed", forward_view(u));
	bus_forward_changed(u, props);
}

void
emit_callerid_changed(struct duser *u, const char *const *props)
{
	rpc_notify("callerid", "callerid.changed", callerid_view(u));
	bus_callerid_changed(u, props);
}

void
emit_voicemail_changed(struct duser *u, const char *const *props)
{
	rpc_notify("voicemail", "voicemail.changed", voicemail_view(u));
	bus_voicemail_changed(u, props);
}
