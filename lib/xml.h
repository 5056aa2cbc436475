/* xml.h: libxml2 parsers for queue statistics and RFC 4235 dialog-info. */
#ifndef DSTNY_XML_H
#define DSTNY_XML_H

#include <stddef.h>

struct queue_list;

/*
 * application/telepo-queue-statistics+xml: every <queue> element (any
 * namespace, any depth) with the JSON statistics fields as attributes or
 * child elements, matched by local name ("queueLength", "queue-length"
 * and "queue_length" are one field). Documents with a DTD are refused.
 */
int	queue_stats_parse_xml(const char *, size_t, struct queue_list *,
	    char *err, size_t errlen);

struct dialog {
	char	*id;
	char	*call_id;
	char	*local_tag;
	char	*remote_tag;
	char	*direction;	/* "initiator", "recipient" or "" */
	char	*state;		/* trying, proceeding, early, confirmed, terminated */
	char	*event;		/* the state's event attribute, e.g. "rejected" */
	int	 code;
	char	*remote_identity;
};

struct dialog_info {
	long		 version;
	int		 full;		/* state="full"; else partial */
	char		*entity;
	struct dialog	*v;
	size_t		 n;
};

int	dialog_info_parse(const char *, size_t, struct dialog_info *,
	    char *err, size_t errlen);
void	dialog_info_clear(struct dialog_info *);

#endif
