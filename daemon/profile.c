/* profile.c: when the user's own settings (history, presence, forwarding, caller ID, voicemail) are read: at start, keepalive, call end, resync. */
#include "config.h"

#include "dstnyd.h"
#include "log.h"

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
	/* issue 21 parts 3-5 */
	forward_refresh(u, FWD_RULES | FWD_NUMBER | FWD_MAPPING);
	callerid_refresh(u, 1);
	voicemail_refresh(u);
}

void
profile_keepalive(struct duser *u)
{
	if (!u->reachable)
		return;		/* the 5 s poll probes; a reconnect resyncs */
	history_refresh(u, 0);
	presence_refresh(u, 0);
	/*
	 * Forwarding, caller ID and voicemail settings change seldom and
	 * only by the user's hand: one of the three per tick, in turn, so a
	 * change made elsewhere shows within three intervals at the cost of
	 * 1.3 requests per tick on average, not 4.
	 */
	switch (u->settings_tick++ % 3) {
	case 0:
		forward_refresh(u, FWD_RULES | FWD_NUMBER);
		break;
	case 1:
		callerid_refresh(u, 0);
		break;
	default:
		voicemail_refresh(u);
		break;
	}
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
	forward_refresh(u, FWD_RULES | FWD_NUMBER | FWD_MAPPING);
	callerid_refresh(u, 1);
	voicemail_refresh(u);
}

void
profile_user_free(struct duser *u)
{
	history_user_free(u);
	presence_user_free(u);
	forward_user_free(u);
	callerid_user_free(u);
	voicemail_user_free(u);
}

void
profile_fetch(struct duser *u, struct profile_fetch *f, enum route_id route,
    core_cb cb)
{
	if (f->id != 0)
		f->again = 1;
	else
		f->id = core_send(u, route, NULL, cb, NULL);
}

void
profile_fetch_done(struct duser *u, struct profile_fetch *f,
    enum route_id route, core_cb cb)
{
	f->id = 0;
	if (f->again) {
		f->again = 0;
		profile_fetch(u, f, route, cb);
	}
}

/*
 * A read whose answer brings nothing to apply: the Core's error, or a
 * body that does not parse (why in err), logged under the route's name.
 */
void
profile_read_failed(struct duser *u, enum route_id route,
    const struct http_resp *r, const char *err)
{
	if (r->err != DSTNY_OK)
		log_info("%s@%s: %s: %s: %s", u->user, u->domain,
		    route_name(route), dstny_err_name(r->err), r->message);
	else
		log_warnx("%s@%s: %s: %s", u->user, u->domain,
		    route_name(route), err);
}
