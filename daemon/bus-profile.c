/* bus-profile.c: the interfaces beside User on each User object: History and Presence (issue 21). */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "bus.h"
#include "dstnyd.h"
#include "xmalloc.h"

#define HISTORY_IFACE	DSTNY_BUS_IFACE ".History"
#define PRESENCE_IFACE	DSTNY_BUS_IFACE ".Presence"

int
bus_append_json_dict(sd_bus_message *m, struct json_object *o)
{
	struct json_object	*e;
	size_t			 i;
	int			 r;

	if ((r = sd_bus_message_open_container(m, 'a', "{sv}")) < 0)
		return r;
	json_object_object_foreach(o, key, val) {
		switch (json_object_get_type(val)) {
		case json_type_string:
			r = sd_bus_message_append(m, "{sv}", key, "s",
			    json_object_get_string(val));
			break;
		case json_type_int:
			r = sd_bus_message_append(m, "{sv}", key, "x",
			    json_object_get_int64(val));
			break;
		case json_type_boolean:
			r = sd_bus_message_append(m, "{sv}", key, "b",
			    json_object_get_boolean(val));
			break;
		case json_type_array:
			if ((r = sd_bus_message_open_container(m, 'e', "sv")) < 0 ||
			    (r = sd_bus_message_append(m, "s", key)) < 0 ||
			    (r = sd_bus_message_open_container(m, 'v', "as")) < 0 ||
			    (r = sd_bus_message_open_container(m, 'a', "s")) < 0)
				return r;
			for (i = 0; i < json_object_array_length(val); i++) {
				e = json_object_array_get_idx(val, i);
				if (json_object_is_type(e, json_type_string) &&
				    (r = sd_bus_message_append(m, "s",
				    json_object_get_string(e))) < 0)
					return r;
			}
			if ((r = sd_bus_message_close_container(m)) < 0 ||
			    (r = sd_bus_message_close_container(m)) < 0)
				return r;
			r = sd_bus_message_close_container(m);
			break;
		default:
			r = 0;	/* objects and null: not in a{sv} */
			break;
		}
		if (r < 0)
			return r;
	}
	return sd_bus_message_close_container(m);
}

/* A method call waiting for the Core; how to turn the result into a reply (bus.h). */
struct profile_pending {
	sd_bus_message		*m;
	enum profile_reply	 kind;
};

void
bus_profile_cb(enum dstny_err err, const char *msg, struct json_object *res,
    void *arg)
{
	struct profile_pending	*p = arg;
	sd_bus_message		*reply = NULL;
	struct json_object	*v;
	size_t			 i;
	int			 r = 0;

	if (err != DSTNY_OK) {
		sd_bus_reply_method_errorf(p->m, dstny_err_dbus_name(err), "%s",
		    *msg != '\0' ? msg : dstny_err_name(err));
		goto out;
	}
	switch (p->kind) {
	case REPLY_NONE:
		sd_bus_reply_method_return(p->m, NULL);
		break;
	case REPLY_DONE:
		v = json_object_object_get(res, "done");
		sd_bus_reply_method_return(p->m, "s",
		    v != NULL ? json_object_get_string(v) : "");
		break;
	case REPLY_CLEARED:
		v = json_object_object_get(res, "cleared");
		sd_bus_reply_method_return(p->m, "u",
		    (uint32_t)(v != NULL ? json_object_get_int64(v) : 0));
		break;
	case REPLY_DICTS:
		if ((r = sd_bus_message_new_method_return(p->m, &reply)) < 0 ||
		    (r = sd_bus_message_open_container(reply, 'a', "a{sv}")) < 0)
			break;
		for (i = 0; r >= 0 && i < json_object_array_length(res); i++)
			r = bus_append_json_dict(reply,
			    json_object_array_get_idx(res, i));
		if (r >= 0 && (r = sd_bus_message_close_container(reply)) >= 0)
			r = sd_bus_send(NULL, reply, NULL);
		sd_bus_message_unref(reply);
		break;
	}
	if (r < 0)
		sd_bus_reply_method_errorf(p->m, SD_BUS_ERROR_FAILED,
		    "cannot build the reply: %s", strerror(-r));
out:
	sd_bus_message_unref(p->m);
	free(p);
	bus_update();
}

void *
bus_profile_pending(sd_bus_message *m, enum profile_reply kind)
{
	struct profile_pending	*p = xcalloc(1, sizeof(*p));

	p->m = sd_bus_message_ref(m);
	p->kind = kind;
	return p;
}

static int
invalid(sd_bus_error *error, const char *msg)
{
	return sd_bus_error_setf(error, dstny_err_dbus_name(
	    DSTNY_ERR_INVALID_ARGUMENT), "%s", msg);
}

/* History */

static int
history_get(sd_bus *bus, const char *path, const char *interface,
    const char *property, sd_bus_message *reply, void *userdata,
    sd_bus_error *error)
{
	struct duser	*u = userdata;

	if (strcmp(property, "MissedCalls") == 0)
		return sd_bus_message_append(reply, "u", history_missed(u));
	return sd_bus_message_append(reply, "u", history_unplayed(u));
}

/* An integer option: t, x, u or i. */
static int
read_int_variant(sd_bus_message *m, const char *contents, int64_t *out)
{
	uint64_t	t;
	uint32_t	u32;
	int32_t		i32;
	int		r;

	switch (contents[0]) {
	case 't':
		r = sd_bus_message_read(m, "v", "t", &t);
		*out = t > INT64_MAX ? -1 : (int64_t)t;
		return r;
	case 'x':
		return sd_bus_message_read(m, "v", "x", out);
	case 'u':
		r = sd_bus_message_read(m, "v", "u", &u32);
		*out = u32;
		return r;
	case 'i':
		r = sd_bus_message_read(m, "v", "i", &i32);
		*out = i32;
		return r;
	default:
		return -EINVAL;
	}
}

static int
history_list_history(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct duser		*u = userdata;
	struct history_filter	 f;
	const char		*key, *contents, *s;
	int64_t			*at;
	char			 type, msg[200];
	int			 r;

	if ((r = bus_check_owner(m, u, error)) < 0)
		return r;
	memset(&f, 0, sizeof(f));
	if ((r = sd_bus_message_enter_container(m, 'a', "{sv}")) < 0)
		return r;
	while ((r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
		if ((r = sd_bus_message_read(m, "s", &key)) < 0 ||
		    (r = sd_bus_message_peek_type(m, &type, &contents)) < 0)
			return r;
		at = strcmp(key, "since") == 0 ? &f.since :
		    strcmp(key, "until") == 0 ? &f.until :
		    strcmp(key, "limit") == 0 ? &f.limit :
		    strcmp(key, "olderThan") == 0 ? &f.older :
		    strcmp(key, "newerThan") == 0 ? &f.newer : NULL;
		if (at != NULL) {
			if (strlen(contents) != 1 || strchr("txui", contents[0]) == NULL) {
				snprintf(msg, sizeof(msg), "%s: an integer (t, x, u "
				    "or i)", key);
				return invalid(error, msg);
			}
			if ((r = read_int_variant(m, contents, at)) < 0)
				return r;
		} else if (strcmp(key, "number") == 0 && strcmp(contents, "s") == 0) {
			if ((r = sd_bus_message_read(m, "v", "s", &f.number)) < 0)
				return r;
		} else if (strcmp(key, "type") == 0 && strcmp(contents, "s") == 0) {
			if ((r = sd_bus_message_read(m, "v", "s", &s)) < 0)
				return r;
			/* A key may come again in a{sv}: count every one. */
			if (f.ntypes >= sizeof(f.types) / sizeof(f.types[0]))
				return invalid(error, "type: at most 8 types");
			f.types[f.ntypes++] = s;
		} else if (strcmp(key, "type") == 0 && strcmp(contents, "as") == 0) {
			if ((r = sd_bus_message_enter_container(m, 'v', "as")) < 0 ||
			    (r = sd_bus_message_enter_container(m, 'a', "s")) < 0)
				return r;
			while ((r = sd_bus_message_read(m, "s", &s)) > 0) {
				if (f.ntypes >= sizeof(f.types) / sizeof(f.types[0]))
					return invalid(error, "type: at most 8 types");
				f.types[f.ntypes++] = s;
			}
			if (r < 0 || (r = sd_bus_message_exit_container(m)) < 0 ||
			    (r = sd_bus_message_exit_container(m)) < 0)
				return r;
		} else {
			snprintf(msg, sizeof(msg), "%.40s: no such filter (type s "
			    "or as, since t, until t, number s, limit u, "
			    "olderThan x, newerThan x)", key);
			return invalid(error, msg);
		}
		if ((r = sd_bus_message_exit_container(m)) < 0)
			return r;
	}
	if (r < 0 || (r = sd_bus_message_exit_container(m)) < 0)
		return r;
	history_list(u, &f, bus_profile_cb,
	    bus_profile_pending(m, REPLY_DICTS));
	return 1;
}

static int
read_ids(sd_bus_message *m, int64_t **ids, size_t *n)
{
	const void	*v;
	size_t		 len;
	int		 r;

	if ((r = sd_bus_message_read_array(m, 'x', &v, &len)) < 0)
		return r;
	*n = len / sizeof(int64_t);
	*ids = xcalloc(*n > 0 ? *n : 1, sizeof(int64_t));
	memcpy(*ids, v, *n * sizeof(int64_t));
	return 0;
}

static int
history_mark_seen_m(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	int64_t	*ids, until;
	size_t	 n;
	int	 r;

	if ((r = bus_check_owner(m, userdata, error)) < 0 ||
	    (r = read_ids(m, &ids, &n)) < 0)
		return r;
	if ((r = sd_bus_message_read(m, "x", &until)) < 0) {
		free(ids);
		return r;
	}
	history_mark_seen(userdata, ids, n, until, bus_profile_cb,
	    bus_profile_pending(m, REPLY_NONE));
	free(ids);
	return 1;
}

static int
history_delete_m(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	int64_t	*ids;
	size_t	 n;
	int	 r;

	if ((r = bus_check_owner(m, userdata, error)) < 0 ||
	    (r = read_ids(m, &ids, &n)) < 0)
		return r;
	history_delete(userdata, ids, n, bus_profile_cb,
	    bus_profile_pending(m, REPLY_NONE));
	free(ids);
	return 1;
}

static const sd_bus_vtable history_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_PROPERTY("MissedCalls", "u", history_get, 0,
	    SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("UnplayedVoicemails", "u", history_get, 0,
	    SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_METHOD_WITH_ARGS("ListHistory", SD_BUS_ARGS("a{sv}", filter),
	    SD_BUS_RESULT("aa{sv}", items), history_list_history,
	    SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS("MarkSeen", SD_BUS_ARGS("ax", ids, "x", until),
	    SD_BUS_NO_RESULT, history_mark_seen_m, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS("Delete", SD_BUS_ARGS("ax", ids),
	    SD_BUS_NO_RESULT, history_delete_m, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_VTABLE_END
};

int
bus_history_init(sd_bus *bus)
{
	return bus_kind_add_iface(bus, &bus_user_kind, HISTORY_IFACE,
	    history_vtable);
}

void
bus_history_changed(struct duser *u)
{
	char	*p;

	if (dbus == NULL)
		return;
	p = bus_user_path(u);
	sd_bus_emit_properties_changed(dbus, p, HISTORY_IFACE, "MissedCalls",
	    "UnplayedVoicemails", NULL);
	free(p);
	bus_update();
}

/* Presence */

static int
presence_get(sd_bus *bus, const char *path, const char *interface,
    const char *property, sd_bus_message *reply, void *userdata,
    sd_bus_error *error)
{
	struct duser		*u = userdata;
	struct presence_user	*pu = &u->pres;
	const struct shortcut	*s;
	size_t			 i;
	int			 r;

	if (strcmp(property, "Activity") == 0)
		return sd_bus_message_append(reply, "s",
		    pu->p.activity != NULL ? pu->p.activity : "");
	if (strcmp(property, "Available") == 0)
		return sd_bus_message_append(reply, "b", pu->p.available);
	if (strcmp(property, "Note") == 0)
		return sd_bus_message_append(reply, "s",
		    pu->p.note != NULL ? pu->p.note : "");
	if (strcmp(property, "ActivityExpires") == 0)
		return sd_bus_message_append(reply, "t", (uint64_t)pu->p.expires);
	if (strcmp(property, "Activities") == 0) {
		if ((r = sd_bus_message_open_container(reply, 'a', "(ssbb)")) < 0)
			return r;
		for (i = 0; i < pu->acts.n; i++)
			if ((r = sd_bus_message_append(reply, "(ssbb)",
			    pu->acts.v[i].id, pu->acts.v[i].name,
			    pu->acts.v[i].available, pu->acts.v[i].dflt)) < 0)
				return r;
		return sd_bus_message_close_container(reply);
	}
	if ((r = sd_bus_message_open_container(reply, 'a', "(sssbsusb)")) < 0)
		return r;
	for (i = 0; i < pu->scs.n; i++) {
		s = &pu->scs.v[i];
		if ((r = sd_bus_message_append(reply, "(sssbsusb)", s->id,
		    s->name, s->activity, s->available, s->duration_type,
		    s->minutes, s->divert, s->apply_divert)) < 0)
			return r;
	}
	return sd_bus_message_close_container(reply);
}

static int
presence_set_m(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	const char	*activity, *note;
	uint64_t	 expires;
	int		 available, r;

	if ((r = bus_check_owner(m, userdata, error)) < 0 ||
	    (r = sd_bus_message_read(m, "sbst", &activity, &available, &note,
	    &expires)) < 0)
		return r;
	if (expires > INT64_MAX)
		return invalid(error, "expires: a Unix time from now to the "
		    "end of year 9999 (0: no end)");
	presence_set(userdata, activity, available, note, (int64_t)expires,
	    bus_profile_cb, bus_profile_pending(m, REPLY_NONE));
	return 1;
}

static int
presence_apply_m(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	const char	*id;
	int		 r;

	if ((r = bus_check_owner(m, userdata, error)) < 0 ||
	    (r = sd_bus_message_read(m, "s", &id)) < 0)
		return r;
	presence_apply_shortcut(userdata, id, bus_profile_cb,
	    bus_profile_pending(m, REPLY_DONE));
	return 1;
}

static const sd_bus_vtable presence_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_PROPERTY("Activity", "s", presence_get, 0,
	    SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("Available", "b", presence_get, 0,
	    SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("Note", "s", presence_get, 0,
	    SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("ActivityExpires", "t", presence_get, 0,
	    SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("Activities", "a(ssbb)", presence_get, 0,
	    SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("Shortcuts", "a(sssbsusb)", presence_get, 0,
	    SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_METHOD_WITH_ARGS("SetPresence",
	    SD_BUS_ARGS("s", activity, "b", available, "s", note, "t", expires),
	    SD_BUS_NO_RESULT, presence_set_m, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS("ApplyShortcut", SD_BUS_ARGS("s", id),
	    SD_BUS_RESULT("s", done), presence_apply_m,
	    SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_VTABLE_END
};

int
bus_presence_init(sd_bus *bus)
{
	return bus_kind_add_iface(bus, &bus_user_kind, PRESENCE_IFACE,
	    presence_vtable);
}

void
bus_presence_changed(struct duser *u, const char *const *props)
{
	char	*p;

	if (dbus == NULL || props[0] == NULL)
		return;
	p = bus_user_path(u);
	sd_bus_emit_properties_changed_strv(dbus, p, PRESENCE_IFACE,
	    (char **)props);
	free(p);
	bus_update();
}
