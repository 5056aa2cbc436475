/* xml.h: libxml2 parsers for queue statistics, and the namespace-blind readers they use. */
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

/*
 * The readers the parsers above are made of, for any such document:
 * elements and attributes by local name, whatever the namespace.
 */
struct _xmlDoc;
struct _xmlNode;
/* Parse text; no DTD, entities or network; NULL with err set ("what: ..."). */
struct _xmlDoc	*xml_read(const char *, size_t, const char *what, char *err,
		    size_t errlen);
/* Is name key, ignoring case, '-' and '_'? */
int		 xml_name_is(const unsigned char *name, const char *key);
struct _xmlNode	*xml_child(struct _xmlNode *, const char *key);
/* The text of an attribute or child element named key; "" when neither. */
char		*xml_field(struct _xmlNode *, const char *key);
/* xml_field as a number; 0 when it is none. */
long long	 xml_num(struct _xmlNode *, const char *key);

#endif
