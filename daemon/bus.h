/* bus.h: what the D-Bus modules share (bus.c, bus-user.c, bus-call.c, bus-queue.c). */
#ifndef DSTNYD_BUS_H
#define DSTNYD_BUS_H

#include <systemd/sd-bus.h>

#include "dstnyd.h"

#define DSTNY_BUS_NAME	"org.dstnyd.Cti1"
#define DSTNY_BUS_IFACE	"org.dstnyd.Cti1"
#define DSTNY_BUS_ROOT	"/org/dstnyd/Cti1"

extern sd_bus	*dbus;

/*
 * An object kind whose objects live at <prefix>/<n>, n counting up from 0
 * and never reused (interfaces.md 2). next walks every object of the kind
 * (next(NULL) is the first); n_off is where an object keeps its n. From
 * these alone bus_kind_add() finds the object of a path and lists the
 * kind's paths for the ObjectManager and introspection.
 */
struct bus_kind {
	const char	*prefix;
	const char	*iface;
	void		*(*next)(void *prev);
	size_t		 n_off;
};
char	*bus_path(const char *prefix, unsigned n);
char	*bus_kind_path(const struct bus_kind *, const void *object);
/* The object at path, or NULL when there is none (or path is no <prefix>/<n>). */
void	*bus_find_path(const struct bus_kind *, const char *path);
/* The kind's vtable on its objects' paths, and the enumerator of them. */
int	bus_kind_add(sd_bus *, const struct bus_kind *, const sd_bus_vtable *);
/* One more interface on the kind's objects. */
int	bus_kind_add_iface(sd_bus *, const struct bus_kind *, const char *iface,
	    const sd_bus_vtable *);
extern const struct bus_kind bus_user_kind;	/* the User objects */

void	bus_update(void);
void	bus_users_changed(void);
int	bus_user_init(sd_bus *);
int	bus_call_init(sd_bus *);
int	bus_queue_init(sd_bus *);
int	bus_contact_init(sd_bus *);	/* bus-contact.c: Directory, Contact (issue 22) */
/* issue 21: interfaces beside User on the User objects */
int	bus_history_init(sd_bus *);
int	bus_presence_init(sd_bus *);
/* issue 21 parts 3-5: forwarding, caller ID, voicemail (bus-settings.c) */
int	bus_forward_init(sd_bus *);
int	bus_callerid_init(sd_bus *);
int	bus_voicemail_init(sd_bus *);
/* bus-profile.c: a method call waiting for a profile_cb; how it is answered. */
enum profile_reply {
	REPLY_NONE,
	REPLY_DICTS,	/* aa{sv} from a JSON array of objects */
	REPLY_DONE,	/* s from the result's "done" */
	REPLY_CLEARED,	/* u from the result's "cleared" */
};
void	*bus_profile_pending(sd_bus_message *, enum profile_reply);
void	bus_profile_cb(enum dstny_err, const char *msg, struct json_object *,
	    void *pending);
/* A JSON object as a{sv}: strings s, integers x, booleans b, arrays of strings as. */
int	bus_append_json_dict(sd_bus_message *, struct json_object *);
int	bus_check_owner(sd_bus_message *, const struct duser *, sd_bus_error *);
int	bus_run_login(sd_bus_message *, struct duser *, struct dqueue *, int login);
int	bus_read_options(sd_bus_message *, struct action_args *, sd_bus_error *);
int	bus_run_action(sd_bus_message *, struct duser *, struct dcall *,
	    enum call_op, const struct action_args *, int want_path);
void	bus_user_signal_call(struct dcall *, int added, const char *reason);
int	bus_run_linestate(sd_bus_message *, struct duser *, const char *id,
	    int64_t expires, int clear);

/*
 * A property of an object kind, described once (one table per kind, as
 * systemd's vtables with offsetof): its D-Bus name and signature, from
 * which the kind's vtable is built; where its value lives (a kind and an
 * offset in the struct that holds it; BUS_PROP_OTHER: the object's own
 * getter writes it); its change bit (0: constant); and its name in the
 * socket's view, where that view is built from the table.
 */
enum bus_prop_kind {
	BUS_PROP_STR,		/* char * */
	BUS_PROP_BOOL,		/* int */
	BUS_PROP_U32,		/* uint32_t */
	BUS_PROP_I64,		/* int64_t */
	BUS_PROP_U64,		/* uint64_t */
	BUS_PROP_OTHER,
};
struct bus_prop {
	const char		*name;
	const char		*sig;
	enum bus_prop_kind	 kind;
	size_t			 off;
	uint32_t		 bit;
	const char		*json;
};
#define BUS_PROPS_VTABLE_SIZE(nprops, members) \
	(1 + (nprops) + sizeof(members) / sizeof((members)[0]))
/*
 * Fill v (BUS_PROPS_VTABLE_SIZE entries) with START, a property per
 * table entry read by get, then members (methods and signals, ending
 * with SD_BUS_VTABLE_END).
 */
void	bus_props_vtable(sd_bus_vtable *v, const struct bus_prop *, size_t n,
	    sd_bus_property_get_t get, const sd_bus_vtable *members);
const struct bus_prop *bus_prop_find(const struct bus_prop *, size_t n,
	    const char *name);
/* Append the value at base (the struct the table's offsets are in). */
int	bus_prop_append(sd_bus_message *, const struct bus_prop *,
	    const void *base);
/* One PropertiesChanged naming every property whose bit is in bits. */
void	bus_props_changed(const char *path, const char *iface,
	    const struct bus_prop *, size_t n, uint32_t bits);

#endif
