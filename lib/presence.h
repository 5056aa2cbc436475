/* presence.h: the user's presence (User Information), activities (End-user Configuration), presence shortcuts. */
#ifndef DSTNY_PRESENCE_H
#define DSTNY_PRESENCE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* User Information's presence of the accessing user. */
struct presence {
	char	*activity;	/* activity.id, "" when none */
	int	 available;	/* the top-level available; false: do not disturb */
	char	*note;
	time_t	 expires;	/* activity.expiration; 0: no end time */
};

struct activity {
	char	*id;
	char	*name;
	int	 available;
	int	 dflt;		/* "default" */
};

struct activity_list {
	struct activity	*v;
	size_t		 n;
};

struct shortcut {
	char		*id;
	char		*name;
	char		*activity;	/* activityId */
	int		 available;
	char		*duration_type;	/* NO_END_TIME, UNTIL_NEXT_WORKING_DAY, MINUTES */
	uint32_t	 minutes;	/* durationMinutes */
	int32_t		 order;
	char		*image;		/* imageId */
	char		*divert;	/* diversionPhoneNumber */
	int		 apply_divert;	/* applyDiversionNumber */
};

struct shortcut_list {
	struct shortcut	*v;
	size_t		 n;
};

/*
 * Each parser returns 0, or -1 with err set when the text is not the
 * document it reads; fields missing or mistyped take ""/0/false.
 */
int	 presence_parse(const char *, size_t, struct presence *, char *err,
	    size_t errlen);
void	 presence_clear(struct presence *);
int	 presence_equal(const struct presence *, const struct presence *);
/*
 * {activity: [...]}, the aggregated configuration's {activities:
 * {activity: [...]}}, or a bare array; entries without an id skipped.
 */
int	 activities_parse(const char *, size_t, struct activity_list *,
	    char *err, size_t errlen);
void	 activities_free(struct activity_list *);
int	 activities_equal(const struct activity_list *,
	    const struct activity_list *);
const struct activity *activities_find(const struct activity_list *,
	    const char *id);
/* {presenceShortcut: [...]}, a bare array or one shortcut; sorted by order. */
int	 shortcuts_parse(const char *, size_t, struct shortcut_list *,
	    char *err, size_t errlen);
void	 shortcuts_free(struct shortcut_list *);
int	 shortcuts_equal(const struct shortcut_list *,
	    const struct shortcut_list *);
const struct shortcut *shortcuts_find(const struct shortcut_list *,
	    const char *id);
/*
 * User Information's plain-text answers: an end time ("2020-01-31T20:00:00Z",
 * "never", either possibly quoted, white space around): 0 for never, -1
 * when unreadable; an availability ("true"/"false"): 1, 0 or -1.
 */
time_t	 presence_text_expires(const char *, size_t);
int	 presence_text_bool(const char *, size_t);
/*
 * When a shortcut's duration ends, from now: 0 for NO_END_TIME (or an
 * unknown type), now + minutes for MINUTES, and for UNTIL_NEXT_WORKING_DAY
 * 08:00 local time on the next day from Monday to Friday.
 */
time_t	 shortcut_expiry(const struct shortcut *, time_t now);

#endif
