/* conf.c: dstnyd.conf through inih, with file:line:key in every error. */
#include "config.h"

#include <sys/stat.h>
#include <sys/types.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>


#include "conf.h"
#include "inifile.h"
#include "routes.h"
#include "xmalloc.h"

#define CONF_LINE_MAX	16384
#define SUN_PATH_MAX	107	/* sizeof(sockaddr_un.sun_path) - 1 */

enum conf_type {
	T_STR,		/* any non-empty string */
	T_NAME,		/* 1..64 printable characters, no '/' */
	T_FILE,		/* absolute path */
	T_URL,		/* http:// or https:// */
	T_BOOL,
	T_LONG,
	T_MODE,		/* octal permission bits */
	T_LIST,		/* API names, split on ',' and white space */
	T_TRANSPORT,
	T_BUS,
	T_LISTEN,	/* host:port */
	T_KEEPALIVE,	/* IDLE,INTERVAL,COUNT */
	T_OWNER,	/* a local account: a user name or a numeric uid */
	T_PASSWORD,	/* where the password is: only "keyring" */
};

struct conf_key {
	const char	*section;
	const char	*key;
	enum conf_type	 type;
	size_t		 off;		/* into struct conf, or conf_user if user */
	long		 min;
	long		 max;
	int		 user;		/* a field of the main user */
};

#define C(s, k, t, f)		{ s, k, t, offsetof(struct conf, f), 0, 0, 0 }
#define CN(s, k, f, lo, hi)	{ s, k, T_LONG, offsetof(struct conf, f), lo, hi, 0 }
#define CU(s, k, t, f)		{ s, k, t, offsetof(struct conf_user, f), 0, 0, 1 }
static const struct conf_key conf_keys[] = {
	C("core", "base_url", T_URL, base_url),
	CU("core", "domain", T_STR, domain),
	CU("core", "user", T_STR, user),
	CU("core", "owner", T_OWNER, owner),
	C("core", "ca_file", T_FILE, ca_file),
	C("core", "insecure", T_BOOL, insecure),
	CN("core", "timeout_ms", timeout_ms, 100, 600000),
	C("core", "method_override", T_BOOL, method_override),
	CU("auth", "token_file", T_FILE, token_file),
	CU("auth", "password_file", T_FILE, password_file),
	CU("auth", "password", T_PASSWORD, keyring),
	C("auth", "apis", T_LIST, apis),
	C("auth", "ticket_name", T_NAME, ticket_name),
	CN("auth", "ticket_expires", ticket_expires, 60, 31536000),
	C("events", "transport", T_TRANSPORT, transport),
	C("events", "listen", T_LISTEN, listen),
	C("events", "public_url", T_URL, public_url),
	C("events", "public_target", T_BOOL, public_target),
	CN("events", "keepalive", keepalive, 1, 3600),
	C("events", "tcp_keepalive", T_KEEPALIVE, tcp_keepalive),
	C("dbus", "bus", T_BUS, bus),
	C("socket", "path", T_FILE, socket_path),
	C("socket", "mode", T_MODE, socket_mode),
	CN("socket", "max_clients", max_clients, 1, 10000),
	/* Caller names from the directory (issue 22). */
	C("contacts", "lookup", T_BOOL, name_lookup),
	CN("contacts", "name_cache", name_cache, 0, 100000),
	CN("contacts", "name_cache_ttl", name_cache_ttl, 1, 604800),
	/* Favourites as live objects (issue 22). */
	CN("contacts", "favourite_streams", favourite_streams, 0, 10000),
};
#undef C
#undef CN
#undef CU

#define U(k, t, f)	{ "user", k, t, offsetof(struct conf_user, f), 0, 0, 1 }
static const struct conf_key conf_user_keys[] = {
	U("domain", T_STR, domain),
	U("user", T_STR, user),
	U("token_file", T_FILE, token_file),
	U("password_file", T_FILE, password_file),
	U("password", T_PASSWORD, keyring),
	U("owner", T_OWNER, owner),
};
#undef U

/* Where each key was set, for duplicates and for later checks. */
struct conf_parser {
	struct inifile		 f;
	struct conf		*conf;
};

/* Parse a [user "name"] header's name; NULL if section is not one. */
static char *
conf_user_section(const char *section)
{
	char	*name = inifile_named_section(section, "user");

	if (name != NULL && *name == '\0') {
		free(name);	/* "" is the [auth] user's own */
		name = NULL;
	}
	return name;
}

static const char	*const conf_sections[] = {
	"core", "auth", "events", "dbus", "socket", "paths",
	"contacts"
};

static int
conf_section_known(const char *section)
{
	char			*name;
	size_t			 i;

	for (i = 0; i < sizeof(conf_sections) / sizeof(conf_sections[0]); i++)
		if (strcmp(section, conf_sections[i]) == 0)
			return 1;
	if ((name = conf_user_section(section)) == NULL)
		return 0;
	free(name);
	return 1;
}

/* Levenshtein distance, for "did you mean"; long strings count as far. */
static size_t
conf_distance(const char *a, const char *b)
{
	size_t	la = strlen(a), lb = strlen(b), i, j, row[65], diag, up;

	if (la > 64 || lb > 64)
		return SIZE_MAX;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		diag = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			up = row[j];
			row[j] = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < row[j])
				row[j] = up + 1;
			if (row[j - 1] + 1 < row[j])
				row[j] = row[j - 1] + 1;
			diag = up;
		}
	}
	return row[lb];
}

/*
 * The closest of names[] to word, when close enough to be a likely typo
 * (two edits, a third of its length, or one is the other's beginning);
 * NULL otherwise.
 */
static const char *
conf_closest(const char *word, const char *const *names, size_t n)
{
	const char	*best = NULL;
	size_t		 i, d, bestd = SIZE_MAX, len;

	for (i = 0; i < n; i++) {
		if ((d = conf_distance(word, names[i])) < bestd) {
			bestd = d;
			best = names[i];
		}
	}
	if (best == NULL)
		return NULL;
	len = strlen(best);
	if (bestd <= 2 || bestd <= len / 3 || (*word != '\0' &&
	    (strncmp(word, best, strlen(word)) == 0 ||
	    strncmp(word, best, len) == 0)))
		return best;
	return NULL;
}

/*
 * The end of a message about an unknown key or section: the likely
 * intended name, else the names there are.
 */
static void
conf_suggest(char *buf, size_t len, const char *word,
    const char *const *names, size_t n, int sections)
{
	const char	*best, *open = sections ? "[" : "";
	const char	*close = sections ? "]" : "";
	size_t		 i, used;

	if ((best = conf_closest(word, names, n)) != NULL) {
		snprintf(buf, len, "; did you mean %s%s%s?", open, best, close);
		return;
	}
	snprintf(buf, len, " (known:");
	for (i = 0; i < n; i++) {
		used = strlen(buf);
		snprintf(buf + used, len - used, " %s%s%s", open, names[i],
		    close);
	}
	used = strlen(buf);
	snprintf(buf + used, len - used, ")");
}

/* A section header as it is read: known sections only, with a hint. */
static void
conf_section(void *arg, const char *section)
{
	struct conf_parser	*p = arg;
	char			 hint[256];

	if (conf_section_known(section))
		return;
	if (strncmp(section, "user", 4) == 0 && section[4] != '\0')
		snprintf(hint, sizeof(hint), "; write [user \"NAME\"], with the "
		    "quotes");
	else
		conf_suggest(hint, sizeof(hint), section, conf_sections,
		    sizeof(conf_sections) / sizeof(conf_sections[0]), 1);
	inifile_error(&p->f, p->f.line, "", "unknown section [%s]%s", section,
	    hint);
}

static int
conf_parse_long(const char *v, long min, long max, long *out)
{
	char	*end;
	long	 n;

	if (!isdigit((unsigned char)v[0]))
		return -1;
	errno = 0;
	n = strtol(v, &end, 10);
	if (errno != 0 || *end != '\0' || n < min || n > max)
		return -1;
	*out = n;
	return 0;
}

static int
conf_check_listen(const char *v)
{
	const char	*colon;
	long		 port;

	if (v[0] == '[') {
		if ((colon = strstr(v, "]:")) == NULL || colon == v + 1)
			return -1;
		colon++;
	} else if ((colon = strrchr(v, ':')) == NULL || colon == v ||
	    memchr(v, ':', (size_t)(colon - v)) != NULL)
		return -1;
	return conf_parse_long(colon + 1, 1, 65535, &port);
}

static int
conf_check_url(const char *v)
{
	const char	*host;

	if (strncmp(v, "https://", 8) == 0)
		host = v + 8;
	else if (strncmp(v, "http://", 7) == 0)
		host = v + 7;
	else
		return -1;
	if (*host == '\0' || *host == '/')
		return -1;
	for (; *v != '\0'; v++)
		if ((unsigned char)*v <= ' ' || (unsigned char)*v >= 0x7f)
			return -1;
	return 0;
}

/*
 * An account is resolved once, at load: a name with getpwnam(3), digits
 * as a uid that need not have a name. (uid_t)-1 is no account.
 */
static int
conf_parse_owner(const char *v, long long *out)
{
	struct passwd	*pw;
	char		*end;
	unsigned long	 n;

	if (*v >= '0' && *v <= '9') {
		errno = 0;
		n = strtoul(v, &end, 10);
		if (*end != '\0' || errno != 0 || n >= (uid_t)-1)
			return -1;
		*out = (long long)n;
		return 0;
	}
	if (*v == '\0' || (pw = getpwnam(v)) == NULL)
		return -1;
	*out = (long long)pw->pw_uid;
	return 0;
}

static int
conf_parse_list(const char *v, char ***list, size_t *n)
{
	char	*copy = xstrdup(v), *tok, *save = NULL;
	char	**out = NULL;
	size_t	 count = 0, i;
	int	 ok = 1;

	for (tok = strtok_r(copy, ", \t", &save); tok != NULL;
	    tok = strtok_r(NULL, ", \t", &save)) {
		for (i = 0; tok[i] != '\0'; i++)
			if (!isupper((unsigned char)tok[i]) &&
			    !isdigit((unsigned char)tok[i]) && tok[i] != '_')
				ok = 0;
		out = xreallocarray(out, count + 1, sizeof(*out));
		out[count++] = xstrdup(tok);
	}
	free(copy);
	if (!ok || count == 0) {
		for (i = 0; i < count; i++)
			free(out[i]);
		free(out);
		return -1;
	}
	*list = out;
	*n = count;
	return 0;
}

/* Store value v for key k into the struct at base; -1 with why set. */
static int
conf_set(const struct conf_key *k, void *base, const char *v,
    const char **why)
{
	void	*field = (char *)base + k->off;
	char	**sp = field;
	size_t	 len;
	long	 n;

	switch (k->type) {
	case T_STR:
		if (*v == '\0')
			return (*why = "must not be empty"), -1;
		break;
	case T_NAME:
		len = strlen(v);
		if (len == 0 || len > 64 || strchr(v, '/') != NULL)
			return (*why = "must be 1 to 64 characters without '/'"), -1;
		break;
	case T_FILE:
		if (v[0] != '/')
			return (*why = "must be an absolute path"), -1;
		break;
	case T_URL:
		if (conf_check_url(v) == -1)
			return (*why = "must be an http:// or https:// URL"), -1;
		len = strlen(v);
		while (len > 0 && v[len - 1] == '/')
			len--;
		free(*sp);
		*sp = xstrndup(v, len);
		return 0;
	case T_BOOL:
		if (inifile_bool(v, field) == -1)
			return (*why = "must be true or false"), -1;
		return 0;
	case T_LONG:
		if (conf_parse_long(v, k->min, k->max, &n) == -1) {
			static char range[64];
			snprintf(range, sizeof(range), "must be a number from "
			    "%ld to %ld", k->min, k->max);
			*why = range;
			return -1;
		}
		*(long *)field = n;
		return 0;
	case T_MODE: {
		char *end;
		errno = 0;
		n = strtol(v, &end, 8);
		if (*v == '\0' || *end != '\0' || errno != 0 || n < 0 ||
		    n > 0777)
			return (*why = "must be octal permission bits such as 0600"), -1;
		*(mode_t *)field = (mode_t)n;
		return 0;
	}
	case T_LIST: {
		struct conf *c = base;
		char **list;
		size_t nlist, i;
		if (conf_parse_list(v, &list, &nlist) == -1)
			return (*why = "must be API names such as CALL_CONTROL"), -1;
		for (i = 0; i < c->napis; i++)
			free(c->apis[i]);
		free(c->apis);
		c->apis = list;
		c->napis = nlist;
		return 0;
	}
	case T_TRANSPORT:
		if (strcmp(v, "auto") == 0)
			*(enum conf_transport *)field = CONF_TRANSPORT_AUTO;
		else if (strcmp(v, "webhook") == 0)
			*(enum conf_transport *)field = CONF_TRANSPORT_WEBHOOK;
		else if (strcmp(v, "sse") == 0)
			*(enum conf_transport *)field = CONF_TRANSPORT_SSE;
		else
			return (*why = "must be auto, webhook or sse"), -1;
		return 0;
	case T_BUS:
		if (strcmp(v, "session") == 0)
			*(enum conf_bus *)field = CONF_BUS_SESSION;
		else if (strcmp(v, "system") == 0)
			*(enum conf_bus *)field = CONF_BUS_SYSTEM;
		else if (strcmp(v, "none") == 0)
			*(enum conf_bus *)field = CONF_BUS_NONE;
		else
			return (*why = "must be session, system or none"), -1;
		return 0;
	case T_OWNER:
		if (conf_parse_owner(v, field) == -1)
			return (*why = "no such local account"), -1;
		return 0;
	case T_PASSWORD:
		/* Never the password itself: it would sit in a readable file. */
		if (strcmp(v, "keyring") != 0)
			return (*why = "must be keyring (the Secret Service); "
			    "a password itself goes in password_file"), -1;
		*(int *)field = 1;
		return 0;
	case T_LISTEN:
		if (conf_check_listen(v) == -1)
			return (*why = "must be host:port, such as 127.0.0.1:8088"), -1;
		break;
	case T_KEEPALIVE: {
		static char form[128];
		if (tcp_keepalive_parse(v, field) == -1) {
			snprintf(form, sizeof(form), "must be IDLE,INTERVAL,COUNT "
			    "such as 30,10,3 (seconds 1 to %d, count 1 to %d)",
			    TCP_KEEPALIVE_SECS_MAX, TCP_KEEPALIVE_COUNT_MAX);
			*why = form;
			return -1;
		}
		return 0;
	}
	}
	free(*sp);
	*sp = xstrdup(v);
	return 0;
}

static struct conf_user *
conf_user_get(struct conf *c, const char *name)
{
	size_t	i;

	for (i = 0; i < c->nusers; i++)
		if (strcmp(c->users[i].name, name) == 0)
			return &c->users[i];
	c->users = xreallocarray(c->users, c->nusers + 1, sizeof(*c->users));
	memset(&c->users[c->nusers], 0, sizeof(*c->users));
	c->users[c->nusers].name = xstrdup(name);
	c->users[c->nusers].owner = CONF_OWNER_UNSET;
	return &c->users[c->nusers++];
}

static const struct conf_key *
conf_key_find(const struct conf_key *keys, size_t n, const char *section,
    const char *key)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (strcmp(keys[i].section, section) == 0 &&
		    strcmp(keys[i].key, key) == 0)
			return &keys[i];
	return NULL;
}

static void
conf_key(void *arg, const char *section, const char *key, const char *value,
    const char *where)
{
	struct conf_parser	*p = arg;
	struct conf		*c = p->conf;
	const struct conf_key	*k;
	const char		*why = NULL;
	char			 err[256], *uname;
	void			*base;
	int			 uname_keys = 0;

	if (strcmp(section, "paths") == 0) {
		if (routes_set(c->routes, key, value, err, sizeof(err)) == -1)
			inifile_error(&p->f, p->f.line, where, "%s", err);
		return;
	}
	if ((uname = conf_user_section(section)) != NULL) {
		k = conf_key_find(conf_user_keys, sizeof(conf_user_keys) /
		    sizeof(conf_user_keys[0]), "user", key);
		base = conf_user_get(c, uname);
		free(uname);
		uname_keys = 1;
	} else {
		k = conf_key_find(conf_keys, sizeof(conf_keys) /
		    sizeof(conf_keys[0]), section, key);
		base = k != NULL && k->user ? (void *)&c->users[0] : (void *)c;
	}
	if (k == NULL) {
		const struct conf_key	*keys = uname_keys ? conf_user_keys :
					    conf_keys;
		size_t			 nkeys = uname_keys ?
					    sizeof(conf_user_keys) /
					    sizeof(conf_user_keys[0]) :
					    sizeof(conf_keys) / sizeof(conf_keys[0]);
		const char		*names[64];
		size_t			 nnames = 0, i;
		char			 hint[512];

		for (i = 0; i < nkeys && nnames < 64; i++)
			if (strcmp(keys[i].section, uname_keys ? "user" :
			    section) == 0)
				names[nnames++] = keys[i].key;
		conf_suggest(hint, sizeof(hint), key, names, nnames, 0);
		inifile_error(&p->f, p->f.line, where, "unknown key%s", hint);
		return;
	}
	if (conf_set(k, base, value, &why) == -1)
		inifile_error(&p->f, p->f.line, where, "%s (got \"%s\")", why,
		    value);
}

/*
 * The default [auth] ticket_name: "dstnyd-<host>-<hash of the config's
 * absolute path>". The Core keeps one ticket per name and user, and a
 * new one replaces the old: two installations (two hosts, or a user and
 * a system daemon) with one name would revoke each other's tickets.
 * The same installation gets the same name at every start, so a restart
 * replaces its own ticket instead of piling them up.
 */
static char *
conf_default_ticket_name(const char *path)
{
	char		 host[65], *real, *s;
	uint32_t	 h = 2166136261u;	/* FNV-1a */

	if (gethostname(host, sizeof(host)) == -1)
		snprintf(host, sizeof(host), "localhost");
	host[40] = '\0';	/* "dstnyd-" + 40 + "-" + 8 < 64 */
	for (s = host; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s) && *s != '.' && *s != '-')
			*s = '-';
	real = realpath(path, NULL);
	for (s = real != NULL ? real : (char *)path; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	free(real);
	return xasprintf("dstnyd-%s-%08x", *host != '\0' ? host : "localhost",
	    (unsigned)h);
}

/* Checks that span keys, and defaults that depend on other keys. */
static void
conf_finish(struct conf_parser *p)
{
	struct conf		*c = p->conf;
	struct conf_user	*u, *main = &c->users[0];
	const char		*rt;
	size_t			 i, j;
	char			*section;

	if (c->base_url == NULL)
		inifile_error(&p->f, 0, "[core] base_url", "required key is missing");
	if (main->domain == NULL)
		inifile_error(&p->f, 0, "[core] domain", "required key is missing");
	if (main->user == NULL)
		inifile_error(&p->f, 0, "[core] user", "required key is missing");
	if (p->f.failed)
		return;
	for (i = 0; i < c->nusers; i++) {
		u = &c->users[i];
		section = i == 0 ? xstrdup("auth") :
		    xasprintf("user \"%s\"", u->name);
		if (u->token_file != NULL && u->password_file != NULL)
			inifile_error(&p->f, inifile_seen_line(&p->f, section,
			    "password_file"), "password_file", "[%s] has token_file too: give one "
			    "of them", section);
		if (u->keyring && (u->token_file != NULL ||
		    u->password_file != NULL))
			inifile_error(&p->f, inifile_seen_line(&p->f, section,
			    "password"), "password", "[%s] has %s too: give one of them",
			    section, u->token_file != NULL ? "token_file" :
			    "password_file");
		/*
		 * The Secret Service is a service of the user's session bus:
		 * reached on the daemon's own connection, which a system
		 * service, or one with no bus, does not have.
		 */
		if (u->keyring && c->bus != CONF_BUS_SESSION)
			inifile_error(&p->f, inifile_seen_line(&p->f, section,
			    "password"), "password", "[%s] password = keyring needs [dbus] "
			    "bus = session: the keyring (Secret Service) lives "
			    "in the user's session; %s", section,
			    c->bus == CONF_BUS_SYSTEM ? "a system service uses "
			    "password_file, or LoadCredential=password:FILE in "
			    "its unit" : "set bus = session, or use "
			    "password_file");
		free(section);
		/*
		 * Not inherited from [core]: control of a colleague's calls
		 * is given by name, never by default.
		 */
		if (u->owner == CONF_OWNER_UNSET)
			u->owner = c->bus == CONF_BUS_SYSTEM ? CONF_OWNER_ROOT :
			    (long long)geteuid();
		if (i == 0)
			continue;
		if (u->user == NULL)
			u->user = xstrdup(u->name);
		if (u->domain == NULL && main->domain != NULL)
			u->domain = xstrdup(main->domain);
		if (u->token_file == NULL && u->password_file == NULL &&
		    !u->keyring) {
			if (main->token_file != NULL)
				u->token_file = xstrdup(main->token_file);
			if (main->password_file != NULL)
				u->password_file = xstrdup(main->password_file);
			u->keyring = main->keyring;
		}
		for (j = 0; j < i; j++)
			if (strcmp(c->users[j].user, u->user) == 0 &&
			    strcmp(c->users[j].domain, u->domain) == 0)
				inifile_error(&p->f, 0, "", "[user \"%s\"] monitors %s@%s, "
				    "which is monitored already", u->name,
				    u->user, u->domain);
	}
	if (c->public_url != NULL && c->listen == NULL)
		inifile_error(&p->f, inifile_seen_line(&p->f, "events", "public_url"),
		    "[events] listen", "required when public_url is set");
	if (c->transport == CONF_TRANSPORT_WEBHOOK && c->public_url == NULL)
		inifile_error(&p->f, inifile_seen_line(&p->f, "events", "transport"),
		    "[events] public_url", "required with transport = webhook");
	if (c->napis == 0) {
		c->apis = xcalloc(1, sizeof(*c->apis));
		c->apis[0] = xstrdup("CALL_CONTROL");
		c->napis = 1;
	}
	if (c->ticket_name == NULL)
		c->ticket_name = conf_default_ticket_name(p->f.name);
	if (c->socket_path == NULL) {
		if (c->bus == CONF_BUS_SYSTEM)
			c->socket_path = xstrdup("/run/dstnyd/dstnyd.sock");
		else if ((rt = getenv("XDG_RUNTIME_DIR")) != NULL && *rt == '/')
			c->socket_path = xasprintf("%s/dstnyd/dstnyd.sock", rt);
		else {
			c->socket_path = xasprintf("/tmp/dstnyd-%u/dstnyd.sock",
			    (unsigned)getuid());
			c->socket_tmp = 1;
		}
	}
	if (strlen(c->socket_path) > SUN_PATH_MAX)
		inifile_error(&p->f, inifile_seen_line(&p->f, "socket", "path"),
		    "[socket] path", "longer than %d bytes", SUN_PATH_MAX);
}

struct conf *
conf_parse(const char *text, size_t len, const char *name, char *err,
    size_t errlen)
{
	struct conf_parser	 p;
	struct conf		*c;

	memset(&p, 0, sizeof(p));
	c = xcalloc(1, sizeof(*c));
	c->path = xstrdup(name);
	c->timeout_ms = 10000;
	c->ticket_expires = 86400;
	c->public_target = 1;
	c->keepalive = 30;
	c->tcp_keepalive = tcp_keepalive_get(NULL);
	c->socket_mode = 0600;
	c->max_clients = 64;
	c->name_lookup = 1;
	c->name_cache = 256;
	c->name_cache_ttl = 3600;
	c->favourite_streams = 100;
	c->routes = routes_new();
	conf_user_get(c, "");

	p.conf = c;
	p.f = (struct inifile){ .line_max = CONF_LINE_MAX,
	    .section = conf_section, .key = conf_key, .arg = &p };
	if (inifile_parse(&p.f, name, text, len, err, errlen) == 0)
		conf_finish(&p);
	inifile_free(&p.f);
	if (p.f.failed) {
		conf_free(c);
		return NULL;
	}
	return c;
}

struct conf *
conf_load(const char *path, char *err, size_t errlen)
{
	struct conf	*c;
	char		*text;
	size_t		 len;

	if ((text = inifile_read(path, &len, err, errlen)) == NULL)
		return NULL;
	c = conf_parse(text, len, path, err, errlen);
	free(text);
	return c;
}

void
conf_free(struct conf *c)
{
	size_t	i;

	if (c == NULL)
		return;
	free(c->path);
	free(c->base_url);
	free(c->ca_file);
	for (i = 0; i < c->napis; i++)
		free(c->apis[i]);
	free(c->apis);
	free(c->ticket_name);
	free(c->listen);
	free(c->public_url);
	free(c->socket_path);
	routes_free(c->routes);
	for (i = 0; i < c->nusers; i++) {
		free(c->users[i].name);
		free(c->users[i].domain);
		free(c->users[i].user);
		free(c->users[i].token_file);
		free(c->users[i].password_file);
	}
	free(c->users);
	free(c);
}

int
conf_public_url_plain(const struct conf *c)
{
	const char	*h;
	size_t		 n;

	if (c->public_url == NULL || strncasecmp(c->public_url, "http://", 7) != 0)
		return 0;
	h = c->public_url + 7;
	if ((n = strcspn(h, "/?#")) > 0 && memchr(h, '@', n) != NULL)
		h = (const char *)memchr(h, '@', n) + 1;	/* userinfo */
	if (h[0] == '[')
		return !(strncmp(h, "[::1]", 5) == 0);
	n = strcspn(h, ":/?#");
	if ((n == 9 && strncasecmp(h, "localhost", 9) == 0) ||
	    strncmp(h, "127.", 4) == 0)
		return 0;
	return 1;
}

enum conf_transport
conf_transport(const struct conf *c)
{
	if (c->transport != CONF_TRANSPORT_AUTO)
		return c->transport;
	return c->public_url != NULL ? CONF_TRANSPORT_WEBHOOK :
	    CONF_TRANSPORT_SSE;
}

const char *
conf_transport_name(enum conf_transport t)
{
	switch (t) {
	case CONF_TRANSPORT_WEBHOOK:
		return "webhook";
	case CONF_TRANSPORT_SSE:
		return "sse";
	default:
		return "auto";
	}
}

char *
conf_default_path(int system)
{
	const char	*xdg = getenv("XDG_CONFIG_HOME"), *home;

	if (system)
		return xstrdup("/etc/dstnyd/dstnyd.conf");
	if (xdg != NULL && *xdg == '/')
		return xasprintf("%s/dstnyd/dstnyd.conf", xdg);
	if ((home = getenv("HOME")) == NULL)
		home = "";
	return xasprintf("%s/.config/dstnyd/dstnyd.conf", home);
}
