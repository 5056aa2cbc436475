/* keyring.c: [auth] password = keyring: the password from the Secret Service, asynchronously on the daemon's bus. */
#include "config.h"

#include <sys/queue.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <systemd/sd-bus.h>

#include "backoff.h"
#include "bus.h"
#include "dstnyd.h"
#include "keyring.h"
#include "log.h"
#include "secret.h"
#include "ticket.h"
#include "xmalloc.h"

/*
 * The Secret Service API (freedesktop.org, 0.2) spoken over sd-bus, not
 * libsecret: libsecret brings GLib's main loop and GDBus, three threads
 * and a second bus connection, about 640 KiB of private dirty memory in
 * an idle daemon (doc/keyring.md). Four calls are enough: OpenSession
 * ("plain": the bus is local and the broker sees the password either
 * way), SearchItems, GetSecrets and Session.Close. The daemon never
 * unlocks a collection (that would make a prompt appear out of nowhere):
 * a locked collection, a missing item or a missing service leave the user
 * unauthorized with the reason in `why`, and it tries again when the
 * Secret Service signals a change (an unlock, an item stored by
 * `dstnyctl login`, the service starting) or, failing that, every
 * keepalive interval.
 */

struct kreq {
	uint64_t		 id;
	unsigned		 user_n;
	char			*session;
	sd_bus_slot		*slot;
	TAILQ_ENTRY(kreq)	 entry;
};
static TAILQ_HEAD(, kreq) kreqs = TAILQ_HEAD_INITIALIZER(kreqs);

static uint64_t		 keyring_next_id = 1;
static sd_bus_slot	*keyring_match[2];
static struct event	*keyring_retry_ev;	/* keepalive interval */
static struct event	*keyring_soon_ev;	/* after a burst of signals */

static int	keyring_session_cb(sd_bus_message *, void *, sd_bus_error *);
static int	keyring_search_cb(sd_bus_message *, void *, sd_bus_error *);
static int	keyring_secrets_cb(sd_bus_message *, void *, sd_bus_error *);

static void
keyring_req_free(struct kreq *k)
{
	if (k->session != NULL)		/* best effort, no answer awaited */
		sd_bus_call_method_async(dbus, NULL, KEYRING_BUS_NAME,
		    k->session, KEYRING_IFACE ".Session", "Close", NULL, NULL,
		    NULL);
	TAILQ_REMOVE(&kreqs, k, entry);
	sd_bus_slot_unref(k->slot);
	free(k->session);
	free(k);
	bus_update();
}

/* The user a reply is for, if it still waits for this request. */
static struct duser *
keyring_req_user(struct kreq *k)
{
	struct duser	*u;

	TAILQ_FOREACH(u, &dusers, entry)
		if (u->n == k->user_n)
			break;
	if (u == NULL || u->kr.req != k->id || u->stopping)
		return NULL;
	return u;
}

/* Does this user wait for the keyring (or may a new password help)? */
static int
keyring_wants(const struct duser *u)
{
	return ticket_keyring(u->ticket) && !u->stopping &&
	    (u->kr.waiting || u->unauthorized);
}

static void
keyring_retry_cb(evutil_socket_t fd, short what, void *arg)
{
	struct duser	*u;
	int		 any = 0;

	TAILQ_FOREACH(u, &dusers, entry) {
		if (!keyring_wants(u))
			continue;
		any = 1;
		keyring_fetch(u);
	}
	if (!any && keyring_retry_ev != NULL)
		evtimer_del(keyring_retry_ev);
}

/* Something changed in the keyring (or the service came): look again. */
static int
keyring_signal_cb(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	log_debug("keyring: %s.%s on %s", sd_bus_message_get_interface(m),
	    sd_bus_message_get_member(m), sd_bus_message_get_path(m));
	/* One look for a burst (an unlock is four signals or more). */
	event_active(keyring_soon_ev, EV_TIMEOUT, 0);
	return 0;
}

static int
keyring_match_cb(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	const sd_bus_error	*e = sd_bus_message_get_error(m);

	if (e != NULL)
		log_warnx("keyring: cannot follow the Secret Service's "
		    "signals (%s): a change is seen at the next retry",
		    e->message);
	return 0;
}

static void
keyring_init(void)
{
	struct timeval	tv = { dconf->keepalive, 0 };

	if (keyring_soon_ev != NULL)
		return;
	keyring_soon_ev = evtimer_new(dbase, keyring_retry_cb, NULL);
	keyring_retry_ev = event_new(dbase, -1, EV_PERSIST, keyring_retry_cb,
	    NULL);
	evtimer_add(keyring_retry_ev, &tv);
	/* Service, Collection and Properties signals of its objects. */
	if (sd_bus_add_match_async(dbus, &keyring_match[0],
	    "type='signal',path_namespace='" KEYRING_PATH "'",
	    keyring_signal_cb, keyring_match_cb, NULL) < 0 ||
	    sd_bus_add_match_async(dbus, &keyring_match[1],
	    "type='signal',sender='org.freedesktop.DBus',"
	    "interface='org.freedesktop.DBus',member='NameOwnerChanged',"
	    "arg0='" KEYRING_BUS_NAME "'", keyring_signal_cb,
	    keyring_match_cb, NULL) < 0)
		log_warnx("keyring: cannot follow the Secret Service's signals: "
		    "a change is seen at the next retry");
}

void
keyring_free(void)
{
	struct kreq	*k;
	size_t		 i;

	while ((k = TAILQ_FIRST(&kreqs)) != NULL) {
		free(k->session);	/* the bus closes, and the session */
		k->session = NULL;
		keyring_req_free(k);
	}
	for (i = 0; i < 2; i++)
		keyring_match[i] = sd_bus_slot_unref(keyring_match[i]);
	if (keyring_soon_ev != NULL) {
		event_free(keyring_soon_ev);
		event_free(keyring_retry_ev);
	}
	keyring_soon_ev = keyring_retry_ev = NULL;
}

/* The lookup ended without a password: the user waits, saying why. */
static void
keyring_failed(struct duser *u, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void
keyring_failed(struct duser *u, const char *fmt, ...)
{
	char	msg[sizeof(u->why)];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	u->kr.waiting = 1;
	if (!evtimer_pending(keyring_retry_ev, NULL)) {
		struct timeval tv = { dconf->keepalive, 0 };
		evtimer_add(keyring_retry_ev, &tv);
	}
	user_keyring_failed(u, msg);
}

static int
keyring_reply_error(struct duser *u, sd_bus_message *m, const char *call)
{
	const sd_bus_error	*e = sd_bus_message_get_error(m);

	if (e == NULL)
		return 0;
	/* Not there, and not activatable (or its activation failed). */
	if (sd_bus_error_has_name(e, SD_BUS_ERROR_SERVICE_UNKNOWN) ||
	    sd_bus_error_has_name(e, SD_BUS_ERROR_NAME_HAS_NO_OWNER) ||
	    strncmp(e->name, "org.freedesktop.DBus.Error.Spawn.", 33) == 0)
		keyring_failed(u, "no keyring: nothing provides the Secret "
		    "Service (%s) on the session bus; start gnome-keyring or "
		    "KeePassXC with its Secret Service integration, or use "
		    "password_file", KEYRING_BUS_NAME);
	else
		keyring_failed(u, "the keyring's %s failed: %s", call,
		    e->message);
	return -1;
}

/* Each step's next call, with the same request as its userdata. */
static int
keyring_call(struct kreq *k, const char *path, const char *iface,
    const char *member, sd_bus_message_handler_t cb, sd_bus_message *m)
{
	int	r;

	k->slot = sd_bus_slot_unref(k->slot);
	if (m == NULL && (r = sd_bus_message_new_method_call(dbus, &m,
	    KEYRING_BUS_NAME, path, iface, member)) < 0)
		return r;
	r = sd_bus_call_async(dbus, &k->slot, m, cb, k, 0);
	sd_bus_message_unref(m);
	bus_update();
	return r;
}

void
keyring_fetch(struct duser *u)
{
	struct kreq	*k;
	sd_bus_message	*m = NULL;
	int		 r;

	if (u->kr.req != 0) {
		u->kr.again = 1;	/* once more when this one ends */
		return;
	}
	keyring_init();
	k = xcalloc(1, sizeof(*k));
	k->id = keyring_next_id++;
	k->user_n = u->n;
	TAILQ_INSERT_TAIL(&kreqs, k, entry);
	u->kr.req = k->id;
	if ((r = sd_bus_message_new_method_call(dbus, &m, KEYRING_BUS_NAME,
	    KEYRING_PATH, KEYRING_IFACE ".Service", "OpenSession")) < 0 ||
	    (r = sd_bus_message_append(m, "sv", "plain", "s", "")) < 0 ||
	    (r = keyring_call(k, KEYRING_PATH, NULL, NULL, keyring_session_cb,
	    m)) < 0) {
		u->kr.req = 0;
		keyring_req_free(k);
		keyring_failed(u, "the keyring: %s", strerror(-r));
	}
}

/* The request is over for u: free it, and look again if asked meanwhile. */
static void
keyring_done(struct kreq *k, struct duser *u)
{
	keyring_req_free(k);
	if (u == NULL)
		return;
	u->kr.req = 0;
	if (u->kr.again) {
		u->kr.again = 0;
		keyring_fetch(u);
	}
}

static int
keyring_session_cb(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct kreq	*k = userdata;
	struct duser	*u;
	sd_bus_message	*q = NULL;
	const char	*session;
	int		 r;

	if ((u = keyring_req_user(k)) == NULL) {
		keyring_done(k, NULL);
		return 0;
	}
	if (keyring_reply_error(u, m, "OpenSession") == -1) {
		keyring_done(k, u);
		return 0;
	}
	if ((r = sd_bus_message_skip(m, "v")) < 0 ||
	    (r = sd_bus_message_read(m, "o", &session)) < 0) {
		keyring_failed(u, "the keyring's OpenSession: %s", strerror(-r));
		keyring_done(k, u);
		return 0;
	}
	k->session = xstrdup(session);
	if ((r = sd_bus_message_new_method_call(dbus, &q, KEYRING_BUS_NAME,
	    KEYRING_PATH, KEYRING_IFACE ".Service", "SearchItems")) < 0 ||
	    (r = keyring_append_attributes(q, u->domain, u->user)) < 0 ||
	    (r = keyring_call(k, NULL, NULL, NULL, keyring_search_cb, q)) < 0) {
		keyring_failed(u, "the keyring's SearchItems: %s", strerror(-r));
		keyring_done(k, u);
	}
	return 0;
}

static int
keyring_search_cb(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct kreq	*k = userdata;
	struct duser	*u;
	sd_bus_message	*q = NULL;
	const char	*unlocked = NULL, *locked = NULL;
	int		 r;

	if ((u = keyring_req_user(k)) == NULL) {
		keyring_done(k, NULL);
		return 0;
	}
	if (keyring_reply_error(u, m, "SearchItems") == -1) {
		keyring_done(k, u);
		return 0;
	}
	/* (ao unlocked, ao locked): the first of each is enough. */
	if ((r = sd_bus_message_enter_container(m, 'a', "o")) >= 0 &&
	    (r = sd_bus_message_read(m, "o", &unlocked)) >= 0)
		while ((r = sd_bus_message_skip(m, "o")) > 0)
			;		/* the rest, one by one */
	if (r < 0 ||
	    (r = sd_bus_message_exit_container(m)) < 0 ||
	    (r = sd_bus_message_enter_container(m, 'a', "o")) < 0 ||
	    (r = sd_bus_message_read(m, "o", &locked)) < 0) {
		keyring_failed(u, "the keyring's SearchItems: %s", strerror(-r));
		keyring_done(k, u);
		return 0;
	}
	if (unlocked == NULL && locked != NULL) {
		keyring_failed(u, "the keyring is locked: unlock it (log in to "
		    "the desktop, or open its keyring in Passwords and Keys) "
		    "and dstnyd goes on by itself");
		keyring_done(k, u);
		return 0;
	}
	if (unlocked == NULL) {
		keyring_failed(u, "no password for %s@%s in the keyring: store "
		    "it with `dstnyctl login%s%s`", u->user, u->domain,
		    *u->name != '\0' ? " --user " : "", u->name);
		keyring_done(k, u);
		return 0;
	}
	if ((r = sd_bus_message_new_method_call(dbus, &q, KEYRING_BUS_NAME,
	    KEYRING_PATH, KEYRING_IFACE ".Service", "GetSecrets")) < 0 ||
	    (r = sd_bus_message_append(q, "ao", 1, unlocked)) < 0 ||
	    (r = sd_bus_message_append(q, "o", k->session)) < 0 ||
	    (r = keyring_call(k, NULL, NULL, NULL, keyring_secrets_cb, q)) < 0) {
		keyring_failed(u, "the keyring's GetSecrets: %s", strerror(-r));
		keyring_done(k, u);
	}
	return 0;
}

static int
keyring_secrets_cb(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct kreq	*k = userdata;
	struct duser	*u;
	struct secret	*s;
	char		 why[128];
	int		 changed;

	/* Wiped when freed: the reply holds the password in the clear. */
	sd_bus_message_sensitive(m);
	if ((u = keyring_req_user(k)) == NULL) {
		keyring_done(k, NULL);
		return 0;
	}
	if (keyring_reply_error(u, m, "GetSecrets") == -1) {
		keyring_done(k, u);
		return 0;
	}
	if ((s = keyring_read_secret(m, why, sizeof(why))) == NULL) {
		/* Locked between the search and now, or an odd answer. */
		keyring_failed(u, "the keyring's GetSecrets: %s", why);
		keyring_done(k, u);
		return 0;
	}
	u->kr.waiting = 0;
	changed = ticket_set_password(u->ticket, s);
	keyring_done(k, u);
	if (changed)
		log_info("%s@%s: password read from the keyring", u->user,
		    u->domain);
	else if (u->ticket_ok || u->kr.refused)
		return 0;	/* nothing new: the ticket works, or it was refused */
	user_keyring_ready(u);
	return 0;
}
