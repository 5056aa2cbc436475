/* notify.c: the systemd notification protocol, sent without ever blocking the loop. */
#include "config.h"

#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "backoff.h"
#include "dstnyd.h"
#include "log.h"
#include "xmalloc.h"

#define NOTIFY_RETRY_MS	100

static char		*pending;	/* "KEY=value" lines not yet taken */
static struct event	*retry_ev;

/* 0: sent or hopeless; -1: the receiver's queue is full. */
static int
notify_sendto(const char *msg)
{
	const char		*path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un	 sun;
	socklen_t		 len;
	int			 fd, rc = 0;

	if (path == NULL || (*path != '/' && *path != '@') ||
	    strlen(path) >= sizeof(sun.sun_path))
		return 0;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, strlen(path));
	if (*path == '@')
		sun.sun_path[0] = '\0';	/* abstract namespace */
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path));
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
	    0)) == -1)
		return 0;
	if (sendto(fd, msg, strlen(msg), MSG_DONTWAIT | MSG_NOSIGNAL,
	    (struct sockaddr *)&sun, len) == -1) {
		if (errno == EAGAIN)
			rc = -1;
		else
			log_debug("notify: %s", strerror(errno));
	}
	close(fd);
	return rc;
}

/* pending with each line of msg in place of the same key's older line. */
static void
notify_merge(const char *msg)
{
	struct buf	 b;
	const char	*line, *end, *eq, *m, *mend;
	size_t		 klen;
	int		 superseded;

	buf_init(&b);
	for (line = pending; line != NULL && *line != '\0'; line = end) {
		end = strchr(line, '\n');
		end = end != NULL ? end + 1 : line + strlen(line);
		eq = memchr(line, '=', (size_t)(end - line));
		klen = eq != NULL ? (size_t)(eq - line) + 1 : 0;
		superseded = 0;
		for (m = msg; klen > 0 && *m != '\0'; m = mend) {
			mend = strchr(m, '\n');
			mend = mend != NULL ? mend + 1 : m + strlen(m);
			if (strncmp(m, line, klen) == 0)
				superseded = 1;
		}
		if (!superseded)
			buf_printf(&b, "%.*s", (int)(end - line), line);
	}
	if (b.len > 0 && b.data[b.len - 1] != '\n')
		buf_printf(&b, "\n");
	buf_printf(&b, "%s", msg);
	free(pending);
	pending = xstrdup(b.data);
	buf_free(&b);
}

static void
notify_retry_cb(evutil_socket_t fd, short what, void *arg)
{
	notify_flush();
}

/* Send what is pending; a full queue is tried again a little later. */
void
notify_flush(void)
{
	if (pending == NULL)
		return;
	if (notify_sendto(pending) == 0) {
		free(pending);
		pending = NULL;
		return;
	}
	if (dbase == NULL)
		return;
	if (retry_ev == NULL)
		retry_ev = evtimer_new(dbase, notify_retry_cb, NULL);
	timer_add_ms(retry_ev, NOTIFY_RETRY_MS);
}

/*
 * sd_notify() may block when the receiver does not read; a daemon that
 * must never stall sends the datagram itself, with MSG_DONTWAIT. When the
 * receiver's queue is full (net.unix.max_dgram_qlen, 10 unless systemd
 * raised it), what could not go is kept, each key's newest value only,
 * and sent a little later: the last STATUS= must arrive, as READY=1 must.
 */
void
notify_send(const char *fmt, ...)
{
	char	msg[1024];
	va_list	ap;

	if (getenv("NOTIFY_SOCKET") == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	notify_merge(msg);
	if (retry_ev == NULL || !evtimer_pending(retry_ev, NULL))
		notify_flush();
}

void
notify_free(void)
{
	if (retry_ev != NULL)
		event_free(retry_ev);
	retry_ev = NULL;
	free(pending);
	pending = NULL;
}
