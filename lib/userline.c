/* userline.c: User Line answers read tolerantly (groupId quoted or not, one line or a list). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "callstate.h"
#include "userline.h"
#include "xmalloc.h"

static const char *const userline_types[] = {
	"ANONYMOUS", "ACD", "ACD_LIGHT", "ATTENDANT", "SWITCHBOARD",
	"OFFICE_FIXED", "PRIVATE_FIXED", "OFFICE_MOBILE", "PRIVATE_MOBILE", NULL
};

const char *
userline_type_name(const char *s)
{
	const char *const	*t;

	for (t = userline_types; s != NULL && *t != NULL; t++)
		if (strcasecmp(*t, s) == 0)
			return *t;
	return NULL;
}

static int
str_eq(const char *a, const char *b)
{
	return strcmp(a != NULL ? a : "", b != NULL ? b : "") == 0;
}

static void
line_read(struct userline *l, struct json_object *e)
{
	l->type = xstrdup(model_str(e, "type"));
	l->group = model_int(e, "groupId");
	l->number = xstrdup(model_str(e, "number"));
	l->name = xstrdup(model_str(e, "name"));
	l->active = model_bool(e, "active");
}

const struct userline *
userline_find(const struct userline_list *l, const char *type, int64_t group)
{
	size_t	i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i].type, type) == 0 && l->v[i].group == group)
			return &l->v[i];
	return NULL;
}

int
userline_list_parse(const char *text, size_t len, struct userline_list *out,
    char *err, size_t errlen)
{
	struct json_object	*o, *arr, *e;
	size_t			 i, n;

	memset(out, 0, sizeof(*out));
	if ((o = model_json_parse(text, len, err, errlen)) == NULL)
		return -1;
	arr = json_object_is_type(o, json_type_array) ? o : model_get(o, "line");
	if (json_object_is_type(arr, json_type_object)) {
		/* {line: {...}}: the one line. */
		e = json_object_get(arr);
		json_object_put(o);
		o = e;
		arr = NULL;
	}
	if (json_object_is_type(o, json_type_object) &&
	    !json_object_is_type(arr, json_type_array)) {
		if (model_get(o, "type") == NULL &&
		    json_object_object_length(o) > 0) {
			snprintf(err, errlen, "userline: no line list");
			json_object_put(o);
			return -1;
		}
		arr = NULL;	/* one line, or none ({}) */
	} else if (!json_object_is_type(arr, json_type_array)) {
		snprintf(err, errlen, "userline: no line list");
		json_object_put(o);
		return -1;
	}
	n = arr != NULL ? json_object_array_length(arr) : 1;
	out->v = xcalloc(n > 0 ? n : 1, sizeof(*out->v));
	for (i = 0; i < n; i++) {
		e = arr != NULL ? json_object_array_get_idx(arr, i) : o;
		if (*model_str(e, "type") == '\0' ||
		    userline_find(out, model_str(e, "type"),
		    model_int(e, "groupId")) != NULL)
			continue;
		line_read(&out->v[out->n++], e);
	}
	json_object_put(o);
	return 0;
}

void
userline_list_free(struct userline_list *l)
{
	size_t	i;

	for (i = 0; i < l->n; i++)
		userline_clear(&l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

int
userline_list_equal(const struct userline_list *a,
    const struct userline_list *b)
{
	size_t	i;

	if (a->n != b->n)
		return 0;
	for (i = 0; i < a->n; i++)
		if (!userline_equal(&a->v[i], &b->v[i]))
			return 0;
	return 1;
}

int
userline_parse(const char *text, size_t len, struct userline *out, char *err,
    size_t errlen)
{
	struct json_object	*o, *v;

	memset(out, 0, sizeof(*out));
	if ((o = model_json_parse(text, len, err, errlen)) == NULL)
		return -1;
	if ((v = model_get(o, "userLine")) == NULL)
		v = model_get(o, "line");
	if (!json_object_is_type(v, json_type_object))
		v = o;
	if (!json_object_is_type(v, json_type_object)) {
		snprintf(err, errlen, "userline: not an object");
		json_object_put(o);
		return -1;
	}
	line_read(out, v);
	out->active = 1;
	json_object_put(o);
	return 0;
}

void
userline_clear(struct userline *l)
{
	free(l->type);
	free(l->number);
	free(l->name);
	memset(l, 0, sizeof(*l));
}

int
userline_equal(const struct userline *a, const struct userline *b)
{
	return str_eq(a->type, b->type) && a->group == b->group &&
	    str_eq(a->number, b->number) && str_eq(a->name, b->name) &&
	    a->active == b->active;
}
