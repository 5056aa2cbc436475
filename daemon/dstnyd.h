/* dstnyd.h: the daemon's shared types and the functions modules offer each other. */
#ifndef DSTNYD_H
#define DSTNYD_H

#include <sys/queue.h>

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "callstate.h"
#include "conf.h"
#include "contacts.h"
#include "directory.h"
#include "error.h"
#include "forward.h"
#include "presence.h"
#include "http.h"
#include "routes.h"
#include "userline.h"
#include "voicemail.h"

struct event_base;
struct json_object;
struct ticket;
struct dstream;
struct tombs;

enum ustate {
	USTATE_STARTING,
	USTATE_ONLINE,
	USTATE_DEGRADED,	/* events not flowing; state.user is polled */
	USTATE_OFFLINE,		/* the Core is unreachable */
	USTATE_UNAUTHORIZED,
};

/* Why a call left the cache (CallRemoved's reason). */
#define REASON_ENDED		"ended"
#define REASON_PARKED		"parked"
#define REASON_TRANSFERRED	"transferred"
#define REASON_RESYNC		"resync"
#define REASON_SHUTDOWN		"shutdown"

struct dcall {
	struct duser		*user;
	unsigned		 n;		/* /org/dstnyd/Cti1/Call/<n> */
	char			*id;
	struct call_state	*cs;
	uint64_t		 first_seen;
	uint64_t		 active_since;
	uint64_t		 applied_seq;	/* newest response applied */
	uint64_t		 applied_at;	/* cache_seq() when it was applied */
	/*
	 * An answer to our own action that was older than the state applied
	 * and disagreed with it, while the fetch it caused settles which is
	 * current: actions may be checked against it (actions.c).
	 */
	struct call_state	*alt;
	unsigned		 actions_out;	/* our actions awaiting answers */
	int			 absent_seen;	/* state.user lacked it meanwhile */
	/* SSE: a state the call's stream has yet to show (cache_await). */
	int64_t			 await_token;
	int64_t			 await_passed;	/* the last stream token dropped */
	uint64_t		 await_since;	/* now_usec() */
	uint64_t		 fetch_req;	/* state.call in flight, 0: none */
	uint64_t		 fetch_seq;
	int			 fetch_again;
	struct dstream		*stream;	/* state.call.sse */
	TAILQ_ENTRY(dcall)	 entry;
};
TAILQ_HEAD(dcall_list, dcall);

struct core_req;
TAILQ_HEAD(core_req_list, core_req);

/* A distribution group the user belongs to: a Queue object. */
struct dqueue {
	struct duser		*user;
	unsigned		 n;		/* /org/dstnyd/Cti1/Queue/<n> */
	struct queue_info	 q;
	uint64_t		 stats_seq;	/* the newest statistics applied */
	TAILQ_ENTRY(dqueue)	 entry;
};
TAILQ_HEAD(dqueue_list, dqueue);

/*
 * A user's state, grouped by the module that owns it: only that module
 * reads or writes its group (the others ask it through functions). They
 * are members, not pointers: a user costs no allocation per module.
 */
/* cache.c: the coalesced state.user, the calls removed lately. */
struct cache_user {
	uint64_t		 fetch;		/* state.user in flight */
	uint64_t		 fetch_seq;
	int			 fetch_again;
	const char		*fetch_reason;
	struct tombs		*tombs;
};
/* queues.c: the coalesced groups.list, and the statistics stream's health. */
struct queues_user {
	uint64_t		 fetch;		/* groups.list in flight */
	uint64_t		 fetch_seq;
	int			 again;
	int			 stats_ok;	/* the statistics stream delivers */
	struct event		*poll_ev;	/* groups.list while it does not */
};
/* streams.c: the user's own streams (SSE mode; the queue's in both). */
struct streams_user {
	struct dstream		*dialog;
	struct dstream		*device;
	struct dstream		*queue;
};
/* favourites.c: a favourite of the user, a Contact object (issue 22). */
struct dfav {
	struct duser		*user;
	unsigned		 n;		/* /org/dstnyd/Cti1/Contact/<n> */
	struct contact		 c;
	struct dstream		*line;		/* contact.linestate.sse; NULL: polled */
	struct dstream		*presence;	/* contact.presence.sse */
	uint64_t		 line_seq;	/* the newest stream event applied */
	uint64_t		 pres_seq;
	char			**dialogs;	/* its live dialogs' ids */
	size_t			 ndialogs;
	TAILQ_ENTRY(dfav)	 entry;
};
TAILQ_HEAD(dfav_list, dfav);
/* favourites.c: the list and its coalesced contacts.list. */
struct favs_user {
	struct dfav_list	 list;
	uint64_t		 fetch;
	uint64_t		 fetch_seq;
	int			 again;
	int			 loaded;	/* the list came once */
};
/* hooks.c: the user webhook's registration (each registration is in hooks.c). */
struct hooks_user {
	time_t			 user_expires;
};
/* history.c: the Communication Log's counters (issue 21). */
struct history_user {
	uint64_t		 fetch;		/* history.list in flight */
	int			 again;		/* one more after it */
	int			 full;		/* the next fetch reads everything */
	int64_t			 newest;	/* the newest itemId counted */
	int64_t			*unseen;	/* unseen MISSED_CALL items */
	size_t			 nunseen;
	int64_t			*unplayed;	/* unplayed VOICEMAIL items */
	size_t			 nunplayed;
};
/* presence.c: presence, activities and shortcuts (issue 21). */
/* profile.c: one coalesced read (a GET in flight, and one more after it). */
struct profile_fetch {
	uint64_t		 id;
	int			 again;
};
struct presence_user {
	struct presence		 p;
	struct activity_list	 acts;
	struct shortcut_list	 scs;
	struct profile_fetch	 fetch_f;	/* presence.get */
	struct profile_fetch	 acts_f;	/* no again: asked when idle */
	struct profile_fetch	 scs_f;
};
/* forward.c: call forwarding (issue 21 part 3). */
struct forward_user {
	struct fwd_rules	 rules;		/* the rules that forward, the lines */
	int			 rules_read;
	char			*number;	/* the active diversion number */
	struct fwd_mappings	 map;		/* activity diversions */
	struct profile_fetch	 rules_f;
	struct profile_fetch	 number_f;
	struct profile_fetch	 map_f;
};
/* callerid.c: caller ID of outgoing calls (issue 21 part 4). */
struct callerid_user {
	struct userline		 active;
	struct userline_list	 lines;
	struct profile_fetch	 active_f;
	struct profile_fetch	 lines_f;
};
/* voicemail.c: voicemail settings (issue 21 part 5). */
struct voicemail_user {
	struct vm_settings	 s;
	struct profile_fetch	 fetch_f;
};
/* user.c: doubt, and what must be answered after seq to be sure again. */
struct user_doubt {
	uint64_t		 seq;
	uint64_t		 renew_seq;	/* the doubt the transport was renewed for */
	unsigned		 todo;		/* RECON_* */
};

/* keyring.c: the password lookup in the Secret Service (password = keyring). */
struct keyring_user {
	uint64_t		 req;		/* lookup in flight, 0: none */
	int			 again;		/* one more after it */
	int			 waiting;	/* no password: look again on a change */
	int			 refused;	/* the Core refused the one we have */
};

struct duser {
	unsigned		 n;		/* /org/dstnyd/Cti1/User/<n> */
	char			*name;		/* "" for the main user */
	char			*domain;
	char			*user;
	long long		 owner;		/* a uid, or CONF_OWNER_ROOT */
	struct ticket		*ticket;
	int			 ticket_ok;
	unsigned		 ticket_gen;	  /* counts the tickets made usable */
	int			 ticket_accepted; /* the Core answered with it */
	unsigned		 ticket_revoked;  /* refused before it expired */
	time_t			 ticket_revoked_at;
	char			 why[256];	/* the last trouble, for status */
	enum ustate		 state;
	enum conf_transport	 transport;
	struct device_list	 devices;
	struct dcall_list	 calls;
	struct dqueue_list	 queues;
	struct core_req_list	 reqs;		/* in flight or waiting for a ticket */
	int			 ready;		/* the first state.user succeeded */
	int			 reachable;	/* the Core answered lately */
	int			 events_ok;	/* the transport delivers */
	int			 unauthorized;
	int			 started;	/* transport started */
	int			 stopping;
	int			 stop_pending;
	void			 (*stop_done)(void *);
	void			*stop_arg;
	uint64_t		 devices_fetch;
	uint64_t		 devices_fetch_seq;
	int			 devices_again;
	time_t			 last_event;	/* when events last flowed */
	int			 queued;	/* waiting for its turn to start */
	int			 launching;	/* started, not yet past STARTING */
	struct event		*poll_ev;	/* degraded/offline polling */
	struct user_doubt	 doubt;
	struct cache_user	 cache;
	struct queues_user	 qs;
	struct streams_user	 streams;
	struct hooks_user	 hooks;
	/* issue 21 */
	struct history_user	 history;
	struct presence_user	 pres;
	struct favs_user	 favs;
	struct keyring_user	 kr;
	/* issue 21 parts 3-5 */
	struct forward_user	 fwd;
	struct callerid_user	 cid;
	struct voicemail_user	 vm;
	unsigned		 settings_tick;	/* which one the keepalive reads */
	TAILQ_ENTRY(duser)	 entry;
};
TAILQ_HEAD(duser_list, duser);

/* main.c: the event loop, the users, reload and shutdown. */
extern struct event_base	*dbase;
extern struct http		*dhttp;
extern struct conf		*dconf;
extern struct duser_list	 dusers;
uint64_t	 now_usec(void);
/* STATUS=... for systemd, after a user's state changed. */
void		 daemon_status_changed(void);
/* Cannot go on: stop as on SIGTERM, and exit with status 1. */
void		 daemon_fail(void);

/* listen.c: the listeners' share of descriptors, and one in reserve for EMFILE. */
struct evconnlistener;
void		 listen_init(void);
void		 listen_free(void);
size_t		 listen_cap(size_t want);
void		 listen_accept_error(struct evconnlistener *, const char *what);

/* notify.c: READY=1, STATUS=..., WATCHDOG=1 to $NOTIFY_SOCKET, never blocking. */
void		 notify_send(const char *, ...) __attribute__((format(printf, 1, 2)));
void		 notify_flush(void);
void		 notify_free(void);

/* trim.c: give the heap back after a burst of parsing. */
void		 trim_note(size_t bytes);
void		 trim_soon(void);
void		 trim_free(void);

/* core.c: authenticated requests to the Core for a user. */
typedef void (*core_cb)(struct duser *, const struct http_resp *, void *arg);
struct core_opts {
	const struct route_var	*vars;		/* besides {domain} and {user} */
	const struct query	*query;
	const char		*body;
	http_data_cb		 stream;
	const char		*accept;
	const char		*last_event_id;
	void			*stream_arg;
	/* Called with arg when the request is cancelled before it answers. */
	void			(*arg_free)(void *);
};
uint64_t	 core_send(struct duser *, enum route_id, const struct core_opts *,
		    core_cb, void *arg);
void		 core_cancel(struct duser *, uint64_t id);
void		 core_background(int);
void		 core_cancel_all(struct duser *);
void		 core_ticket_changed(struct duser *, enum dstny_err,
		    const char *msg);

/* cache.c: the call cache keyed by stateToken. */
uint64_t	 cache_seq(void);
struct dcall	*cache_find(struct duser *, const char *call_id);
struct dcall	*cache_next(const struct dcall *);
/* A hint that call_id may have changed; token 0 when unknown. */
void		 cache_hint(struct duser *, const char *call_id, int64_t token);
/* Fetch state.user (coalesced) and reconcile; absent calls get reason. */
void		 cache_fetch_user(struct duser *, const char *absent_reason);
/* The same, unless a state.user sent after seq is applied or on its way. */
/* A hint that the user's state changed: a coalesced state.user. */
void		 cache_hint_user(struct duser *);
void		 cache_fetch_user_since(struct duser *, uint64_t seq,
		    const char *absent_reason);
/*
 * Apply a CallState (consumed) from an authenticated answer sent at seq.
 * Returns the call, or NULL when it ended (the call is gone then).
 */
struct dcall	*cache_apply(struct duser *, struct call_state *, uint64_t seq);
/* Properties beyond the CallState's (bits above CALL_PROP_*). */
#define CALL_PROP_ACTIVE_SINCE	(1u << 25)
#define CALL_PROP_NAME_SOURCE	(1u << 26)	/* contacts.c */
void		 cache_reconcile(struct duser *, struct user_state *,
		    uint64_t seq, const char *absent_reason);
void		 cache_remove(struct dcall *, const char *reason);
void		 cache_clear(struct duser *, const char *reason);
void		 cache_fetch_call(struct dcall *);
void		 cache_fetch_call_since(struct dcall *, uint64_t seq);
/*
 * SSE: an answer of ours, applied, is ahead of the call's stream: events
 * the stream still holds from before it are older news.
 */
void		 cache_await(struct dcall *, int64_t token);
/* A CallState read from the call's own stream (consumed). */
void		 cache_stream_event(struct duser *, struct call_state *);
void		 cache_user_free(struct duser *);

/* emit.c: tell the bus, the socket and the transport what changed. */
void		 emit_call_added(struct dcall *);
void		 emit_call_changed(struct dcall *, uint32_t props,
		    const char *old_status);
void		 emit_call_removed(struct dcall *, const char *reason);
void		 emit_user_changed(struct duser *, const char *property);
void		 emit_devices_changed(struct duser *);
void		 emit_queue_added(struct dqueue *);
void		 emit_queue_changed(struct dqueue *, uint32_t props);
void		 emit_queue_removed(struct dqueue *);

/* user.c: one monitored user, its state, doubt and reconciliation. */
struct duser	*user_new(const struct conf *, const struct conf_user *,
		    unsigned n, char *err, size_t errlen);
void		 user_start(struct duser *);
void		 user_stop(struct duser *, void (*done)(void *), void *arg);
void		 user_free(struct duser *);
void		 user_keepalive_free(void);
void		 user_set_state(struct duser *, enum ustate);
/* Offline or Unauthorized (with msg) when no action can reach the Core now. */
enum dstny_err	 user_refusal(const struct duser *, const char **msg);
const char	*user_state_name(enum ustate);
struct duser	*user_find(const char *user);	/* by user id; NULL: the first */
/* May uid control u's calls? Its owner and root may (interfaces.md 3). */
int		 user_controls(const struct duser *, uid_t uid);
/* A request to the Core failed or succeeded: update reachability. */
void		 user_core_result(struct duser *, const struct http_resp *);
/* Work State out again from what is known; emits StateChanged. */
void		 user_update_state(struct duser *);
/* Events arrived over the transport. */
void		 user_events_flowing(struct duser *);
/* why NULL: the transport was refused (4xx), not lost: no doubt. */
void		 user_events_lost(struct duser *, const char *why);
void		 user_fetch_devices(struct duser *);
/* Resync (D-Bus) and resync (socket): fetch calls, devices and queues again. */
void		 user_resync(struct duser *);
/* The same, unless one sent after seq is in flight. */
void		 user_fetch_devices_since(struct duser *, uint64_t seq);
/*
 * Doubt: a connection to the Core was lost, or an answer failed where one
 * was due. The user is degraded until a reconciliation has fetched its
 * calls, queues and devices and renewed its event transport, each with a
 * request sent after the doubt arose.
 */
#define RECON_CALLS	0x1u
#define RECON_QUEUES	0x2u
#define RECON_DEVICES	0x4u
#define RECON_EVENTS	0x8u
#define RECON_ALL	0xfu
void		 user_doubt(struct duser *, const char *why);
/* Send what a reconciliation still needs (nothing without doubt). */
void		 user_reconcile(struct duser *);
/* An answer to a request sent at seq confirmed part (RECON_*). */
void		 user_reconciled(struct duser *, unsigned part, uint64_t seq);
/* The transport finished one of the deletions user_stop() waits for. */
void		 user_stop_step(struct duser *);

/* The keyring gave a password: get a ticket with it. */
void		 user_keyring_ready(struct duser *);
/* The keyring gave none (locked, absent, no service): msg says why. */
void		 user_keyring_failed(struct duser *, const char *msg);

/* keyring.c: password = keyring, on the daemon's (session) bus. */
/* Read u's password from the Secret Service, then user_keyring_*(). */
void		 keyring_fetch(struct duser *);
void		 keyring_free(void);

/* streams.c: the SSE transport. */
void		 streams_user_start(struct duser *);
void		 streams_user_stop(struct duser *);
void		 streams_call_start(struct dcall *);
void		 streams_call_stop(struct dcall *);
void		 streams_queue_start(struct duser *);
void		 streams_queue_stop(struct duser *);
/* A favourite's line state (0) or presence (1) stream (favourites.c). */
struct dstream	*streams_contact_start(struct duser *, const char *cid,
		    int presence);
void		 streams_contact_stop(struct dstream *);
/* Is it connected (NULL: no)? */
int		 streams_delivering(const struct dstream *);
/* Reconnect now every stream of the user that is waiting to. */
void		 streams_user_reopen(struct duser *);
/* Are the user's SSE streams started (not before start, nor once stopped)? */
int		 streams_user_active(const struct duser *);
void		 streams_free(void);

/* hooks.c: the webhook transport. */
int		 hooks_listen(const struct conf *, char *err, size_t errlen);
void		 hooks_close(void);
void		 hooks_user_start(struct duser *);
void		 hooks_user_renew(struct duser *);
void		 hooks_user_restore(struct duser *);
void		 hooks_user_stop(struct duser *);
void		 hooks_call_start(struct dcall *);
void		 hooks_call_stop(struct dcall *);

/* actions.c: call control, shared by D-Bus and the socket. */
enum call_op {
	OP_ANSWER, OP_HANGUP, OP_HOLD, OP_RESUME, OP_MUTE, OP_UNMUTE, OP_PARK,
	OP_MOVE, OP_TRANSFER, OP_TRANSFER_TO_CALL, OP_SWAP, OP_CONFERENCE,
	OP_LEAVE_CONFERENCE, OP_REMOVE_PARTICIPANT, OP_DTMF, OP_CONSULT,
	OP_REC_START, OP_REC_STOP, OP_REC_PAUSE, OP_REC_RESUME, OP_REC_SAVE,
	OP_REC_DISCARD, OP_MAKE,
};
struct action_args {
	const char	*device;
	const char	*destination;
	const char	*digits;
	const char	*participant;
	const char	*role;
	const char	*type;
	const char	*line_type;
	int		 line_group;
	int		 has_line_group;
	struct dcall	*target;
	int		 blind;
	int		 wait_for_answer;
	int64_t		 state_token;
	int		 has_state_token;
};
/*
 * err DSTNY_OK with call (the new call for make/consult; NULL when it is
 * gone) and answer, the Core's CallState in reply to the action as JSON
 * (NULL when there was none); else an error and msg.
 */
typedef void (*action_cb)(enum dstny_err, const char *msg, struct dcall *,
    const char *answer, void *arg);
void		 action_run(struct duser *, struct dcall *, enum call_op,
		    const struct action_args *, action_cb, void *arg);
void		 action_linestate(struct duser *, const char *external_id,
		    int64_t expires_on, int clear, action_cb, void *arg);
/*
 * What a successful answer changes, for an action that changes more than
 * the caller is told: 1 when it set *call and *answer (malloc'd), else 0.
 */
typedef int (*action_apply_cb)(struct duser *, const struct http_resp *,
    uint64_t seq, struct dcall **call, char **answer);
/*
 * Send an action's request (o->arg_free is set here): its outcome goes to
 * cb once, whatever happens, and is logged when it fails; the call, when
 * there is one, is refetched on StateConflict or NotFound.
 */
void		 action_send(struct duser *, enum route_id, struct core_opts *o,
		    const struct dcall *, action_apply_cb, action_cb, void *arg);

/* queues.c: distribution groups and live queue statistics. */
void		 queues_start(struct duser *);
void		 queues_stop(struct duser *);
void		 queues_fetch(struct duser *);
void		 queues_fetch_since(struct duser *, uint64_t seq);
void		 queues_apply_stats_xml(struct duser *, const char *, size_t);
void		 queues_stream_state(struct duser *, int ok);
/* Does the statistics stream deliver (else groups.list is polled)? */
int		 queues_delivering(const struct duser *);
struct dqueue	*queue_next(const struct dqueue *);
struct dqueue	*queue_find_id(struct duser *, int64_t id);
void		 queue_login(struct duser *, struct dqueue *, int login,
		    action_cb, void *arg);

/* bus.c, bus-user.c, bus-call.c, bus-queue.c: D-Bus. */
int		 bus_open(const struct conf *, char *err, size_t errlen);
void		 bus_close(void);
int		 bus_ready(void);
void		 bus_user_added(struct duser *);
void		 bus_user_removed(struct duser *);
void		 bus_user_changed(struct duser *, const char *const *props);
void		 bus_call_added(struct dcall *);
void		 bus_call_changed(struct dcall *, uint32_t props,
		    const char *old_status);
void		 bus_call_removed(struct dcall *, const char *reason);
char		*bus_user_path(const struct duser *);
char		*bus_queue_path(const struct dqueue *);
void		 bus_queue_added(struct dqueue *);
void		 bus_queue_changed(struct dqueue *, uint32_t props);
void		 bus_queue_removed(struct dqueue *);
/* The socket's view of a queue, from the Queue property table. */
struct json_object *queue_view(const struct dqueue *);
char		*bus_call_path(const struct dcall *);

/* contacts.c: directory search and caller names (issue 22). */
struct contact;
struct contact_list;
/* err DSTNY_OK with the contacts (NULL otherwise), else msg. */
typedef void (*contacts_cb)(enum dstny_err, const char *msg,
    const struct contact_list *, void *arg);
void		 contacts_search(struct duser *, const char *query,
		    unsigned max, contacts_cb, void *arg);
/* The socket's ContactView. */
struct json_object *contact_view(const struct contact *);
/* RemoteName and RemoteNameSource: core, directory, personal or "". */
const char	*contacts_call_name(const struct dcall *, const char **source);
/* A call appeared (or its number changed): look its caller up. */
void		 contacts_call_added(struct dcall *);
/* Its remote party changed: a name for another number goes; the bits. */
uint32_t	 contacts_call_renamed(struct dcall *);
void		 contacts_call_removed(struct dcall *);
void		 contacts_free(void);
/*
 * issue 21: the user's own settings (history.c, presence.c). Results are
 * JSON, the socket's view; the bus turns them into its types. cb is
 * called once, result borrowed (NULL on error).
 */
typedef void (*profile_cb)(enum dstny_err, const char *msg,
    struct json_object *result, void *arg);
/* history.c: missed calls and the Communication Log. */
struct history_filter {
	const char	*types[8];	/* itemType, each checked */
	size_t		 ntypes;
	int64_t		 since;		/* Unix time, 0: none */
	int64_t		 until;
	const char	*number;
	int64_t		 limit;		/* 0: the Core's default */
	int64_t		 older;		/* itemId paging: olderThan */
	int64_t		 newer;		/* since (an itemId) */
};
void		 history_start(struct duser *);
/* Items newer than the newest known (coalesced); full: read them all. */
void		 history_refresh(struct duser *, int full);
void		 history_user_free(struct duser *);
uint32_t	 history_missed(const struct duser *);
uint32_t	 history_unplayed(const struct duser *);
/* {user, missedCalls, unplayedVoicemails} */
struct json_object *history_counts_json(const struct duser *);
/* InvalidArgument naming the field (msg in err) or DSTNY_OK. */
enum dstny_err	 history_filter_check(const struct history_filter *,
		    char *err, size_t errlen);
void		 history_list(struct duser *, const struct history_filter *,
		    profile_cb, void *);
/* ids (n of them) and/or every item up to until (0: none). */
void		 history_mark_seen(struct duser *, const int64_t *ids, size_t n,
		    int64_t until, profile_cb, void *);
void		 history_delete(struct duser *, const int64_t *ids, size_t n,
		    profile_cb, void *);
/* presence.c: presence and do-not-disturb. */
void		 presence_start(struct duser *);
/* presence.get (coalesced); all: activities and shortcuts too. */
void		 presence_refresh(struct duser *, int all);
void		 presence_user_free(struct duser *);
struct json_object *presence_view(const struct duser *);
/*
 * activity (known to the user), available, note (NULL: unchanged),
 * expires (Unix time, 0: no end).
 */
void		 presence_set(struct duser *, const char *activity,
		    int available, const char *note, int64_t expires,
		    profile_cb, void *);
/* Result {done: "what was done"}. */
void		 presence_apply_shortcut(struct duser *, const char *id,
		    profile_cb, void *);
/* forward.c: call forwarding (issue 21 part 3). */
#define FWD_RULES	0x1
#define FWD_NUMBER	0x2
#define FWD_MAPPING	0x4
/* Read again (coalesced) what the FWD_* bits name. */
void		 forward_refresh(struct duser *, int what);
/* diversion.number.put's answer (presence.c's shortcut): the new number. */
void		 forward_number_answer(struct duser *, const struct http_resp *);
void		 forward_user_free(struct duser *);
struct json_object *forward_view(const struct duser *);
/*
 * type: CFWD_* (or its short name), number: to divert to, line: PRIMARY
 * or SECONDARY ("" or NULL: PRIMARY). Result {}.
 */
void		 forward_set(struct duser *, const char *type,
		    const char *number, const char *line, profile_cb, void *);
/* type and line "" or NULL: every rule that forwards. Result {cleared}. */
void		 forward_clear(struct duser *, const char *type,
		    const char *line, profile_cb, void *);
/* callerid.c: the caller ID of outgoing calls (issue 21 part 4). */
void		 callerid_refresh(struct duser *, int all);
void		 callerid_user_free(struct duser *);
struct json_object *callerid_view(const struct duser *);
void		 callerid_set(struct duser *, const char *type, int64_t group,
		    profile_cb, void *);
/* voicemail.c: voicemail settings (issue 21 part 5). */
void		 voicemail_refresh(struct duser *);
void		 voicemail_user_free(struct duser *);
struct json_object *voicemail_view(const struct duser *);
/* changes: {key: value} by the Core's keys or the D-Bus property names. */
void		 voicemail_set(struct duser *, struct json_object *changes,
		    profile_cb, void *);
/* profile.c: when the user starts, at each keepalive, when a call ends. */
void		 profile_fetch(struct duser *, struct profile_fetch *,
		    enum route_id, core_cb);
/* At the end of f's answer: sends the one more asked for meanwhile. */
void		 profile_fetch_done(struct duser *, struct profile_fetch *,
		    enum route_id, core_cb);
void		 profile_read_failed(struct duser *, enum route_id,
		    const struct http_resp *, const char *err);
void		 profile_start(struct duser *);
void		 profile_keepalive(struct duser *);
void		 profile_call_ended(struct duser *);
void		 profile_resync(struct duser *);
void		 profile_user_free(struct duser *);
/* emit.c */
#define HISTORY_PROP_COUNTS	0x1u
void		 emit_history_changed(struct duser *, struct json_object *items);
void		 emit_presence_changed(struct duser *, const char *const *props);
/* bus-history.c, bus-presence.c */
void		 bus_history_changed(struct duser *);
void		 bus_presence_changed(struct duser *, const char *const *props);
/* issue 21 parts 3-5 (emit.c, bus-settings.c) */
void		 emit_forward_changed(struct duser *, const char *const *props);
void		 emit_callerid_changed(struct duser *, const char *const *props);
void		 emit_voicemail_changed(struct duser *, const char *const *props);
void		 bus_forward_changed(struct duser *, const char *const *props);
void		 bus_callerid_changed(struct duser *, const char *const *props);
void		 bus_voicemail_changed(struct duser *, const char *const *props);

/* favourites.c: favourites as live Contact objects (issue 22). */
#define FAV_PROP_NAME		(1u << 0)
#define FAV_PROP_COMPANY	(1u << 1)
#define FAV_PROP_NUMBERS	(1u << 2)
#define FAV_PROP_AVAILABLE	(1u << 3)
#define FAV_PROP_ACTIVITY	(1u << 4)
#define FAV_PROP_NOTE		(1u << 5)
#define FAV_PROP_IN_CALL	(1u << 6)
struct dfav	*fav_next(const struct dfav *);
struct dfav	*fav_find(struct duser *, const char *cid);
void		 favourites_start(struct duser *);
void		 favourites_stop(struct duser *);
void		 favourites_fetch(struct duser *);
void		 favourites_fetch_since(struct duser *, uint64_t seq);
void		 favourites_keepalive(struct duser *);
/* A stream's event for the favourite cid: 1 when it carried its state. */
int		 favourites_line_event(struct duser *, const char *cid,
		    const char *, size_t);
int		 favourites_presence_event(struct duser *, const char *cid,
		    const char *, size_t);
/* buddy.add (add) or buddy.delete; the outcome to cb, as an action's. */
void		 favourites_change(struct duser *, const char *cid, int add,
		    action_cb, void *arg);
void		 emit_favourite_added(struct dfav *);
void		 emit_favourite_changed(struct dfav *, uint32_t props);
void		 emit_favourite_removed(struct dfav *);
void		 bus_favourite_added(struct dfav *);
void		 bus_favourite_changed(struct dfav *, uint32_t props);
void		 bus_favourite_removed(struct dfav *);
char		*bus_favourite_path(const struct dfav *);
/* The socket's view: ContactView with path and user. */
struct json_object *favourite_view(const struct dfav *);

/* rpc.c: the Unix socket. */
int		 rpc_listen(const struct conf *, char *err, size_t errlen);
void		 rpc_close(void);
void		 rpc_notify(const char *topic, const char *method,
		    struct json_object *params);
/* call.added / call.changed for c to the clients following calls. */
void		 rpc_notify_call(const char *method, const struct dcall *c);
struct json_object *rpc_call_view(const struct dcall *);

#endif
