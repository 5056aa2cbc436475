/* directory.h: devices, distribution groups and queue statistics (JSON). */
#ifndef DSTNY_DIRECTORY_H
#define DSTNY_DIRECTORY_H

#include <stddef.h>
#include <stdint.h>

struct device {
	char	*id;
	char	*type;
	char	*name;
	char	*status;	/* "" in devices.active, which has none */
};

struct device_list {
	struct device	*v;
	size_t		 n;
};

struct presence_count {
	char		*name;
	uint32_t	 count;
};

/*
 * A queue as the D-Bus Queue object shows it: a distribution group from
 * groups.list, updated by queue statistics (JSON or XML) for the same id.
 */
struct queue_info {
	int64_t			 id;
	char			*domain;
	char			*name;
	char			*type;
	char			*number;
	int			 logged_in;
	int			 night_mode;
	uint32_t		 logged_in_agents;
	uint32_t		 free_agents;
	uint32_t		 calls_waiting;
	uint32_t		 longest_waiting;
	uint32_t		 average_wait;
	uint32_t		 last_wait;
	uint32_t		 answered_24h;
	uint32_t		 dropped_24h;
	uint32_t		 total_24h;
	struct presence_count	*presence;
	size_t			 npresence;
};

struct queue_list {
	struct queue_info	*v;
	size_t			 n;
};

enum queue_prop {
	QUEUE_PROP_DOMAIN		= 1u << 0,
	QUEUE_PROP_NAME			= 1u << 1,
	QUEUE_PROP_TYPE			= 1u << 2,
	QUEUE_PROP_LOGGED_IN		= 1u << 3,
	QUEUE_PROP_NIGHT_MODE		= 1u << 4,
	QUEUE_PROP_LOGGED_IN_AGENTS	= 1u << 5,
	QUEUE_PROP_FREE_AGENTS		= 1u << 6,
	QUEUE_PROP_CALLS_WAITING	= 1u << 7,
	QUEUE_PROP_LONGEST_WAITING	= 1u << 8,
	QUEUE_PROP_AVERAGE_WAIT		= 1u << 9,
	QUEUE_PROP_LAST_WAIT		= 1u << 10,
	QUEUE_PROP_ANSWERED_24H		= 1u << 11,
	QUEUE_PROP_DROPPED_24H		= 1u << 12,
	QUEUE_PROP_TOTAL_24H		= 1u << 13,
};
#define QUEUE_PROP_COUNT 14

/* devices.list / devices.active: an array (or {"device": [...]}) of devices. */
int		 devices_parse(const char *, size_t, struct device_list *,
		    char *err, size_t errlen);
void		 devices_free(struct device_list *);
int		 devices_equal(const struct device_list *,
		    const struct device_list *);

/* groups.list: {"group": [...]} (or the older {"groups": [...]}). */
int		 groups_parse(const char *, size_t, struct queue_list *,
		    char *err, size_t errlen);
void		 queue_list_free(struct queue_list *);
void		 queue_info_clear(struct queue_info *);
void		 queue_info_copy(struct queue_info *dst, const struct queue_info *);
/*
 * Fold statistics into a group: counters and waits come from stats; the
 * group's login state, type and night mode stay. Returns QUEUE_PROP_* bits.
 */
uint32_t	 queue_info_apply_stats(struct queue_info *group,
		    const struct queue_info *stats);
uint32_t	 queue_info_diff(const struct queue_info *,
		    const struct queue_info *);

#endif
