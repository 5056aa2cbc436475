/* callstate.h: CallState and UserState documents, normalised (interfaces.md 1.4). */
#ifndef DSTNY_CALLSTATE_H
#define DSTNY_CALLSTATE_H

#include <stddef.h>
#include <stdint.h>

struct json_object;

struct party {
	char	*type;
	char	*tel_uri;
	char	*display_name;
	char	*display_number;
};

struct participant {
	char		*id;
	struct party	 party;
};

struct call_action {
	char	*action;
	char	**device_ids;
	size_t	 ndevice_ids;
};

/*
 * One CallState. Missing fields are "", 0 or false; unknown enum values
 * are kept as they came. json is the whole document, normalised: unknown
 * fields kept, deviceIds and actions as arrays, known fields typed. It is
 * kept as text: a CallState held as a json-c tree cost 25 KB where its text
 * is 1.5 KB (make bench, memory per call).
 */
struct call_state {
	int64_t			 state_token;
	char			*call_id;
	struct party		 remote;
	struct participant	*participants;
	size_t			 nparticipants;
	int			 conference;
	char			*conference_id;
	int			 inbound;
	int			 intruded;
	char			*status;
	char			*event;
	char			*event_description;
	int			 muted;
	uint32_t		 duration;
	int			 recordable;
	int			 recording;
	uint32_t		 recording_duration;
	int			 external_recording;
	uint32_t		 external_recording_duration;
	int			 external_recording_paused;
	char			**device_ids;
	size_t			 ndevice_ids;
	struct call_action	*actions;
	size_t			 nactions;
	char			*correlation_id;
	char			*json;
	int			 unchanged;	/* only call_id and state_token set */
};

struct user_state {
	int			 full_state;
	struct call_state	**calls;
	size_t			 ncalls;
};

/*
 * What a state update can change, field by field (call_state_diff's
 * bits); the daemon's Call property table (bus-call.c) names them.
 */
enum call_prop {
	CALL_PROP_STATE_TOKEN		= 1u << 0,
	CALL_PROP_STATUS		= 1u << 1,
	CALL_PROP_EVENT			= 1u << 2,
	CALL_PROP_EVENT_DESCRIPTION	= 1u << 3,
	CALL_PROP_INBOUND		= 1u << 4,
	CALL_PROP_INTRUDED		= 1u << 5,
	CALL_PROP_CONFERENCE		= 1u << 6,
	CALL_PROP_CONFERENCE_ID		= 1u << 7,
	CALL_PROP_MUTED			= 1u << 8,
	CALL_PROP_REMOTE_TYPE		= 1u << 9,
	CALL_PROP_REMOTE_URI		= 1u << 10,
	CALL_PROP_REMOTE_NAME		= 1u << 11,
	CALL_PROP_REMOTE_NUMBER		= 1u << 12,
	CALL_PROP_DURATION		= 1u << 13,
	CALL_PROP_RECORDABLE		= 1u << 14,
	CALL_PROP_RECORDING		= 1u << 15,
	CALL_PROP_RECORDING_DURATION	= 1u << 16,
	CALL_PROP_EXT_RECORDING		= 1u << 17,
	CALL_PROP_EXT_RECORDING_DURATION = 1u << 18,
	CALL_PROP_EXT_RECORDING_PAUSED	= 1u << 19,
	CALL_PROP_DEVICE_IDS		= 1u << 20,
	CALL_PROP_ACTIONS		= 1u << 21,
	CALL_PROP_PARTICIPANTS		= 1u << 22,
	CALL_PROP_CORRELATION_ID	= 1u << 23,
	CALL_PROP_JSON			= 1u << 24,
};
#define CALL_PROP_COUNT	25

/* Parse JSON text; NULL with err set when it is not a CallState. */
struct call_state	*call_state_parse(const char *, size_t, char *err,
			    size_t errlen);
/* The same from a parsed object (not consumed). */
struct call_state	*call_state_from_json(struct json_object *, char *err,
			    size_t errlen);
void			 call_state_free(struct call_state *);
/* The normalised document as compact JSON text (owned by cs). */
const char		*call_state_json(const struct call_state *);
/* Is action offered, for device (NULL: for any device)? */
int			 call_state_has_action(const struct call_state *,
			    const char *action, const char *device);
/* The first device of the ANSWER action, else of deviceIds; NULL if none. */
const char		*call_state_answer_device(const struct call_state *);
/* Which properties differ (CALL_PROP_* bits); a NULL side differs in all. */
uint32_t		 call_state_diff(const struct call_state *,
			    const struct call_state *);

/* A user state {fullState, calls[]}; also accepts a bare calls array. */
struct user_state	*user_state_parse(const char *, size_t, char *err,
			    size_t errlen);
/*
 * The same, but a call for which known(callId, stateToken, arg) says the
 * state is known already is not converted: it comes back with only
 * call_id and state_token set and "unchanged" true. A state.user of a
 * hundred calls costs one conversion, not a hundred (make bench).
 */
struct user_state	*user_state_parse_known(const char *, size_t,
			    int (*known)(const char *, int64_t, void *), void *arg,
			    char *err, size_t errlen);
/*
 * The same from one json-c tree of the whole document: what
 * user_state_parse_known falls back on for a document it does not
 * delimit (and says why one is refused); tests and fuzzing compare both.
 */
struct user_state	*user_state_parse_tree(const char *, size_t,
			    int (*known)(const char *, int64_t, void *), void *arg,
			    char *err, size_t errlen);
void			 user_state_free(struct user_state *);

/* Parse JSON text strictly, with limits; NULL with err set. */
struct json_object	*model_json_parse(const char *, size_t, char *err,
			    size_t errlen);

/* Typed field access that tolerates the Core's looser shapes. */
const char		*model_str(struct json_object *, const char *key);
int64_t			 model_int(struct json_object *, const char *key);
uint32_t		 model_uint(struct json_object *, const char *key);
/* The member key of an object, or NULL. */
struct json_object	*model_get(struct json_object *, const char *key);
/*
 * Each string of deviceIds-like v (an array, "[a, b]", or one string) to
 * add(arg, s), as the parsers read it.
 */
void			 model_strings_flatten(struct json_object *v,
			    void (*add)(void *, const char *), void *arg);
int			 model_bool(struct json_object *, const char *key);

#endif
