/* inifile.c: the line reader, the checks and the file reading that dstnyd.conf and desktop.conf share. */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <ini.h>

#include "inifile.h"
#include "xmalloc.h"

struct inifile_seen {
	char		*section;
	char		*key;
	unsigned	 line;
};

void
inifile_error(struct inifile *f, unsigned line, const char *where,
    const char *fmt, ...)
{
	char	msg[512];
	va_list	ap;

	if (f->failed)
		return;
	f->failed = 1;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (line > 0)
		snprintf(f->err, f->errlen, "%s:%u: %s%s%s", f->name, line,
		    where, *where != '\0' ? ": " : "", msg);
	else
		snprintf(f->err, f->errlen, "%s: %s%s%s", f->name, where,
		    *where != '\0' ? ": " : "", msg);
}

unsigned
inifile_seen_line(const struct inifile *f, const char *section,
    const char *key)
{
	size_t	i;

	for (i = 0; i < f->nseen; i++)
		if (strcmp(f->seen[i].section, section) == 0 &&
		    strcmp(f->seen[i].key, key) == 0)
			return f->seen[i].line;
	return 0;
}

/*
 * inih's line reader. Counting lines here gives every error a line
 * number, and looking at section headers here catches unknown sections
 * even when they hold no keys. A '#' after white space starts a comment
 * here, as ' ;' does in inih: inih's inline comment characters are a
 * build option of the library (only ';' in Debian's), and a value such
 * as "/home/alice/password   # mode 0600" must not become a file name.
 */
static char *
inifile_reader(char *str, int num, void *arg)
{
	struct inifile	*f = arg;
	size_t		 n = 0, max = (size_t)num - 1, i;
	const char	*s, *end;
	char		*section;

	if (f->failed || f->pos >= f->len || num < 2)
		return NULL;
	while (n < max && f->pos < f->len) {
		str[n] = f->text[f->pos++];
		if (str[n++] == '\n')
			break;
	}
	str[n] = '\0';
	if (f->at_line_start) {
		f->line++;
		for (s = str; *s == ' ' || *s == '\t'; s++)
			;
		if (*s == '[' && (end = strchr(s, ']')) != NULL) {
			section = xstrndup(s + 1, (size_t)(end - s - 1));
			f->section(f->arg, section);
			free(section);
			if (f->failed)
				return NULL;
		}
	}
	for (i = 0; i < n; i++) {
		if (str[i] != '#' || !(i > 0 ? str[i - 1] == ' ' ||
		    str[i - 1] == '\t' : !f->at_line_start && f->prev_blank))
			continue;
		/* The rest of the line is a comment, here and unread. */
		if (str[n - 1] != '\n') {
			while (f->pos < f->len && f->text[f->pos] != '\n')
				f->pos++;
			if (f->pos < f->len)
				f->pos++;
		}
		str[i] = '\n';
		str[i + 1] = '\0';
		n = i + 1;
		break;
	}
	f->prev_blank = n > 0 && (str[n - 1] == ' ' || str[n - 1] == '\t');
	f->at_line_start = n > 0 && str[n - 1] == '\n';
	return str;
}

static int
inifile_handler(void *arg, const char *section, const char *key,
    const char *value)
{
	struct inifile	*f = arg;
	char		 where[256];
	unsigned	 first;

	if (f->failed)
		return 0;
	snprintf(where, sizeof(where), "[%s] %s", section, key);
	if (*section == '\0') {
		inifile_error(f, f->line, key, "key outside of any section");
		return 0;
	}
	if ((first = inifile_seen_line(f, section, key)) != 0) {
		inifile_error(f, f->line, where, "set twice (first on line %u)",
		    first);
		return 0;
	}
	f->seen = xreallocarray(f->seen, f->nseen + 1, sizeof(*f->seen));
	f->seen[f->nseen].section = xstrdup(section);
	f->seen[f->nseen].key = xstrdup(key);
	f->seen[f->nseen++].line = f->line;
	f->key(f->arg, section, key, value, where);
	return !f->failed;
}

int
inifile_bool(const char *v, int *out)
{
	static const char	*const yes[] = { "true", "yes", "on", "1" };
	static const char	*const no[] = { "false", "no", "off", "0" };
	size_t			 i;

	for (i = 0; i < 4; i++) {
		if (strcasecmp(v, yes[i]) == 0)
			return (*out = 1), 0;
		if (strcasecmp(v, no[i]) == 0)
			return (*out = 0), 0;
	}
	return -1;
}

char *
inifile_named_section(const char *section, const char *kind)
{
	size_t	len = strlen(kind);

	if (strncmp(section, kind, len) != 0 || section[len] != ' ' ||
	    section[len + 1] != '"')
		return NULL;
	section += len + 2;
	len = strlen(section);
	if (len < 1 || section[len - 1] != '"' ||
	    memchr(section, '"', len - 1) != NULL)
		return NULL;
	return xstrndup(section, len - 1);
}

static void
inifile_limits(int line_max)
{
#if HAVE_DECL_INI_MAX_LINE
	ini_use_stack = false;
	ini_allow_realloc = true;
	ini_max_line = line_max;
	ini_allow_multiline = false;
	ini_allow_no_value = false;
	ini_stop_on_first_error = true;
#else
	(void)line_max;
#endif
}

int
inifile_parse(struct inifile *f, const char *name, const char *text,
    size_t len, char *err, size_t errlen)
{
	const char	*nul;
	size_t		 i;
	int		 rc;

	f->name = name;
	f->text = text;
	f->len = len;
	f->err = err;
	f->errlen = errlen;
	f->pos = 0;
	f->line = 0;
	f->at_line_start = 1;
	f->prev_blank = 0;
	f->failed = 0;
	if ((nul = memchr(f->text, '\0', f->len)) != NULL) {
		for (i = 0, f->line = 1; f->text + i < nul; i++)
			f->line += f->text[i] == '\n';
		inifile_error(f, f->line, "", "NUL byte in file");
	} else {
		inifile_limits(f->line_max);
		rc = ini_parse_stream(inifile_reader, f, inifile_handler, f);
		if (rc == -2)
			inifile_error(f, 0, "", "out of memory");
		else if (rc != 0)
			inifile_error(f, (unsigned)rc, "", "syntax error: "
			    "expected [section] or key = value");
	}
	return f->failed ? -1 : 0;
}

void
inifile_free(struct inifile *f)
{
	size_t	i;

	for (i = 0; i < f->nseen; i++) {
		free(f->seen[i].section);
		free(f->seen[i].key);
	}
	free(f->seen);
	f->seen = NULL;
	f->nseen = 0;
}

char *
inifile_read(const char *path, size_t *lenp, char *err, size_t errlen)
{
	struct stat	 st = { 0 };
	char		*text;
	ssize_t		 n;
	size_t		 len = 0;
	int		 fd, saved;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		saved = errno;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		errno = saved;
		return NULL;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    st.st_size > INIFILE_MAX) {
		snprintf(err, errlen, "%s: %s", path, st.st_mode == 0 ?
		    strerror(errno) : !S_ISREG(st.st_mode) ?
		    "not a regular file" : "larger than 1 MiB");
		close(fd);
		errno = EINVAL;
		return NULL;
	}
	text = xmalloc((size_t)st.st_size + 1);
	while (len < (size_t)st.st_size) {
		n = read(fd, text + len, (size_t)st.st_size - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	text[len] = '\0';
	*lenp = len;
	return text;
}
