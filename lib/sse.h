/* sse.h: an incremental WHATWG EventSource (text/event-stream) framer. */
#ifndef DSTNY_SSE_H
#define DSTNY_SSE_H

#include <stddef.h>

#define SSE_MAX_EVENT	(1024 * 1024)	/* a line or an event's data */

struct sse_event {
	const char	*type;		/* "message" unless event: said otherwise */
	const char	*data;		/* data: lines joined by '\n' */
	size_t		 datalen;
	const char	*id;		/* the last event id, "" when none */
};

/* Called once per dispatched event; must not free the framer. */
typedef void (*sse_event_cb)(const struct sse_event *, void *arg);

struct sse;

struct sse	*sse_new(sse_event_cb, void *arg);
void		 sse_free(struct sse *);
/*
 * Feed any number of bytes, split anywhere. Returns 0, or -1 when a line
 * or an event grew past SSE_MAX_EVENT: the stream is then unusable and
 * the caller should drop the connection (the framer is reset).
 */
int		 sse_feed(struct sse *, const char *, size_t);
/* Forget partial lines and events before a new connection; keeps id and retry. */
void		 sse_reset(struct sse *);
/* The id to send as Last-Event-ID on reconnect ("" when none). */
const char	*sse_last_id(const struct sse *);
/* The server's retry: in milliseconds, or -1 when it sent none. */
long		 sse_retry_ms(const struct sse *);
/* Comment lines read so far (a Core's keepalives are comments). */
unsigned long	 sse_comments(const struct sse *);

#endif
