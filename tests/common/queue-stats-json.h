/*
 * queue-stats-json.h: the reference's JSON queue statistics object, read
 * into the struct the daemon fills from the statistics stream's XML. The
 * daemon never gets this document (interfaces.md 1.4: the stream is XML
 * carrying the JSON object's fields); the tests read the reference's JSON
 * example with it to check the XML reading against the same figures.
 */
#ifndef DSTNY_QUEUE_STATS_JSON_H
#define DSTNY_QUEUE_STATS_JSON_H

#include "directory.h"

/* {"queue": [...]}, a bare array, or one queue object. */
int	queue_stats_parse_json(const char *, size_t, struct queue_list *,
	    char *err, size_t errlen);

#endif
