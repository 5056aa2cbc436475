/* inifile.h: what dstnyd.conf and desktop.conf share around inih. */
#ifndef DSTNY_INIFILE_H
#define DSTNY_INIFILE_H

#include <stddef.h>

#define INIFILE_MAX	(1024 * 1024)	/* a larger file is refused */

struct inifile_seen;

/*
 * One file being parsed. The caller gives line_max and the two callbacks
 * (arg is theirs); inifile_parse() does the rest. The reader counts
 * lines, so every message has one; section sees each [header] as it is
 * read (an unknown section is refused even when it holds no key); key
 * gets each key of a section once, with "[section] key" in where, after
 * the checks every file wants (no key outside a section, none set twice).
 * A callback that refuses calls inifile_error(), which keeps the first
 * message.
 */
struct inifile {
	int			 line_max;
	void			(*section)(void *arg, const char *section);
	void			(*key)(void *arg, const char *section,
				    const char *key, const char *value,
				    const char *where);
	void			*arg;

	/* The parse's own. */
	const char		*name;		/* for messages */
	const char		*text;
	size_t			 len;
	char			*err;
	size_t			 errlen;
	size_t			 pos;
	unsigned		 line;		/* the line being read */
	int			 at_line_start;
	int			 prev_blank;	/* the last chunk ended in a blank */
	int			 failed;
	struct inifile_seen	*seen;
	size_t			 nseen;
};

/* 0, or -1 with the message in err (the file's first error). */
int	inifile_parse(struct inifile *, const char *name, const char *text,
	    size_t len, char *err, size_t errlen);
void	inifile_error(struct inifile *, unsigned line, const char *where,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* The parse's memory: after inifile_parse(), once its lines are no longer asked. */
void	inifile_free(struct inifile *);
/* The line that set key in section; 0: none did. */
unsigned inifile_seen_line(const struct inifile *, const char *section,
	    const char *key);
/* true/yes/on/1 or false/no/off/0, any case: 0; else -1. */
int	inifile_bool(const char *v, int *out);
/* The name in a [kind "name"] header (maybe ""), or NULL if it is none. */
char	*inifile_named_section(const char *section, const char *kind);
/*
 * The text of a regular file of at most INIFILE_MAX bytes, NUL-terminated,
 * its length in *len; NULL with the message in err (errno kept, so that a
 * missing default file can be told apart).
 */
char	*inifile_read(const char *path, size_t *len, char *err, size_t errlen);

#endif
