/* profile.c: when the user's own settings (history, presence) are read: at start, keepalive, call end, resync. */
#include "config.h"

#include "dstnyd.h"

/*
 * No timer of its own: the reads ride on the user's start, the shared
 * keepalive tick and the end of the user's calls, so an idle daemon
 * wakes no more often than before (doc/profile.md).
 */
void
profile_start(struct duser *u)
{
	history_start(u);
	presence_start(u);
}

void
profile_keepalive(struct duser *u)
{
	if (!u->reachable)
		return;		/* the 5 s poll probes; a reconnect resyncs */
	history_refresh(u, 0);
	presence_refresh(u, 0);
}

void
profile_call_ended(struct duser *u)
{
	if (u->started && !u->stopping)
		history_refresh(u, 0);
}

void
profile_resync(struct duser *u)
{
	history_refresh(u, 1);
	presence_refresh(u, 1);
}

void
profile_user_free(struct duser *u)
{
	history_user_free(u);
	presence_user_free(u);
}
