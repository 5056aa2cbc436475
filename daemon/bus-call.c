/* bus-call.c: org.dstnyd.Cti1.Call objects, one per cached call. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "bus.h"
#include "dstnyd.h"
#include "xmalloc.h"

#define CALL_IFACE	DSTNY_BUS_IFACE ".Call"
#define CALL_PREFIX	DSTNY_BUS_ROOT "/Call"

char *
bus_call_path(const struct dcall *c)
{
	return xasprintf(CALL_PREFIX "/%u", c->n);
}

static int
call_find_cb(sd_bus *bus, const char *path, const char *interface,
    void *userdata, void **found, sd_bus_error *error)
{
	struct dcall	*c = cache_find_path(path);

	if (c == NULL)
		return 0;
	*found = c;
	return 1;
}

static int
call_enumerate_cb(sd_bus *bus, const char *prefix, void *userdata,
    char ***nodes, sd_bus_error *error)
{
	struct duser	*u;
	struct dcall	*c;
	char		**v = NULL;
	size_t		 n = 0;

	TAILQ_FOREACH(u, &dusers, entry)
		TAILQ_FOREACH(c, &u->calls, entry) {
			v = xreallocarray(v, n + 2, sizeof(*v));
			v[n++] = bus_call_path(c);
		}
	if (v == NULL)
		v = xcalloc(1, sizeof(*v));
	v[n] = NULL;
	*nodes = v;
	return 1;
}

static int
append_strings(sd_bus_message *reply, char **v, size_t n)
{
	size_t	i;
	int	r;

	if ((r = sd_bus_message_open_container(reply, 'a', "s")) < 0)
		return r;
	for (i = 0; i < n; i++)
		if ((r = sd_bus_message_append(reply, "s", v[i])) < 0)
			return r;
	return sd_bus_message_close_container(reply);
}

static int
call_get(sd_bus *bus, const char *path, const char *interface,
    const char *property, sd_bus_message *reply, void *userdata,
    sd_bus_error *error)
{
	struct dcall		*c = userdata;
	const struct call_state	*cs = c->cs;
	char			*p;
	size_t			 i;
	int			 r;

#define S(name, v) if (strcmp(property, name) == 0) \
	return sd_bus_message_append(reply, "s", v)
#define B(name, v) if (strcmp(property, name) == 0) \
	return sd_bus_message_append(reply, "b", (int)(v))
#define U(name, v) if (strcmp(property, name) == 0) \
	return sd_bus_message_append(reply, "u", (uint32_t)(v))
	if (strcmp(property, "User") == 0) {
		p = bus_user_path(c->user);
		r = sd_bus_message_append(reply, "o", p);
		free(p);
		return r;
	}
	S("CallId", cs->call_id);
	if (strcmp(property, "StateToken") == 0)
		return sd_bus_message_append(reply, "x", cs->state_token);
	S("Status", cs->status);
	S("Event", cs->event);
	S("EventDescription", cs->event_description);
	B("Inbound", cs->inbound);
	B("Intruded", cs->intruded);
	B("Conference", cs->conference);
	S("ConferenceId", cs->conference_id);
	B("Muted", cs->muted);
	S("RemoteType", cs->remote.type);
	S("RemoteUri", cs->remote.tel_uri);
	S("RemoteName", cs->remote.display_name);
	S("RemoteNumber", cs->remote.display_number);
	U("Duration", cs->duration);
	B("Recordable", cs->recordable);
	B("Recording", cs->recording);
	U("RecordingDuration", cs->recording_duration);
	B("ExternalRecording", cs->external_recording);
	U("ExternalRecordingDuration", cs->external_recording_duration);
	B("ExternalRecordingPaused", cs->external_recording_paused);
	if (strcmp(property, "DeviceIds") == 0)
		return append_strings(reply, cs->device_ids, cs->ndevice_ids);
	if (strcmp(property, "Actions") == 0) {
		if ((r = sd_bus_message_open_container(reply, 'a', "(sas)")) < 0)
			return r;
		for (i = 0; i < cs->nactions; i++) {
			if ((r = sd_bus_message_open_container(reply, 'r', "sas")) < 0 ||
			    (r = sd_bus_message_append(reply, "s",
			    cs->actions[i].action)) < 0 ||
			    (r = append_strings(reply, cs->actions[i].device_ids,
			    cs->actions[i].ndevice_ids)) < 0 ||
			    (r = sd_bus_message_close_container(reply)) < 0)
				return r;
		}
		return sd_bus_message_close_container(reply);
	}
	if (strcmp(property, "Participants") == 0) {
		if ((r = sd_bus_message_open_container(reply, 'a', "(sssss)")) < 0)
			return r;
		for (i = 0; i < cs->nparticipants; i++)
			if ((r = sd_bus_message_append(reply, "(sssss)",
			    cs->participants[i].id, cs->participants[i].party.type,
			    cs->participants[i].party.tel_uri,
			    cs->participants[i].party.display_name,
			    cs->participants[i].party.display_number)) < 0)
				return r;
		return sd_bus_message_close_container(reply);
	}
	S("CorrelationId", cs->correlation_id);
	if (strcmp(property, "FirstSeen") == 0)
		return sd_bus_message_append(reply, "t", c->first_seen);
	if (strcmp(property, "ActiveSince") == 0)
		return sd_bus_message_append(reply, "t", c->active_since);
	S("Json", call_state_json(cs));
#undef S
#undef B
#undef U
	return sd_bus_error_setf(error, SD_BUS_ERROR_UNKNOWN_PROPERTY,
	    "no property %s", property);
}

/* Every method: read the leading arguments, the options, then act. */
static int
call_method(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	static const struct {
		const char	*member;
		enum call_op	 op;
		char		 arg;	/* 0, 's' string, 'o' target call */
	} methods[] = {
		{ "Answer", OP_ANSWER, 's' }, { "Hangup", OP_HANGUP, 0 },
		{ "Hold", OP_HOLD, 0 }, { "Resume", OP_RESUME, 0 },
		{ "Mute", OP_MUTE, 0 }, { "Unmute", OP_UNMUTE, 0 },
		{ "Park", OP_PARK, 0 }, { "Move", OP_MOVE, 's' },
		{ "Transfer", OP_TRANSFER, 's' },
		{ "TransferToCall", OP_TRANSFER_TO_CALL, 'o' },
		{ "Swap", OP_SWAP, 'o' }, { "Conference", OP_CONFERENCE, 'o' },
		{ "LeaveConference", OP_LEAVE_CONFERENCE, 0 },
		{ "RemoveParticipant", OP_REMOVE_PARTICIPANT, 's' },
		{ "SendDtmf", OP_DTMF, 's' }, { "Consult", OP_CONSULT, 's' },
		{ "StartRecording", OP_REC_START, 0 },
		{ "StopRecording", OP_REC_STOP, 0 },
		{ "PauseRecording", OP_REC_PAUSE, 0 },
		{ "ResumeRecording", OP_REC_RESUME, 0 },
		{ "SaveRecording", OP_REC_SAVE, 0 },
		{ "DiscardRecording", OP_REC_DISCARD, 0 },
	};
	struct dcall		*c = userdata;
	struct action_args	 a;
	const char		*member = sd_bus_message_get_member(m), *s = NULL;
	size_t			 i;
	int			 r;

	for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		if (strcmp(methods[i].member, member) == 0)
			break;
	if (i == sizeof(methods) / sizeof(methods[0]))
		return sd_bus_error_setf(error, SD_BUS_ERROR_UNKNOWN_METHOD,
		    "no method %s", member);
	if ((r = bus_check_owner(m, c->user, error)) < 0)
		return r;
	memset(&a, 0, sizeof(a));
	if (methods[i].arg != 0 && (r = sd_bus_message_read_basic(m,
	    methods[i].arg, &s)) < 0)
		return r;
	if ((r = bus_read_options(m, &a, error)) < 0)
		return r;
	switch (methods[i].op) {
	case OP_ANSWER:
	case OP_MOVE:
		a.device = s;
		break;
	case OP_TRANSFER:
	case OP_CONSULT:
		a.destination = s;
		break;
	case OP_REMOVE_PARTICIPANT:
		a.participant = s;
		break;
	case OP_DTMF:
		a.digits = s;
		break;
	case OP_TRANSFER_TO_CALL:
	case OP_SWAP:
	case OP_CONFERENCE:
		if ((a.target = cache_find_path(s)) == NULL)
			return sd_bus_error_setf(error, DSTNY_DBUS_ERROR_PREFIX
			    "NotFound", "no call %s", s);
		break;
	default:
		break;
	}
	return bus_run_action(m, c->user, c, methods[i].op, &a,
	    methods[i].op == OP_CONSULT);
}

#define PROP(name, sig) SD_BUS_PROPERTY(name, sig, call_get, 0, \
	SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE)
#define CONST_PROP(name, sig) SD_BUS_PROPERTY(name, sig, call_get, 0, \
	SD_BUS_VTABLE_PROPERTY_CONST)
#define M0(name) SD_BUS_METHOD_WITH_ARGS(name, SD_BUS_ARGS("a{sv}", options), \
	SD_BUS_NO_RESULT, call_method, SD_BUS_VTABLE_UNPRIVILEGED)
#define M1(name, sig, arg) SD_BUS_METHOD_WITH_ARGS(name, \
	SD_BUS_ARGS(sig, arg, "a{sv}", options), SD_BUS_NO_RESULT, call_method, \
	SD_BUS_VTABLE_UNPRIVILEGED)
static const sd_bus_vtable call_vtable[] = {
	SD_BUS_VTABLE_START(0),
	CONST_PROP("User", "o"),
	CONST_PROP("CallId", "s"),
	PROP("StateToken", "x"),
	PROP("Status", "s"),
	PROP("Event", "s"),
	PROP("EventDescription", "s"),
	PROP("Inbound", "b"),
	PROP("Intruded", "b"),
	PROP("Conference", "b"),
	PROP("ConferenceId", "s"),
	PROP("Muted", "b"),
	PROP("RemoteType", "s"),
	PROP("RemoteUri", "s"),
	PROP("RemoteName", "s"),
	PROP("RemoteNumber", "s"),
	PROP("Duration", "u"),
	PROP("Recordable", "b"),
	PROP("Recording", "b"),
	PROP("RecordingDuration", "u"),
	PROP("ExternalRecording", "b"),
	PROP("ExternalRecordingDuration", "u"),
	PROP("ExternalRecordingPaused", "b"),
	PROP("DeviceIds", "as"),
	PROP("Actions", "a(sas)"),
	PROP("Participants", "a(sssss)"),
	PROP("CorrelationId", "s"),
	CONST_PROP("FirstSeen", "t"),
	PROP("ActiveSince", "t"),
	PROP("Json", "s"),
	M1("Answer", "s", deviceId),
	M0("Hangup"),
	M0("Hold"),
	M0("Resume"),
	M0("Mute"),
	M0("Unmute"),
	M0("Park"),
	M1("Move", "s", deviceId),
	M1("Transfer", "s", destination),
	M1("TransferToCall", "o", target),
	M1("Swap", "o", target),
	M1("Conference", "o", target),
	M0("LeaveConference"),
	M1("RemoveParticipant", "s", participantId),
	M1("SendDtmf", "s", digits),
	SD_BUS_METHOD_WITH_ARGS("Consult",
	    SD_BUS_ARGS("s", destination, "a{sv}", options),
	    SD_BUS_RESULT("o", call), call_method, SD_BUS_VTABLE_UNPRIVILEGED),
	M0("StartRecording"),
	M0("StopRecording"),
	M0("PauseRecording"),
	M0("ResumeRecording"),
	M0("SaveRecording"),
	M0("DiscardRecording"),
	SD_BUS_SIGNAL_WITH_ARGS("StateChanged",
	    SD_BUS_ARGS("s", oldStatus, "s", newStatus, "s", event), 0),
	SD_BUS_VTABLE_END
};

int
bus_call_init(sd_bus *bus)
{
	int	r;

	if ((r = sd_bus_add_fallback_vtable(bus, NULL, CALL_PREFIX, CALL_IFACE,
	    call_vtable, call_find_cb, NULL)) < 0)
		return r;
	return sd_bus_add_node_enumerator(bus, NULL, CALL_PREFIX,
	    call_enumerate_cb, NULL);
}

static void
user_calls_changed(struct duser *u)
{
	const char	*props[] = { "Calls", NULL };

	bus_user_changed(u, props);
}

void
bus_call_added(struct dcall *c)
{
	char	*p;

	if (dbus == NULL)
		return;
	p = bus_call_path(c);
	sd_bus_emit_object_added(dbus, p);
	free(p);
	user_calls_changed(c->user);
	bus_user_signal_call(c, 1, NULL);
	bus_update();
}

void
bus_call_changed(struct dcall *c, uint32_t props, const char *old_status)
{
	const char	*names[CALL_PROP_COUNT + 2];
	size_t		 n = 0;
	uint32_t	 bit;
	char		*p;

	if (dbus == NULL)
		return;
	for (bit = 1; bit != 0 && bit < (1u << CALL_PROP_COUNT); bit <<= 1)
		if (props & bit)
			names[n++] = call_prop_name(bit);
	if (props & CALL_PROP_ACTIVE_SINCE)
		names[n++] = "ActiveSince";
	names[n] = NULL;
	p = bus_call_path(c);
	/* One PropertiesChanged per update, with every changed name. */
	if (n > 0)
		sd_bus_emit_properties_changed_strv(dbus, p, CALL_IFACE,
		    (char **)names);
	if ((props & CALL_PROP_STATUS) && old_status != NULL)
		sd_bus_emit_signal(dbus, p, CALL_IFACE, "StateChanged", "sss",
		    old_status, c->cs->status, c->cs->event);
	free(p);
	bus_update();
}

void
bus_call_removed(struct dcall *c, const char *reason)
{
	char	*p;

	if (dbus == NULL)
		return;
	p = bus_call_path(c);
	bus_user_signal_call(c, 0, reason);
	sd_bus_emit_object_removed(dbus, p);
	free(p);
	/* The user's Calls changes once the cache has dropped it. */
	bus_update();
}
