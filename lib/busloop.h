/* busloop.h: an sd-bus connection driven from a libevent loop (dstnyd, dstny-desktop). */
#ifndef DSTNY_BUSLOOP_H
#define DSTNY_BUSLOOP_H

#include <event2/event.h>
#include <systemd/sd-bus.h>

struct busloop;

/*
 * Drive bus from base: its descriptor and its timeout become libevent
 * events, re-armed by busloop_update() after anything that may queue a
 * message (tmux's proc_update_event). lost is called once when the bus
 * connection goes away; the bus itself stays the caller's.
 */
struct busloop	*busloop_new(struct event_base *, sd_bus *,
		    void (*lost)(void *), void *arg);
void		 busloop_update(struct busloop *);
void		 busloop_free(struct busloop *);

#endif
