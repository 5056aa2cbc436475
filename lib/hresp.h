/* hresp.h: an HTTP/1.1 response, read incrementally: the head, then the body's framing. */
#ifndef DSTNY_HRESP_H
#define DSTNY_HRESP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define HRESP_HEAD_MAX	(64 * 1024)	/* status line and header fields */

/* Body bytes, unframed (chunk sizes removed), as they arrive. */
typedef void (*hresp_body_cb)(const char *, size_t, void *arg);

struct hresp {
	int		 state;
	long		 status;	/* 0 until the head is read */
	uint64_t	 left;		/* of the chunk, or of Content-Length */
	unsigned	 line;		/* bytes in the current line */
	int		 digits;	/* of the chunk size */
	char		*head;		/* while the head is read */
	size_t		 head_len;
	const char	*error;		/* why hresp_feed() failed */
};

void	hresp_init(struct hresp *);
void	hresp_free(struct hresp *);
/*
 * Feed bytes received, split anywhere. Returns how many were used, or -1
 * with error set (the answer is not HTTP, or its framing is broken). It
 * stops after the head, so that the caller can look at status before any
 * body byte is passed on, and at the end of the body: feed the rest again.
 */
ssize_t	hresp_feed(struct hresp *, const char *, size_t, hresp_body_cb,
	    void *arg);
/* The head has been read (status is set). */
int	hresp_has_head(const struct hresp *);
/* The body has ended by its framing; no more bytes are used. */
int	hresp_done(const struct hresp *);
/* The peer closed: 0 when that ends the answer, else -1 with error set. */
int	hresp_eof(struct hresp *);

#endif
