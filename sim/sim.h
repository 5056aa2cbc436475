/* sim.h: dstny-coresim, a Dstny Core User API simulator; shared declarations. */
#ifndef DSTNY_SIM_H
#define DSTNY_SIM_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct evhttp_connection;
struct evhttp_request;
struct event_base;
struct json_object;
struct http;

/* One device of a simulated user. */
struct sim_device {
	char	*id;
	char	*type;
	char	*name;
	char	*status;	/* ACTIVE / INACTIVE */
};

struct sim_group {
	int64_t		 id;
	char		*domain;
	char		*name;
	char		*type;
	int		 logged_in;
	int		 night_mode;
	uint32_t	 logged_in_agents;
	uint32_t	 free_agents;
	uint32_t	 calls_waiting;
	uint32_t	 longest_waiting;
	uint32_t	 average_wait;
	uint32_t	 last_wait;
	uint32_t	 answered_24h;
	uint32_t	 dropped_24h;
	uint32_t	 total_24h;
};

struct sim_party {
	char	*type;
	char	*tel_uri;
	char	*display_name;
	char	*display_number;
};

struct sim_call {
	char			*id;
	int64_t			 token;
	char			*status;	/* RINGING INITIATED ACTIVE HELD TERMINATED */
	char			*event;
	char			*event_description;
	int			 inbound;
	int			 muted;
	int			 conference;
	struct sim_party	 remote;
	struct sim_party	*participants;
	char			**participant_ids;
	size_t			 nparticipants;
	char			*device;	/* "" while ringing everywhere */
	time_t			 answered;	/* 0 before ACTIVE */
	int			 recording;
	time_t			 recording_since;
	int			 ext_recording;
	int			 ext_paused;
	int			 ext_saved;
	char			*correlation_id;
	char			*queue;		/* came through this group, or NULL */
	struct sim_call		*next;
};

struct sim_user {
	char			*domain;
	char			*user;
	char			*password;
	struct sim_device	*devices;
	size_t			 ndevices;
	struct sim_group	*groups;
	size_t			 ngroups;
	struct sim_call		*calls;
	int			 calls_seen;	/* dialog-info version */
	struct sim_user		*next;
};

/* state.c: users, calls, tickets, line states. */
struct sim_user	*sim_user_add(const char *domain, const char *user,
		    const char *password);
struct sim_user	*sim_user_find(const char *domain, const char *user);
struct sim_user	*sim_users(void);
void		 sim_users_free(void);
void		 sim_device_add(struct sim_user *, const char *id,
		    const char *type, const char *name, const char *status);
struct sim_group *sim_group_add(struct sim_user *, int64_t id,
		    const char *name, const char *type);
struct sim_group *sim_group_find(struct sim_user *, int64_t id);
int		 sim_group_remove(struct sim_user *, int64_t id);
struct sim_call	*sim_call_find(struct sim_user *, const char *id);
struct sim_call	*sim_call_new(struct sim_user *, int inbound,
		    const char *number, const char *name, const char *device);
/* A new stateToken and every subscriber told. */
void		 sim_call_changed(struct sim_user *, struct sim_call *,
		    const char *event);
/* The user (or the far end) answers, holds, resumes, mutes or unmutes. */
int		 sim_call_press(struct sim_user *, struct sim_call *,
		    const char *what, const char *device);
/* TERMINATED, told, then gone from the user's state. */
void		 sim_call_end(struct sim_user *, struct sim_call *,
		    const char *event);
/* The call's actions right now, as CallState "actions". */
struct json_object *sim_call_actions(struct sim_user *, struct sim_call *);
int		 sim_call_allows(struct sim_user *, struct sim_call *,
		    const char *action);
struct json_object *sim_call_json(struct sim_user *, struct sim_call *);
struct json_object *sim_user_state_json(struct sim_user *);
struct json_object *sim_devices_json(struct sim_user *, int active_only);
struct json_object *sim_groups_json(struct sim_user *);
char		*sim_queues_xml(struct sim_user *);
char		*sim_dialog_xml(struct sim_user *, struct sim_call *,
		    const char *state);
int64_t		 sim_random_token(void);
char		*sim_random_hex(size_t bytes);

/* Tickets. */
char		*sim_ticket_create(struct sim_user *, const char *name,
		    long expires, time_t *expires_at);
struct sim_user	*sim_ticket_user(const char *token);
int		 sim_ticket_delete(struct sim_user *, const char *name);
void		 sim_tickets_revoke(struct sim_user *);	/* NULL: everyone's */
/* Every token ever issued, for tests that look for leaked secrets. */
struct json_object *sim_tickets_issued_json(void);

/* events.c: webhooks and SSE streams. */
enum sim_hook_kind { HOOK_USER, HOOK_CALL, HOOK_DEVICE };
enum sim_stream_kind { STREAM_CALL, STREAM_DIALOG, STREAM_DEVICE, STREAM_QUEUE,
	STREAM_CONTACT_LINE, STREAM_CONTACT_PRESENCE };

void		 events_init(struct event_base *, struct http *);
void		 events_free(void);
long		 events_hook_register(struct sim_user *, enum sim_hook_kind,
		    const char *call_id, const char *url, const char *target_id);
int		 events_hook_delete(struct sim_user *, enum sim_hook_kind,
		    const char *call_id, const char *target_id);
void		 events_stream_open(struct evhttp_request *, struct sim_user *,
		    enum sim_stream_kind, const char *call_id);
void		 events_call_changed(struct sim_user *, struct sim_call *);
void		 events_call_added_or_removed(struct sim_user *, struct sim_call *,
		    int added);
void		 events_devices_changed(struct sim_user *);
void		 events_queues_changed(struct sim_user *);
void		 events_expire_hooks(void);
/* A client connection went away: forget its streams. */
void		 events_conn_closed(struct evhttp_connection *);
void		 events_drop_streams(void);
/* Forget hooks and streams; graceful: end the streams in order first. */
void		 events_restart(int graceful);
void		 events_end_streams(void);
size_t		 events_hook_count(void);
size_t		 events_stream_count(void);
struct json_object *events_json(void);
extern long	 events_hook_lifetime;
extern long	 events_sse_keepalive;	/* seconds between ": keepalive" lines */
extern int	 events_silent;		/* changes are made, nobody is told */
extern int	 events_initial_state;	/* streams start with the current state */
extern long	 events_stream_delay_ms; /* stream requests taken that much later */
size_t		 events_streams_held(void);
size_t		 events_freeze(int kind);	/* -1: every kind */
size_t		 events_frozen_count(void);
size_t		 events_late_count(void);
/* The stream kind of a route name; -2 when it names no stream. */
int		 events_stream_kind(const char *route);

/* contacts.c: the directory, favourites, personal contacts (issue 22). */
struct evkeyvalq;
/* A contacts route: answered (1), or not one (0). */
int		 contacts_api(struct evhttp_request *, int route,
		    struct sim_user *, const char *cid, struct evkeyvalq *query);
/* /_sim/contacts[/<id>]: an HTTP status, and the answer in *out. */
int		 contacts_control(int post, const char *rest,
		    struct json_object *body, struct sim_user *,
		    struct json_object **out);
char		*contacts_dialog_xml(const char *id);
char		*contacts_pidf_xml(const char *id);
void		 contacts_free(void);
/* events.c: a contact's line state or presence stream; news of a change. */
void		 contacts_stream_open(struct evhttp_request *, struct sim_user *,
		    const char *id, int line);
void		 contacts_streams_changed(const char *id, int line, int presence);

/* api.c: the User API. */
void		 api_init(struct event_base *, const char *base_path);
int		 api_handle(struct evhttp_request *, const char *path);
struct json_object *api_linestates_json(struct sim_user *);

/* profile.c: history, presence, shortcuts, diversion number (issue 21). */
struct evkeyvalq;
int		 sim_profile_route(struct evhttp_request *, int route,
		    struct sim_user *, struct evkeyvalq *query,
		    struct json_object *body);
void		 sim_history_add(struct sim_user *, const char *type,
		    const char *number, const char *name, int seen,
		    uint32_t duration);
void		 sim_history_call_ended(struct sim_user *, struct sim_call *);
void		 sim_presence_set(struct sim_user *, struct json_object *);
struct json_object *sim_profile_json(struct sim_user *);
void		 sim_profile_free(void);
/* settings.c: forwarding rules, caller ID lines, voicemail (issue 21 parts 3-5). */
struct route_var;
int		 sim_settings_route(struct evhttp_request *, int route,
		    struct sim_user *, const struct route_var *vars,
		    struct json_object *body);
/* A rule set (number) or cleared (NULL) as if elsewhere; -1: no such line. */
int		 sim_forward_set(struct sim_user *, const char *line,
		    const char *type, const char *number);
struct json_object *sim_settings_json(struct sim_user *);
void		 sim_settings_free(void);

/* control.c: the control API, faults and the request log. */
/* churn.c: POST /_sim/churn, a stream of state changes. */
const char	*churn_start(struct event_base *, struct evhttp_request *,
		    struct sim_user *, long changes, long rate);
void		 churn_conn_closed(struct evhttp_connection *);
void		 churn_free(void);

void		 control_init(struct event_base *, const char *prefix);
void		 control_free(void);
int		 control_handle(struct evhttp_request *, const char *path);
/* Record a User API request; returns 1 when a fault answered it already. */
int		 control_fault_before(struct evhttp_request *, const char *route);
/* Send a reply, applying latency and malformed-body faults. */
void		 sim_reply(struct evhttp_request *, int status,
		    const char *content_type, const char *body);
void		 sim_reply_json(struct evhttp_request *, int status,
		    struct json_object *);	/* consumes the object */
void		 sim_reply_error(struct evhttp_request *, int status,
		    const char *code, const char *description);
long		 control_latency_ms(void);
/* A client connection went away: drop delayed replies for it. */
void		 control_conn_closed(struct evhttp_connection *);

/* main.c: take the listener away for a while ("the Core is down"). */
void		 sim_listener_down(long seconds, struct evhttp_connection *keep);
void		 sim_conn_drop(struct evhttp_connection *);
/* Cut every client connection but keep (a Core restart). */
void		 sim_conns_drop(struct evhttp_connection *keep);
/* Full and resumed TLS handshakes so far. */
struct json_object *sim_tls_json(void);

/* scenario.c */
int		 scenario_load(const char *path, char *err, size_t errlen);
void		 scenario_default_users(void);
void		 scenario_start(struct event_base *, int loop);
void		 scenario_free(void);

extern int	 sim_verbose;

#endif
