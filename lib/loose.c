/* loose.c: a small recursive-descent parser for bracketed bare words. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "loose.h"
#include "xmalloc.h"

#define LOOSE_MAX_DEPTH	16

struct loose {
	const char	*p;
	const char	*end;
};

static struct json_object *loose_value(struct loose *, int depth, const char *stops);

static void
loose_ws(struct loose *l)
{
	while (l->p < l->end && (*l->p == ' ' || *l->p == '\t' ||
	    *l->p == '\n' || *l->p == '\r'))
		l->p++;
}

static int
loose_eat(struct loose *l, char c)
{
	loose_ws(l);
	if (l->p < l->end && *l->p == c) {
		l->p++;
		return 1;
	}
	return 0;
}

/* A quoted string after its opening quote; NULL if unterminated. */
static char *
loose_quoted(struct loose *l)
{
	struct buf	b;

	buf_init(&b);
	for (; l->p < l->end; l->p++) {
		if (*l->p == '"') {
			l->p++;
			return buf_release(&b);
		}
		if (*l->p == '\\' && l->p + 1 < l->end)
			l->p++;
		buf_addc(&b, *l->p);
	}
	buf_free(&b);
	return NULL;
}

/* A bare word up to one of stops, white space trimmed; NULL if empty. */
static char *
loose_bare(struct loose *l, const char *stops)
{
	const char	*start = l->p, *end;

	while (l->p < l->end && strchr(stops, *l->p) == NULL &&
	    *l->p != '\0')
		l->p++;
	end = l->p;
	while (end > start && (end[-1] == ' ' || end[-1] == '\t' ||
	    end[-1] == '\n' || end[-1] == '\r'))
		end--;
	if (end == start)
		return NULL;
	return xstrndup(start, (size_t)(end - start));
}

static struct json_object *
loose_array(struct loose *l, int depth)
{
	struct json_object	*arr = json_object_new_array(), *v;

	if (loose_eat(l, ']'))
		return arr;
	do {
		if ((v = loose_value(l, depth + 1, ",]")) == NULL)
			goto fail;
		json_object_array_add(arr, v);
	} while (loose_eat(l, ','));
	if (loose_eat(l, ']'))
		return arr;
fail:
	json_object_put(arr);
	return NULL;
}

static struct json_object *
loose_object(struct loose *l, int depth)
{
	struct json_object	*obj = json_object_new_object(), *v;
	char			*key;

	if (loose_eat(l, '}'))
		return obj;
	do {
		loose_ws(l);
		if (l->p < l->end && *l->p == '"') {
			l->p++;
			key = loose_quoted(l);
		} else
			key = loose_bare(l, ":,{}[]");
		if (key == NULL)
			goto fail;
		if (!loose_eat(l, ':') ||
		    (v = loose_value(l, depth + 1, ",}")) == NULL) {
			free(key);
			goto fail;
		}
		json_object_object_add(obj, key, v);
		free(key);
	} while (loose_eat(l, ','));
	if (loose_eat(l, '}'))
		return obj;
fail:
	json_object_put(obj);
	return NULL;
}

static struct json_object *
loose_value(struct loose *l, int depth, const char *stops)
{
	struct json_object	*v;
	char			*s, bare_stops[8];

	if (depth > LOOSE_MAX_DEPTH)
		return NULL;
	loose_ws(l);
	if (l->p >= l->end)
		return NULL;
	if (*l->p == '[') {
		l->p++;
		return loose_array(l, depth);
	}
	if (*l->p == '{') {
		l->p++;
		return loose_object(l, depth);
	}
	if (*l->p == '"') {
		l->p++;
		s = loose_quoted(l);
	} else {
		snprintf(bare_stops, sizeof(bare_stops), "%s[]{}", stops);
		s = loose_bare(l, bare_stops);
	}
	if (s == NULL)
		return NULL;
	if (strcmp(s, "true") == 0 || strcmp(s, "false") == 0)
		v = json_object_new_boolean(s[0] == 't');
	else
		v = json_object_new_string(s);
	free(s);
	return v;
}

struct json_object *
loose_parse(const char *text, size_t len)
{
	struct loose		 l = { text, text + len };
	struct json_object	*v;

	if ((v = loose_value(&l, 0, ",")) == NULL)
		return NULL;
	loose_ws(&l);
	if (l.p != l.end) {
		json_object_put(v);
		return NULL;
	}
	return v;
}
