/* calls.c: a mirror of dstnyd's users and calls, from its public D-Bus API only. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <json-c/json.h>

#include "desktop.h"
#include "log.h"
#include "xmalloc.h"

/* How long calls are kept while dstnyd is away (a restart, an upgrade). */
#define CALLS_GRACE_SEC	30

struct desk_user {
	TAILQ_ENTRY(desk_user)	 entry;
	char			*path;
	char			*user_id;
	char			*state;		/* starting online degraded ... */
	char			**dev_ids;
	char			**dev_names;
	size_t			 ndev;
};
TAILQ_HEAD(desk_users, desk_user);

struct desk_calls		 desk_calls = TAILQ_HEAD_INITIALIZER(desk_calls);
static struct desk_users	 desk_users = TAILQ_HEAD_INITIALIZER(desk_users);
static sd_bus_slot		*calls_slots[5];
static sd_bus_slot		*calls_fetch_slot;
static struct event		*calls_grace_ev;
static int			 calls_synced;	/* the first state was read */

/* One property update of a call, as read; NULL/-1 for "not in it". */
struct call_update {
	const char	*call_id;
	const char	*user;
	const char	*status;
	const char	*name;
	const char	*number;
	const char	*uri;
	const char	*json;
	const char	*device;
	int		 inbound;
	uint64_t	 active_since;
	int		 has_device;
};

static void	calls_fetch(void);

static void
call_set(char **field, const char *v)
{
	if (v == NULL)
		return;
	free(*field);
	*field = xstrdup(v);
}

static struct desk_call *
calls_by_path(const char *path)
{
	struct desk_call	*c;

	TAILQ_FOREACH(c, &desk_calls, entry)
		if (c->path != NULL && strcmp(c->path, path) == 0)
			return c;
	return NULL;
}

static struct desk_call *
calls_by_id(const char *id)
{
	struct desk_call	*c;

	TAILQ_FOREACH(c, &desk_calls, entry)
		if (strcmp(c->call_id, id) == 0)
			return c;
	return NULL;
}

static struct desk_user *
users_by_path(const char *path)
{
	struct desk_user	*u;

	if (path == NULL)
		return NULL;
	TAILQ_FOREACH(u, &desk_users, entry)
		if (strcmp(u->path, path) == 0)
			return u;
	return NULL;
}

const char *
calls_user_id(const struct desk_call *c)
{
	struct desk_user	*u = users_by_path(c->user_path);

	return u != NULL && u->user_id != NULL ? u->user_id : "";
}

const char *
calls_device_name(const struct desk_call *c)
{
	struct desk_user	*u = users_by_path(c->user_path);
	size_t			 i;

	if (u == NULL || *c->device == '\0')
		return c->device;
	for (i = 0; i < u->ndev; i++)
		if (strcmp(u->dev_ids[i], c->device) == 0)
			return *u->dev_names[i] != '\0' ? u->dev_names[i] :
			    c->device;
	return c->device;
}

int
calls_ringing(const struct desk_call *c)
{
	return c->inbound && strcmp(c->status, "RINGING") == 0;
}

void
calls_fields(const struct desk_call *c, struct desk_fields *f)
{
	f->number = c->number;
	f->name = c->name;
	f->call_id = c->call_id;
	f->queue = c->queue;
	f->inbound = c->inbound;
	f->user = calls_user_id(c);
}

/*
 * The distribution group (queue) a call came through: the Core names it
 * in historyInfo as the previous party of a DISTRIBUTED retarget.
 */
static char *
calls_queue_from_json(const char *text)
{
	struct json_object	*o, *h, *v, *p;
	const char		*q = "";
	char			*out;

	if ((o = json_tokener_parse(text)) == NULL)
		return xstrdup("");
	if (json_object_object_get_ex(o, "historyInfo", &h) &&
	    json_object_object_get_ex(h, "previousRetargetReason", &v) &&
	    strcmp(json_object_get_string(v), "DISTRIBUTED") == 0 &&
	    json_object_object_get_ex(h, "previousParty", &p)) {
		if (json_object_object_get_ex(p, "displayName", &v) &&
		    *json_object_get_string(v) != '\0')
			q = json_object_get_string(v);
		else if (json_object_object_get_ex(p, "displayNumber", &v))
			q = json_object_get_string(v);
	}
	out = xstrdup(q);
	json_object_put(o);
	return out;
}

/* The number to show and dial: RemoteNumber, else the tel: URI's. */
static void
calls_set_number(struct desk_call *c)
{
	const char	*u = c->uri;

	if (*c->number != '\0')
		return;
	if (strncasecmp(u, "tel:", 4) == 0)
		u += 4;
	else if (strncasecmp(u, "sip:", 4) == 0)
		u += 4;
	free(c->number);
	c->number = xstrndup(u, strcspn(u, ";@"));
}

/* Read a{sv} of the Call interface into up. */
static int
calls_read_call_props(sd_bus_message *m, struct call_update *up)
{
	const char	*name, *s;
	int		 b, r;

	memset(up, 0, sizeof(*up));
	up->inbound = -1;
	if ((r = sd_bus_message_enter_container(m, 'a', "{sv}")) < 0)
		return r;
	while ((r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
		if ((r = sd_bus_message_read(m, "s", &name)) < 0)
			return r;
		if (strcmp(name, "Inbound") == 0)
			r = sd_bus_message_read(m, "v", "b", &b), up->inbound = !!b;
		else if (strcmp(name, "ActiveSince") == 0)
			r = sd_bus_message_read(m, "v", "t", &up->active_since);
		else if (strcmp(name, "User") == 0)
			r = sd_bus_message_read(m, "v", "o", &up->user);
		else if (strcmp(name, "DeviceIds") == 0) {
			up->has_device = 1;
			up->device = "";
			if ((r = sd_bus_message_enter_container(m, 'v', "as")) < 0 ||
			    (r = sd_bus_message_enter_container(m, 'a', "s")) < 0)
				return r;
			while ((r = sd_bus_message_read(m, "s", &s)) > 0)
				if (*up->device == '\0')
					up->device = s;
			if (r < 0 || (r = sd_bus_message_exit_container(m)) < 0)
				return r;
			r = sd_bus_message_exit_container(m);
		} else {
			const char **field = NULL;
			if (strcmp(name, "CallId") == 0)
				field = &up->call_id;
			else if (strcmp(name, "Status") == 0)
				field = &up->status;
			else if (strcmp(name, "RemoteName") == 0)
				field = &up->name;
			else if (strcmp(name, "RemoteNumber") == 0)
				field = &up->number;
			else if (strcmp(name, "RemoteUri") == 0)
				field = &up->uri;
			else if (strcmp(name, "Json") == 0)
				field = &up->json;
			r = field != NULL ? sd_bus_message_read(m, "v", "s", field) :
			    sd_bus_message_skip(m, "v");
		}
		if (r < 0 || (r = sd_bus_message_exit_container(m)) < 0)
			return r;
	}
	if (r < 0)
		return r;
	return sd_bus_message_exit_container(m);
}

static void
calls_free(struct desk_call *c)
{
	free(c->call_id);
	free(c->path);
	free(c->user_path);
	free(c->status);
	free(c->name);
	free(c->number);
	free(c->uri);
	free(c->queue);
	free(c->device);
	free(c);
}

/* Apply an update to the call at path (a new one needs its CallId). */
static void
calls_apply(const char *path, struct call_update *up)
{
	struct desk_call	*c = NULL;
	int			 was_ringing = 0, is_new = 0;

	if (up->call_id != NULL && (c = calls_by_id(up->call_id)) == NULL) {
		c = xcalloc(1, sizeof(*c));
		c->call_id = xstrdup(up->call_id);
		c->status = xstrdup("");
		c->name = xstrdup("");
		c->number = xstrdup("");
		c->uri = xstrdup("");
		c->queue = xstrdup("");
		c->device = xstrdup("");
		c->user_path = xstrdup("");
		TAILQ_INSERT_TAIL(&desk_calls, c, entry);
		is_new = 1;
	} else if (c == NULL && (c = calls_by_path(path)) == NULL)
		return;
	else
		was_ringing = calls_ringing(c);
	if (c->path == NULL || strcmp(c->path, path) != 0) {
		/* Another call held this path before dstnyd restarted. */
		struct desk_call *old = calls_by_path(path);
		if (old != NULL && old != c) {
			free(old->path);
			old->path = NULL;
		}
		call_set(&c->path, path);
	}
	c->stale = 0;
	call_set(&c->user_path, up->user);
	call_set(&c->status, up->status);
	call_set(&c->name, up->name);
	call_set(&c->uri, up->uri);
	if (up->number != NULL || up->uri != NULL) {
		call_set(&c->number, up->number != NULL ? up->number : "");
		calls_set_number(c);
	}
	if (up->has_device)
		call_set(&c->device, up->device);
	if (up->inbound != -1)
		c->inbound = up->inbound;
	if (up->json != NULL) {
		free(c->queue);
		c->queue = calls_queue_from_json(up->json);
	}
	if (up->active_since != 0 || strcmp(c->status, "ACTIVE") == 0)
		c->ever_active = 1;
	log_debug("call %s %s%s %s \"%s\"%s%s", c->call_id, is_new ? "new " : "",
	    c->status, c->number, c->name, *c->queue ? " via " : "", c->queue);
	if (is_new || was_ringing != calls_ringing(c) || calls_ringing(c))
		notify_call_changed(c);
	if (strcmp(c->status, "RINGING") == 0 ||
	    strcmp(c->status, "INITIATED") == 0)
		c->events |= DESK_ON_RINGING;
	if (c->ever_active)
		c->events |= DESK_ON_ANSWERED;
	popup_call_update(c, is_new && !calls_synced);
	media_call_update(c);
}

/* The call is gone; reason as in CallRemoved, or "resync" when it vanished. */
static void
calls_remove(struct desk_call *c, const char *reason)
{
	log_debug("call %s removed (%s)", c->call_id, reason);
	TAILQ_REMOVE(&desk_calls, c, entry);
	notify_call_ended(c, reason);
	if (strcmp(reason, "shutdown") != 0) {
		c->events |= DESK_ON_ENDED;
		popup_call_update(c, 0);
	}
	calls_free(c);
	media_call_gone();
}

static void
users_free(struct desk_user *u)
{
	size_t	i;

	for (i = 0; i < u->ndev; i++) {
		free(u->dev_ids[i]);
		free(u->dev_names[i]);
	}
	free(u->dev_ids);
	free(u->dev_names);
	free(u->user_id);
	free(u->state);
	free(u->path);
	free(u);
}

/* Read a{sv} of the User interface into the user at path. */
static int
calls_read_user_props(sd_bus_message *m, const char *path)
{
	struct desk_user	*u;
	const char		*name, *s, *id, *type, *dname, *status;
	int			 r;

	if ((u = users_by_path(path)) == NULL) {
		u = xcalloc(1, sizeof(*u));
		u->path = xstrdup(path);
		TAILQ_INSERT_TAIL(&desk_users, u, entry);
	}
	if ((r = sd_bus_message_enter_container(m, 'a', "{sv}")) < 0)
		return r;
	while ((r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
		if ((r = sd_bus_message_read(m, "s", &name)) < 0)
			return r;
		if (strcmp(name, "UserId") == 0) {
			if ((r = sd_bus_message_read(m, "v", "s", &s)) >= 0)
				call_set(&u->user_id, s);
		} else if (strcmp(name, "State") == 0) {
			if ((r = sd_bus_message_read(m, "v", "s", &s)) >= 0)
				call_set(&u->state, s);
		} else if (strcmp(name, "Devices") == 0) {
			size_t i;
			for (i = 0; i < u->ndev; i++) {
				free(u->dev_ids[i]);
				free(u->dev_names[i]);
			}
			u->ndev = 0;
			if ((r = sd_bus_message_enter_container(m, 'v',
			    "a(ssss)")) < 0 ||
			    (r = sd_bus_message_enter_container(m, 'a',
			    "(ssss)")) < 0)
				return r;
			while ((r = sd_bus_message_read(m, "(ssss)", &id, &type,
			    &dname, &status)) > 0) {
				u->dev_ids = xreallocarray(u->dev_ids, u->ndev + 1,
				    sizeof(*u->dev_ids));
				u->dev_names = xreallocarray(u->dev_names,
				    u->ndev + 1, sizeof(*u->dev_names));
				u->dev_ids[u->ndev] = xstrdup(id);
				u->dev_names[u->ndev++] = xstrdup(dname);
			}
			if (r < 0 || (r = sd_bus_message_exit_container(m)) < 0)
				return r;
			r = sd_bus_message_exit_container(m);
		} else
			r = sd_bus_message_skip(m, "v");
		if (r < 0 || (r = sd_bus_message_exit_container(m)) < 0)
			return r;
	}
	if (r < 0)
		return r;
	return sd_bus_message_exit_container(m);
}

/* a{sa{sv}} of one object: the interfaces we know, the rest skipped. */
static int
calls_read_interfaces(sd_bus_message *m, const char *path)
{
	struct call_update	 up;
	const char		*iface;
	int			 r;

	if ((r = sd_bus_message_enter_container(m, 'a', "{sa{sv}}")) < 0)
		return r;
	while ((r = sd_bus_message_enter_container(m, 'e', "sa{sv}")) > 0) {
		if ((r = sd_bus_message_read(m, "s", &iface)) < 0)
			return r;
		if (strcmp(iface, DSTNY_CALL_IFACE) == 0) {
			if ((r = calls_read_call_props(m, &up)) < 0)
				return r;
			if (up.call_id != NULL)
				calls_apply(path, &up);
		} else if (strcmp(iface, DSTNY_USER_IFACE) == 0)
			r = calls_read_user_props(m, path);
		else
			r = sd_bus_message_skip(m, "a{sv}");
		if (r < 0 || (r = sd_bus_message_exit_container(m)) < 0)
			return r;
	}
	if (r < 0)
		return r;
	return sd_bus_message_exit_container(m);
}

static void	calls_orphan(struct desk_call *);

/*
 * Calls that the last GetManagedObjects did not have: gone, once their
 * user is online (dstnyd has reconciled with the Core); until then, and
 * for CALLS_GRACE_SEC at most, kept.
 */
static void
calls_sweep(void)
{
	struct desk_call	*c, *next;
	struct desk_user	*u;

	TAILQ_FOREACH_SAFE(c, &desk_calls, entry, next) {
		if (!c->stale)
			continue;
		u = users_by_path(c->user_path);
		if (u != NULL && u->state != NULL &&
		    strcmp(u->state, "online") == 0)
			calls_remove(c, "resync");
		else
			calls_orphan(c);
	}
}

static void
calls_grace_stop(void)
{
	if (calls_grace_ev != NULL)
		evtimer_del(calls_grace_ev);
}

/* dstnyd did not come back: its calls are over as far as we can tell. */
static void
calls_grace_cb(evutil_socket_t fd, short what, void *arg)
{
	struct desk_call	*c, *next;

	TAILQ_FOREACH_SAFE(c, &desk_calls, entry, next)
		if (c->path == NULL) {
			log_info("call %s: dstnyd is still away; forgetting it",
			    c->call_id);
			calls_remove(c, "shutdown");
		}
	desk_bus_update();
}

/* Keep the calls (and their notifications) while dstnyd restarts. */
static void
calls_orphan(struct desk_call *c)
{
	struct timeval	tv = { CALLS_GRACE_SEC, 0 };

	free(c->path);
	c->path = NULL;
	if (!evtimer_pending(calls_grace_ev, NULL))
		evtimer_add(calls_grace_ev, &tv);
}

static int
calls_fetch_cb(sd_bus_message *m, void *arg, sd_bus_error *ret_error)
{
	const sd_bus_error	*e = sd_bus_message_get_error(m);
	struct desk_call	*c;
	struct desk_user	*u;
	const char		*path;
	int			 r, n;

	calls_fetch_slot = sd_bus_slot_unref(calls_fetch_slot);
	if (e != NULL) {
		log_info("dstnyd is not on the bus (%s); waiting for it",
		    e->message != NULL ? e->message : e->name);
		return 0;
	}
	while ((u = TAILQ_FIRST(&desk_users)) != NULL) {
		TAILQ_REMOVE(&desk_users, u, entry);
		users_free(u);
	}
	TAILQ_FOREACH(c, &desk_calls, entry)
		c->stale = 1;
	if ((r = sd_bus_message_enter_container(m, 'a', "{oa{sa{sv}}}")) < 0)
		goto bad;
	while ((r = sd_bus_message_enter_container(m, 'e', "oa{sa{sv}}")) > 0) {
		if ((r = sd_bus_message_read(m, "o", &path)) < 0 ||
		    (r = calls_read_interfaces(m, path)) < 0 ||
		    (r = sd_bus_message_exit_container(m)) < 0)
			goto bad;
	}
	if (r < 0)
		goto bad;
	calls_synced = 1;
	calls_grace_stop();
	calls_sweep();
	n = 0;
	TAILQ_FOREACH(u, &desk_users, entry)
		n++;
	log_info("dstnyd: following %d user(s)", n);
	return 0;
bad:
	log_warnx("dstnyd: cannot read GetManagedObjects: %s", strerror(-r));
	return 0;
}

/* Everything dstnyd has, now (GetManagedObjects starts it if need be). */
static void
calls_fetch(void)
{
	struct desk_call	*c;
	int			 r;

	calls_fetch_slot = sd_bus_slot_unref(calls_fetch_slot);
	/* Paths of the old instance mean nothing to the new one. */
	TAILQ_FOREACH(c, &desk_calls, entry) {
		free(c->path);
		c->path = NULL;
	}
	if ((r = sd_bus_call_method_async(desk_bus, &calls_fetch_slot,
	    DSTNY_BUS_NAME, DSTNY_BUS_ROOT, "org.freedesktop.DBus.ObjectManager",
	    "GetManagedObjects", calls_fetch_cb, NULL, "")) < 0)
		log_warnx("dstnyd: GetManagedObjects: %s", strerror(-r));
}

static int
calls_owner_cb(sd_bus_message *m, void *arg, sd_bus_error *ret_error)
{
	struct desk_call	*c;
	const char		*name, *old, *new;

	if (sd_bus_message_read(m, "sss", &name, &old, &new) < 0)
		return 0;
	if (*new != '\0') {
		log_info("dstnyd is on the bus (%s); reading its state", new);
		calls_fetch();
	} else {
		log_info("dstnyd left the bus; keeping its calls for %d s",
		    CALLS_GRACE_SEC);
		TAILQ_FOREACH(c, &desk_calls, entry)
			calls_orphan(c);
	}
	return 0;
}

static int
calls_added_cb(sd_bus_message *m, void *arg, sd_bus_error *ret_error)
{
	const char	*path;

	if (sd_bus_message_read(m, "o", &path) >= 0)
		calls_read_interfaces(m, path);
	return 0;
}

static int
calls_iremoved_cb(sd_bus_message *m, void *arg, sd_bus_error *ret_error)
{
	struct desk_call	*c;
	struct desk_user	*u;
	const char		*path, *iface;

	if (sd_bus_message_read(m, "o", &path) < 0 ||
	    sd_bus_message_enter_container(m, 'a', "s") < 0)
		return 0;
	while (sd_bus_message_read(m, "s", &iface) > 0) {
		if (strcmp(iface, DSTNY_CALL_IFACE) == 0 &&
		    (c = calls_by_path(path)) != NULL)
			calls_remove(c, "ended");
		if (strcmp(iface, DSTNY_USER_IFACE) == 0 &&
		    (u = users_by_path(path)) != NULL) {
			TAILQ_REMOVE(&desk_users, u, entry);
			users_free(u);
		}
	}
	return 0;
}

/* CallRemoved(o call, s reason): the reason decides what a missed call is. */
static int
calls_removed_cb(sd_bus_message *m, void *arg, sd_bus_error *ret_error)
{
	struct desk_call	*c;
	const char		*path, *reason;

	if (sd_bus_message_read(m, "os", &path, &reason) < 0 ||
	    (c = calls_by_path(path)) == NULL)
		return 0;
	if (strcmp(reason, "shutdown") == 0)
		calls_orphan(c);
	else
		calls_remove(c, reason);
	return 0;
}

static int
calls_changed_cb(sd_bus_message *m, void *arg, sd_bus_error *ret_error)
{
	struct call_update	 up;
	const char		*iface, *path = sd_bus_message_get_path(m);

	if (path == NULL || sd_bus_message_read(m, "s", &iface) < 0)
		return 0;
	if (strcmp(iface, DSTNY_CALL_IFACE) == 0) {
		if (calls_read_call_props(m, &up) >= 0 && up.call_id == NULL)
			calls_apply(path, &up);
	} else if (strcmp(iface, DSTNY_USER_IFACE) == 0 &&
	    users_by_path(path) != NULL) {
		calls_read_user_props(m, path);
		calls_sweep();
	}
	return 0;
}

int
calls_start(void)
{
	int	r;

	calls_grace_ev = evtimer_new(desk_base, calls_grace_cb, NULL);
	if ((r = sd_bus_add_match_async(desk_bus, &calls_slots[0],
	    "type='signal',sender='org.freedesktop.DBus',"
	    "member='NameOwnerChanged',arg0='" DSTNY_BUS_NAME "'",
	    calls_owner_cb, NULL, NULL)) < 0 ||
	    (r = sd_bus_match_signal_async(desk_bus, &calls_slots[1],
	    DSTNY_BUS_NAME, DSTNY_BUS_ROOT, "org.freedesktop.DBus.ObjectManager",
	    "InterfacesAdded", calls_added_cb, NULL, NULL)) < 0 ||
	    (r = sd_bus_match_signal_async(desk_bus, &calls_slots[2],
	    DSTNY_BUS_NAME, DSTNY_BUS_ROOT, "org.freedesktop.DBus.ObjectManager",
	    "InterfacesRemoved", calls_iremoved_cb, NULL, NULL)) < 0 ||
	    (r = sd_bus_match_signal_async(desk_bus, &calls_slots[3],
	    DSTNY_BUS_NAME, NULL, DSTNY_USER_IFACE, "CallRemoved",
	    calls_removed_cb, NULL, NULL)) < 0 ||
	    (r = sd_bus_add_match_async(desk_bus, &calls_slots[4],
	    "type='signal',sender='" DSTNY_BUS_NAME "',"
	    "interface='org.freedesktop.DBus.Properties',"
	    "member='PropertiesChanged',path_namespace='" DSTNY_BUS_ROOT "'",
	    calls_changed_cb, NULL, NULL)) < 0) {
		log_warnx("bus: cannot watch dstnyd: %s", strerror(-r));
		return -1;
	}
	calls_fetch();
	return 0;
}

void
calls_stop(void)
{
	struct desk_call	*c;
	struct desk_user	*u;
	size_t			 i;

	for (i = 0; i < sizeof(calls_slots) / sizeof(calls_slots[0]); i++)
		calls_slots[i] = sd_bus_slot_unref(calls_slots[i]);
	calls_fetch_slot = sd_bus_slot_unref(calls_fetch_slot);
	while ((c = TAILQ_FIRST(&desk_calls)) != NULL) {
		TAILQ_REMOVE(&desk_calls, c, entry);
		calls_free(c);
	}
	while ((u = TAILQ_FIRST(&desk_users)) != NULL) {
		TAILQ_REMOVE(&desk_users, u, entry);
		users_free(u);
	}
	if (calls_grace_ev != NULL)
		event_free(calls_grace_ev);
}
