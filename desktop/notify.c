/* notify.c: call notifications through org.freedesktop.Notifications (spec 1.3). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "desktop.h"
#include "log.h"
#include "xmalloc.h"

#define NOTIFY_NAME	"org.freedesktop.Notifications"
#define NOTIFY_PATH	"/org/freedesktop/Notifications"
#define NOTIFY_IFACE	"org.freedesktop.Notifications"
#define NOTIFY_APP	"dstny-desktop"	/* also the desktop-entry hint */

enum note_kind {
	NOTE_INCOMING,
	NOTE_MISSED,
};

/*
 * A notification on screen, by its server id. It keeps what its actions
 * need, so that a missed call's call-back works after the call is gone.
 */
struct note {
	TAILQ_ENTRY(note)	 entry;
	uint32_t		 id;
	enum note_kind		 kind;
	char			*call_id;
	char			*user_path;
	char			*number;
	char			*name;
	char			*queue;
	char			*user_id;
	int			 inbound;
};
TAILQ_HEAD(notes, note);

/* A Notify on its way. */
struct note_req {
	enum note_kind	 kind;
	struct note	*note;		/* the fields; its id comes with the reply */
	uint64_t	 generation;	/* of the server it was sent to */
};

static struct notes	 notes = TAILQ_HEAD_INITIALIZER(notes);
static sd_bus_slot	*notify_slots[3];
static int		 notify_actions = 1;	/* the server shows buttons */
static int		 notify_markup;		/* ... and reads body markup */
static int		 notify_absent_said;
static uint64_t		 notify_generation;	/* counts server restarts */

static void
note_free(struct note *n)
{
	if (n == NULL)
		return;
	free(n->call_id);
	free(n->user_path);
	free(n->number);
	free(n->name);
	free(n->queue);
	free(n->user_id);
	free(n);
}

static struct note *
note_new(enum note_kind kind, const struct desk_call *c)
{
	struct note	*n = xcalloc(1, sizeof(*n));

	n->kind = kind;
	n->call_id = xstrdup(c->call_id);
	n->user_path = xstrdup(c->user_path);
	n->number = xstrdup(c->number);
	n->name = xstrdup(c->name);
	n->queue = xstrdup(c->queue);
	n->user_id = xstrdup(calls_user_id(c));
	n->inbound = c->inbound;
	return n;
}

static struct note *
note_find(uint32_t id)
{
	struct note	*n;

	TAILQ_FOREACH(n, &notes, entry)
		if (n->id == id)
			return n;
	return NULL;
}

static void
note_forget(uint32_t id)
{
	struct note	*n;

	if ((n = note_find(id)) != NULL) {
		TAILQ_REMOVE(&notes, n, entry);
		note_free(n);
	}
}

static struct desk_call *
notify_call_by_id(const char *id)
{
	struct desk_call	*c;

	TAILQ_FOREACH(c, &desk_calls, entry)
		if (strcmp(c->call_id, id) == 0)
			return c;
	return NULL;
}

static void
notify_req_free(void *arg)
{
	struct note_req	*q = arg;

	note_free(q->note);
	free(q);
}

/* Markup-reading servers need <, > and & escaped; others show text as is. */
static void
notify_add_text(struct buf *b, const char *s)
{
	if (!notify_markup) {
		buf_addstr(b, s);
		return;
	}
	for (; *s != '\0'; s++) {
		if (*s == '<')
			buf_addstr(b, "&lt;");
		else if (*s == '>')
			buf_addstr(b, "&gt;");
		else if (*s == '&')
			buf_addstr(b, "&amp;");
		else
			buf_addc(b, *s);
	}
}

static void
notify_no_server(const sd_bus_error *e)
{
	if (notify_absent_said)
		return;
	notify_absent_said = 1;
	log_warnx("notify: no notification server on the session bus (%s); "
	    "calls are not shown until one starts", e->name);
}

static void
notify_close(uint32_t id)
{
	int	r;

	if (id == 0)
		return;
	note_forget(id);
	if ((r = sd_bus_call_method_async(desk_bus, NULL, NOTIFY_NAME,
	    NOTIFY_PATH, NOTIFY_IFACE, "CloseNotification", NULL, NULL, "u",
	    id)) < 0)
		log_warnx("notify: CloseNotification: %s", strerror(-r));
	desk_bus_update();
}

static int	notify_sent_cb(sd_bus_message *, void *, sd_bus_error *);

/* Notify for a ringing or a missed call; replaces is 0 for a new one. */
static void
notify_send(enum note_kind kind, const struct desk_call *c, uint32_t replaces)
{
	sd_bus_message	*m = NULL;
	struct note_req	*q;
	struct buf	 summary, body;
	const char	*dev = calls_device_name(c);
	int		 r, has_name = *c->name != '\0';

	buf_init(&summary);
	buf_init(&body);
	buf_addstr(&summary, kind == NOTE_MISSED ? "Missed call from " : "");
	if (has_name)
		buf_addstr(&summary, c->name);
	else
		buf_addstr(&summary, *c->number != '\0' ? c->number :
		    "an unknown number");
	if (kind == NOTE_INCOMING && summary.len == 0)
		buf_addstr(&summary, "Incoming call");
	notify_add_text(&body, *c->number != '\0' ? c->number : "number withheld");
	if (*c->queue != '\0') {
		buf_addstr(&body, "\nvia ");
		notify_add_text(&body, c->queue);
	}
	if (kind == NOTE_INCOMING && *dev != '\0') {
		buf_addstr(&body, "\non ");
		notify_add_text(&body, dev);
	}

	if ((r = sd_bus_message_new_method_call(desk_bus, &m, NOTIFY_NAME,
	    NOTIFY_PATH, NOTIFY_IFACE, "Notify")) < 0 ||
	    (r = sd_bus_message_append(m, "susss", NOTIFY_APP, replaces,
	    kind == NOTE_MISSED ? "call-missed-symbolic" : "call-start-symbolic",
	    summary.data, body.data != NULL ? body.data : "")) < 0 ||
	    (r = sd_bus_message_open_container(m, 'a', "s")) < 0)
		goto fail;
	if (notify_actions && kind == NOTE_INCOMING)
		r = sd_bus_message_append(m, "ssssss", "default", "Open",
		    "answer", "Answer", "decline", "Decline");
	else if (notify_actions)
		r = sd_bus_message_append(m, "ssss", "default", "Open",
		    "call-back", "Call back");
	if (r < 0 || (r = sd_bus_message_close_container(m)) < 0 ||
	    (r = sd_bus_message_open_container(m, 'a', "{sv}")) < 0 ||
	    (r = sd_bus_message_append(m, "{sv}", "category", "s",
	    kind == NOTE_MISSED ? "call.unanswered" : "call.incoming")) < 0 ||
	    (r = sd_bus_message_append(m, "{sv}", "urgency", "y",
	    kind == NOTE_MISSED ? 1 : 2)) < 0 ||
	    (r = sd_bus_message_append(m, "{sv}", "desktop-entry", "s",
	    NOTIFY_APP)) < 0)
		goto fail;
	if (kind == NOTE_INCOMING &&
	    (r = sd_bus_message_append(m, "{sv}", "resident", "b", 1)) < 0)
		goto fail;
	/* Ringing stays up until we close it; a missed call as the server likes. */
	if ((r = sd_bus_message_close_container(m)) < 0 ||
	    (r = sd_bus_message_append(m, "i", kind == NOTE_MISSED ? -1 : 0)) < 0)
		goto fail;
	q = xcalloc(1, sizeof(*q));
	q->kind = kind;
	q->note = note_new(kind, c);
	q->generation = notify_generation;
	if ((r = desk_call_async(m, notify_sent_cb, q, notify_req_free)) < 0)
		goto fail;
	log_debug("notify: %s call %s", kind == NOTE_MISSED ? "missed" :
	    "incoming", c->call_id);
	sd_bus_message_unref(m);
	buf_free(&summary);
	buf_free(&body);
	return;
fail:
	log_warnx("notify: Notify: %s", strerror(-r));
	sd_bus_message_unref(m);
	buf_free(&summary);
	buf_free(&body);
}

static int
notify_sent_cb(sd_bus_message *m, void *arg, sd_bus_error *ret_error)
{
	const sd_bus_error	*e = sd_bus_message_get_error(m);
	struct note_req		*q = arg;
	struct desk_call	*c = NULL;
	uint32_t		 id;

	if (q->kind == NOTE_INCOMING &&
	    (c = notify_call_by_id(q->note->call_id)) != NULL)
		c->note_pending = 0;
	if (e != NULL) {
		if (sd_bus_error_has_name(e, "org.freedesktop.DBus.Error.ServiceUnknown") ||
		    sd_bus_error_has_name(e, "org.freedesktop.DBus.Error.NameHasNoOwner"))
			notify_no_server(e);
		else
			log_warnx("notify: Notify: %s", e->message != NULL ?
			    e->message : e->name);
		return 0;
	}
	if (sd_bus_message_read(m, "u", &id) < 0)
		return 0;
	notify_absent_said = 0;
	/* Sent to a server that has gone since: its ids mean nothing. */
	if (q->generation != notify_generation)
		return 0;
	if (q->kind == NOTE_INCOMING) {
		/* Stopped ringing while the Notify was on its way. */
		if (c == NULL || !calls_ringing(c) || c->note_dismissed) {
			notify_close(id);
			if (c != NULL)
				c->note_id = 0;
			return 0;
		}
		c->note_id = id;
	}
	note_forget(id);
	q->note->id = id;
	TAILQ_INSERT_TAIL(&notes, q->note, entry);
	q->note = NULL;
	if (c != NULL && c->note_dirty) {
		c->note_dirty = 0;
		notify_call_changed(c);
	}
	return 0;
}

void
notify_call_changed(struct desk_call *c)
{
	if (!desk_conf->notify_incoming)
		return;
	if (!calls_ringing(c)) {
		if (c->note_pending)
			return;	/* the reply closes it */
		notify_close(c->note_id);
		c->note_id = 0;
		return;
	}
	if (c->note_dismissed)
		return;
	if (c->note_pending) {
		c->note_dirty = 1;
		return;
	}
	c->note_pending = 1;
	notify_send(NOTE_INCOMING, c, c->note_id);
}

/*
 * A call is gone. A missed call: inbound, never ACTIVE here, not declined
 * here, and over (ended, or dropped on reconciling); parked or transferred
 * calls were handled by someone, and at shutdown nothing is known.
 */
void
notify_call_ended(struct desk_call *c, const char *reason)
{
	if (c->note_id != 0)
		notify_close(c->note_id);
	c->note_id = 0;
	if (!desk_conf->notify_missed || !c->inbound || c->ever_active ||
	    c->declined)
		return;
	if (strcmp(reason, "ended") != 0 && strcmp(reason, "resync") != 0)
		return;
	log_info("missed call %s from %s", c->call_id, c->number);
	notify_send(NOTE_MISSED, c, 0);
}

static void
notify_method_free(void *arg)
{
	free(arg);
}

static int
notify_method_cb(sd_bus_message *m, void *arg, sd_bus_error *ret_error)
{
	const sd_bus_error	*e = sd_bus_message_get_error(m);

	if (e != NULL)
		log_warnx("%s: %s", (const char *)arg, e->message != NULL ?
		    e->message : e->name);
	else
		log_info("%s: done", (const char *)arg);
	return 0;
}

/* One method of dstnyd with an a{sv} of no options at its end. */
static void
notify_dstnyd(const char *path, const char *iface, const char *method,
    const char *arg, const char *what)
{
	sd_bus_message	*m = NULL;
	int		 r;

	if ((r = sd_bus_message_new_method_call(desk_bus, &m, DSTNY_BUS_NAME,
	    path, iface, method)) < 0 ||
	    (arg != NULL && (r = sd_bus_message_append(m, "s", arg)) < 0) ||
	    (r = sd_bus_message_append(m, "a{sv}", 0)) < 0 ||
	    (r = desk_call_async(m, notify_method_cb, xstrdup(what),
	    notify_method_free)) < 0)
		log_warnx("%s: %s", what, strerror(-r));
	sd_bus_message_unref(m);
}

static int
notify_action_cb(sd_bus_message *m, void *arg, sd_bus_error *ret_error)
{
	struct desk_call	*c = NULL;
	struct note		*n;
	const char		*key;
	char			*what;
	uint32_t		 id;

	if (sd_bus_message_read(m, "us", &id, &key) < 0 ||
	    (n = note_find(id)) == NULL)
		return 0;
	log_info("notify: %s on call %s", key, n->call_id);
	if (n->kind == NOTE_INCOMING)
		c = notify_call_by_id(n->call_id);
	if (strcmp(key, "answer") == 0 || strcmp(key, "decline") == 0) {
		if (c == NULL || c->path == NULL) {
			log_warnx("notify: %s: call %s is gone", key, n->call_id);
			return 0;
		}
		what = xasprintf("%s call %s", key, n->call_id);
		if (key[0] == 'a')
			notify_dstnyd(c->path, DSTNY_CALL_IFACE, "Answer", "", what);
		else {
			c->declined = 1;
			notify_dstnyd(c->path, DSTNY_CALL_IFACE, "Hangup", NULL,
			    what);
		}
		free(what);
	} else if (strcmp(key, "call-back") == 0) {
		if (*n->number == '\0' || *n->user_path == '\0') {
			log_warnx("notify: call-back: no number to call");
			return 0;
		}
		what = xasprintf("call back %s", n->number);
		notify_dstnyd(n->user_path, DSTNY_USER_IFACE, "MakeCall",
		    n->number, what);
		free(what);
	} else if (strcmp(key, "default") == 0) {
		struct desk_fields f = {
			.number = n->number, .name = n->name,
			.call_id = n->call_id, .queue = n->queue,
			.inbound = n->inbound, .user = n->user_id,
		};
		popup_default(&f);
	}
	return 0;
}

static int
notify_closed_cb(sd_bus_message *m, void *arg, sd_bus_error *ret_error)
{
	struct desk_call	*c;
	uint32_t		 id, reason;

	if (sd_bus_message_read(m, "uu", &id, &reason) < 0)
		return 0;
	TAILQ_FOREACH(c, &desk_calls, entry)
		if (c->note_id == id) {
			/* Dismissed while ringing: do not bring it back. */
			c->note_id = 0;
			c->note_dismissed = reason == 2;
		}
	note_forget(id);
	return 0;
}

static int
notify_caps_cb(sd_bus_message *m, void *arg, sd_bus_error *ret_error)
{
	const char	*cap;
	int		 actions = 0, markup = 0;

	if (sd_bus_message_is_method_error(m, NULL))
		return 0;
	if (sd_bus_message_enter_container(m, 'a', "s") < 0)
		return 0;
	while (sd_bus_message_read(m, "s", &cap) > 0) {
		if (strcmp(cap, "actions") == 0)
			actions = 1;
		else if (strcmp(cap, "body-markup") == 0)
			markup = 1;
	}
	if (!actions && notify_actions)
		log_warnx("notify: the notification server shows no actions: "
		    "notifications come without Answer and Decline buttons");
	notify_actions = actions;
	notify_markup = markup;
	return 0;
}

static void
notify_caps(void)
{
	int	r;

	if ((r = sd_bus_call_method_async(desk_bus, NULL, NOTIFY_NAME,
	    NOTIFY_PATH, NOTIFY_IFACE, "GetCapabilities", notify_caps_cb, NULL,
	    "")) < 0)
		log_warnx("notify: GetCapabilities: %s", strerror(-r));
}

/* The server restarted or went: its ids are gone; show the ringing again. */
static int
notify_owner_cb(sd_bus_message *m, void *arg, sd_bus_error *ret_error)
{
	struct desk_call	*c;
	struct note		*n;
	const char		*name, *old, *new;

	if (sd_bus_message_read(m, "sss", &name, &old, &new) < 0)
		return 0;
	notify_generation++;
	while ((n = TAILQ_FIRST(&notes)) != NULL) {
		TAILQ_REMOVE(&notes, n, entry);
		note_free(n);
	}
	TAILQ_FOREACH(c, &desk_calls, entry) {
		c->note_id = 0;
		c->note_pending = 0;
		c->note_dirty = 0;
	}
	if (*new == '\0') {
		log_info("notify: the notification server left the bus");
		return 0;
	}
	log_info("notify: a notification server is on the bus (%s)", new);
	notify_absent_said = 0;
	notify_actions = 1;
	notify_caps();
	TAILQ_FOREACH(c, &desk_calls, entry)
		if (calls_ringing(c))
			notify_call_changed(c);
	return 0;
}

int
notify_start(void)
{
	int	r;

	if ((r = sd_bus_add_match_async(desk_bus, &notify_slots[0],
	    "type='signal',sender='org.freedesktop.DBus',"
	    "member='NameOwnerChanged',arg0='" NOTIFY_NAME "'",
	    notify_owner_cb, NULL, NULL)) < 0 ||
	    (r = sd_bus_match_signal_async(desk_bus, &notify_slots[1],
	    NOTIFY_NAME, NOTIFY_PATH, NOTIFY_IFACE, "ActionInvoked",
	    notify_action_cb, NULL, NULL)) < 0 ||
	    (r = sd_bus_match_signal_async(desk_bus, &notify_slots[2],
	    NOTIFY_NAME, NOTIFY_PATH, NOTIFY_IFACE, "NotificationClosed",
	    notify_closed_cb, NULL, NULL)) < 0) {
		log_warnx("notify: cannot watch the notification server: %s",
		    strerror(-r));
		return -1;
	}
	notify_caps();
	return 0;
}

void
notify_stop(void)
{
	struct note	*n;
	size_t		 i;

	for (i = 0; i < sizeof(notify_slots) / sizeof(notify_slots[0]); i++)
		notify_slots[i] = sd_bus_slot_unref(notify_slots[i]);
	while ((n = TAILQ_FIRST(&notes)) != NULL) {
		TAILQ_REMOVE(&notes, n, entry);
		note_free(n);
	}
}
