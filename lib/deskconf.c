/* deskconf.c: desktop.conf through inih, and the url/exec templates of [popup] rules. */
#include "config.h"

#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "deskconf.h"
#include "inifile.h"
#include "xmalloc.h"

#define DESKCONF_LINE_MAX	16384
#define DESKCONF_POPUPS_MAX	64

/* The placeholders of url and exec, in the order of struct desk_fields. */
enum desk_field {
	F_NUMBER, F_NAME, F_CALLID, F_QUEUE, F_DIRECTION, F_USER, F_COUNT
};
static const char *const deskconf_fields[F_COUNT] = {
	"number", "name", "callId", "queue", "direction", "user"
};

struct deskconf_parser {
	struct inifile		 f;
	struct desk_conf	*conf;
	unsigned		*popup_lines;	/* header line of each popup */
};

/* The name of a [popup "name"] header, or NULL. */
static char *
deskconf_popup_section(const char *section)
{
	return inifile_named_section(section, "popup");
}

static struct desk_popup *
deskconf_popup_get(struct deskconf_parser *p, const char *name)
{
	struct desk_conf	*c = p->conf;
	size_t			 i;

	for (i = 0; i < c->npopups; i++)
		if (strcmp(c->popups[i].name, name) == 0)
			return &c->popups[i];
	return NULL;
}

/* A section header: known sections only; a popup is made here. */
static void
deskconf_section(void *arg, const char *section)
{
	struct deskconf_parser	*p = arg;
	struct desk_conf	*c = p->conf;
	char			*name;

	if (strcmp(section, "notify") == 0 || strcmp(section, "media") == 0)
		return;
	if ((name = deskconf_popup_section(section)) == NULL) {
		inifile_error(&p->f, p->f.line, "", "unknown section [%s]", section);
		return;
	}
	if (*name == '\0')
		inifile_error(&p->f, p->f.line, "", "[%s]: a popup needs a name",
		    section);
	else if (deskconf_popup_get(p, name) != NULL)
		inifile_error(&p->f, p->f.line, "", "[%s] given twice", section);
	else if (c->npopups >= DESKCONF_POPUPS_MAX)
		inifile_error(&p->f, p->f.line, "", "more than %d popups",
		    DESKCONF_POPUPS_MAX);
	if (p->f.failed) {
		free(name);
		return;
	}
	c->popups = xreallocarray(c->popups, c->npopups + 1,
	    sizeof(*c->popups));
	p->popup_lines = xreallocarray(p->popup_lines, c->npopups + 1,
	    sizeof(*p->popup_lines));
	memset(&c->popups[c->npopups], 0, sizeof(*c->popups));
	c->popups[c->npopups].name = name;
	p->popup_lines[c->npopups++] = p->f.line;
}

/*
 * Check a template: every "{word}" must name a placeholder. Other braces
 * are kept as they are. With no_fields set, no placeholder is allowed.
 */
static int
deskconf_check_template(const char *t, int no_fields, const char **why)
{
	const char	*open, *close;
	size_t		 i, len;

	for (open = strchr(t, '{'); open != NULL; open = strchr(open + 1, '{')) {
		for (close = open + 1; isalnum((unsigned char)*close); close++)
			;
		if (*close != '}' || close == open + 1)
			continue;
		len = (size_t)(close - open - 1);
		for (i = 0; i < F_COUNT; i++)
			if (strlen(deskconf_fields[i]) == len &&
			    strncmp(deskconf_fields[i], open + 1, len) == 0)
				break;
		if (i == F_COUNT)
			return (*why = "unknown placeholder; use {number} {name} "
			    "{callId} {queue} {direction} {user}"), -1;
		if (no_fields)
			return (*why = "the program itself cannot be a "
			    "placeholder"), -1;
	}
	return 0;
}

static int
deskconf_set_on(struct desk_popup *r, const char *v, const char **why)
{
	char		*copy = xstrdup(v), *tok, *save = NULL;
	unsigned	 on = 0;

	for (tok = strtok_r(copy, " \t", &save); tok != NULL;
	    tok = strtok_r(NULL, " \t", &save)) {
		if (strcmp(tok, "ringing") == 0)
			on |= DESK_ON_RINGING;
		else if (strcmp(tok, "answered") == 0)
			on |= DESK_ON_ANSWERED;
		else if (strcmp(tok, "ended") == 0)
			on |= DESK_ON_ENDED;
		else {
			free(copy);
			return (*why = "must be one or several of ringing, "
			    "answered, ended"), -1;
		}
	}
	free(copy);
	if (on == 0)
		return (*why = "must be one or several of ringing, answered, "
		    "ended"), -1;
	r->on = on;
	return 0;
}

static int
deskconf_set_url(struct desk_popup *r, const char *v, const char **why)
{
	const char	*s;

	/* A scheme first: the opener never sees an option ("-x"). */
	if (!isalpha((unsigned char)v[0]))
		return (*why = "must be a URL such as https://..."), -1;
	for (s = v; isalnum((unsigned char)*s) || *s == '+' || *s == '-' ||
	    *s == '.'; s++)
		;
	if (*s != ':')
		return (*why = "must be a URL such as https://..."), -1;
	for (s = v; *s != '\0'; s++)
		if ((unsigned char)*s <= ' ' || (unsigned char)*s == 0x7f)
			return (*why = "must not hold spaces or control "
			    "characters"), -1;
	if (deskconf_check_template(v, 0, why) == -1)
		return -1;
	r->url = xstrdup(v);
	return 0;
}

static int
deskconf_set_exec(struct desk_popup *r, const char *v, const char **why)
{
	char	*copy = xstrdup(v), *tok, *save = NULL;
	char	**argv = NULL;
	size_t	 argc = 0, i;

	for (tok = strtok_r(copy, " \t", &save); tok != NULL;
	    tok = strtok_r(NULL, " \t", &save)) {
		if (deskconf_check_template(tok, argc == 0, why) == -1)
			goto fail;
		argv = xreallocarray(argv, argc + 2, sizeof(*argv));
		argv[argc++] = xstrdup(tok);
		argv[argc] = NULL;
	}
	if (argc == 0) {
		*why = "must name a program";
		goto fail;
	}
	free(copy);
	r->argv = argv;
	r->argc = argc;
	return 0;
fail:
	for (i = 0; i < argc; i++)
		free(argv[i]);
	free(argv);
	free(copy);
	return -1;
}

static int
deskconf_set_popup(struct desk_popup *r, const char *key, const char *v,
    const char **why)
{
	const char	*s;

	if (strcmp(key, "on") == 0)
		return deskconf_set_on(r, v, why);
	if (strcmp(key, "url") == 0)
		return deskconf_set_url(r, v, why);
	if (strcmp(key, "exec") == 0)
		return deskconf_set_exec(r, v, why);
	if (strcmp(key, "direction") == 0) {
		if (strcmp(v, "any") == 0)
			r->direction = DESK_DIR_ANY;
		else if (strcmp(v, "inbound") == 0)
			r->direction = DESK_DIR_INBOUND;
		else if (strcmp(v, "outbound") == 0)
			r->direction = DESK_DIR_OUTBOUND;
		else
			return (*why = "must be inbound, outbound or any"), -1;
		return 0;
	}
	if (strcmp(key, "queue") == 0) {
		if (*v == '\0')
			return (*why = "must not be empty"), -1;
		r->queue = xstrdup(v);
		return 0;
	}
	if (strcmp(key, "number_prefix") == 0) {
		s = *v == '+' ? v + 1 : v;
		if (*s == '\0')
			return (*why = "must be digits, such as +4670 or 0046"), -1;
		for (; *s != '\0'; s++)
			if (!isdigit((unsigned char)*s))
				return (*why = "must be digits, such as +4670 "
				    "or 0046"), -1;
		r->number_prefix = xstrdup(v);
		return 0;
	}
	return (*why = NULL), -1;
}

static void
deskconf_key(void *arg, const char *section, const char *key,
    const char *value, const char *where)
{
	struct deskconf_parser	*p = arg;
	struct desk_conf	*c = p->conf;
	struct desk_popup	*r;
	const char		*why = NULL;
	char			*name;
	int			 rc = -1;

	if (strcmp(section, "notify") == 0) {
		if (strcmp(key, "incoming") == 0)
			rc = inifile_bool(value, &c->notify_incoming);
		else if (strcmp(key, "missed") == 0)
			rc = inifile_bool(value, &c->notify_missed);
		else
			goto unknown;
		why = "must be yes or no";
	} else if (strcmp(section, "media") == 0) {
		if (strcmp(key, "pause") != 0)
			goto unknown;
		why = "must be no, answered or ringing";
		rc = 0;
		if (strcmp(value, "no") == 0)
			c->pause = DESK_PAUSE_NO;
		else if (strcmp(value, "answered") == 0)
			c->pause = DESK_PAUSE_ANSWERED;
		else if (strcmp(value, "ringing") == 0)
			c->pause = DESK_PAUSE_RINGING;
		else
			rc = -1;
	} else if ((name = deskconf_popup_section(section)) != NULL) {
		r = deskconf_popup_get(p, name);
		free(name);
		if (r == NULL)
			goto unknown;
		rc = deskconf_set_popup(r, key, value, &why);
		if (rc == -1 && why == NULL)
			goto unknown;
	}
	if (rc == -1)
		inifile_error(&p->f, p->f.line, where, "%s (got \"%s\")",
		    why != NULL ? why : "invalid", value);
	return;
unknown:
	inifile_error(&p->f, p->f.line, where, "unknown key");
}

/* Each rule has on and exactly one of url and exec. */
static void
deskconf_finish(struct deskconf_parser *p)
{
	struct desk_conf	*c = p->conf;
	struct desk_popup	*r;
	size_t			 i;
	char			 where[256];

	for (i = 0; i < c->npopups && !p->f.failed; i++) {
		r = &c->popups[i];
		snprintf(where, sizeof(where), "[popup \"%s\"]", r->name);
		if (r->on == 0)
			inifile_error(&p->f, p->popup_lines[i], where,
			    "on = ringing | answered | ended is missing");
		else if (r->url == NULL && r->argv == NULL)
			inifile_error(&p->f, p->popup_lines[i], where,
			    "give url or exec");
		else if (r->url != NULL && r->argv != NULL)
			inifile_error(&p->f, p->popup_lines[i], where,
			    "give url or exec, not both");
	}
}

struct desk_conf *
deskconf_parse(const char *text, size_t len, const char *name, char *err,
    size_t errlen)
{
	struct deskconf_parser	 p;
	struct desk_conf	*c;

	memset(&p, 0, sizeof(p));
	c = xcalloc(1, sizeof(*c));
	c->path = xstrdup(name);
	c->notify_incoming = 1;
	c->notify_missed = 1;
	c->pause = DESK_PAUSE_NO;
	p.conf = c;
	p.f = (struct inifile){ .line_max = DESKCONF_LINE_MAX,
	    .section = deskconf_section, .key = deskconf_key, .arg = &p };
	if (inifile_parse(&p.f, name, text, len, err, errlen) == 0)
		deskconf_finish(&p);
	inifile_free(&p.f);
	free(p.popup_lines);
	if (p.f.failed) {
		deskconf_free(c);
		return NULL;
	}
	return c;
}

char *
deskconf_default_path(void)
{
	const char	*x = getenv("XDG_CONFIG_HOME"), *home;

	if (x != NULL && *x == '/')
		return xasprintf("%s/dstnyd/desktop.conf", x);
	if ((home = getenv("HOME")) == NULL || *home == '\0')
		home = "/";
	return xasprintf("%s/.config/dstnyd/desktop.conf", home);
}

struct desk_conf *
deskconf_load(const char *path, char *err, size_t errlen)
{
	struct desk_conf	*c;
	char			*text, *def = NULL;
	size_t			 len;

	if (path == NULL)
		path = def = deskconf_default_path();
	if ((text = inifile_read(path, &len, err, errlen)) == NULL) {
		/* No file where none was asked for: the defaults. */
		c = def != NULL && errno == ENOENT ?
		    deskconf_parse("", 0, def, err, errlen) : NULL;
		free(def);
		return c;
	}
	c = deskconf_parse(text, len, path, err, errlen);
	free(text);
	free(def);
	return c;
}

void
deskconf_free(struct desk_conf *c)
{
	struct desk_popup	*r;
	size_t			 i;

	if (c == NULL)
		return;
	for (i = 0; i < c->npopups; i++) {
		r = &c->popups[i];
		free(r->name);
		free(r->url);
		deskconf_argv_free(r->argv);
		free(r->queue);
		free(r->number_prefix);
	}
	free(c->popups);
	free(c->path);
	free(c);
}

/* The number as the prefix compares it: digits, and a leading '+'. */
static char *
deskconf_digits(const char *s)
{
	struct buf	b;

	buf_init(&b);
	buf_addc(&b, '\0');
	b.len = 0;
	for (; *s != '\0'; s++)
		if (isdigit((unsigned char)*s) || (*s == '+' && b.len == 0))
			buf_addc(&b, *s);
	return buf_release(&b);
}

int
deskconf_match(const struct desk_popup *r, const struct desk_fields *f)
{
	const char	*prefix;
	char		*num, *n;
	int		 ok;

	if ((r->direction == DESK_DIR_INBOUND && !f->inbound) ||
	    (r->direction == DESK_DIR_OUTBOUND && f->inbound))
		return 0;
	if (r->queue != NULL &&
	    (f->queue == NULL || strcasecmp(r->queue, f->queue) != 0))
		return 0;
	if (r->number_prefix == NULL)
		return 1;
	/* "+4670" wants the '+'; "4670" matches "+4670..." and "4670...". */
	num = deskconf_digits(f->number != NULL ? f->number : "");
	prefix = r->number_prefix;
	n = num;
	if (*prefix != '+' && *n == '+')
		n++;
	ok = strncmp(n, prefix, strlen(prefix)) == 0;
	free(num);
	return ok;
}

char *
deskconf_pct_encode(const char *s)
{
	static const char	 hex[] = "0123456789ABCDEF";
	struct buf		 b;
	unsigned char		 ch;

	buf_init(&b);
	buf_addc(&b, '\0');
	b.len = 0;
	for (; *s != '\0'; s++) {
		ch = (unsigned char)*s;
		if (isalnum(ch) || ch == '-' || ch == '.' || ch == '_' ||
		    ch == '~')
			buf_addc(&b, (char)ch);
		else {
			buf_addc(&b, '%');
			buf_addc(&b, hex[ch >> 4]);
			buf_addc(&b, hex[ch & 15]);
		}
	}
	return buf_release(&b);
}

static const char *
deskconf_field(const struct desk_fields *f, size_t i)
{
	const char	*v = NULL;

	switch (i) {
	case F_NUMBER: v = f->number; break;
	case F_NAME: v = f->name; break;
	case F_CALLID: v = f->call_id; break;
	case F_QUEUE: v = f->queue; break;
	case F_DIRECTION: v = f->inbound ? "inbound" : "outbound"; break;
	case F_USER: v = f->user; break;
	}
	return v != NULL ? v : "";
}

/* Substitute the placeholders of t; encode each value when asked. */
static char *
deskconf_expand(const char *t, const struct desk_fields *f, int encode)
{
	struct buf	 b;
	const char	*close;
	char		*enc;
	size_t		 i, len;

	buf_init(&b);
	buf_addc(&b, '\0');
	b.len = 0;
	while (*t != '\0') {
		if (*t == '{') {
			for (close = t + 1; isalnum((unsigned char)*close);
			    close++)
				;
			len = (size_t)(close - t - 1);
			for (i = 0; *close == '}' && i < F_COUNT; i++)
				if (strlen(deskconf_fields[i]) == len &&
				    strncmp(deskconf_fields[i], t + 1, len) == 0)
					break;
			if (*close == '}' && i < F_COUNT) {
				if (encode) {
					enc = deskconf_pct_encode(
					    deskconf_field(f, i));
					buf_addstr(&b, enc);
					free(enc);
				} else
					buf_addstr(&b, deskconf_field(f, i));
				t = close + 1;
				continue;
			}
		}
		buf_addc(&b, *t++);
	}
	return buf_release(&b);
}

char *
deskconf_url(const struct desk_popup *r, const struct desk_fields *f)
{
	return r->url != NULL ? deskconf_expand(r->url, f, 1) : NULL;
}

char **
deskconf_argv(const struct desk_popup *r, const struct desk_fields *f)
{
	char	**argv;
	size_t	  i;

	if (r->argv == NULL)
		return NULL;
	argv = xcalloc(r->argc + 1, sizeof(*argv));
	for (i = 0; i < r->argc; i++)
		argv[i] = deskconf_expand(r->argv[i], f, 0);
	return argv;
}

void
deskconf_argv_free(char **argv)
{
	size_t	i;

	if (argv == NULL)
		return;
	for (i = 0; argv[i] != NULL; i++)
		free(argv[i]);
	free(argv);
}
