/* bus-settings.c: Forwarding, CallerId and Voicemail beside User on each User object (issue 21 parts 3-5). */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "bus.h"
#include "dstnyd.h"

#define FORWARDING_IFACE	DSTNY_BUS_IFACE ".Forwarding"
#define CALLERID_IFACE		DSTNY_BUS_IFACE ".CallerId"
#define VOICEMAIL_IFACE		DSTNY_BUS_IFACE ".Voicemail"

static void
settings_changed(struct duser *u, const char *iface, const char *const *props)
{
	char	*p;

	if (dbus == NULL || props[0] == NULL)
		return;
	p = bus_user_path(u);
	sd_bus_emit_properties_changed_strv(dbus, p, iface, (char **)props);
	free(p);
	bus_update();
}

/* Forwarding */

static int
forward_get(sd_bus *bus, const char *path, const char *interface,
    const char *property, sd_bus_message *reply, void *userdata,
    sd_bus_error *error)
{
	struct duser		*u = userdata;
	const struct fwd_rules	*fr = &u->fwd.rules;
	size_t			 i;
	int			 r;

	if (strcmp(property, "DiversionNumber") == 0)
		return sd_bus_message_append(reply, "s",
		    u->fwd.number != NULL ? u->fwd.number : "");
	if (strcmp(property, "ActivityDiversions") == 0) {
		if ((r = sd_bus_message_open_container(reply, 'a', "(ss)")) < 0)
			return r;
		for (i = 0; i < u->fwd.map.n; i++)
			if ((r = sd_bus_message_append(reply, "(ss)",
			    u->fwd.map.v[i].activity,
			    u->fwd.map.v[i].number)) < 0)
				return r;
		return sd_bus_message_close_container(reply);
	}
	if ((r = sd_bus_message_open_container(reply, 'a', "(sss)")) < 0)
		return r;
	if (strcmp(property, "Lines") == 0) {
		for (i = 0; i < fr->nlines; i++)
			if ((r = sd_bus_message_append(reply, "(sss)",
			    fr->lines[i].order, fr->lines[i].type,
			    fr->lines[i].number)) < 0)
				return r;
	} else {
		for (i = 0; i < fr->nrules; i++)
			if ((r = sd_bus_message_append(reply, "(sss)",
			    fr->rules[i].line, fr->rules[i].type,
			    fr->rules[i].number)) < 0)
				return r;
	}
	return sd_bus_message_close_container(reply);
}

static int
forward_set_m(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	const char	*type, *number, *line;
	int		 r;

	if ((r = bus_check_owner(m, userdata, error)) < 0 ||
	    (r = sd_bus_message_read(m, "sss", &type, &number, &line)) < 0)
		return r;
	forward_set(userdata, type, number, line, bus_profile_cb,
	    bus_profile_pending(m, REPLY_NONE));
	return 1;
}

static int
forward_clear_m(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	const char	*type, *line;
	int		 r;

	if ((r = bus_check_owner(m, userdata, error)) < 0 ||
	    (r = sd_bus_message_read(m, "ss", &type, &line)) < 0)
		return r;
	forward_clear(userdata, type, line, bus_profile_cb,
	    bus_profile_pending(m, REPLY_CLEARED));
	return 1;
}

static const sd_bus_vtable forward_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_PROPERTY("Rules", "a(sss)", forward_get, 0,
	    SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("Lines", "a(sss)", forward_get, 0,
	    SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("DiversionNumber", "s", forward_get, 0,
	    SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("ActivityDiversions", "a(ss)", forward_get, 0,
	    SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_METHOD_WITH_ARGS("SetForward",
	    SD_BUS_ARGS("s", type, "s", number, "s", line), SD_BUS_NO_RESULT,
	    forward_set_m, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS("ClearForward", SD_BUS_ARGS("s", type, "s", line),
	    SD_BUS_RESULT("u", cleared), forward_clear_m,
	    SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_VTABLE_END
};

int
bus_forward_init(sd_bus *bus)
{
	return bus_kind_add_iface(bus, &bus_user_kind, FORWARDING_IFACE,
	    forward_vtable);
}

void
bus_forward_changed(struct duser *u, const char *const *props)
{
	settings_changed(u, FORWARDING_IFACE, props);
}

/* CallerId */

static int
callerid_get(sd_bus *bus, const char *path, const char *interface,
    const char *property, sd_bus_message *reply, void *userdata,
    sd_bus_error *error)
{
	struct duser		*u = userdata;
	const struct userline	*a = &u->cid.active, *l;
	size_t			 i;
	int			 r;

	if (strcmp(property, "ActiveType") == 0)
		return sd_bus_message_append(reply, "s",
		    a->type != NULL ? a->type : "");
	if (strcmp(property, "ActiveGroupId") == 0)
		return sd_bus_message_append(reply, "x", a->group);
	if (strcmp(property, "ActiveNumber") == 0)
		return sd_bus_message_append(reply, "s",
		    a->number != NULL ? a->number : "");
	if (strcmp(property, "ActiveName") == 0)
		return sd_bus_message_append(reply, "s",
		    a->name != NULL ? a->name : "");
	if ((r = sd_bus_message_open_container(reply, 'a', "(sxssb)")) < 0)
		return r;
	for (i = 0; i < u->cid.lines.n; i++) {
		l = &u->cid.lines.v[i];
		if ((r = sd_bus_message_append(reply, "(sxssb)", l->type,
		    l->group, l->number, l->name, l->active)) < 0)
			return r;
	}
	return sd_bus_message_close_container(reply);
}

static int
callerid_set_m(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	const char	*type;
	int64_t		 group;
	int		 r;

	if ((r = bus_check_owner(m, userdata, error)) < 0 ||
	    (r = sd_bus_message_read(m, "sx", &type, &group)) < 0)
		return r;
	callerid_set(userdata, type, group, bus_profile_cb,
	    bus_profile_pending(m, REPLY_NONE));
	return 1;
}

static const sd_bus_vtable callerid_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_PROPERTY("Lines", "a(sxssb)", callerid_get, 0,
	    SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("ActiveType", "s", callerid_get, 0,
	    SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("ActiveGroupId", "x", callerid_get, 0,
	    SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("ActiveNumber", "s", callerid_get, 0,
	    SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("ActiveName", "s", callerid_get, 0,
	    SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_METHOD_WITH_ARGS("SetCallerLine",
	    SD_BUS_ARGS("s", type, "x", groupId), SD_BUS_NO_RESULT,
	    callerid_set_m, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_VTABLE_END
};

int
bus_callerid_init(sd_bus *bus)
{
	return bus_kind_add_iface(bus, &bus_user_kind, CALLERID_IFACE,
	    callerid_vtable);
}

void
bus_callerid_changed(struct duser *u, const char *const *props)
{
	settings_changed(u, CALLERID_IFACE, props);
}

/* Voicemail: one property per setting, named by lib/voicemail.c's table. */

static int
voicemail_get(sd_bus *bus, const char *path, const char *interface,
    const char *property, sd_bus_message *reply, void *userdata,
    sd_bus_error *error)
{
	struct duser	*u = userdata;
	int		 i = voicemail_key(property);

	if (i == VM_HUMAN_NUMBER || i < 0)
		return sd_bus_message_append(reply, "s",
		    u->vm.s.human_number != NULL ? u->vm.s.human_number : "");
	return sd_bus_message_append(reply, "b", (u->vm.s.bools >> i) & 1);
}

/* a{sv} to {key: value}: b and s only; anything else is named. */
static int
voicemail_set_m(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct json_object	*o;
	const char		*key, *contents, *s;
	char			 type;
	int			 b, r;

	if ((r = bus_check_owner(m, userdata, error)) < 0 ||
	    (r = sd_bus_message_enter_container(m, 'a', "{sv}")) < 0)
		return r;
	o = json_object_new_object();
	while ((r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
		if ((r = sd_bus_message_read(m, "s", &key)) < 0 ||
		    (r = sd_bus_message_peek_type(m, &type, &contents)) < 0)
			break;
		if (strcmp(contents, "b") == 0) {
			if ((r = sd_bus_message_read(m, "v", "b", &b)) < 0)
				break;
			json_object_object_add(o, key, json_object_new_boolean(b));
		} else if (strcmp(contents, "s") == 0) {
			if ((r = sd_bus_message_read(m, "v", "s", &s)) < 0)
				break;
			json_object_object_add(o, key, json_object_new_string(s));
		} else {
			json_object_put(o);
			return sd_bus_error_setf(error, dstny_err_dbus_name(
			    DSTNY_ERR_INVALID_ARGUMENT), "%.60s: b (a switch) or "
			    "s (HumanAssistanceNumber)", key);
		}
		if ((r = sd_bus_message_exit_container(m)) < 0)
			break;
	}
	if (r < 0 || (r = sd_bus_message_exit_container(m)) < 0) {
		json_object_put(o);
		return r;
	}
	voicemail_set(userdata, o, bus_profile_cb,
	    bus_profile_pending(m, REPLY_NONE));
	json_object_put(o);
	return 1;
}

#define VM_PROP(name, sig) SD_BUS_PROPERTY(name, sig, voicemail_get, 0, \
	    SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE)

static const sd_bus_vtable voicemail_vtable[] = {
	SD_BUS_VTABLE_START(0),
	VM_PROP("PlayActivity", "b"),
	VM_PROP("PlayMergedUnavailableEndTime", "b"),
	VM_PROP("PlayHumanAssistance", "b"),
	VM_PROP("SmsNotification", "b"),
	VM_PROP("EmailNotification", "b"),
	VM_PROP("FileAttached", "b"),
	VM_PROP("VoicemailInboxFullSmsNotification", "b"),
	VM_PROP("VoicemailInboxFullEmailNotification", "b"),
	VM_PROP("AllowDownload", "b"),
	VM_PROP("AllowVoicemail", "b"),
	VM_PROP("BypassVoicemail", "b"),
	VM_PROP("VoicemailCallbackEnabled", "b"),
	VM_PROP("HumanAssistanceNumber", "s"),
	SD_BUS_METHOD_WITH_ARGS("SetSettings", SD_BUS_ARGS("a{sv}", settings),
	    SD_BUS_NO_RESULT, voicemail_set_m, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_VTABLE_END
};
_Static_assert(sizeof(voicemail_vtable) / sizeof(voicemail_vtable[0]) ==
    VM_HUMAN_NUMBER + 4, "one property per voicemail setting");

int
bus_voicemail_init(sd_bus *bus)
{
	int	i;

	/* The names above are the table's (lib/voicemail.c). */
	for (i = 0; i <= VM_HUMAN_NUMBER; i++)
		if (strcmp(voicemail_vtable[1 + i].x.property.member,
		    voicemail_prop_name(i)) != 0)
			return -EINVAL;
	return bus_kind_add_iface(bus, &bus_user_kind, VOICEMAIL_IFACE,
	    voicemail_vtable);
}

void
bus_voicemail_changed(struct duser *u, const char *const *props)
{
	settings_changed(u, VOICEMAIL_IFACE, props);
}
