/* routes.c: route table with [paths] overrides, template expansion, queries. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "routes.h"
#include "xmalloc.h"

#define CC	"/callcontrol/{domain}/{user}/calls/{callId}"
#define CS	"/callstate/{domain}/{user}"
#define DEV	"/userdevice/{domain}/{user}"
#define DG	"/distributiongroup/{domain}/{user}"
#define REC	"/callrecording/{domain}/{user}/calls/{callId}"
#define CI	"/contactinfo/v1/{domain}/{cid}"
#define CL	"/communicationlog/{domain}/{user}"
#define DIV	"/diversion/{domain}/{user}"
#define UL	"/userline/{domain}/{user}"

static const struct route_def {
	const char	*name;
	const char	*method;
	const char	*tmpl;
} route_defs[ROUTE_COUNT] = {
	[ROUTE_TICKET_CREATE] = { "ticket.create", "POST", "/ticket/{domain}/{user}" },
	[ROUTE_TICKET_DELETE] = { "ticket.delete", "DELETE", "/ticket/{domain}/{user}/{ticketName}" },
	[ROUTE_DEVICES_LIST] = { "devices.list", "GET", DEV "/devices" },
	[ROUTE_DEVICES_ACTIVE] = { "devices.active", "GET", DEV "/activedevices" },
	[ROUTE_DEVICES_WEBHOOK] = { "devices.webhook", "POST", DEV "/webhook" },
	[ROUTE_DEVICES_WEBHOOK_DELETE] = { "devices.webhook.delete", "DELETE", DEV "/webhook/{targetId}" },
	[ROUTE_DEVICES_SSE] = { "devices.sse", "GET", DEV "/subscribe" },
	[ROUTE_STATE_USER] = { "state.user", "GET", CS },
	[ROUTE_STATE_CALL] = { "state.call", "GET", CS "/calls/{callId}" },
	[ROUTE_STATE_USER_WEBHOOK] = { "state.user.webhook", "POST", CS "/webhook" },
	[ROUTE_STATE_USER_WEBHOOK_DELETE] = { "state.user.webhook.delete", "DELETE", CS "/webhook/{targetId}" },
	[ROUTE_STATE_CALL_WEBHOOK] = { "state.call.webhook", "POST", CS "/calls/{callId}/webhook" },
	[ROUTE_STATE_CALL_WEBHOOK_DELETE] = { "state.call.webhook.delete", "DELETE", CS "/calls/{callId}/webhook/{targetId}" },
	[ROUTE_STATE_CALL_SSE] = { "state.call.sse", "GET", CS "/calls/{callId}/subscribe" },
	[ROUTE_STATE_DIALOG_SSE] = { "state.dialog.sse", "GET", CS "/dialogs/subscribe" },
	[ROUTE_CALL_MAKE] = { "call.make", "POST", "/callcontrol/{domain}/{user}/devices/{deviceId}/calls" },
	[ROUTE_CALL_CONSULT] = { "call.consult", "POST", CC "/consult" },
	[ROUTE_CALL_ANSWER] = { "call.answer", "POST", CC "/answer/{deviceId}" },
	[ROUTE_CALL_HANGUP] = { "call.hangup", "DELETE", CC },
	[ROUTE_CALL_HOLD] = { "call.hold", "POST", CC "/hold" },
	[ROUTE_CALL_RESUME] = { "call.resume", "POST", CC "/resume" },
	[ROUTE_CALL_MUTE] = { "call.mute", "POST", CC "/mute" },
	[ROUTE_CALL_UNMUTE] = { "call.unmute", "POST", CC "/unmute" },
	[ROUTE_CALL_PARK] = { "call.park", "POST", CC "/park" },
	[ROUTE_CALL_MOVE] = { "call.move", "POST", CC "/move/{deviceId}" },
	[ROUTE_CALL_TRANSFER] = { "call.transfer", "POST", CC "/transfer" },
	[ROUTE_CALL_TRANSFERTOCALL] = { "call.transfertocall", "POST", CC "/transfertocall" },
	[ROUTE_CALL_SWAP] = { "call.swap", "POST", CC "/swap" },
	[ROUTE_CALL_CONFERENCE] = { "call.conference", "POST", CC "/conference" },
	[ROUTE_CALL_LEAVECONFERENCE] = { "call.leaveconference", "POST", CC "/leaveconference" },
	[ROUTE_CALL_REMOVEPARTICIPANT] = { "call.removeparticipant", "DELETE", CC "/participants/{participantId}" },
	[ROUTE_CALL_DTMF] = { "call.dtmf", "POST", CC "/dtmf" },
	[ROUTE_CALL_PICKUP] = { "call.pickup", "POST", "/callcontrol/{domain}/{user}/devices/{deviceId}/pickup" },
	[ROUTE_REC_START] = { "rec.start", "POST", REC "/start" },
	[ROUTE_REC_STOP] = { "rec.stop", "POST", REC "/stop" },
	[ROUTE_REC_PAUSE] = { "rec.pause", "POST", REC "/pause" },
	[ROUTE_REC_RESUME] = { "rec.resume", "POST", REC "/resume" },
	[ROUTE_REC_SAVE] = { "rec.save", "POST", REC "/save" },
	[ROUTE_REC_DISCARD] = { "rec.discard", "POST", REC "/discard" },
	[ROUTE_GROUPS_LIST] = { "groups.list", "GET", DG "/groups" },
	[ROUTE_GROUPS_LOGIN] = { "groups.login", "POST", DG "/groups/{groupId}/login" },
	[ROUTE_GROUPS_LOGOUT] = { "groups.logout", "POST", DG "/groups/{groupId}/logout" },
	[ROUTE_QUEUES_SSE] = { "queues.sse", "GET", DG "/queuestatistics/subscribe" },
	[ROUTE_LINESTATE_PUT] = { "linestate.put", "PUT", "/linestate/{domain}/{user}/{externalId}" },
	[ROUTE_LINESTATE_DELETE] = { "linestate.delete", "DELETE", "/linestate/{domain}/{user}/{externalId}" },
	/* The directory, favourites and contact information (issue 22). */
	[ROUTE_CONTACTS_LIST] = { "contacts.list", "GET", "/contacts/{domain}/{user}" },
	[ROUTE_BUDDY_ADD] = { "buddy.add", "PUT", "/buddylist/{domain}/{user}/{cid}" },
	[ROUTE_BUDDY_DELETE] = { "buddy.delete", "DELETE", "/buddylist/{domain}/{user}/{cid}" },
	[ROUTE_CONTACT_VCARD] = { "contact.vcard", "GET", CI "/vcard" },
	[ROUTE_CONTACT_LINESTATE_SSE] = { "contact.linestate.sse", "GET", CI "/linestate/subscribe" },
	[ROUTE_CONTACT_PRESENCE_SSE] = { "contact.presence.sse", "GET", CI "/presence/subscribe" },
	[ROUTE_PERSONAL_LIST] = { "personal.list", "GET", "/personalcontacts/{domain}/{user}" },
	/* issue 21: history, presence, forwarding, caller ID, voicemail */
	[ROUTE_HISTORY_LIST] = { "history.list", "GET", CL "/items" },
	[ROUTE_HISTORY_SEEN] = { "history.seen", "PUT", CL "/items/seen" },
	[ROUTE_HISTORY_DELETE] = { "history.delete", "DELETE", CL "/items" },
	[ROUTE_PRESENCE_GET] = { "presence.get", "GET", "/userinfo/{domain}/{user}/presence" },
	[ROUTE_PRESENCE_PUT] = { "presence.put", "PUT", "/userinfo/{domain}/{user}/presence" },
	[ROUTE_PRESENCE_ACTIVITIES] = { "presence.activities", "GET", "/configuration/{domain}/{user}/activities" },
	[ROUTE_PRESENCE_SHORTCUTS] = { "presence.shortcuts", "GET", "/presenceshortcuts/{domain}/{user}/shortcuts" },
	[ROUTE_DIVERSION_RULES] = { "diversion.rules", "GET", DIV "/rules" },
	[ROUTE_DIVERSION_RULE_PUT] = { "diversion.rule.put", "PUT", DIV "/rules/{line}/{rule}" },
	[ROUTE_DIVERSION_RULE_DELETE] = { "diversion.rule.delete", "DELETE", DIV "/rules/{line}/{rule}" },
	[ROUTE_DIVERSION_NUMBER] = { "diversion.number", "GET", DIV "/number" },
	[ROUTE_DIVERSION_NUMBER_PUT] = { "diversion.number.put", "PUT", DIV "/number" },
	[ROUTE_DIVERSION_MAPPING] = { "diversion.mapping", "GET", "/activitydiversion/{domain}/{user}/mappings" },
	[ROUTE_USERLINE_LIST] = { "userline.list", "GET", UL "/lines" },
	[ROUTE_USERLINE_ACTIVE] = { "userline.active", "GET", UL "/active" },
	[ROUTE_USERLINE_PUT] = { "userline.put", "PUT", UL "/active" },
	[ROUTE_VOICEMAIL_GET] = { "voicemail.get", "GET", "/voicemail/{domain}/{user}/settings" },
	[ROUTE_VOICEMAIL_PUT] = { "voicemail.put", "PUT", "/voicemail/{domain}/{user}/settings" },
};

struct routes {
	char	*tmpl[ROUTE_COUNT];	/* NULL: the default */
};

struct query_pair {
	char	*key;
	char	*value;
};

struct query {
	struct query_pair	*pairs;
	size_t			 n;
};

int
route_lookup(const char *name)
{
	int	i;

	for (i = 0; i < ROUTE_COUNT; i++)
		if (strcmp(route_defs[i].name, name) == 0)
			return i;
	return -1;
}

const char *
route_name(enum route_id id)
{
	return route_defs[id].name;
}

const char *
route_method(enum route_id id)
{
	return route_defs[id].method;
}

const char *
route_default_template(enum route_id id)
{
	return route_defs[id].tmpl;
}

/* Does the default template of id have the placeholder {name} (len bytes)? */
static int
route_has_var(enum route_id id, const char *name, size_t len)
{
	const char	*p = route_defs[id].tmpl;

	while ((p = strchr(p, '{')) != NULL) {
		p++;
		if (strncmp(p, name, len) == 0 && p[len] == '}')
			return 1;
	}
	return 0;
}

int
route_check(enum route_id id, const char *tmpl, char *err, size_t errlen)
{
	const char	*p, *end;

	if (tmpl[0] != '/') {
		snprintf(err, errlen, "path template must start with '/'");
		return -1;
	}
	for (p = tmpl; *p != '\0'; p++) {
		if (*p == '}') {
			snprintf(err, errlen, "unbalanced '}' in path template");
			return -1;
		}
		if ((unsigned char)*p <= ' ' || *p == '?' || *p == '#' ||
		    (unsigned char)*p >= 0x7f) {
			snprintf(err, errlen, "path template has a character "
			    "that needs encoding (0x%02x)", (unsigned char)*p);
			return -1;
		}
		if (*p != '{')
			continue;
		if ((end = strchr(p, '}')) == NULL ||
		    memchr(p + 1, '{', (size_t)(end - p - 1)) != NULL) {
			snprintf(err, errlen, "unbalanced '{' in path template");
			return -1;
		}
		if (!route_has_var(id, p + 1, (size_t)(end - p - 1))) {
			snprintf(err, errlen, "placeholder {%.*s} is not one "
			    "of route %s", (int)(end - p - 1), p + 1,
			    route_defs[id].name);
			return -1;
		}
		p = end;
	}
	return 0;
}

struct routes *
routes_new(void)
{
	return xcalloc(1, sizeof(struct routes));
}

void
routes_free(struct routes *r)
{
	int	i;

	if (r == NULL)
		return;
	for (i = 0; i < ROUTE_COUNT; i++)
		free(r->tmpl[i]);
	free(r);
}

int
routes_set(struct routes *r, const char *name, const char *tmpl, char *err,
    size_t errlen)
{
	int	id;

	if ((id = route_lookup(name)) == -1) {
		snprintf(err, errlen, "unknown route \"%s\"", name);
		return -1;
	}
	if (route_check(id, tmpl, err, errlen) == -1)
		return -1;
	free(r->tmpl[id]);
	r->tmpl[id] = xstrdup(tmpl);
	return 0;
}

const char *
routes_template(const struct routes *r, enum route_id id)
{
	if (r != NULL && r->tmpl[id] != NULL)
		return r->tmpl[id];
	return route_defs[id].tmpl;
}

static int
pct_unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
	    c == '~';
}

/*
 * keep_dots = 0 encodes '.' too: a path parameter that is "." or ".."
 * would otherwise be a dot-segment that resolves to another resource
 * (RFC 3986 5.2.4); "%2E%2E" stays one segment, an id like any other.
 */
static void
pct_encode_dots(struct buf *b, const char *s, int keep_dots)
{
	static const char	hex[] = "0123456789ABCDEF";
	const unsigned char	*p;

	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (pct_unreserved(*p) && (keep_dots || *p != '.'))
			buf_addc(b, (char)*p);
		else {
			buf_addc(b, '%');
			buf_addc(b, hex[*p >> 4]);
			buf_addc(b, hex[*p & 0xf]);
		}
	}
}

static void
pct_encode_buf(struct buf *b, const char *s)
{
	pct_encode_dots(b, s, 1);
}

/* A path parameter: as pct_encode_buf(), but one of dots only is all encoded. */
static void
pct_encode_segment(struct buf *b, const char *s)
{
	pct_encode_dots(b, s, s[strspn(s, ".")] != '\0');
}

char *
pct_encode(const char *s)
{
	struct buf	b;

	buf_init(&b);
	pct_encode_buf(&b, s);
	return buf_release(&b);
}

static const char *
route_var_value(const struct route_var *vars, const char *name, size_t len)
{
	for (; vars != NULL && vars->name != NULL; vars++)
		if (strlen(vars->name) == len &&
		    strncmp(vars->name, name, len) == 0)
			return vars->value;
	return NULL;
}

char *
routes_url(const struct routes *r, const char *base_url, enum route_id id,
    const struct route_var *vars, const struct query *q, char *err,
    size_t errlen)
{
	struct buf	 b;
	const char	*p, *end, *value;
	size_t		 blen = strlen(base_url);
	char		*qs;

	buf_init(&b);
	/* The template starts with '/': drop a trailing one from the base. */
	while (blen > 0 && base_url[blen - 1] == '/')
		blen--;
	buf_add(&b, base_url, blen);
	for (p = routes_template(r, id); *p != '\0'; p++) {
		if (*p != '{') {
			buf_addc(&b, *p);
			continue;
		}
		end = strchr(p, '}');	/* checked by route_check() */
		value = route_var_value(vars, p + 1, (size_t)(end - p - 1));
		if (value == NULL) {
			snprintf(err, errlen, "%s: no value for {%.*s}",
			    route_defs[id].name, (int)(end - p - 1), p + 1);
			buf_free(&b);
			return NULL;
		}
		pct_encode_segment(&b, value);
		p = end;
	}
	if (q != NULL && q->n > 0) {
		qs = query_string(q);
		buf_addc(&b, '?');
		buf_addstr(&b, qs);
		free(qs);
	}
	return buf_release(&b);
}

struct query *
query_new(void)
{
	return xcalloc(1, sizeof(struct query));
}

void
query_free(struct query *q)
{
	size_t	i;

	if (q == NULL)
		return;
	for (i = 0; i < q->n; i++) {
		free(q->pairs[i].key);
		free(q->pairs[i].value);
	}
	free(q->pairs);
	free(q);
}

int
query_add(struct query *q, const char *key, const char *value)
{
	q->pairs = xreallocarray(q->pairs, q->n + 1, sizeof(*q->pairs));
	q->pairs[q->n].key = xstrdup(key);
	q->pairs[q->n].value = xstrdup(value);
	q->n++;
	return 0;
}

char *
query_string(const struct query *q)
{
	struct buf	b;
	size_t		i;

	buf_init(&b);
	for (i = 0; q != NULL && i < q->n; i++) {
		if (i > 0)
			buf_addc(&b, '&');
		pct_encode_buf(&b, q->pairs[i].key);
		buf_addc(&b, '=');
		pct_encode_buf(&b, q->pairs[i].value);
	}
	return buf_release(&b);
}
