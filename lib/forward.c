/* forward.c: call forwarding documents read tolerantly (hyphenated keys, numbers as numbers, one rule or a whole list). */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "callstate.h"
#include "forward.h"
#include "xmalloc.h"

/* The reference's rule types and what dstnyctl calls them. */
static const struct {
	const char	*name;
	const char	*short_name;
} forward_types[] = {
	{ "CFWD_ALL", "all" },
	{ "CFWD_ON_BUSY", "busy" },
	{ "CFWD_ON_BUSY_IN_CALL", "busy-in-call" },
	{ "CFWD_NO_ANSWER", "no-answer" },
	{ "CFWD_UNREACHABLE", "unreachable" },
	{ "CFWD_NO_ANSWER_OR_UNREACHABLE", "no-answer-or-unreachable" },
	{ "CFWD_ON_BUSY_OR_UNREACHABLE", "busy-or-unreachable" },
	{ "CFWD_ON_BUSY_IN_CALL_OR_UNREACHABLE", "busy-in-call-or-unreachable" },
};
#define NTYPES	(sizeof(forward_types) / sizeof(forward_types[0]))

const char *
forward_type_name(const char *s)
{
	size_t	i;

	for (i = 0; s != NULL && i < NTYPES; i++)
		if (strcasecmp(s, forward_types[i].name) == 0 ||
		    strcasecmp(s, forward_types[i].short_name) == 0)
			return forward_types[i].name;
	return NULL;
}

const char *
forward_type_short(const char *s)
{
	size_t	i;

	for (i = 0; i < NTYPES; i++)
		if (strcmp(s, forward_types[i].name) == 0)
			return forward_types[i].short_name;
	return s;
}

const char *
forward_line_name(const char *s)
{
	if (s != NULL && strcasecmp(s, "PRIMARY") == 0)
		return "PRIMARY";
	if (s != NULL && strcasecmp(s, "SECONDARY") == 0)
		return "SECONDARY";
	return NULL;
}

int
phone_number_valid(const char *s)
{
	size_t	n = strlen(s);

	return n > 0 && n <= 32 && strspn(s, "+0123456789*#") == n;
}

/* key, else its hyphenated form ("diversion-number" for diversionNumber). */
static struct json_object *
get2(struct json_object *o, const char *key, const char *hyphenated)
{
	struct json_object	*v;

	if ((v = model_get(o, key)) == NULL)
		v = model_get(o, hyphenated);
	return v;
}

static int
str_eq(const char *a, const char *b)
{
	return strcmp(a != NULL ? a : "", b != NULL ? b : "") == 0;
}

static const struct fwd_line *
line_find(const struct fwd_rules *r, const char *order)
{
	size_t	i;

	for (i = 0; i < r->nlines; i++)
		if (strcmp(r->lines[i].order, order) == 0)
			return &r->lines[i];
	return NULL;
}

const struct fwd_rule *
forward_rules_find(const struct fwd_rules *r, const char *line,
    const char *type)
{
	size_t	i;

	for (i = 0; i < r->nrules; i++)
		if (strcmp(r->rules[i].line, line) == 0 &&
		    strcmp(r->rules[i].type, type) == 0)
			return &r->rules[i];
	return NULL;
}

/* One rule of a line; off (no number), NONE or seen before: skipped. */
static void
rules_add(struct fwd_rules *r, const char *line, struct json_object *e)
{
	const char	*type = model_str(e, "diversionRoutingRulesType");
	const char	*num;
	struct fwd_rule	*f;

	if (*type == '\0')
		type = model_str(e, "diversion-routing-rules-type");
	if (*(num = model_str(e, "phoneNumber")) == '\0')
		num = model_str(e, "phone-number");
	if (*type == '\0' || strcmp(type, "NONE") == 0 || *num == '\0' ||
	    forward_rules_find(r, line, type) != NULL)
		return;
	r->rules = xreallocarray(r->rules, r->nrules + 1, sizeof(*r->rules));
	f = &r->rules[r->nrules++];
	f->line = xstrdup(line);
	f->type = xstrdup(type);
	f->number = xstrdup(num);
}

/* A line: its own fields, then its rules (an array, or one object). */
static void
line_add(struct fwd_rules *r, struct json_object *e)
{
	struct json_object	*rules, *x;
	struct fwd_line		*l;
	const char		*order = model_str(e, "lineOrderType");
	size_t			 i;

	if (!json_object_is_type(e, json_type_object))
		return;
	if (*order == '\0')
		order = "PRIMARY";
	if (line_find(r, order) == NULL) {
		r->lines = xreallocarray(r->lines, r->nlines + 1,
		    sizeof(*r->lines));
		l = &r->lines[r->nlines++];
		l->order = xstrdup(order);
		l->type = xstrdup(model_str(e, "lineType"));
		l->number = xstrdup(model_str(e, "lineNumber"));
	}
	rules = get2(e, "userDiversionRules", "user-diversion-rules");
	if (json_object_is_type(rules, json_type_array)) {
		for (i = 0; i < json_object_array_length(rules); i++) {
			x = json_object_array_get_idx(rules, i);
			if (json_object_is_type(x, json_type_object))
				rules_add(r, order, x);
		}
	} else if (json_object_is_type(rules, json_type_object))
		rules_add(r, order, rules);
	else if (rules == NULL)
		rules_add(r, order, e);	/* one rule, with its line */
}

int
forward_rules_parse(const char *text, size_t len, struct fwd_rules *out,
    char *err, size_t errlen)
{
	struct json_object	*o, *arr;
	size_t			 i;

	memset(out, 0, sizeof(*out));
	if ((o = model_json_parse(text, len, err, errlen)) == NULL)
		return -1;
	arr = json_object_is_type(o, json_type_array) ? o :
	    get2(o, "userDiversionLineRules", "user-diversion-line-rules");
	if (json_object_is_type(arr, json_type_array)) {
		for (i = 0; i < json_object_array_length(arr); i++)
			line_add(out, json_object_array_get_idx(arr, i));
	} else if (json_object_is_type(arr, json_type_object))
		line_add(out, arr);
	else if (arr == NULL && (model_get(o, "userDiversionRules") != NULL ||
	    model_get(o, "diversionRoutingRulesType") != NULL))
		line_add(out, o);
	else if (!(arr == NULL && json_object_is_type(o, json_type_object) &&
	    (json_object_object_length(o) == 0 ||
	    model_get(o, "user") != NULL))) {
		/* {} and {user} alone have no line; anything else is wrong. */
		snprintf(err, errlen, "diversion: no userDiversionLineRules");
		json_object_put(o);
		return -1;
	}
	json_object_put(o);
	return 0;
}

void
forward_rules_free(struct fwd_rules *r)
{
	size_t	i;

	for (i = 0; i < r->nlines; i++) {
		free(r->lines[i].order);
		free(r->lines[i].type);
		free(r->lines[i].number);
	}
	for (i = 0; i < r->nrules; i++) {
		free(r->rules[i].line);
		free(r->rules[i].type);
		free(r->rules[i].number);
	}
	free(r->lines);
	free(r->rules);
	memset(r, 0, sizeof(*r));
}

int
forward_rules_equal(const struct fwd_rules *a, const struct fwd_rules *b)
{
	size_t	i;

	if (a->nlines != b->nlines || a->nrules != b->nrules)
		return 0;
	for (i = 0; i < a->nlines; i++)
		if (!str_eq(a->lines[i].order, b->lines[i].order) ||
		    !str_eq(a->lines[i].type, b->lines[i].type) ||
		    !str_eq(a->lines[i].number, b->lines[i].number))
			return 0;
	for (i = 0; i < a->nrules; i++)
		if (!str_eq(a->rules[i].line, b->rules[i].line) ||
		    !str_eq(a->rules[i].type, b->rules[i].type) ||
		    !str_eq(a->rules[i].number, b->rules[i].number))
			return 0;
	return 1;
}

int
forward_rules_set(struct fwd_rules *r, const char *line, const char *type,
    const char *number)
{
	struct fwd_rule	*f = (struct fwd_rule *)forward_rules_find(r, line, type);
	struct json_object	*e;
	size_t		 i;

	if (number == NULL || *number == '\0') {
		if (f == NULL)
			return 0;
		i = (size_t)(f - r->rules);
		free(f->line);
		free(f->type);
		free(f->number);
		memmove(f, f + 1, (r->nrules - i - 1) * sizeof(*f));
		r->nrules--;
		return 1;
	}
	if (f != NULL) {
		if (strcmp(f->number, number) == 0)
			return 0;
		free(f->number);
		f->number = xstrdup(number);
		return 1;
	}
	e = json_object_new_object();
	json_object_object_add(e, "diversionRoutingRulesType",
	    json_object_new_string(type));
	json_object_object_add(e, "phoneNumber", json_object_new_string(number));
	rules_add(r, line, e);
	json_object_put(e);
	return 1;
}

/* Plain text that is a number to divert to, white space around. */
static int
number_text(const char *text, size_t len, char **out)
{
	char	buf[64];

	while (len > 0 && isspace((unsigned char)*text))
		text++, len--;
	while (len > 0 && isspace((unsigned char)text[len - 1]))
		len--;
	if (len == 0 || len >= sizeof(buf))
		return -1;
	memcpy(buf, text, len);
	buf[len] = '\0';
	if (!phone_number_valid(buf))
		return -1;
	*out = xstrdup(buf);
	return 0;
}

int
forward_number_parse(const char *text, size_t len, char **out, char *err,
    size_t errlen)
{
	struct json_object	*o, *v;

	*out = NULL;
	if ((o = model_json_parse(text, len, err, errlen)) == NULL)
		return number_text(text, len, out);
	if (json_object_is_type(o, json_type_object)) {
		/* A null member is there, as none. */
		if (!json_object_object_get_ex(o, "diversionNumber", &v) &&
		    !json_object_object_get_ex(o, "diversion-number", &v) &&
		    !json_object_object_get_ex(o, "phoneNumber", &v) &&
		    json_object_object_length(o) > 0) {
			snprintf(err, errlen, "diversion: no diversion-number");
			json_object_put(o);
			return -1;
		}
	} else
		v = o;
	switch (json_object_get_type(v)) {
	case json_type_string:
	case json_type_int:
		*out = xstrdup(json_object_get_string(v));
		break;
	case json_type_null:
		*out = xstrdup("");
		break;
	default:
		snprintf(err, errlen, "diversion: the number is no string");
		json_object_put(o);
		return -1;
	}
	json_object_put(o);
	return 0;
}

static const struct fwd_mapping *
mapping_find(const struct fwd_mappings *m, const char *activity)
{
	size_t	i;

	for (i = 0; i < m->n; i++)
		if (strcmp(m->v[i].activity, activity) == 0)
			return &m->v[i];
	return NULL;
}

int
forward_mapping_parse(const char *text, size_t len, struct fwd_mappings *out,
    char *err, size_t errlen)
{
	struct json_object	*o, *arr, *e;
	struct fwd_mapping	*m;
	size_t			 i, n;

	memset(out, 0, sizeof(*out));
	if ((o = model_json_parse(text, len, err, errlen)) == NULL)
		return -1;
	arr = json_object_is_type(o, json_type_array) ? o :
	    get2(o, "diversionMapping", "diversion-mapping");
	if (arr == NULL && json_object_is_type(o, json_type_object) &&
	    (model_get(o, "activityId") != NULL ||
	    json_object_object_length(o) == 0))
		arr = NULL;	/* one mapping, or none */
	else if (!json_object_is_type(arr, json_type_array)) {
		snprintf(err, errlen, "diversion: no diversion-mapping list");
		json_object_put(o);
		return -1;
	}
	n = arr != NULL ? json_object_array_length(arr) : 1;
	out->v = xcalloc(n > 0 ? n : 1, sizeof(*out->v));
	for (i = 0; i < n; i++) {
		e = arr != NULL ? json_object_array_get_idx(arr, i) : o;
		if (*model_str(e, "activityId") == '\0' ||
		    mapping_find(out, model_str(e, "activityId")) != NULL)
			continue;
		m = &out->v[out->n++];
		m->activity = xstrdup(model_str(e, "activityId"));
		m->number = xstrdup(model_str(e, "phoneNumber"));
	}
	json_object_put(o);
	return 0;
}

void
forward_mapping_free(struct fwd_mappings *m)
{
	size_t	i;

	for (i = 0; i < m->n; i++) {
		free(m->v[i].activity);
		free(m->v[i].number);
	}
	free(m->v);
	memset(m, 0, sizeof(*m));
}

int
forward_mapping_equal(const struct fwd_mappings *a,
    const struct fwd_mappings *b)
{
	size_t	i;

	if (a->n != b->n)
		return 0;
	for (i = 0; i < a->n; i++)
		if (!str_eq(a->v[i].activity, b->v[i].activity) ||
		    !str_eq(a->v[i].number, b->v[i].number))
			return 0;
	return 1;
}
