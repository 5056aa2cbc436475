/* desktop.h: dstny-desktop's shared state: the loop, the bus, the calls it mirrors. */
#ifndef DSTNY_DESKTOP_H
#define DSTNY_DESKTOP_H

#include <sys/queue.h>

#ifndef TAILQ_FOREACH_SAFE
#define TAILQ_FOREACH_SAFE(var, head, field, tvar)			\
	for ((var) = TAILQ_FIRST(head);					\
	    (var) != NULL && ((tvar) = TAILQ_NEXT(var, field), 1);	\
	    (var) = (tvar))
#endif

#include <stdint.h>

#include <systemd/sd-bus.h>

#include "deskconf.h"

#define DSTNY_BUS_NAME		"org.dstnyd.Cti1"
#define DSTNY_BUS_ROOT		"/org/dstnyd/Cti1"
#define DSTNY_CALL_IFACE	"org.dstnyd.Cti1.Call"
#define DSTNY_USER_IFACE	"org.dstnyd.Cti1.User"

struct event_base;

/*
 * A call as dstnyd shows it, keyed by its CallId: object paths change when
 * dstnyd restarts, the call (and its notification) does not.
 */
struct desk_call {
	TAILQ_ENTRY(desk_call)	 entry;
	char			*call_id;
	char			*path;		/* NULL while dstnyd is away */
	char			*user_path;
	char			*status;
	int			 inbound;
	char			*name;
	char			*number;	/* RemoteNumber, else from RemoteUri */
	char			*uri;
	char			*queue;		/* the group it came through, or "" */
	char			*device;	/* first of DeviceIds, or "" */
	int			 ever_active;	/* ACTIVE at some point */
	int			 stale;		/* not in the last GetManagedObjects */
	uint32_t		 note_id;	/* the incoming-call notification */
	int			 note_pending;	/* a Notify is on its way */
	int			 note_dirty;	/* changed meanwhile */
	int			 note_dismissed; /* closed by the user */
	int			 declined;	/* hung up from the notification */
	unsigned		 events;	/* DESK_ON_* seen so far */
	uint64_t		 fired[3];	/* per event, the rules done */
	int			 media_seen;	/* players were looked at for it */
};
TAILQ_HEAD(desk_calls, desk_call);

extern struct event_base	*desk_base;
extern sd_bus			*desk_bus;
extern struct desk_conf		*desk_conf;
extern struct desk_calls	 desk_calls;

/* main.c */
void	 desk_bus_update(void);
void	 desk_quit(void);
/*
 * Send m and call cb with its reply; arg is given to cb and then to
 * freefn (also when no reply ever comes, as at exit).
 */
int	 desk_call_async(sd_bus_message *m, sd_bus_message_handler_t cb,
	    void *arg, void (*freefn)(void *));

/* calls.c: the mirror of dstnyd's objects. */
int	 calls_start(void);
void	 calls_stop(void);
/* The call's fields for templates and filters (pointers into c). */
void	 calls_fields(const struct desk_call *, struct desk_fields *);
/* The call's user's id, and its device's name ("" when unknown). */
const char *calls_user_id(const struct desk_call *);
const char *calls_device_name(const struct desk_call *);
int	 calls_ringing(const struct desk_call *);

/* popup.c: [popup] rules. */
void	 popup_call_update(struct desk_call *, int quiet);
void	 popup_default(const struct desk_fields *);

/* media.c: MPRIS players, [media] pause. */
void	 media_call_update(struct desk_call *);
void	 media_call_gone(void);
void	 media_stop(void);

/* notify.c: org.freedesktop.Notifications. */
int	 notify_start(void);
void	 notify_stop(void);
void	 notify_call_changed(struct desk_call *);
void	 notify_call_ended(struct desk_call *, const char *reason);

#endif
