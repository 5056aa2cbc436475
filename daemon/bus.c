/* bus.c: sd-bus inside the libevent loop (no second loop), the name, the Manager. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <systemd/sd-bus.h>

#include "backoff.h"
#include "bus.h"
#include "busloop.h"
#include "dstnyd.h"
#include "log.h"
#include "xmalloc.h"

sd_bus			*dbus;
static struct busloop	*bus_loop;
static struct event	*bus_users_ev;	/* bus_users_changed() */
static void		 bus_users_cb(evutil_socket_t, short, void *);
static int		 bus_name_owned;
/*
 * A name taken when we ask may be on its way out (a restart: the old
 * process exited, the broker has not yet seen it go). RequestName is
 * asked again every NAME_RETRY_MS, NAME_TRIES times, before giving up.
 */
#define NAME_RETRY_MS	200
#define NAME_TRIES	15
static unsigned		 bus_name_tries;
static struct event	*bus_name_ev;

static int	bus_name_cb(sd_bus_message *, void *, sd_bus_error *);

/* Arm the loop's events from what sd-bus wants now. */
void
bus_update(void)
{
	busloop_update(bus_loop);
}

static void
bus_lost(void *arg)
{
	log_warnx("bus: connection lost; exiting");
	event_base_loopbreak(dbase);
}

/* The other owner's PID, for the message that ends this instance. */
static int
bus_owner_pid_cb(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
	uint32_t	pid;

	if (sd_bus_message_is_method_error(m, NULL) ||
	    sd_bus_message_read(m, "u", &pid) < 0)
		log_warnx("bus: %s is owned by another process; is another "
		    "dstnyd running? Exiting", DSTNY_BUS_NAME);
	else
		log_warnx("bus: %s is owned by another process (PID %u); is "
		    "another dstnyd running? Exiting", DSTNY_BUS_NAME, pid);
	daemon_fail();
	return 0;
}

static void
bus_name_retry_cb(evutil_socket_t fd, short what, void *arg)
{
	int	r;

	if ((r = sd_bus_request_name_async(dbus, NULL, DSTNY_BUS_NAME, 0,
	    bus_name_cb, NULL)) < 0) {
		log_warnx("bus: cannot own %s: %s", DSTNY_BUS_NAME,
		    strerror(-r));
		daemon_fail();
		return;
	}
	bus_update();
}

static int
bus_name_cb(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
	const sd_bus_error	*e = sd_bus_message_get_error(m);
	uint32_t		 reply = 0;
	int			 r;

	if (e != NULL) {
		log_warnx("bus: cannot own %s: %s", DSTNY_BUS_NAME, e->message);
		daemon_fail();
		return 0;
	}
	/*
	 * Anything but PRIMARY_OWNER (EXISTS: another process has it) is a
	 * failure to start: no READY=1 for a name that is not ours.
	 */
	if ((r = sd_bus_message_read(m, "u", &reply)) < 0 || reply != 1) {
		if (r >= 0 && ++bus_name_tries < NAME_TRIES) {
			log_debug("bus: %s is taken; asking again", DSTNY_BUS_NAME);
			timer_add_ms(bus_name_ev, NAME_RETRY_MS);
			return 0;
		}
		if (r < 0 || sd_bus_call_method_async(dbus, NULL,
		    "org.freedesktop.DBus", "/org/freedesktop/DBus",
		    "org.freedesktop.DBus", "GetConnectionUnixProcessID",
		    bus_owner_pid_cb, NULL, "s", DSTNY_BUS_NAME) < 0) {
			log_warnx("bus: cannot own %s (RequestName answered %u)",
			    DSTNY_BUS_NAME, reply);
			daemon_fail();
		}
		return 0;
	}
	bus_name_owned = 1;
	log_info("bus: %s owned", DSTNY_BUS_NAME);
	daemon_status_changed();
	return 0;
}

int
bus_ready(void)
{
	return dbus == NULL || bus_name_owned;
}

static int
manager_get_version(sd_bus *bus, const char *path, const char *interface,
    const char *property, sd_bus_message *reply, void *userdata,
    sd_bus_error *error)
{
	return sd_bus_message_append(reply, "s", DSTNY_VERSION);
}

static int
manager_get_users(sd_bus *bus, const char *path, const char *interface,
    const char *property, sd_bus_message *reply, void *userdata,
    sd_bus_error *error)
{
	struct duser	*u;
	char		*p;
	int		 r;

	if ((r = sd_bus_message_open_container(reply, 'a', "o")) < 0)
		return r;
	TAILQ_FOREACH(u, &dusers, entry) {
		p = bus_user_path(u);
		r = sd_bus_message_append(reply, "o", p);
		free(p);
		if (r < 0)
			return r;
	}
	return sd_bus_message_close_container(reply);
}

static const sd_bus_vtable manager_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_PROPERTY("Version", "s", manager_get_version, 0,
	    SD_BUS_VTABLE_PROPERTY_CONST),
	SD_BUS_PROPERTY("Users", "ao", manager_get_users, 0,
	    SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_VTABLE_END
};

int
bus_open(const struct conf *conf, char *err, size_t errlen)
{
	int	r;

	if (conf->bus == CONF_BUS_NONE)
		return 0;
	r = conf->bus == CONF_BUS_SYSTEM ? sd_bus_open_system(&dbus) :
	    sd_bus_open_user(&dbus);
	if (r < 0) {
		snprintf(err, errlen, "cannot connect to the %s bus: %s",
		    conf->bus == CONF_BUS_SYSTEM ? "system" : "session",
		    strerror(-r));
		dbus = NULL;
		return -1;
	}
	sd_bus_set_description(dbus, "dstnyd");
	if ((r = sd_bus_add_object_manager(dbus, NULL, DSTNY_BUS_ROOT)) < 0 ||
	    (r = sd_bus_add_object_vtable(dbus, NULL, DSTNY_BUS_ROOT,
	    DSTNY_BUS_IFACE ".Manager", manager_vtable, NULL)) < 0 ||
	    (r = bus_user_init(dbus)) < 0 || (r = bus_call_init(dbus)) < 0 ||
	    (r = bus_queue_init(dbus)) < 0 ||
	    (r = bus_contact_init(dbus)) < 0 ||
	    (r = bus_history_init(dbus)) < 0 ||	/* issue 21 */
	    (r = bus_presence_init(dbus)) < 0 ||
	    (r = bus_forward_init(dbus)) < 0 ||	/* issue 21 parts 3-5 */
	    (r = bus_callerid_init(dbus)) < 0 ||
	    (r = bus_voicemail_init(dbus)) < 0 ||
	    (r = sd_bus_request_name_async(dbus, NULL, DSTNY_BUS_NAME, 0,
	    bus_name_cb, NULL)) < 0) {
		snprintf(err, errlen, "bus: setting up objects: %s", strerror(-r));
		sd_bus_flush_close_unref(dbus);
		dbus = NULL;
		return -1;
	}
	bus_loop = busloop_new(dbase, dbus, bus_lost, NULL);
	bus_users_ev = evtimer_new(dbase, bus_users_cb, NULL);
	bus_name_ev = evtimer_new(dbase, bus_name_retry_cb, NULL);
	bus_update();
	return 0;
}

void
bus_close(void)
{
	if (dbus == NULL)
		return;
	if (event_pending(bus_users_ev, EV_TIMEOUT, NULL))
		bus_users_cb(-1, 0, NULL);
	sd_bus_flush(dbus);
	busloop_free(bus_loop);
	bus_loop = NULL;
	event_free(bus_users_ev);
	event_free(bus_name_ev);
	sd_bus_flush_close_unref(dbus);
	dbus = NULL;
}

static void
bus_users_cb(evutil_socket_t fd, short what, void *arg)
{
	if (dbus == NULL)
		return;
	sd_bus_emit_properties_changed(dbus, DSTNY_BUS_ROOT,
	    DSTNY_BUS_IFACE ".Manager", "Users", NULL);
	bus_update();
}

/*
 * Users changed: one PropertiesChanged when the current callback is done,
 * however many users came or went in it. One per user made starting a
 * thousand users queue a thousand ever longer lists, O(n^2): 24 MB in
 * sd-bus's write queue (massif), and a heap left fragmented after it.
 */
void
bus_users_changed(void)
{
	if (dbus != NULL)
		event_active(bus_users_ev, EV_TIMEOUT, 0);
}

/* Options a{sv}: the keys interfaces.md names, each with its type. */
int
bus_read_options(sd_bus_message *m, struct action_args *a, sd_bus_error *error)
{
	const char	*key, *s;
	char		 type;
	const char	*contents;
	int		 r, b;
	int32_t		 i32;
	int64_t		 x;

	if ((r = sd_bus_message_enter_container(m, 'a', "{sv}")) < 0)
		return r;
	while ((r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
		if ((r = sd_bus_message_read(m, "s", &key)) < 0)
			return r;
		if ((r = sd_bus_message_peek_type(m, &type, &contents)) < 0)
			return r;
#define WANT(sig) do {							\
	if (strcmp(contents, sig) != 0)					\
		return sd_bus_error_setf(error, dstny_err_dbus_name(	\
		    DSTNY_ERR_INVALID_ARGUMENT),				\
		    "option %s must be of type %s", key, sig);		\
} while (0)
		if (strcmp(key, "device") == 0 || strcmp(key, "role") == 0 ||
		    strcmp(key, "type") == 0 || strcmp(key, "lineType") == 0) {
			WANT("s");
			if ((r = sd_bus_message_read(m, "v", "s", &s)) < 0)
				return r;
			if (key[0] == 'd')
				a->device = s;
			else if (key[0] == 'r')
				a->role = s;
			else if (key[0] == 't')
				a->type = s;
			else
				a->line_type = s;
		} else if (strcmp(key, "lineGroup") == 0) {
			WANT("i");
			if ((r = sd_bus_message_read(m, "v", "i", &i32)) < 0)
				return r;
			a->line_group = i32;
			a->has_line_group = 1;
		} else if (strcmp(key, "stateToken") == 0) {
			WANT("x");
			if ((r = sd_bus_message_read(m, "v", "x", &x)) < 0)
				return r;
			a->state_token = x;
			a->has_state_token = 1;
		} else if (strcmp(key, "blind") == 0 ||
		    strcmp(key, "waitForAnswer") == 0) {
			WANT("b");
			if ((r = sd_bus_message_read(m, "v", "b", &b)) < 0)
				return r;
			if (key[0] == 'b')
				a->blind = b;
			else
				a->wait_for_answer = b;
		} else
			return sd_bus_error_setf(error, dstny_err_dbus_name(
			    DSTNY_ERR_INVALID_ARGUMENT), "unknown option \"%s\"",
			    key);
#undef WANT
		if ((r = sd_bus_message_exit_container(m)) < 0)
			return r;
	}
	if (r < 0)
		return r;
	return sd_bus_message_exit_container(m);
}

struct bus_pending {
	sd_bus_message	*m;
	int		 want_path;
};

static void
bus_action_cb(enum dstny_err err, const char *msg, struct dcall *c,
    const char *answer, void *arg)
{
	struct bus_pending	*p = arg;
	char			*path;

	if (err != DSTNY_OK)
		sd_bus_reply_method_errorf(p->m, dstny_err_dbus_name(err), "%s",
		    *msg != '\0' ? msg : dstny_err_name(err));
	else if (p->want_path) {
		path = c != NULL ? bus_call_path(c) : xstrdup("/");
		sd_bus_reply_method_return(p->m, "o", path);
		free(path);
	} else
		sd_bus_reply_method_return(p->m, NULL);
	sd_bus_message_unref(p->m);
	free(p);
	bus_update();
}

/* Start an action for a method call; the reply is sent when it is done. */
/*
 * Only u's owner and root control u's calls (interfaces.md 3): 0, or
 * Forbidden set in error. The caller's effective uid is the bus's word
 * (GetConnectionCredentials), never the message's; not knowing it is
 * a refusal.
 */
int
bus_check_owner(sd_bus_message *m, const struct duser *u, sd_bus_error *error)
{
	sd_bus_creds	*creds = NULL;
	uid_t		 uid = 0;
	int		 r;

	if ((r = sd_bus_query_sender_creds(m, SD_BUS_CREDS_EUID |
	    SD_BUS_CREDS_AUGMENT, &creds)) >= 0)
		r = sd_bus_creds_get_euid(creds, &uid);
	sd_bus_creds_unref(creds);
	if (r >= 0 && user_controls(u, uid))
		return 0;
	if (r < 0)
		log_debug("bus: %s: no uid for the caller: %s",
		    sd_bus_message_get_member(m), strerror(-r));
	return sd_bus_error_setf(error, dstny_err_dbus_name(DSTNY_ERR_FORBIDDEN),
	    "only the owner of %s@%s and root control its calls", u->user,
	    u->domain);
}

int
bus_run_action(sd_bus_message *m, struct duser *u, struct dcall *c,
    enum call_op op, const struct action_args *a, int want_path)
{
	struct bus_pending	*p = xcalloc(1, sizeof(*p));

	p->m = sd_bus_message_ref(m);
	p->want_path = want_path;
	action_run(u, c, op, a, bus_action_cb, p);
	return 1;
}

int
bus_run_linestate(sd_bus_message *m, struct duser *u, const char *id,
    int64_t expires, int clear)
{
	struct bus_pending	*p = xcalloc(1, sizeof(*p));

	p->m = sd_bus_message_ref(m);
	action_linestate(u, id, expires, clear, bus_action_cb, p);
	return 1;
}

int
bus_run_login(sd_bus_message *m, struct duser *u, struct dqueue *q, int login)
{
	struct bus_pending	*p = xcalloc(1, sizeof(*p));

	p->m = sd_bus_message_ref(m);
	queue_login(u, q, login, bus_action_cb, p);
	return 1;
}

void
bus_props_vtable(sd_bus_vtable *v, const struct bus_prop *props, size_t n,
    sd_bus_property_get_t get, const sd_bus_vtable *members)
{
	size_t	i;

	*v++ = (sd_bus_vtable)SD_BUS_VTABLE_START(0);
	for (i = 0; i < n; i++)
		*v++ = (sd_bus_vtable)SD_BUS_PROPERTY(props[i].name,
		    props[i].sig, get, 0, props[i].bit != 0 ?
		    SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE :
		    SD_BUS_VTABLE_PROPERTY_CONST);
	do
		*v = *members++;
	while ((v++)->type != _SD_BUS_VTABLE_END);
}

const struct bus_prop *
bus_prop_find(const struct bus_prop *props, size_t n, const char *name)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (strcmp(props[i].name, name) == 0)
			return &props[i];
	return NULL;
}

/*
 * sd_bus_message_append_basic(), not sd_bus_message_append(): no format
 * string to walk, no va_list; a fifth fewer instructions per scalar
 * (callgrind, make bench).
 */
int
bus_prop_append(sd_bus_message *reply, const struct bus_prop *p,
    const void *base)
{
	const char	*at = (const char *)base + p->off;
	int		 b;

	switch (p->kind) {
	case BUS_PROP_STR:	/* "s" or "o": one basic type */
		return sd_bus_message_append_basic(reply, p->sig[0],
		    *(char *const *)(const void *)at);
	case BUS_PROP_BOOL:
		b = *(const int *)(const void *)at != 0;
		return sd_bus_message_append_basic(reply, 'b', &b);
	case BUS_PROP_U32:
		return sd_bus_message_append_basic(reply, 'u', at);
	case BUS_PROP_I64:
		return sd_bus_message_append_basic(reply, 'x', at);
	case BUS_PROP_U64:
		return sd_bus_message_append_basic(reply, 't', at);
	default:
		return -EINVAL;
	}
}

void
bus_props_changed(const char *path, const char *iface,
    const struct bus_prop *props, size_t n, uint32_t bits)
{
	const char	*names[33];
	size_t		 i, k = 0;

	for (i = 0; i < n && k < 32; i++)
		if (props[i].bit & bits)
			names[k++] = props[i].name;
	names[k] = NULL;
	if (k > 0)
		sd_bus_emit_properties_changed_strv(dbus, path, iface,
		    (char **)names);
}

char *
bus_path(const char *prefix, unsigned n)
{
	return xasprintf("%s/%u", prefix, n);
}

static unsigned
bus_kind_n(const struct bus_kind *k, const void *o)
{
	return *(const unsigned *)(const void *)((const char *)o + k->n_off);
}

char *
bus_kind_path(const struct bus_kind *k, const void *o)
{
	return bus_path(k->prefix, bus_kind_n(k, o));
}

void *
bus_find_path(const struct bus_kind *k, const char *path)
{
	char		*end;
	unsigned long	 v;
	size_t		 len = strlen(k->prefix);
	void		*o;

	if (strncmp(path, k->prefix, len) != 0 || path[len] != '/' ||
	    path[len + 1] < '0' || path[len + 1] > '9')
		return NULL;
	v = strtoul(path + len + 1, &end, 10);
	if (*end != '\0' || v > UINT32_MAX)
		return NULL;
	for (o = k->next(NULL); o != NULL; o = k->next(o))
		if (bus_kind_n(k, o) == v)
			return o;
	return NULL;
}

static int
bus_find_cb(sd_bus *bus, const char *path, const char *interface,
    void *userdata, void **found, sd_bus_error *error)
{
	void	*o;

	if ((o = bus_find_path(userdata, path)) == NULL)
		return 0;
	*found = o;
	return 1;
}

static int
bus_enumerate_cb(sd_bus *bus, const char *prefix, void *userdata,
    char ***nodes, sd_bus_error *error)
{
	const struct bus_kind	*k = userdata;
	char			**v;
	void			*o;
	size_t			 n = 0;

	for (o = k->next(NULL); o != NULL; o = k->next(o))
		n++;
	v = xcalloc(n + 1, sizeof(*v));
	n = 0;
	for (o = k->next(NULL); o != NULL; o = k->next(o))
		v[n++] = bus_kind_path(k, o);
	*nodes = v;
	return 1;
}

int
bus_kind_add(sd_bus *bus, const struct bus_kind *k, const sd_bus_vtable *vt)
{
	int	r;

	if ((r = bus_kind_add_iface(bus, k, k->iface, vt)) < 0)
		return r;
	return sd_bus_add_node_enumerator(bus, NULL, k->prefix,
	    bus_enumerate_cb, (void *)k);
}

int
bus_kind_add_iface(sd_bus *bus, const struct bus_kind *k, const char *iface,
    const sd_bus_vtable *vt)
{
	return sd_bus_add_fallback_vtable(bus, NULL, k->prefix, iface, vt,
	    bus_find_cb, (void *)k);
}
