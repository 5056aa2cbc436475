/* deskconf.h: dstny-desktop's desktop.conf (interfaces.md section 5) and its templates. */
#ifndef DSTNY_DESKCONF_H
#define DSTNY_DESKCONF_H

#include <stddef.h>

/* The events a [popup] rule fires on (on = ...). */
#define DESK_ON_RINGING		0x1
#define DESK_ON_ANSWERED	0x2
#define DESK_ON_ENDED		0x4

enum desk_direction {
	DESK_DIR_ANY,
	DESK_DIR_INBOUND,
	DESK_DIR_OUTBOUND,
};

enum desk_pause {
	DESK_PAUSE_NO,
	DESK_PAUSE_ANSWERED,
	DESK_PAUSE_RINGING,
};

/* One [popup "name"] rule; url or argv is set, never both. */
struct desk_popup {
	char			*name;
	unsigned		 on;		/* DESK_ON_* */
	char			*url;		/* template */
	char			**argv;		/* exec split on spaces; templates */
	size_t			 argc;
	enum desk_direction	 direction;
	char			*queue;		/* NULL: any */
	char			*number_prefix;	/* NULL: any */
};

struct desk_conf {
	char			*path;
	int			 notify_incoming;
	int			 notify_missed;
	enum desk_pause		 pause;
	struct desk_popup	*popups;
	size_t			 npopups;
};

/* What a call gives the templates and the filters; NULL reads as "". */
struct desk_fields {
	const char	*number;
	const char	*name;
	const char	*call_id;
	const char	*queue;
	int		 inbound;
	const char	*user;
};

/*
 * Read and check a file; errors read "FILE:LINE: [section] key: what".
 * With path NULL the default file is read, and a missing default file
 * gives the defaults (incoming and missed notifications, nothing else).
 */
struct desk_conf	*deskconf_load(const char *path, char *err, size_t errlen);
struct desk_conf	*deskconf_parse(const char *text, size_t len,
			    const char *name, char *err, size_t errlen);
void			 deskconf_free(struct desk_conf *);
/* $XDG_CONFIG_HOME/dstnyd/desktop.conf (~/.config when unset); free it. */
char			*deskconf_default_path(void);

/* The rule's filters (direction, queue, number_prefix) accept the call. */
int			 deskconf_match(const struct desk_popup *,
			    const struct desk_fields *);
/* The rule's url with each placeholder percent-encoded; free it. */
char			*deskconf_url(const struct desk_popup *,
			    const struct desk_fields *);
/* The rule's exec argv, each placeholder inside one element; free with
   deskconf_argv_free(). */
char			**deskconf_argv(const struct desk_popup *,
			    const struct desk_fields *);
void			 deskconf_argv_free(char **);
/* RFC 3986 percent-encoding: unreserved characters stay; free it. */
char			*deskconf_pct_encode(const char *);

#endif
