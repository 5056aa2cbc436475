/* bus-call.c: org.dstnyd.Cti1.Call objects, one per cached call. */
#include "config.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "bus.h"
#include "dstnyd.h"
#include "xmalloc.h"

#define CALL_IFACE	DSTNY_BUS_IFACE ".Call"
#define CALL_PREFIX	DSTNY_BUS_ROOT "/Call"

static void *
call_next(void *prev)
{
	return cache_next(prev);
}

static const struct bus_kind call_kind = {
	CALL_PREFIX, CALL_IFACE, call_next, offsetof(struct dcall, n)
};

char *
bus_call_path(const struct dcall *c)
{
	return bus_kind_path(&call_kind, c);
}

static int
append_strings(sd_bus_message *reply, char **v, size_t n)
{
	size_t	i;
	int	r;

	if ((r = sd_bus_message_open_container(reply, 'a', "s")) < 0)
		return r;
	for (i = 0; i < n; i++)
		if ((r = sd_bus_message_append_basic(reply, 's', v[i])) < 0)
			return r;
	return sd_bus_message_close_container(reply);
}

#define CS(f)	offsetof(struct call_state, f)
#define DC(f)	offsetof(struct dcall, f)

/*
 * The Call object's properties (interfaces.md 2.3), each once. Offsets
 * are in the call's struct call_state, but for FirstSeen and ActiveSince
 * (in struct dcall: call_get knows); the bits are call_state_diff()'s,
 * and ActiveSince's is the cache's (dstnyd.h).
 */
static const struct bus_prop call_props[] = {
	{ "User", "o", BUS_PROP_OTHER, 0, 0, NULL },
	{ "CallId", "s", BUS_PROP_STR, CS(call_id), 0, NULL },
	{ "StateToken", "x", BUS_PROP_I64, CS(state_token),
	    CALL_PROP_STATE_TOKEN, NULL },
	{ "Status", "s", BUS_PROP_STR, CS(status), CALL_PROP_STATUS, NULL },
	{ "Event", "s", BUS_PROP_STR, CS(event), CALL_PROP_EVENT, NULL },
	{ "EventDescription", "s", BUS_PROP_STR, CS(event_description),
	    CALL_PROP_EVENT_DESCRIPTION, NULL },
	{ "Inbound", "b", BUS_PROP_BOOL, CS(inbound), CALL_PROP_INBOUND, NULL },
	{ "Intruded", "b", BUS_PROP_BOOL, CS(intruded), CALL_PROP_INTRUDED,
	    NULL },
	{ "Conference", "b", BUS_PROP_BOOL, CS(conference),
	    CALL_PROP_CONFERENCE, NULL },
	{ "ConferenceId", "s", BUS_PROP_STR, CS(conference_id),
	    CALL_PROP_CONFERENCE_ID, NULL },
	{ "Muted", "b", BUS_PROP_BOOL, CS(muted), CALL_PROP_MUTED, NULL },
	{ "RemoteType", "s", BUS_PROP_STR, CS(remote.type),
	    CALL_PROP_REMOTE_TYPE, NULL },
	{ "RemoteUri", "s", BUS_PROP_STR, CS(remote.tel_uri),
	    CALL_PROP_REMOTE_URI, NULL },
	/* The Core's displayName, else the directory's (contacts.c). */
	{ "RemoteName", "s", BUS_PROP_OTHER, 0, CALL_PROP_REMOTE_NAME, NULL },
	{ "RemoteNameSource", "s", BUS_PROP_OTHER, 0, CALL_PROP_NAME_SOURCE,
	    NULL },
	{ "RemoteNumber", "s", BUS_PROP_STR, CS(remote.display_number),
	    CALL_PROP_REMOTE_NUMBER, NULL },
	{ "Duration", "u", BUS_PROP_U32, CS(duration), CALL_PROP_DURATION,
	    NULL },
	{ "Recordable", "b", BUS_PROP_BOOL, CS(recordable),
	    CALL_PROP_RECORDABLE, NULL },
	{ "Recording", "b", BUS_PROP_BOOL, CS(recording), CALL_PROP_RECORDING,
	    NULL },
	{ "RecordingDuration", "u", BUS_PROP_U32, CS(recording_duration),
	    CALL_PROP_RECORDING_DURATION, NULL },
	{ "ExternalRecording", "b", BUS_PROP_BOOL, CS(external_recording),
	    CALL_PROP_EXT_RECORDING, NULL },
	{ "ExternalRecordingDuration", "u", BUS_PROP_U32,
	    CS(external_recording_duration), CALL_PROP_EXT_RECORDING_DURATION,
	    NULL },
	{ "ExternalRecordingPaused", "b", BUS_PROP_BOOL,
	    CS(external_recording_paused), CALL_PROP_EXT_RECORDING_PAUSED,
	    NULL },
	{ "DeviceIds", "as", BUS_PROP_OTHER, 0, CALL_PROP_DEVICE_IDS, NULL },
	{ "Actions", "a(sas)", BUS_PROP_OTHER, 0, CALL_PROP_ACTIONS, NULL },
	{ "Participants", "a(sssss)", BUS_PROP_OTHER, 0,
	    CALL_PROP_PARTICIPANTS, NULL },
	{ "CorrelationId", "s", BUS_PROP_STR, CS(correlation_id),
	    CALL_PROP_CORRELATION_ID, NULL },
	{ "FirstSeen", "t", BUS_PROP_U64, DC(first_seen), 0, NULL },
	{ "ActiveSince", "t", BUS_PROP_U64, DC(active_since),
	    CALL_PROP_ACTIVE_SINCE, NULL },
	{ "Json", "s", BUS_PROP_STR, CS(json), CALL_PROP_JSON, NULL },
};
#define CALL_NPROPS	(sizeof(call_props) / sizeof(call_props[0]))

static int
append_actions(sd_bus_message *reply, const struct call_state *cs)
{
	size_t	i;
	int	r;

	if ((r = sd_bus_message_open_container(reply, 'a', "(sas)")) < 0)
		return r;
	for (i = 0; i < cs->nactions; i++)
		if ((r = sd_bus_message_open_container(reply, 'r', "sas")) < 0 ||
		    (r = sd_bus_message_append_basic(reply, 's',
		    cs->actions[i].action)) < 0 ||
		    (r = append_strings(reply, cs->actions[i].device_ids,
		    cs->actions[i].ndevice_ids)) < 0 ||
		    (r = sd_bus_message_close_container(reply)) < 0)
			return r;
	return sd_bus_message_close_container(reply);
}

static int
append_participants(sd_bus_message *reply, const struct call_state *cs)
{
	const struct participant	*pt;
	size_t				 i;
	int				 r;

	if ((r = sd_bus_message_open_container(reply, 'a', "(sssss)")) < 0)
		return r;
	for (i = 0; i < cs->nparticipants; i++) {
		pt = &cs->participants[i];
		if ((r = sd_bus_message_open_container(reply, 'r',
		    "sssss")) < 0 ||
		    (r = sd_bus_message_append_basic(reply, 's', pt->id)) < 0 ||
		    (r = sd_bus_message_append_basic(reply, 's',
		    pt->party.type)) < 0 ||
		    (r = sd_bus_message_append_basic(reply, 's',
		    pt->party.tel_uri)) < 0 ||
		    (r = sd_bus_message_append_basic(reply, 's',
		    pt->party.display_name)) < 0 ||
		    (r = sd_bus_message_append_basic(reply, 's',
		    pt->party.display_number)) < 0 ||
		    (r = sd_bus_message_close_container(reply)) < 0)
			return r;
	}
	return sd_bus_message_close_container(reply);
}

static int
call_get(sd_bus *bus, const char *path, const char *interface,
    const char *property, sd_bus_message *reply, void *userdata,
    sd_bus_error *error)
{
	struct dcall		*c = userdata;
	const struct call_state	*cs = c->cs;
	const struct bus_prop	*p;
	const char		*name, *source;
	char			*s;
	int			 r;

	if ((p = bus_prop_find(call_props, CALL_NPROPS, property)) == NULL)
		return sd_bus_error_setf(error, SD_BUS_ERROR_UNKNOWN_PROPERTY,
		    "no property %s", property);
	if (p->kind != BUS_PROP_OTHER)
		return bus_prop_append(reply, p, p->kind == BUS_PROP_U64 ?
		    (const void *)c : (const void *)cs);
	switch (p->bit) {
	case CALL_PROP_DEVICE_IDS:
		return append_strings(reply, cs->device_ids, cs->ndevice_ids);
	case CALL_PROP_ACTIONS:
		return append_actions(reply, cs);
	case CALL_PROP_PARTICIPANTS:
		return append_participants(reply, cs);
	case CALL_PROP_REMOTE_NAME:
	case CALL_PROP_NAME_SOURCE:
		name = contacts_call_name(c, &source);
		return sd_bus_message_append_basic(reply, 's',
		    p->bit == CALL_PROP_REMOTE_NAME ? name : source);
	default:	/* User */
		s = bus_user_path(c->user);
		r = sd_bus_message_append_basic(reply, 'o', s);
		free(s);
		return r;
	}
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
		if ((a.target = bus_find_path(&call_kind, s)) == NULL)
			return sd_bus_error_setf(error, dstny_err_dbus_name(
			    DSTNY_ERR_NOT_FOUND), "no call %s", s);
		break;
	default:
		break;
	}
	return bus_run_action(m, c->user, c, methods[i].op, &a,
	    methods[i].op == OP_CONSULT);
}

#define M0(name) SD_BUS_METHOD_WITH_ARGS(name, SD_BUS_ARGS("a{sv}", options), \
	SD_BUS_NO_RESULT, call_method, SD_BUS_VTABLE_UNPRIVILEGED)
#define M1(name, sig, arg) SD_BUS_METHOD_WITH_ARGS(name, \
	SD_BUS_ARGS(sig, arg, "a{sv}", options), SD_BUS_NO_RESULT, call_method, \
	SD_BUS_VTABLE_UNPRIVILEGED)
/* The methods and signals; the properties come from call_props. */
static const sd_bus_vtable call_members[] = {
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
static sd_bus_vtable call_vtable[BUS_PROPS_VTABLE_SIZE(CALL_NPROPS,
    call_members)];

int
bus_call_init(sd_bus *bus)
{
	bus_props_vtable(call_vtable, call_props, CALL_NPROPS, call_get,
	    call_members);
	return bus_kind_add(bus, &call_kind, call_vtable);
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
	char	*p;

	if (dbus == NULL)
		return;
	p = bus_call_path(c);
	/* One PropertiesChanged per update, with every changed name. */
	bus_props_changed(p, CALL_IFACE, call_props, CALL_NPROPS, props);
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
