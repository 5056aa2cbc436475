/* busloop.c: sd-bus on libevent: the descriptor and the timeout sd-bus asks for, nothing else. */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "busloop.h"
#include "log.h"
#include "xmalloc.h"

struct busloop {
	struct event_base	*base;
	sd_bus			*bus;
	struct event		*io;
	struct event		*timer;
	short			 io_flags;	/* what io is armed for; -1: none */
	void			(*lost)(void *);
	void			*arg;
};

static void
busloop_process(struct busloop *l)
{
	int	r;

	do {
		r = sd_bus_process(l->bus, NULL);
	} while (r > 0);
	if (r == -ECONNRESET || r == -ENOTCONN) {
		event_del(l->io);
		evtimer_del(l->timer);
		l->lost(l->arg);
		return;
	}
	if (r < 0)
		log_warnx("bus: %s", strerror(-r));
	busloop_update(l);
}

static void
busloop_cb(evutil_socket_t fd, short what, void *arg)
{
	busloop_process(arg);
}

struct busloop *
busloop_new(struct event_base *base, sd_bus *bus, void (*lost)(void *),
    void *arg)
{
	struct busloop	*l = xcalloc(1, sizeof(*l));

	l->base = base;
	l->bus = bus;
	l->lost = lost;
	l->arg = arg;
	l->io_flags = -1;
	l->io = event_new(base, -1, 0, busloop_cb, l);
	l->timer = evtimer_new(base, busloop_cb, l);
	busloop_update(l);
	return l;
}

void
busloop_update(struct busloop *l)
{
	struct timespec	ts;
	struct timeval	tv;
	uint64_t	until, now;
	short		flags = EV_PERSIST;
	int		want;

	if (l == NULL || (want = sd_bus_get_events(l->bus)) < 0)
		return;
	if (want & POLLIN)
		flags |= EV_READ;
	if (want & POLLOUT)
		flags |= EV_WRITE;
	if (flags != l->io_flags) {
		event_del(l->io);
		event_assign(l->io, l->base, sd_bus_get_fd(l->bus), flags,
		    busloop_cb, l);
		event_add(l->io, NULL);
		l->io_flags = flags;
	}
	evtimer_del(l->timer);
	if (sd_bus_get_timeout(l->bus, &until) >= 0 && until != UINT64_MAX) {
		/* sd-bus's clock is CLOCK_MONOTONIC, in microseconds. */
		clock_gettime(CLOCK_MONOTONIC, &ts);
		now = (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
		until = until > now ? until - now : 0;
		tv.tv_sec = (time_t)(until / 1000000);
		tv.tv_usec = (suseconds_t)(until % 1000000);
		evtimer_add(l->timer, &tv);
	}
}

void
busloop_free(struct busloop *l)
{
	if (l == NULL)
		return;
	event_free(l->io);
	event_free(l->timer);
	free(l);
}
