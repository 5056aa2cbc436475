/* callstate.c: tolerant CallState/UserState parsing, normalisation and diff. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "callstate.h"
#include "loose.h"
#include "utf8.h"
#include "xmalloc.h"

#define MODEL_MAX_DEPTH	32

static int
model_blank(const char *p, size_t len)
{
	while (len-- > 0)
		if (strchr(" \t\r\n", *p++) == NULL)
			return 0;
	return 1;
}

/*
 * Are the strings json-c decodes from text valid UTF-8 as utf8.h means
 * it, without looking at them? Yes when text is, and has no \u escape of
 * a surrogate or a noncharacter (json-c 0.16 makes U+FFFD of a lone
 * surrogate, but what another version makes of it is not ours to trust,
 * and \uffff or \ufdd0 come through as they are): each of those begins
 * \uD or \uF. Text split at ASCII quotes and escapes stays valid, so
 * names in any script cost one pass here and no walk of the tree.
 */
static int
model_json_plain(const char *text, size_t len)
{
	const char	*p = text, *end = text + len;

	while ((p = memchr(p, '\\', (size_t)(end - p))) != NULL) {
		if (end - p < 3)
			break;
		if (p[1] == 'u' && ((p[2] | 0x20) == 'd' || (p[2] | 0x20) == 'f'))
			return 0;
		p += 2;		/* past the escaped character, '\\' too */
	}
	return utf8_valid(text, len);
}

/* Bytes json-c decoded, made valid UTF-8 in a json-c string. */
static void
model_json_repair_string(struct json_object *o)
{
	const char	*s = json_object_get_string(o);
	size_t		 len = (size_t)json_object_get_string_len(o), n;
	char		*t;

	if (utf8_valid(s, len))
		return;
	t = utf8_sanitize(s, len, &n);
	json_object_set_string_len(o, t, (int)n);
	free(t);
}

static struct json_object *model_json_repair(struct json_object *);

/* An object's members repaired; a copy in the same order if a key was bad. */
static struct json_object *
model_json_repair_object(struct json_object *o)
{
	struct json_object	*fixed, *copy;
	char			*k;
	int			 bad_key = 0;

	json_object_object_foreach(o, key, val) {
		/* Replacing a member's value keeps its place. */
		if ((fixed = model_json_repair(val)) != val)
			json_object_object_add(o, key, fixed);
		if (!utf8_valid(key, strlen(key)))
			bad_key = 1;
	}
	if (!bad_key)
		return o;
	/* Two keys may now be one: the last wins, as in json-c. */
	copy = json_object_new_object();
	json_object_object_foreach(o, key2, val2) {
		k = utf8_sanitize(key2, strlen(key2), NULL);
		json_object_object_add(copy, k, json_object_get(val2));
		free(k);
	}
	return copy;
}

/*
 * Every string and key under o made valid UTF-8 (utf8.h): strings in
 * place; an object with a key that is not is built again and returned
 * for the caller to put in o's place (o is then the caller's to
 * release). Depth is bounded by the tokener's.
 */
static struct json_object *
model_json_repair(struct json_object *o)
{
	struct json_object	*fixed;
	size_t			 i, n;

	switch (json_object_get_type(o)) {
	case json_type_string:
		model_json_repair_string(o);
		return o;
	case json_type_array:
		n = json_object_array_length(o);
		for (i = 0; i < n; i++) {
			fixed = model_json_repair(json_object_array_get_idx(o, i));
			if (fixed != json_object_array_get_idx(o, i))
				json_object_array_put_idx(o, i, fixed);
		}
		return o;
	case json_type_object:
		return model_json_repair_object(o);
	default:
		return o;
	}
}

struct json_object *
model_json_parse(const char *text, size_t len, char *err, size_t errlen)
{
	/*
	 * One tokener, reset for each document: making one allocates its
	 * parse stack, and at thousands of events a second that showed in
	 * the profile (make bench). The daemon is single-threaded.
	 */
	static struct json_tokener *tok;
	struct json_object	*obj, *fixed;
	enum json_tokener_error	 jerr;
	size_t			 end;

	if (len > INT_MAX || memchr(text, '\0', len) != NULL) {
		snprintf(err, errlen, "JSON: %s", len > INT_MAX ?
		    "document too large" : "NUL byte in document");
		return NULL;
	}
	if (tok == NULL && (tok = json_tokener_new_ex(MODEL_MAX_DEPTH)) == NULL) {
		snprintf(err, errlen, "JSON: out of memory");
		return NULL;
	}
	json_tokener_reset(tok);
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	obj = json_tokener_parse_ex(tok, text, (int)len);
	jerr = json_tokener_get_error(tok);
	/* A bare number may go on: white space ends it, and nothing else. */
	if (jerr == json_tokener_continue) {
		obj = json_tokener_parse_ex(tok, " ", 1);
		jerr = json_tokener_get_error(tok);
		end = len;
	} else
		end = json_tokener_get_parse_end(tok);
	if (jerr == json_tokener_continue) {
		snprintf(err, errlen, "JSON: document ends early");
		json_object_put(obj);
		obj = NULL;
	} else if (jerr != json_tokener_success) {
		snprintf(err, errlen, "JSON: %s at offset %zu",
		    json_tokener_error_desc(jerr), json_tokener_get_parse_end(tok));
		obj = NULL;
	} else if (!model_blank(text + end, len - end)) {
		snprintf(err, errlen, "JSON: trailing data at offset %zu", end);
		json_object_put(obj);
		obj = NULL;
	} else if (!model_json_plain(text, len) &&
	    (fixed = model_json_repair(obj)) != obj) {
		json_object_put(obj);
		obj = fixed;
	}
	if (jerr != json_tokener_success) {
		/*
		 * json-c 0.16's reset keeps the high surrogate of a document
		 * that broke off after one, and the next document's first \u
		 * escape reads otherwise ("\udc00" as U+10000; fuzz-callstate
		 * found it). A tokener that failed is not used again.
		 */
		json_tokener_free(tok);
		tok = NULL;
	}
	return obj;
}

struct json_object *
model_get(struct json_object *o, const char *key)
{
	struct json_object	*v;

	if (o == NULL || !json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, key, &v))
		return NULL;
	return v;
}

const char *
model_str(struct json_object *o, const char *key)
{
	struct json_object	*v = model_get(o, key);

	switch (json_object_get_type(v)) {
	case json_type_string:
	case json_type_int:
	case json_type_double:
	case json_type_boolean:
		return json_object_get_string(v);
	default:
		return "";
	}
}

int64_t
model_int(struct json_object *o, const char *key)
{
	struct json_object	*v = model_get(o, key);
	const char		*s;
	char			*end;
	long long		 n;
	double			 d;

	switch (json_object_get_type(v)) {
	case json_type_int:
		return json_object_get_int64(v);
	case json_type_boolean:
		return json_object_get_boolean(v);
	case json_type_double:
		d = json_object_get_double(v);
		if (!isfinite(d) || d >= 9.2e18 || d <= -9.2e18)
			return 0;
		return (int64_t)d;
	case json_type_string:
		s = json_object_get_string(v);
		errno = 0;
		n = strtoll(s, &end, 10);
		if (*s == '\0' || *end != '\0' || errno != 0)
			return 0;
		return n;
	default:
		return 0;
	}
}

uint32_t
model_uint(struct json_object *o, const char *key)
{
	int64_t	n = model_int(o, key);

	if (n < 0)
		return 0;
	if (n > UINT32_MAX)
		return UINT32_MAX;
	return (uint32_t)n;
}

/* true, a non-zero integer, "true" or "1". */
static int
model_bool_value(struct json_object *v)
{
	const char	*s;

	switch (json_object_get_type(v)) {
	case json_type_boolean:
		return json_object_get_boolean(v);
	case json_type_int:
		return json_object_get_int64(v) != 0;
	case json_type_string:
		s = json_object_get_string(v);
		return strcmp(s, "true") == 0 || strcmp(s, "1") == 0;
	default:
		return 0;
	}
}

int
model_bool(struct json_object *o, const char *key)
{
	return model_bool_value(model_get(o, key));
}

/*
 * deviceIds-style values flattened into strings, each given to add(arg, s):
 * an array (arrays inside it skipped), a loose "[a, b]" string, one bare
 * string, or a number. As C strings, up to a NUL, as everything read is
 * kept. One walk for the reference's json-c array and the direct path's
 * vector, so the two cannot read deviceIds differently.
 */
void
model_strings_flatten(struct json_object *v, void (*add)(void *, const char *),
    void *arg)
{
	struct json_object	*parsed, *e;
	const char		*s;
	size_t			 i, len;

	switch (json_object_get_type(v)) {
	case json_type_array:
		for (i = 0; i < json_object_array_length(v); i++) {
			e = json_object_array_get_idx(v, i);
			if (!json_object_is_type(e, json_type_array))
				model_strings_flatten(e, add, arg);
		}
		break;
	case json_type_string:
		s = json_object_get_string(v);
		len = strlen(s);
		if (len > 0 && s[0] == '[') {
			if ((parsed = loose_parse(s, len)) != NULL) {
				if (json_object_is_type(parsed, json_type_array))
					model_strings_flatten(parsed, add, arg);
				json_object_put(parsed);
			}
		} else if (len > 0)
			add(arg, s);
		break;
	case json_type_int:
	case json_type_double:
		add(arg, json_object_get_string(v));
		break;
	default:
		break;
	}
}

static void
party_parse(struct party *p, struct json_object *o)
{
	p->type = xstrdup(model_str(o, "type"));
	p->tel_uri = xstrdup(model_str(o, "telUri"));
	p->display_name = xstrdup(model_str(o, "displayName"));
	p->display_number = xstrdup(model_str(o, "displayNumber"));
}

static void
party_free(struct party *p)
{
	free(p->type);
	free(p->tel_uri);
	free(p->display_name);
	free(p->display_number);
}

static int
party_equal(const struct party *a, const struct party *b)
{
	return strcmp(a->type, b->type) == 0 &&
	    strcmp(a->tel_uri, b->tel_uri) == 0 &&
	    strcmp(a->display_name, b->display_name) == 0 &&
	    strcmp(a->display_number, b->display_number) == 0;
}

static void
strings_free(char **v, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static int
strings_equal(char **a, size_t na, char **b, size_t nb)
{
	size_t	i;

	if (na != nb)
		return 0;
	for (i = 0; i < na; i++)
		if (strcmp(a[i], b[i]) != 0)
			return 0;
	return 1;
}

#define NORM_FLAGS	(JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

/*
 * The known members of a normalised CallState, in the order in which
 * those missing from the document are appended, and where the plain ones
 * (booleans, numbers, strings) live in struct call_state: one table for
 * reading them (call_state_from_json) and for writing them (norm_text).
 */
enum norm_kind {
	NF_TOKEN, NF_CALL_ID, NF_PARTY, NF_PARTICIPANTS, NF_BOOL, NF_UINT,
	NF_STR, NF_DEVICES, NF_ACTIONS
};

#define NF(key, kind, field)	{ key, kind, offsetof(struct call_state, field) }
static const struct norm_field {
	const char	*key;
	enum norm_kind	 kind;
	size_t		 off;		/* NF_BOOL, NF_UINT, NF_STR */
} norm_fields[] = {
	{ "stateToken", NF_TOKEN, 0 },
	{ "callId", NF_CALL_ID, 0 },
	{ "remoteParty", NF_PARTY, 0 },
	{ "participants", NF_PARTICIPANTS, 0 },
	NF("conference", NF_BOOL, conference),
	NF("conferenceId", NF_STR, conference_id),
	NF("inbound", NF_BOOL, inbound),
	NF("intruded", NF_BOOL, intruded),
	NF("status", NF_STR, status),
	NF("event", NF_STR, event),
	NF("eventDescription", NF_STR, event_description),
	NF("muted", NF_BOOL, muted),
	NF("duration", NF_UINT, duration),
	NF("recordable", NF_BOOL, recordable),
	NF("recording", NF_BOOL, recording),
	NF("recordingDuration", NF_UINT, recording_duration),
	NF("externalRecording", NF_BOOL, external_recording),
	NF("externalRecordingDuration", NF_UINT, external_recording_duration),
	NF("externalRecordingPaused", NF_BOOL, external_recording_paused),
	NF("correlationId", NF_STR, correlation_id),
	{ "deviceIds", NF_DEVICES, 0 },
	{ "actions", NF_ACTIONS, 0 },
};
#undef NF
#define NORM_NFIELDS	(sizeof(norm_fields) / sizeof(norm_fields[0]))
#define NF_INT(cs, f)	(*(int *)((char *)(cs) + (f)->off))
#define NF_U32(cs, f)	(*(uint32_t *)((char *)(cs) + (f)->off))
#define NF_STRP(cs, f)	(*(char **)((char *)(cs) + (f)->off))

static const struct norm_field *
norm_field(const char *key)
{
	size_t	i;

	for (i = 0; i < NORM_NFIELDS; i++)
		if (key[0] == norm_fields[i].key[0] &&
		    strcmp(key, norm_fields[i].key) == 0)
			return &norm_fields[i];
	return NULL;
}

/* A JSON string exactly as json-c prints one (NOSLASHESCAPE). */
static void
norm_put_str(struct buf *b, const char *s)
{
	static const char	 hex[] = "0123456789abcdef";
	const char		*r;
	char			 u[7];
	size_t			 i, start = 0;
	unsigned char		 c;

	buf_addc(b, '"');
	for (i = 0; s[i] != '\0'; i++) {
		c = (unsigned char)s[i];
		switch (c) {
		case '\b': r = "\\b"; break;
		case '\n': r = "\\n"; break;
		case '\r': r = "\\r"; break;
		case '\t': r = "\\t"; break;
		case '\f': r = "\\f"; break;
		case '"': r = "\\\""; break;
		case '\\': r = "\\\\"; break;
		default:
			if (c >= ' ')
				continue;
			snprintf(u, sizeof(u), "\\u00%c%c", hex[c >> 4], hex[c & 0xf]);
			r = u;
			break;
		}
		buf_add(b, s + start, i - start);
		buf_addstr(b, r);
		start = i + 1;
	}
	buf_add(b, s + start, i - start);
	buf_addc(b, '"');
}

/* An array of strings, as json-c prints one. */
static void
norm_put_strv(struct buf *b, char *const *v, size_t n)
{
	size_t	i;

	buf_addc(b, '[');
	for (i = 0; i < n; i++) {
		if (i > 0)
			buf_addc(b, ',');
		norm_put_str(b, v[i]);
	}
	buf_addc(b, ']');
}

struct strv {
	char	**v;
	size_t	  n;
};

static void
strv_push(void *arg, const char *s)
{
	struct strv	*sv = arg;

	sv->v = xreallocarray(sv->v, sv->n + 1, sizeof(*sv->v));
	sv->v[sv->n++] = xstrdup(s);
}

/* deviceIds of src as a vector, never a NULL one. */
static char **
strv_from(struct json_object *src, size_t *n)
{
	struct strv	sv = { NULL, 0 };

	model_strings_flatten(src, strv_push, &sv);
	*n = sv.n;
	return sv.v != NULL ? sv.v : xcalloc(1, sizeof(*sv.v));
}

/*
 * actions read as model_actions() reads them, straight into cs->actions
 * and their normalised text in out: each object's other members first,
 * as json-c prints them, then action, then deviceIds if it had them.
 */
static void
actions_collect(struct call_state *cs, struct json_object *src,
    struct buf *out)
{
	struct json_object	*parsed = NULL, *e, *d;
	struct call_action	*a;
	size_t			 i, n = 0;

	if (json_object_is_type(src, json_type_string)) {
		parsed = loose_parse(json_object_get_string(src),
		    (size_t)json_object_get_string_len(src));
		src = parsed;
	}
	if (json_object_is_type(src, json_type_array))
		n = json_object_array_length(src);
	cs->actions = xcalloc(n, sizeof(*cs->actions));
	buf_addc(out, '[');
	for (i = 0; i < n; i++) {
		e = json_object_array_get_idx(src, i);
		a = &cs->actions[cs->nactions];
		if (json_object_is_type(e, json_type_string) &&
		    *json_object_get_string(e) != '\0') {
			a->action = xstrdup(json_object_get_string(e));
			a->device_ids = xcalloc(1, sizeof(char *));
			buf_addstr(out, cs->nactions > 0 ? ",{\"action\":" :
			    "{\"action\":");
			norm_put_str(out, a->action);
		} else if (json_object_is_type(e, json_type_object) &&
		    *model_str(e, "action") != '\0') {
			a->action = xstrdup(model_str(e, "action"));
			buf_addstr(out, cs->nactions > 0 ? ",{" : "{");
			json_object_object_foreach(e, key, val) {
				if (strcmp(key, "action") == 0 ||
				    strcmp(key, "deviceIds") == 0)
					continue;
				norm_put_str(out, key);
				buf_addc(out, ':');
				buf_addstr(out, val != NULL ?
				    json_object_to_json_string_ext(val, NORM_FLAGS) :
				    "null");
				buf_addc(out, ',');
			}
			buf_addstr(out, "\"action\":");
			norm_put_str(out, a->action);
			if ((d = model_get(e, "deviceIds")) != NULL) {
				a->device_ids = strv_from(d, &a->ndevice_ids);
				buf_addstr(out, ",\"deviceIds\":");
				norm_put_strv(out, a->device_ids, a->ndevice_ids);
			} else
				a->device_ids = xcalloc(1, sizeof(char *));
		} else
			continue;
		buf_addc(out, '}');
		cs->nactions++;
	}
	buf_addc(out, ']');
	json_object_put(parsed);
}

/* A decimal integer, as "%lld" prints it: printf cost 1,800 instructions. */
static void
norm_put_int(struct buf *b, long long v)
{
	char			 d[24], *p = d + sizeof(d);
	unsigned long long	 u = v < 0 ? 0ULL - (unsigned long long)v :
	    (unsigned long long)v;

	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u != 0);
	if (v < 0)
		*--p = '-';
	buf_add(b, p, (size_t)(d + sizeof(d) - p));
}

/*
 * One known member's normalised value; src is the document's, or NULL;
 * actions is their normalised text (actions_collect()).
 */
static void
norm_put_value(struct buf *b, const struct norm_field *f,
    const struct call_state *cs, struct json_object *src, const char *actions)
{
	switch (f->kind) {
	case NF_TOKEN:
		norm_put_int(b, (long long)cs->state_token);
		break;
	case NF_CALL_ID:
		norm_put_str(b, cs->call_id);
		break;
	case NF_PARTY:
		buf_addstr(b, json_object_is_type(src, json_type_object) ?
		    json_object_to_json_string_ext(src, NORM_FLAGS) : "{}");
		break;
	case NF_PARTICIPANTS:
		buf_addstr(b, json_object_is_type(src, json_type_array) ?
		    json_object_to_json_string_ext(src, NORM_FLAGS) : "[]");
		break;
	case NF_BOOL:
		buf_addstr(b, NF_INT(cs, f) ? "true" : "false");
		break;
	case NF_UINT:
		norm_put_int(b, (long long)NF_U32(cs, f));
		break;
	case NF_STR:
		norm_put_str(b, NF_STRP(cs, f));
		break;
	case NF_DEVICES:
		norm_put_strv(b, cs->device_ids, cs->ndevice_ids);
		break;
	case NF_ACTIONS:
		buf_addstr(b, actions);
		break;
	}
}

_Static_assert(NORM_NFIELDS <= 32, "norm_text() keeps a 32-bit set");

/*
 * The normalised document, written as text: the document's members in
 * their order, known ones with their normalised value, unknown ones as
 * json-c prints them, then the known ones it lacks. Building the same as
 * a json-c tree and printing it (call_state_json_reference() in tests/common/callstate-ref.c,
 * which this must equal byte for byte: test-model, fuzz-callstate) was a fifth of
 * the instructions an event costs (callgrind, make bench).
 */
static char *
norm_text(struct json_object *src, const struct call_state *cs,
    const char *actions)
{
	const struct norm_field	*f;
	struct buf		 b;
	size_t			 len, i;
	uint32_t		 seen = 0;
	int			 first = 1;

	buf_init(&b);
	/* A CallState's text fits (about 1,200 bytes): one allocation. */
	buf_reserve(&b, 2048);
	buf_addc(&b, '{');
	json_object_object_foreach(src, key, val) {
		if (!first)
			buf_addc(&b, ',');
		first = 0;
		norm_put_str(&b, key);
		buf_addc(&b, ':');
		if ((f = norm_field(key)) != NULL) {
			seen |= 1u << (f - norm_fields);
			norm_put_value(&b, f, cs, val, actions);
		} else
			buf_addstr(&b, val != NULL ?
			    json_object_to_json_string_ext(val, NORM_FLAGS) : "null");
	}
	for (i = 0; i < NORM_NFIELDS; i++) {
		if (seen & (1u << i))
			continue;
		if (!first)
			buf_addc(&b, ',');
		first = 0;
		norm_put_str(&b, norm_fields[i].key);
		buf_addc(&b, ':');
		norm_put_value(&b, &norm_fields[i], cs, NULL, actions);
	}
	buf_addc(&b, '}');
	/* Kept as long as the call lives: no slack from the buffer's doubling. */
	len = b.len;
	return xreallocarray(buf_release(&b), len + 1, 1);
}


struct call_state *
call_state_from_json(struct json_object *src, char *err, size_t errlen)
{
	struct call_state	*cs;
	struct json_object	*v, *e;
	struct buf		 actions;
	size_t			 i;

	if (!json_object_is_type(src, json_type_object)) {
		snprintf(err, errlen, "CallState: not a JSON object");
		return NULL;
	}
	if (*model_str(src, "callId") == '\0') {
		snprintf(err, errlen, "CallState: no callId");
		return NULL;
	}
	cs = xcalloc(1, sizeof(*cs));
	cs->state_token = model_int(src, "stateToken");
	cs->call_id = xstrdup(model_str(src, "callId"));
	party_parse(&cs->remote, model_get(src, "remoteParty"));

	v = model_get(src, "participants");
	if (json_object_is_type(v, json_type_array)) {
		cs->participants = xcalloc(json_object_array_length(v),
		    sizeof(*cs->participants));
		for (i = 0; i < json_object_array_length(v); i++) {
			e = json_object_array_get_idx(v, i);
			if (!json_object_is_type(e, json_type_object))
				continue;
			cs->participants[cs->nparticipants].id =
			    xstrdup(model_str(e, "id"));
			party_parse(&cs->participants[cs->nparticipants++].party,
			    model_get(e, "remoteParty"));
		}
	}

	for (i = 0; i < NORM_NFIELDS; i++) {
		const struct norm_field *f = &norm_fields[i];

		if (f->kind == NF_BOOL)
			NF_INT(cs, f) = model_bool(src, f->key);
		else if (f->kind == NF_UINT)
			NF_U32(cs, f) = model_uint(src, f->key);
		else if (f->kind == NF_STR)
			NF_STRP(cs, f) = xstrdup(model_str(src, f->key));
	}

	cs->device_ids = strv_from(model_get(src, "deviceIds"), &cs->ndevice_ids);
	buf_init(&actions);
	actions_collect(cs, model_get(src, "actions"), &actions);
	buf_addc(&actions, '\0');
	cs->json = norm_text(src, cs, actions.data);
	buf_free(&actions);
	return cs;
}

struct call_state *
call_state_parse(const char *text, size_t len, char *err, size_t errlen)
{
	struct json_object	*o;
	struct call_state	*cs;

	if ((o = model_json_parse(text, len, err, errlen)) == NULL)
		return NULL;
	cs = call_state_from_json(o, err, errlen);
	json_object_put(o);
	return cs;
}

void
call_state_free(struct call_state *cs)
{
	size_t	i;

	if (cs == NULL)
		return;
	free(cs->call_id);
	party_free(&cs->remote);
	for (i = 0; i < cs->nparticipants; i++) {
		free(cs->participants[i].id);
		party_free(&cs->participants[i].party);
	}
	free(cs->participants);
	free(cs->conference_id);
	free(cs->status);
	free(cs->event);
	free(cs->event_description);
	strings_free(cs->device_ids, cs->ndevice_ids);
	for (i = 0; i < cs->nactions; i++) {
		free(cs->actions[i].action);
		strings_free(cs->actions[i].device_ids,
		    cs->actions[i].ndevice_ids);
	}
	free(cs->actions);
	free(cs->correlation_id);
	free(cs->json);
	free(cs);
}

const char *
call_state_json(const struct call_state *cs)
{
	return cs->json;
}

int
call_state_has_action(const struct call_state *cs, const char *action,
    const char *device)
{
	const struct call_action	*a;
	size_t				 i, j;

	for (i = 0; i < cs->nactions; i++) {
		a = &cs->actions[i];
		if (strcmp(a->action, action) != 0)
			continue;
		/* An action without deviceIds applies to every device. */
		if (device == NULL || *device == '\0' || a->ndevice_ids == 0)
			return 1;
		for (j = 0; j < a->ndevice_ids; j++)
			if (strcmp(a->device_ids[j], device) == 0)
				return 1;
	}
	return 0;
}

const char *
call_state_answer_device(const struct call_state *cs)
{
	size_t	i;

	for (i = 0; i < cs->nactions; i++)
		if (strcmp(cs->actions[i].action, "ANSWER") == 0 &&
		    cs->actions[i].ndevice_ids > 0)
			return cs->actions[i].device_ids[0];
	return cs->ndevice_ids > 0 ? cs->device_ids[0] : NULL;
}

static int
actions_equal(const struct call_state *a, const struct call_state *b)
{
	size_t	i;

	if (a->nactions != b->nactions)
		return 0;
	for (i = 0; i < a->nactions; i++)
		if (strcmp(a->actions[i].action, b->actions[i].action) != 0 ||
		    !strings_equal(a->actions[i].device_ids,
		    a->actions[i].ndevice_ids, b->actions[i].device_ids,
		    b->actions[i].ndevice_ids))
			return 0;
	return 1;
}

static int
participants_equal(const struct call_state *a, const struct call_state *b)
{
	size_t	i;

	if (a->nparticipants != b->nparticipants)
		return 0;
	for (i = 0; i < a->nparticipants; i++)
		if (strcmp(a->participants[i].id, b->participants[i].id) != 0 ||
		    !party_equal(&a->participants[i].party,
		    &b->participants[i].party))
			return 0;
	return 1;
}

uint32_t
call_state_diff(const struct call_state *a, const struct call_state *b)
{
	uint32_t	d = 0;

	if (a == NULL || b == NULL)
		return a == b ? 0 : (1u << CALL_PROP_COUNT) - 1;
#define NE_S(f, bit)	if (strcmp(a->f, b->f) != 0) d |= bit
#define NE(f, bit)	if (a->f != b->f) d |= bit
	NE(state_token, CALL_PROP_STATE_TOKEN);
	NE_S(status, CALL_PROP_STATUS);
	NE_S(event, CALL_PROP_EVENT);
	NE_S(event_description, CALL_PROP_EVENT_DESCRIPTION);
	NE(inbound, CALL_PROP_INBOUND);
	NE(intruded, CALL_PROP_INTRUDED);
	NE(conference, CALL_PROP_CONFERENCE);
	NE_S(conference_id, CALL_PROP_CONFERENCE_ID);
	NE(muted, CALL_PROP_MUTED);
	NE_S(remote.type, CALL_PROP_REMOTE_TYPE);
	NE_S(remote.tel_uri, CALL_PROP_REMOTE_URI);
	NE_S(remote.display_name, CALL_PROP_REMOTE_NAME);
	NE_S(remote.display_number, CALL_PROP_REMOTE_NUMBER);
	NE(duration, CALL_PROP_DURATION);
	NE(recordable, CALL_PROP_RECORDABLE);
	NE(recording, CALL_PROP_RECORDING);
	NE(recording_duration, CALL_PROP_RECORDING_DURATION);
	NE(external_recording, CALL_PROP_EXT_RECORDING);
	NE(external_recording_duration, CALL_PROP_EXT_RECORDING_DURATION);
	NE(external_recording_paused, CALL_PROP_EXT_RECORDING_PAUSED);
	NE_S(correlation_id, CALL_PROP_CORRELATION_ID);
#undef NE
#undef NE_S
	if (!strings_equal(a->device_ids, a->ndevice_ids, b->device_ids,
	    b->ndevice_ids))
		d |= CALL_PROP_DEVICE_IDS;
	if (!actions_equal(a, b))
		d |= CALL_PROP_ACTIONS;
	if (!participants_equal(a, b))
		d |= CALL_PROP_PARTICIPANTS;
	if (strcmp(a->json, b->json) != 0)
		d |= CALL_PROP_JSON;
	return d;
}

struct user_state *
user_state_parse(const char *text, size_t len, char *err, size_t errlen)
{
	return user_state_parse_known(text, len, NULL, NULL, err, errlen);
}

/*
 * One call of a UserState: converted, or, when known(callId, stateToken)
 * says the caller has it at that token, only its id and token
 * ("unchanged"). NULL with err set when the call is refused.
 */
static struct call_state *
user_state_call(struct json_object *e,
    int (*known)(const char *, int64_t, void *), void *arg, char *err,
    size_t errlen)
{
	struct call_state	*cs;

	if (known == NULL || !json_object_is_type(e, json_type_object) ||
	    *model_str(e, "callId") == '\0' ||
	    !known(model_str(e, "callId"), model_int(e, "stateToken"), arg))
		return call_state_from_json(e, err, errlen);
	cs = xcalloc(1, sizeof(*cs));
	cs->call_id = xstrdup(model_str(e, "callId"));
	cs->state_token = model_int(e, "stateToken");
	cs->unchanged = 1;
	return cs;
}

/*
 * The whole document as one json-c tree: the reference the streaming
 * parser below is checked against (tests/unit/test-model.c, fuzz-callstate).
 */
struct user_state *
user_state_parse_tree(const char *text, size_t len,
    int (*known)(const char *, int64_t, void *), void *arg, char *err,
    size_t errlen)
{
	struct json_object	*o, *calls, *e;
	struct user_state	*us;
	struct call_state	*cs;
	size_t			 i, n;

	if ((o = model_json_parse(text, len, err, errlen)) == NULL)
		return NULL;
	us = xcalloc(1, sizeof(*us));
	if (json_object_is_type(o, json_type_array)) {
		calls = o;
		us->full_state = 1;
	} else if (json_object_is_type(o, json_type_object)) {
		calls = model_get(o, "calls");
		us->full_state = model_get(o, "fullState") != NULL ?
		    model_bool(o, "fullState") : 1;
	} else {
		snprintf(err, errlen, "UserState: not a JSON object");
		goto fail;
	}
	if (calls != NULL && !json_object_is_type(calls, json_type_array)) {
		snprintf(err, errlen, "UserState: calls is not an array");
		goto fail;
	}
	n = calls != NULL ? json_object_array_length(calls) : 0;
	us->calls = xcalloc(n, sizeof(*us->calls));
	for (i = 0; i < n; i++) {
		e = json_object_array_get_idx(calls, i);
		if ((cs = user_state_call(e, known, arg, err, errlen)) == NULL)
			goto fail;
		us->calls[us->ncalls++] = cs;
	}
	json_object_put(o);
	return us;
fail:
	json_object_put(o);
	user_state_free(us);
	return NULL;
}

/* Past white space; p never passes end. */
static const char *
scan_ws(const char *p, const char *end)
{
	while (p < end && strchr(" \t\r\n", *p) != NULL && *p != '\0')
		p++;
	return p;
}

/*
 * Where the JSON value at p ends, or NULL when it does not within end.
 * Only delimits: json-c parses the span strictly afterwards, so what this
 * lets through that is not JSON is refused there.
 */
static const char *
scan_value(const char *p, const char *end)
{
	int	depth = 0, in_str = 0;

	if (p >= end)
		return NULL;
	if (*p != '{' && *p != '[' && *p != '"') {
		while (p < end && strchr(",]}: \t\r\n", *p) == NULL)
			p++;
		return p;
	}
	for (; p < end; p++) {
		if (in_str) {
			if (*p == '\\')
				p++;
			else if (*p == '"') {
				in_str = 0;
				if (depth == 0)
					return p + 1;
			}
		} else if (*p == '"')
			in_str = 1;
		else if (*p == '{' || *p == '[') {
			/* Deeper than the whole-document limit allows: let the
			 * tree parser decide, as it always did. */
			if (++depth > MODEL_MAX_DEPTH - 2)
				return NULL;
		} else if ((*p == '}' || *p == ']') && --depth == 0)
			return p + 1;
	}
	return NULL;
}

/*
 * After a member or element ending at v: 1 when a ',' says another one
 * follows (*pp at it), 0 when close ends the list (*pp past it), -1 for
 * anything else.
 */
static int
scan_next(const char **pp, const char *v, const char *end, char close)
{
	const char	*p = scan_ws(v, end);

	if (p < end && (*p == ',' || *p == close)) {
		*pp = *p == ',' ? scan_ws(p + 1, end) : p + 1;
		return *p == ',';
	}
	return -1;
}

static int
span_is_null(const char *p, size_t n)
{
	return n == 4 && memcmp(p, "null", 4) == 0;
}

/* One call of a UserState, from its own span of text. */
static int
user_state_add(struct user_state *us, const char *p, size_t n,
    int (*known)(const char *, int64_t, void *), void *arg, char *err,
    size_t errlen)
{
	struct json_object	*e;
	struct call_state	*cs;

	if ((e = model_json_parse(p, n, err, errlen)) == NULL)
		return -1;
	cs = user_state_call(e, known, arg, err, errlen);
	json_object_put(e);
	if (cs == NULL)
		return -1;
	us->calls = xreallocarray(us->calls, us->ncalls + 1, sizeof(*us->calls));
	us->calls[us->ncalls++] = cs;
	return 0;
}

/*
 * A UserState one call at a time: the document is never one json-c tree.
 * Held whole, a state.user of a hundred calls took over a megabyte (json-c
 * needs about 14 bytes per byte of CallState) for a moment, and the heap
 * kept that high-water mark, fragmented, after every new call (make bench:
 * memory per call). Each call is delimited here and parsed strictly on its
 * own; keys and other values are parsed strictly too.
 */
struct user_state *
user_state_parse_known(const char *text, size_t len,
    int (*known)(const char *, int64_t, void *), void *arg, char *err,
    size_t errlen)
{
	const char		*p = text, *end = text + len, *v;
	struct json_object	*key = NULL, *val;
	struct user_state	*us;
	int			 object, more;

	if (len > INT_MAX || memchr(text, '\0', len) != NULL)
		return user_state_parse_tree(text, len, known, arg, err, errlen);
	us = xcalloc(1, sizeof(*us));
	us->full_state = 1;
	p = scan_ws(p, end);
	if (p < end && *p == '[') {
		object = 0;
		v = p;
		goto calls;
	}
	if (p >= end || *p != '{') {
		/* Not an object or array: the tree parser says what it is. */
		user_state_free(us);
		return user_state_parse_tree(text, len, known, arg, err, errlen);
	}
	object = 1;
	p = scan_ws(p + 1, end);
	if (p < end && *p == '}') {
		p++;
		goto done;
	}
	for (;;) {
		if ((v = scan_value(p, end)) == NULL || *p != '"' ||
		    (key = model_json_parse(p, (size_t)(v - p), err, errlen)) == NULL)
			goto malformed;
		p = scan_ws(v, end);
		if (p >= end || *p != ':')
			goto malformed;
		v = p = scan_ws(p + 1, end);
		if (strcmp(json_object_get_string(key), "calls") == 0) {
			/* A repeated key: the last one counts, as in json-c. */
			while (us->ncalls > 0)
				call_state_free(us->calls[--us->ncalls]);
			if (p >= end || *p != '[') {
				if ((p = scan_value(p, end)) == NULL)
					goto malformed;
				if (span_is_null(v, (size_t)(p - v)))
					goto next;	/* as absent */
				goto malformed;		/* the tree says why */
			}
 calls:
			p = scan_ws(p + 1, end);
			if (p < end && *p == ']')
				p++;
			else
				for (;;) {
					if ((v = scan_value(p, end)) == NULL ||
					    user_state_add(us, p, (size_t)(v - p),
					    known, arg, err, errlen) == -1)
						goto malformed;
					if ((more = scan_next(&p, v, end, ']')) == -1)
						goto malformed;
					if (!more)
						break;
				}
			if (!object)
				goto done;
		} else {
			if ((p = scan_value(p, end)) == NULL)
				goto malformed;
			if (!span_is_null(v, (size_t)(p - v))) {
				if ((val = model_json_parse(v, (size_t)(p - v), err,
				    errlen)) == NULL)
					goto malformed;
				if (strcmp(json_object_get_string(key),
				    "fullState") == 0)
					us->full_state = model_bool_value(val);
				json_object_put(val);
			}
		}
 next:
		json_object_put(key);
		key = NULL;
		if ((more = scan_next(&p, p, end, '}')) == -1)
			goto malformed;
		if (!more)
			break;
	}
 done:
	if (!model_blank(p, (size_t)(end - p)))
		goto malformed;
	return us;
 malformed:
	/*
	 * Anything else (not JSON, calls not an array, a call refused): the
	 * tree parser decides, so that what is refused and the message are
	 * what they always were. Only documents that are refused pay for it.
	 */
	json_object_put(key);
	user_state_free(us);
	return user_state_parse_tree(text, len, known, arg, err, errlen);
}

void
user_state_free(struct user_state *us)
{
	size_t	i;

	if (us == NULL)
		return;
	for (i = 0; i < us->ncalls; i++)
		call_state_free(us->calls[i]);
	free(us->calls);
	free(us);
}
