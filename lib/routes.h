/* routes.h: the upstream route table (interfaces.md 1.2) and URL building. */
#ifndef DSTNY_ROUTES_H
#define DSTNY_ROUTES_H

#include <stddef.h>

enum route_id {
	ROUTE_TICKET_CREATE,
	ROUTE_TICKET_DELETE,
	ROUTE_DEVICES_LIST,
	ROUTE_DEVICES_ACTIVE,
	ROUTE_DEVICES_WEBHOOK,
	ROUTE_DEVICES_WEBHOOK_DELETE,
	ROUTE_DEVICES_SSE,
	ROUTE_STATE_USER,
	ROUTE_STATE_CALL,
	ROUTE_STATE_USER_WEBHOOK,
	ROUTE_STATE_USER_WEBHOOK_DELETE,
	ROUTE_STATE_CALL_WEBHOOK,
	ROUTE_STATE_CALL_WEBHOOK_DELETE,
	ROUTE_STATE_CALL_SSE,
	ROUTE_STATE_DIALOG_SSE,
	ROUTE_CALL_MAKE,
	ROUTE_CALL_CONSULT,
	ROUTE_CALL_ANSWER,
	ROUTE_CALL_HANGUP,
	ROUTE_CALL_HOLD,
	ROUTE_CALL_RESUME,
	ROUTE_CALL_MUTE,
	ROUTE_CALL_UNMUTE,
	ROUTE_CALL_PARK,
	ROUTE_CALL_MOVE,
	ROUTE_CALL_TRANSFER,
	ROUTE_CALL_TRANSFERTOCALL,
	ROUTE_CALL_SWAP,
	ROUTE_CALL_CONFERENCE,
	ROUTE_CALL_LEAVECONFERENCE,
	ROUTE_CALL_REMOVEPARTICIPANT,
	ROUTE_CALL_DTMF,
	ROUTE_CALL_PICKUP,
	ROUTE_REC_START,
	ROUTE_REC_STOP,
	ROUTE_REC_PAUSE,
	ROUTE_REC_RESUME,
	ROUTE_REC_SAVE,
	ROUTE_REC_DISCARD,
	ROUTE_GROUPS_LIST,
	ROUTE_GROUPS_LOGIN,
	ROUTE_GROUPS_LOGOUT,
	ROUTE_QUEUES_SSE,
	ROUTE_LINESTATE_PUT,
	ROUTE_LINESTATE_DELETE,
	/* The directory, favourites and contact information (issue 22). */
	ROUTE_CONTACTS_LIST,
	ROUTE_BUDDY_ADD,
	ROUTE_BUDDY_DELETE,
	ROUTE_CONTACT_VCARD,
	ROUTE_CONTACT_LINESTATE_SSE,
	ROUTE_CONTACT_PRESENCE_SSE,
	ROUTE_PERSONAL_LIST,
	/* issue 21: history, presence, forwarding, caller ID, voicemail */
	ROUTE_HISTORY_LIST,
	ROUTE_HISTORY_SEEN,
	ROUTE_HISTORY_DELETE,
	ROUTE_PRESENCE_GET,
	ROUTE_PRESENCE_PUT,
	ROUTE_PRESENCE_ACTIVITIES,
	ROUTE_PRESENCE_SHORTCUTS,
	ROUTE_DIVERSION_RULES,
	ROUTE_DIVERSION_RULE_PUT,
	ROUTE_DIVERSION_RULE_DELETE,
	ROUTE_DIVERSION_NUMBER,
	ROUTE_DIVERSION_NUMBER_PUT,
	ROUTE_DIVERSION_MAPPING,
	ROUTE_USERLINE_LIST,
	ROUTE_USERLINE_ACTIVE,
	ROUTE_USERLINE_PUT,
	ROUTE_VOICEMAIL_GET,
	ROUTE_VOICEMAIL_PUT,
	ROUTE_COUNT
};

/* A value for one {placeholder}; arrays end with a { NULL, NULL } entry. */
struct route_var {
	const char	*name;
	const char	*value;
};

/* An ordered query string; a key may repeat (api=A&api=B). */
struct query;

struct routes;

struct routes	*routes_new(void);
void		 routes_free(struct routes *);
/* Replace a route's path template; checks it like routes_check(). */
int		 routes_set(struct routes *, const char *name, const char *tmpl,
		    char *err, size_t errlen);
const char	*routes_template(const struct routes *, enum route_id);
/*
 * base_url + the route's template with every {var} percent-encoded (a value
 * of dots only, such as "..", has its dots encoded too, so that it stays
 * one segment and names no parent resource), then "?" and the query. NULL (and err set) when a placeholder has no value.
 */
char		*routes_url(const struct routes *, const char *base_url,
		    enum route_id, const struct route_var *vars,
		    const struct query *, char *err, size_t errlen);

/* -1 when name is not a route. */
int		 route_lookup(const char *name);
const char	*route_name(enum route_id);
const char	*route_method(enum route_id);
const char	*route_default_template(enum route_id);
/*
 * A template must start with '/', have balanced {placeholders}, and use
 * only placeholders that the route's default template has.
 */
int		 route_check(enum route_id, const char *tmpl, char *err,
		    size_t errlen);

/* RFC 3986: unreserved characters stay, every other byte becomes %XX. */
char		*pct_encode(const char *);

struct query	*query_new(void);
void		 query_free(struct query *);
int		 query_add(struct query *, const char *key, const char *value);
/* "k=v&k2=v2", encoded; "" when empty. */
char		*query_string(const struct query *);

#endif
