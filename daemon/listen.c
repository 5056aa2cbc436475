/* listen.c: what both listeners share against descriptor exhaustion. */
#include "config.h"

#include <sys/resource.h>
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/listener.h>

#include "dstnyd.h"
#include "log.h"

/*
 * One descriptor held in reserve: when accept() fails for want of
 * descriptors, it is given up for as long as it takes to accept the
 * waiting connection and close it, so that the kernel's queue drains and
 * the loop does not spin on a listener that stays readable.
 */
static int		 reserve_fd = -1;
static struct event	*retry_ev;	/* no reserve: pause, then retry */
static struct evconnlistener *retry_listener[2];
static time_t		 shed_logged;

static void
listen_reserve_take(void)
{
	if (reserve_fd == -1 &&
	    (reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC)) == -1)
		log_warn("listen: /dev/null (no descriptor in reserve)");
}

void
listen_init(void)
{
	listen_reserve_take();
}

void
listen_free(void)
{
	if (reserve_fd != -1)
		close(reserve_fd);
	reserve_fd = -1;
	if (retry_ev != NULL)
		event_free(retry_ev);
	retry_ev = NULL;
	retry_listener[0] = retry_listener[1] = NULL;
}

/*
 * The most connections a listener keeps: want, and at most a quarter of
 * the descriptors, so that the two listeners together leave half of them
 * to the Core's connections, the streams and the bus.
 */
size_t
listen_cap(size_t want)
{
	struct rlimit	rl;
	size_t		share;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1 || rl.rlim_cur == RLIM_INFINITY)
		return want;
	share = (size_t)rl.rlim_cur / 4;
	if (share < 4)
		share = 4;
	return want < share ? want : share;
}

static void
listen_retry_cb(evutil_socket_t fd, short what, void *arg)
{
	size_t	i;

	for (i = 0; i < 2; i++) {
		if (retry_listener[i] != NULL)
			evconnlistener_enable(retry_listener[i]);
		retry_listener[i] = NULL;
	}
}

/* An evconnlistener's error callback; what names the listener in the log. */
void
listen_accept_error(struct evconnlistener *l, const char *what)
{
	struct timeval	 tv = { 1, 0 };
	int		 err = errno, fd;
	time_t		 now = time(NULL);
	size_t		 i;

	if (err != EMFILE && err != ENFILE) {
		log_warnx("%s: accept: %s", what, strerror(err));
		return;
	}
	if (reserve_fd != -1) {
		close(reserve_fd);
		reserve_fd = -1;
		if ((fd = accept(evconnlistener_get_fd(l), NULL, NULL)) != -1)
			close(fd);
		listen_reserve_take();
		if (now != shed_logged)		/* once a second at most */
			log_warnx("%s: out of descriptors: a connection was "
			    "closed unserved", what);
		shed_logged = now;
		if (reserve_fd != -1)
			return;
	}
	/* No reserve: stop accepting for a second (iked control_accept). */
	log_warnx("%s: accept: %s: paused", what, strerror(err));
	evconnlistener_disable(l);
	for (i = 0; i < 2; i++)
		if (retry_listener[i] == NULL || retry_listener[i] == l) {
			retry_listener[i] = l;
			break;
		}
	if (retry_ev == NULL)
		retry_ev = evtimer_new(dbase, listen_retry_cb, NULL);
	evtimer_add(retry_ev, &tv);
}
