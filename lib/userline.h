/* userline.h: the caller ID of outgoing calls (User Line) as the Core sends it. */
#ifndef DSTNY_USERLINE_H
#define DSTNY_USERLINE_H

#include <stddef.h>
#include <stdint.h>

struct userline {
	char	*type;		/* ANONYMOUS, ACD, OFFICE_FIXED, ...; "" when none */
	int64_t	 group;		/* groupId: a number or a string holding one */
	char	*number;
	char	*name;
	int	 active;
};

struct userline_list {
	struct userline	*v;
	size_t		 n;
};

/*
 * {line: [...]}, a bare array or one line; lines without a type and
 * repeated (type, groupId) pairs are skipped. -1 with err set when the
 * text is none of these.
 */
int		 userline_list_parse(const char *, size_t,
		    struct userline_list *, char *err, size_t errlen);
void		 userline_list_free(struct userline_list *);
int		 userline_list_equal(const struct userline_list *,
		    const struct userline_list *);
const struct userline *userline_find(const struct userline_list *,
		    const char *type, int64_t group);
/* The active line: {number, type, name, groupId}, also inside {userLine: {...}}. */
int		 userline_parse(const char *, size_t, struct userline *,
		    char *err, size_t errlen);
void		 userline_clear(struct userline *);
int		 userline_equal(const struct userline *, const struct userline *);
/* A type of the reference's enum, any case: its name; NULL when unknown. */
const char	*userline_type_name(const char *);

#endif
