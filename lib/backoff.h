/* backoff.h: capped exponential backoff with jitter, for every retry loop. */
#ifndef DSTNY_BACKOFF_H
#define DSTNY_BACKOFF_H

/*
 * The delay before retry number attempt (0 for the first retry):
 * min(cap, base * 2^attempt), then a random point in its upper half, so
 * clients that failed together do not retry together.
 */
long	backoff_delay_ms(unsigned attempt, long base_ms, long cap_ms);

struct event;
/* (Re)arm a timer event to fire in ms milliseconds. */
void	timer_add_ms(struct event *, long ms);

#endif
