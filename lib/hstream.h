/*
 * hstream.h: long-lived HTTP GET streams (SSE) on a non-blocking socket
 * and one libevent event, with OpenSSL for https (not evhttp, not curl).
 */
#ifndef DSTNY_HSTREAM_H
#define DSTNY_HSTREAM_H

#include <stddef.h>

#include "tcp.h"

struct event_base;

/* How a stream ended. */
struct hstream_end {
	long		 status;	/* 0: no HTTP answer came */
	int		 timeout;	/* no answer within the connect timeout */
	const char	*message;	/* the transport's error; "" with an answer */
	const char	*body;		/* the body of a non-2xx answer, NUL-terminated */
	size_t		 body_len;
};

/* Body bytes of a 2xx answer, as they arrive; first once with none when its head came. */
typedef void (*hstream_data_cb)(const char *, size_t, void *arg);
/* Called once, never from inside hstream_open() or hstream_close(). */
typedef void (*hstream_end_cb)(const struct hstream_end *, void *arg);

struct hstream_env;
struct hstream;

struct hstream_opts {
	const char		*ca_file;	/* NULL: the system's CAs */
	int			 insecure;	/* no TLS verification at all */
	struct tcp_keepalive	 keepalive;	/* 0s: the defaults */
	const char		*hosts_file;	/* tests: names looked up here
						   too (NULL: the system's) */
};

struct hstream_env *hstream_env_new(struct event_base *,
		    const struct hstream_opts *);
/* Every stream must be closed first. */
void		 hstream_env_free(struct hstream_env *);
/*
 * Connect to host at address ip (a literal) from now on: the address the
 * system's resolver gave curl. Streams to a host not set here resolve it
 * with libevent's evdns (resolv.conf and the hosts file), and so do those
 * that find ip refusing. Every address a name has is tried in turn.
 */
void		 hstream_env_set_address(struct hstream_env *, const char *host,
		    const char *ip);

/*
 * GET url with the given headers (name, value, ..., NULL; values are
 * copied and wiped once sent) and stream the answer. Failures, a bad url
 * included, come through end.
 */
struct hstream	*hstream_open(struct hstream_env *, const char *url,
		    const char *const *headers, long connect_timeout_ms,
		    hstream_data_cb data, hstream_end_cb end, void *arg);
/* Stop and free; no callback follows. Not from inside the stream's callbacks. */
void		 hstream_close(struct hstream *);

#endif
