/* coremsg.c: ticket answers, error bodies, expiries and webhook hints. */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "callstate.h"
#include "coremsg.h"
#include "secret.h"
#include "xmalloc.h"

int
ticket_info_parse(const char *text, size_t len, struct ticket_info *ti,
    char *err, size_t errlen)
{
	struct json_object	*o, *tok;
	const char		*s;

	memset(ti, 0, sizeof(*ti));
	if ((o = model_json_parse(text, len, err, errlen)) == NULL)
		return -1;
	if (!json_object_object_get_ex(o, "token", &tok) ||
	    !json_object_is_type(tok, json_type_string) ||
	    json_object_get_string_len(tok) == 0) {
		snprintf(err, errlen, "ticket: no token in the answer");
		json_object_put(o);
		return -1;
	}
	ti->token = secret_new(json_object_get_string(tok),
	    (size_t)json_object_get_string_len(tok));
	/* Scrub json-c's copy before it goes back to the allocator. */
	secret_wipe((char *)json_object_get_string(tok),
	    (size_t)json_object_get_string_len(tok));
	if (ti->token == NULL) {
		snprintf(err, errlen, "ticket: unusable token");
		json_object_put(o);
		return -1;
	}
	ti->name = xstrdup(model_str(o, "name"));
	s = model_str(o, "expires");
	if (*s != '\0')
		ti->expires = iso8601_parse(s);
	if (ti->expires == -1)
		ti->expires = 0;
	json_object_put(o);
	return 0;
}

void
ticket_info_clear(struct ticket_info *ti)
{
	free(ti->name);
	secret_free(ti->token);
	memset(ti, 0, sizeof(*ti));
}

char *
core_error_message(const char *text, size_t len)
{
	struct json_object	*o, *arr, *e;
	const char		*keys[] = { "field", "warning" };
	char			 err[128], *msg = NULL;
	size_t			 k, i;

	if (len == 0 || (o = model_json_parse(text, len, err, sizeof(err))) == NULL)
		return NULL;
	for (k = 0; k < 2 && msg == NULL; k++) {
		if (!json_object_object_get_ex(o, keys[k], &arr) ||
		    !json_object_is_type(arr, json_type_array))
			continue;
		for (i = 0; i < json_object_array_length(arr); i++) {
			e = json_object_array_get_idx(arr, i);
			if (*model_str(e, "description") != '\0') {
				msg = xstrdup(model_str(e, "description"));
				break;
			}
		}
	}
	if (msg == NULL && *model_str(o, "message") != '\0')
		msg = xstrdup(model_str(o, "message"));
	json_object_put(o);
	return msg;
}

static int
iso_digits(const char **p, int n, int *out)
{
	int	v = 0;

	while (n-- > 0) {
		if (!isdigit((unsigned char)**p))
			return -1;
		v = v * 10 + (*(*p)++ - '0');
	}
	*out = v;
	return 0;
}

time_t
iso8601_parse(const char *s)
{
	struct tm	tm;
	int		y, mo, d, h = 0, mi = 0, sec = 0, oh = 0, om = 0, sign;
	time_t		t;

	memset(&tm, 0, sizeof(tm));
	if (iso_digits(&s, 4, &y) == -1 || *s++ != '-' ||
	    iso_digits(&s, 2, &mo) == -1 || *s++ != '-' ||
	    iso_digits(&s, 2, &d) == -1)
		return -1;
	if (*s == 'T' || *s == ' ') {
		s++;
		if (iso_digits(&s, 2, &h) == -1 || *s++ != ':' ||
		    iso_digits(&s, 2, &mi) == -1)
			return -1;
		if (*s == ':' && (s++, iso_digits(&s, 2, &sec) == -1))
			return -1;
		if (*s == '.')
			for (s++; isdigit((unsigned char)*s); s++)
				;
	}
	if (*s == 'Z')
		s++;
	else if (*s == '+' || *s == '-') {
		sign = *s++ == '-' ? -1 : 1;
		if (iso_digits(&s, 2, &oh) == -1)
			return -1;
		if (*s == ':')
			s++;
		if (isdigit((unsigned char)*s) && iso_digits(&s, 2, &om) == -1)
			return -1;
		oh *= sign;
		om *= sign;
	}
	if (*s != '\0' || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 ||
	    mi > 59 || sec > 60 || y < 1970 || oh > 14 || oh < -14 ||
	    om > 59 || om < -59)
		return -1;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	if ((t = timegm(&tm)) == -1)
		return -1;
	return t - (time_t)oh * 3600 - (time_t)om * 60;
}

int
iso8601_format(time_t t, char *buf, size_t len)
{
	struct tm	tm;

	if (len > 0)
		buf[0] = '\0';
	/* gmtime_r() fails for years past INT_MAX, and leaves tm unset. */
	if (t < 0 || t > ISO8601_MAX || gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		return -1;
	return 0;
}

time_t
core_expires_parse(const char *text, size_t len, time_t now)
{
	struct json_object	*o, *v;
	char			 err[128];
	time_t			 t = 0;
	int64_t			 secs;

	if ((o = model_json_parse(text, len, err, sizeof(err))) == NULL)
		return 0;
	if (json_object_object_get_ex(o, "expiresOn", &v)) {
		if (json_object_is_type(v, json_type_int)) {
			secs = json_object_get_int64(v);
			if (secs > 0 && secs < 10L * 365 * 86400)
				t = now + secs;
			else if (secs >= 10L * 365 * 86400)
				t = (time_t)(secs > 100000000000LL ?
				    secs / 1000 : secs);	/* epoch s or ms */
		} else if (json_object_is_type(v, json_type_string)) {
			if ((t = iso8601_parse(json_object_get_string(v))) == -1)
				t = 0;
		}
	}
	json_object_put(o);
	/* Whatever the Core says, a time that the callers' sums can hold. */
	if (t <= now)
		return 0;
	return t > ISO8601_MAX ? ISO8601_MAX : t;
}

static void
hint_add_call(struct hint *h, const char *id, int64_t token)
{
	h->call_ids = xreallocarray(h->call_ids, h->ncalls + 1,
	    sizeof(*h->call_ids));
	h->tokens = xreallocarray(h->tokens, h->ncalls + 1, sizeof(*h->tokens));
	h->call_ids[h->ncalls] = xstrdup(id);
	h->tokens[h->ncalls++] = token;
}

static int
hint_every_call(const char *id, int64_t token, void *arg)
{
	return 1;	/* only the id and token are wanted */
}

/*
 * A user webhook's body: the calls a user state names, read one call at a
 * time (user_state_parse_known), since a user state can be large. Bodies
 * of any other shape are read by hint_parse().
 */
void
hint_parse_user(const char *text, size_t len, struct hint *h)
{
	struct user_state	*us;
	char			 err[128];
	size_t			 i;

	if ((us = user_state_parse_known(text, len, hint_every_call, NULL, err,
	    sizeof(err))) == NULL || us->ncalls == 0) {
		user_state_free(us);
		hint_parse(text, len, h);
		return;
	}
	memset(h, 0, sizeof(*h));
	h->kind = HINT_CALLS;
	for (i = 0; i < us->ncalls; i++)
		hint_add_call(h, us->calls[i]->call_id, us->calls[i]->state_token);
	user_state_free(us);
}

void
hint_parse(const char *text, size_t len, struct hint *h)
{
	struct json_object	*o, *calls, *e, *v;
	char			 err[128];
	size_t			 i;

	memset(h, 0, sizeof(*h));
	if ((o = model_json_parse(text, len, err, sizeof(err))) == NULL)
		return;
	switch (json_object_get_type(o)) {
	case json_type_int:
		h->kind = HINT_TOKEN;
		h->token = json_object_get_int64(o);
		break;
	case json_type_array:
		calls = o;
		goto calls;
	case json_type_object:
		if (json_object_object_get_ex(o, "changedField", NULL) ||
		    json_object_object_get_ex(o, "timeStamp", NULL)) {
			h->kind = HINT_DEVICES;
			break;
		}
		if (json_object_object_get_ex(o, "calls", &calls))
			goto calls;
		if (json_object_object_get_ex(o, "stateToken", &v)) {
			h->kind = HINT_TOKEN;
			h->token = model_int(o, "stateToken");
			if (*model_str(o, "callId") != '\0')
				hint_add_call(h, model_str(o, "callId"), h->token);
		}
		break;
	default:
		break;
	}
	json_object_put(o);
	return;
calls:
	h->kind = HINT_CALLS;
	if (json_object_is_type(calls, json_type_array)) {
		for (i = 0; i < json_object_array_length(calls); i++) {
			e = json_object_array_get_idx(calls, i);
			if (json_object_is_type(e, json_type_string))
				hint_add_call(h, json_object_get_string(e), 0);
			else if (*model_str(e, "callId") != '\0')
				hint_add_call(h, model_str(e, "callId"),
				    model_int(e, "stateToken"));
		}
	}
	json_object_put(o);
}

void
hint_clear(struct hint *h)
{
	size_t	i;

	for (i = 0; i < h->ncalls; i++)
		free(h->call_ids[i]);
	free(h->call_ids);
	free(h->tokens);
	memset(h, 0, sizeof(*h));
}

int
hint_target(const char *uri, char id[33])
{
	size_t	i;

	if (strncmp(uri, "/hooks/", 7) != 0)
		return -1;
	uri += 7;
	for (i = 0; i < 32; i++)
		if (!((uri[i] >= '0' && uri[i] <= '9') ||
		    (uri[i] >= 'a' && uri[i] <= 'f')))
			return -1;
	if (uri[32] != '\0')
		return -1;
	memcpy(id, uri, 32);
	id[32] = '\0';
	return 0;
}
