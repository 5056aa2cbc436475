/*
 * churn.c: a stream of state changes for throughput measurements.
 *
 * POST /_sim/churn {user?, changes, rate?} toggles mute on the user's
 * answered calls, round robin, `changes` times: `rate` per second on a 1 ms
 * tick, or with no rate one change per event-loop pass, so requests are
 * still served between changes. The answer is sent when the last change is
 * made and names every call's final stateToken.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>
#include <event2/http.h>
#include <json-c/json.h>

#include "sim.h"
#include "xmalloc.h"

#define CHURN_MAX_RATE		10000000	/* per second; keeps rate * s in a long */
#define CHURN_MAX_RATE_S	"10000000"

struct churn {
	struct evhttp_request	 *req;
	struct evhttp_connection *evcon;
	struct sim_user		 *user;
	long			  total;
	long			  done;
	long			  rate;		/* per second; 0: every loop pass */
	uint64_t		  turn;
	struct timespec		  start;
	struct event		 *ev;
};

static struct churn	*churn;

static double
since(const struct timespec *t0)
{
	struct timespec	now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t0->tv_sec) +
	    (double)(now.tv_nsec - t0->tv_nsec) / 1e9;
}

static int
churnable(const struct sim_call *c)
{
	return strcmp(c->status, "ACTIVE") == 0 || strcmp(c->status, "HELD") == 0;
}

/* Toggle mute on the next answered call; -1 when there is none. */
static int
churn_one(struct churn *ch)
{
	struct sim_call	*c;
	uint64_t	 n = 0, pick;

	for (c = ch->user->calls; c != NULL; c = c->next)
		n += churnable(c);
	if (n == 0)
		return -1;
	pick = ch->turn++ % n;
	for (c = ch->user->calls; c != NULL; c = c->next)
		if (churnable(c) && pick-- == 0)
			break;
	sim_call_press(ch->user, c, c->muted ? "unmute" : "mute", NULL);
	ch->done++;
	return 0;
}

static void
churn_end(void)
{
	event_free(churn->ev);
	free(churn);
	churn = NULL;
}

static void
churn_finish(void)
{
	struct json_object	*o = json_object_new_object(), *calls;
	struct sim_call		*c;

	calls = json_object_new_object();
	for (c = churn->user->calls; c != NULL; c = c->next)
		json_object_object_add(calls, c->id, json_object_new_int64(c->token));
	json_object_object_add(o, "changes", json_object_new_int64(churn->done));
	json_object_object_add(o, "seconds", json_object_new_double(since(&churn->start)));
	json_object_object_add(o, "calls", calls);
	sim_reply_json(churn->req, 200, o);	/* and frees o */
	churn_end();
}

static void
churn_cb(evutil_socket_t fd, short what, void *arg)
{
	struct timeval	 tv = { 0, churn->rate > 0 ? 1000 : 0 };
	long		 due;

	due = churn->rate > 0 ? (long)(since(&churn->start) * (double)churn->rate) -
	    churn->done + 1 : 1;
	if (due > churn->total - churn->done)
		due = churn->total - churn->done;
	while (due-- > 0)
		if (churn_one(churn) == -1) {
			churn->total = churn->done;	/* the calls are gone */
			break;
		}
	if (churn->done >= churn->total)
		churn_finish();
	else
		evtimer_add(churn->ev, &tv);
}

/* NULL when started (the answer comes later), else why not. */
const char *
churn_start(struct event_base *base, struct evhttp_request *req,
    struct sim_user *u, long changes, long rate)
{
	struct timeval	tv = { 0, 0 };
	struct sim_call	*c;

	for (c = u->calls; c != NULL && !churnable(c); c = c->next)
		;
	if (churn != NULL)
		return "a churn is already running";
	if (c == NULL)
		return "the user has no answered call";
	if (changes <= 0 || rate < 0 || rate > CHURN_MAX_RATE)
		return "changes must be > 0 and rate 0.." CHURN_MAX_RATE_S;
	churn = xcalloc(1, sizeof(*churn));
	churn->req = req;
	churn->evcon = evhttp_request_get_connection(req);
	churn->user = u;
	churn->total = changes;
	churn->rate = rate;
	churn->ev = evtimer_new(base, churn_cb, NULL);
	clock_gettime(CLOCK_MONOTONIC, &churn->start);
	evtimer_add(churn->ev, &tv);
	return NULL;
}

void
churn_conn_closed(struct evhttp_connection *evcon)
{
	if (churn == NULL || churn->evcon != evcon)
		return;
	if (evhttp_request_get_connection(churn->req) == NULL)
		evhttp_request_free(churn->req);
	churn_end();
}

void
churn_free(void)
{
	if (churn != NULL)
		churn_end();
}
