/* presence.c: presence, activities and presence shortcuts read tolerantly; User Information's plain-text answers. */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "callstate.h"
#include "coremsg.h"
#include "presence.h"
#include "xmalloc.h"

/* An ISO 8601 time, or 0 (none, "never", unreadable). */
static time_t
presence_time(const char *s)
{
	time_t	t;

	if (*s == '\0' || strcmp(s, "never") == 0)
		return 0;
	return (t = iso8601_parse(s)) > 0 ? t : 0;
}

int
presence_parse(const char *text, size_t len, struct presence *p, char *err,
    size_t errlen)
{
	struct json_object	*root, *o, *a;

	memset(p, 0, sizeof(*p));
	if ((root = model_json_parse(text, len, err, errlen)) == NULL)
		return -1;
	o = root;
	/* Contacts-style answers wrap it: {presence: {...}}. */
	if ((a = model_get(root, "presence")) != NULL &&
	    json_object_is_type(a, json_type_object))
		o = a;
	if (!json_object_is_type(o, json_type_object)) {
		snprintf(err, errlen, "presence: not an object");
		json_object_put(root);
		return -1;
	}
	a = model_get(o, "activity");
	/* An activity given as its bare id is taken too. */
	if (json_object_is_type(a, json_type_string))
		p->activity = xstrdup(json_object_get_string(a));
	else {
		p->activity = xstrdup(model_str(a, "id"));
		p->expires = presence_time(model_str(a, "expiration"));
	}
	p->available = model_get(o, "available") != NULL ?
	    model_bool(o, "available") : model_bool(a, "available");
	p->note = xstrdup(model_str(o, "note"));
	json_object_put(root);
	return 0;
}

void
presence_clear(struct presence *p)
{
	free(p->activity);
	free(p->note);
	memset(p, 0, sizeof(*p));
}

static int
str_eq(const char *a, const char *b)
{
	return strcmp(a != NULL ? a : "", b != NULL ? b : "") == 0;
}

int
presence_equal(const struct presence *a, const struct presence *b)
{
	return str_eq(a->activity, b->activity) && a->available == b->available &&
	    str_eq(a->note, b->note) && a->expires == b->expires;
}

/* The list at key (or at outer.key), or the document if it is a list. */
static struct json_object *
presence_list(struct json_object *o, const char *outer, const char *key)
{
	struct json_object	*v;

	if (json_object_is_type(o, json_type_array))
		return o;
	if ((v = model_get(o, key)) == NULL && outer != NULL)
		v = model_get(model_get(o, outer), key);
	return json_object_is_type(v, json_type_array) ? v : NULL;
}

int
activities_parse(const char *text, size_t len, struct activity_list *out,
    char *err, size_t errlen)
{
	struct json_object	*o, *arr, *e;
	struct activity		*a;
	size_t			 i, n;

	memset(out, 0, sizeof(*out));
	if ((o = model_json_parse(text, len, err, errlen)) == NULL)
		return -1;
	if ((arr = presence_list(o, "activities", "activity")) == NULL) {
		snprintf(err, errlen, "activities: no activity list");
		json_object_put(o);
		return -1;
	}
	n = json_object_array_length(arr);
	out->v = xcalloc(n > 0 ? n : 1, sizeof(*out->v));
	for (i = 0; i < n; i++) {
		e = json_object_array_get_idx(arr, i);
		if (*model_str(e, "id") == '\0' ||
		    activities_find(out, model_str(e, "id")) != NULL)
			continue;
		a = &out->v[out->n++];
		a->id = xstrdup(model_str(e, "id"));
		a->name = xstrdup(model_str(e, "name"));
		a->available = model_bool(e, "available");
		a->dflt = model_bool(e, "default");
	}
	json_object_put(o);
	return 0;
}

void
activities_free(struct activity_list *l)
{
	size_t	i;

	for (i = 0; i < l->n; i++) {
		free(l->v[i].id);
		free(l->v[i].name);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}

int
activities_equal(const struct activity_list *a, const struct activity_list *b)
{
	size_t	i;

	if (a->n != b->n)
		return 0;
	for (i = 0; i < a->n; i++)
		if (!str_eq(a->v[i].id, b->v[i].id) ||
		    !str_eq(a->v[i].name, b->v[i].name) ||
		    a->v[i].available != b->v[i].available ||
		    a->v[i].dflt != b->v[i].dflt)
			return 0;
	return 1;
}

const struct activity *
activities_find(const struct activity_list *l, const char *id)
{
	size_t	i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i].id, id) == 0)
			return &l->v[i];
	return NULL;
}

static int
shortcut_cmp(const void *a, const void *b)
{
	const struct shortcut	*x = a, *y = b;

	return x->order < y->order ? -1 : x->order > y->order;
}

int
shortcuts_parse(const char *text, size_t len, struct shortcut_list *out,
    char *err, size_t errlen)
{
	struct json_object	*o, *arr, *e;
	struct shortcut		*s;
	size_t			 i, n;
	int64_t			 order;

	memset(out, 0, sizeof(*out));
	if ((o = model_json_parse(text, len, err, errlen)) == NULL)
		return -1;
	arr = presence_list(o, NULL, "presenceShortcut");
	if (arr == NULL && model_get(o, "id") == NULL &&
	    !(json_object_is_type(o, json_type_object) &&
	    json_object_object_length(o) == 0)) {
		snprintf(err, errlen, "shortcuts: no presenceShortcut list");
		json_object_put(o);
		return -1;
	}
	n = arr != NULL ? json_object_array_length(arr) : 1;
	out->v = xcalloc(n, sizeof(*out->v));
	for (i = 0; i < n; i++) {
		e = arr != NULL ? json_object_array_get_idx(arr, i) : o;
		if (*model_str(e, "id") == '\0' ||
		    shortcuts_find(out, model_str(e, "id")) != NULL)
			continue;
		s = &out->v[out->n++];
		s->id = xstrdup(model_str(e, "id"));
		s->name = xstrdup(model_str(e, "name"));
		s->activity = xstrdup(model_str(e, "activityId"));
		s->available = model_bool(e, "available");
		s->duration_type = xstrdup(model_str(e, "durationType"));
		s->minutes = model_uint(e, "durationMinutes");
		order = model_int(e, "order");
		s->order = order > INT32_MAX ? INT32_MAX : order < INT32_MIN ?
		    INT32_MIN : (int32_t)order;
		s->image = xstrdup(model_str(e, "imageId"));
		s->divert = xstrdup(model_str(e, "diversionPhoneNumber"));
		s->apply_divert = model_bool(e, "applyDiversionNumber");
	}
	json_object_put(o);
	/* Stable enough: ties keep no promised order. */
	if (out->n > 1)
		qsort(out->v, out->n, sizeof(*out->v), shortcut_cmp);
	return 0;
}

void
shortcuts_free(struct shortcut_list *l)
{
	size_t	i;

	for (i = 0; i < l->n; i++) {
		free(l->v[i].id);
		free(l->v[i].name);
		free(l->v[i].activity);
		free(l->v[i].duration_type);
		free(l->v[i].image);
		free(l->v[i].divert);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}

int
shortcuts_equal(const struct shortcut_list *a, const struct shortcut_list *b)
{
	const struct shortcut	*x, *y;
	size_t			 i;

	if (a->n != b->n)
		return 0;
	for (i = 0; i < a->n; i++) {
		x = &a->v[i];
		y = &b->v[i];
		if (!str_eq(x->id, y->id) || !str_eq(x->name, y->name) ||
		    !str_eq(x->activity, y->activity) ||
		    x->available != y->available ||
		    !str_eq(x->duration_type, y->duration_type) ||
		    x->minutes != y->minutes || x->order != y->order ||
		    !str_eq(x->image, y->image) || !str_eq(x->divert, y->divert) ||
		    x->apply_divert != y->apply_divert)
			return 0;
	}
	return 1;
}

const struct shortcut *
shortcuts_find(const struct shortcut_list *l, const char *id)
{
	size_t	i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i].id, id) == 0)
			return &l->v[i];
	return NULL;
}

/* text without surrounding white space and one pair of quotes, in buf. */
static const char *
presence_text(const char *text, size_t len, char *buf, size_t buflen)
{
	while (len > 0 && isspace((unsigned char)*text))
		text++, len--;
	while (len > 0 && isspace((unsigned char)text[len - 1]))
		len--;
	if (len >= 2 && text[0] == '"' && text[len - 1] == '"')
		text++, len -= 2;
	if (len >= buflen || memchr(text, '\0', len) != NULL)
		return NULL;
	memcpy(buf, text, len);
	buf[len] = '\0';
	return buf;
}

time_t
presence_text_expires(const char *text, size_t len)
{
	char		 buf[64];
	const char	*s;
	time_t		 t;

	if ((s = presence_text(text, len, buf, sizeof(buf))) == NULL)
		return -1;
	if (strcmp(s, "never") == 0)
		return 0;
	return (t = iso8601_parse(s)) > 0 ? t : -1;
}

int
presence_text_bool(const char *text, size_t len)
{
	char		 buf[16];
	const char	*s;

	if ((s = presence_text(text, len, buf, sizeof(buf))) == NULL)
		return -1;
	if (strcmp(s, "true") == 0)
		return 1;
	if (strcmp(s, "false") == 0)
		return 0;
	return -1;
}

time_t
shortcut_expiry(const struct shortcut *s, time_t now)
{
	struct tm	tm;
	int		days;

	if (strcmp(s->duration_type, "MINUTES") == 0)
		return now + (time_t)s->minutes * 60;
	if (strcmp(s->duration_type, "UNTIL_NEXT_WORKING_DAY") != 0)
		return 0;
	if (localtime_r(&now, &tm) == NULL)
		return 0;
	/* From Friday 3 days, Saturday 2, any other day 1. */
	days = tm.tm_wday == 5 ? 3 : tm.tm_wday == 6 ? 2 : 1;
	tm.tm_mday += days;
	tm.tm_hour = 8;
	tm.tm_min = tm.tm_sec = 0;
	tm.tm_isdst = -1;
	return mktime(&tm);
}
