/* backoff.c: "equal jitter" exponential backoff. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include <event2/event.h>

#include "backoff.h"

long
backoff_delay_ms(unsigned attempt, long base_ms, long cap_ms)
{
	long	d = base_ms;

	while (attempt-- > 0 && d < cap_ms)
		d *= 2;
	if (d > cap_ms)
		d = cap_ms;
	if (d < 2)
		return d;
	return d / 2 + (long)arc4random_uniform((uint32_t)(d / 2 + 1));
}

void
timer_add_ms(struct event *ev, long ms)
{
	struct timeval	tv;

	if (ms < 0)
		ms = 0;
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	evtimer_add(ev, &tv);
}
