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

#include "dstnyd.h"
#include "log.h"

/*
 * sd_notify() may block when the receiver does not read; a daemon that
 * must never stall sends the datagram itself, with MSG_DONTWAIT, and
 * drops it when the queue is full (the next one says the same).
 */
void
notify_send(const char *fmt, ...)
{
	const char		*path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un	 sun;
	socklen_t		 len;
	char			 msg[1024];
	va_list			 ap;
	int			 fd;

	if (path == NULL || (*path != '/' && *path != '@') ||
	    strlen(path) >= sizeof(sun.sun_path))
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, strlen(path));
	if (*path == '@')
		sun.sun_path[0] = '\0';	/* abstract namespace */
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path));
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
	    0)) == -1)
		return;
	if (sendto(fd, msg, strlen(msg), MSG_DONTWAIT | MSG_NOSIGNAL,
	    (struct sockaddr *)&sun, len) == -1 && errno != EAGAIN)
		log_debug("notify: %s", strerror(errno));
	close(fd);
}
