/*
 * trim.c: give the heap back after a burst of work.
 *
 * Parsing is where the daemon's memory goes up and down: json-c holds a
 * 1.8 KB CallState in about 25 KB, so a state.user with a hundred calls
 * passes through megabytes that are free a moment later, scattered between
 * the few kilobytes per call that stay. glibc keeps such free pages; once
 * the daemon has been quiet for a second after parsing enough of them,
 * malloc_trim(3) returns them (make bench: memory per call and per user).
 * The timer fires once after a burst, never while idle.
 */
#include "config.h"

#include <stdlib.h>	/* and <features.h>, which says __GLIBC__ */
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include <event2/event.h>

#include "backoff.h"
#include "dstnyd.h"

#define TRIM_QUIET_MS	1000		/* after the last document */
#define TRIM_BYTES	(64 * 1024)	/* of documents parsed since the last trim */

static struct event	*trim_ev;
static size_t		 trim_debt;

static void
trim_cb(evutil_socket_t fd, short what, void *arg)
{
	trim_debt = 0;
#ifdef __GLIBC__
	malloc_trim(0);
#endif
}

/* bytes of outside input were parsed; trim once things are quiet. */
void
trim_note(size_t bytes)
{
	if (trim_ev == NULL)
		trim_ev = evtimer_new(dbase, trim_cb, NULL);
	trim_debt += bytes < TRIM_BYTES ? bytes : TRIM_BYTES;
	if (trim_debt >= TRIM_BYTES)
		timer_add_ms(trim_ev, TRIM_QUIET_MS);	/* re-armed: quiet first */
}

/* A burst is over (the start, say): trim once things are quiet. */
void
trim_soon(void)
{
	trim_note(TRIM_BYTES);
}

void
trim_free(void)
{
	if (trim_ev != NULL)
		event_free(trim_ev);
	trim_ev = NULL;
}
