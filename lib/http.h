/* http.h: an asynchronous HTTP client on libcurl's multi_socket interface and libevent. */
#ifndef DSTNY_HTTP_H
#define DSTNY_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "tcp.h"

struct event_base;
struct secret;

#define HTTP_MAX_BODY	(4 * 1024 * 1024)	/* larger answers are an error */

struct http_opts {
	long		 timeout_ms;	/* whole request; 0: 10 s */
	const char	*ca_file;	/* NULL: the system's CAs */
	int		 insecure;	/* no TLS verification at all */
	int		 method_override; /* PUT/DELETE as POST + X-HTTP-Method-Override */
	const char	*user_agent;	/* NULL: "dstnyd/<version>" */
	int		 max_retries;	/* GETs only; 0: no retries */
	long		 retry_base_ms;	/* 0: 250 ms */
	long		 retry_cap_ms;	/* 0: 10 s */
	struct tcp_keepalive keepalive;	/* of every connection; 0s: defaults */
};

struct http_resp {
	uint64_t	 id;
	long		 status;	/* 0 when no HTTP answer came */
	enum dstny_err	 err;		/* DSTNY_OK for 2xx */
	const char	*body;		/* NUL-terminated; "" for streams */
	size_t		 body_len;
	const char	*message;	/* the Core's description or the transport error; "" if none */
	int		 attempts;
};

/* Called exactly once per request unless it was cancelled. */
typedef void (*http_done_cb)(const struct http_resp *, void *arg);
/*
 * Streamed body bytes of a 2xx answer (SSE); may call http_cancel(). A
 * stream on lib/hstream.c is called once with none when the answer's head
 * came (the subscription exists), and so is one through a proxy (curl).
 */
typedef void (*http_data_cb)(uint64_t id, const char *, size_t, void *arg);

struct http_req {
	const char		*method;	/* GET POST PUT DELETE */
	const char		*url;
	const char		*log_name;	/* the debug log's name for it (a
					   route name); NULL: the URL's origin.
					   A URL is never logged whole: a path
					   may carry a webhook's targetId */
	const char		*body;		/* JSON, or NULL */
	size_t			 body_len;
	const struct secret	*bearer;	/* Authorization: Bearer */
	const char		*basic_user;	/* HTTP Basic, with basic_pass */
	const struct secret	*basic_pass;
	const char		*accept;	/* NULL: application/json */
	const char		*last_event_id;	/* SSE reconnects */
	http_data_cb		 stream;	/* non-NULL: an event stream (a GET on
					   lib/hstream.c, bearer auth only, never
					   retried, no total timeout) */
	long			 timeout_ms;	/* 0: the client's */
	int			 no_retry;	/* a GET that must not be retried */
	int			 background;	/* may wait for a free connection
					   (a keepalive's work): http.c */
};

struct http;

struct http	*http_new(struct event_base *, const struct http_opts *);
/* Cancels every request without calling back. */
void		 http_free(struct http *);
/* Start a request; returns its id (never 0). done is called from the loop. */
uint64_t	 http_send(struct http *, const struct http_req *, http_done_cb,
		    void *arg);
/* Forget a request: no callback will follow. Safe inside callbacks. */
void		 http_cancel(struct http *, uint64_t id);
/* Number of requests in flight or waiting to retry. */
size_t		 http_pending(const struct http *);

#endif
