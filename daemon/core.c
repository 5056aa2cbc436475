/* core.c: authenticated requests to the Core for one user, with one retry after a 401. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "dstnyd.h"
#include "log.h"
#include "secret.h"
#include "ticket.h"
#include "xmalloc.h"

struct core_req {
	uint64_t		 id;
	uint64_t		 http_id;	/* 0 while waiting for a ticket */
	struct duser		*user;
	enum route_id		 route;
	char			*url;
	char			*body;
	char			*accept;
	char			*last_event_id;
	http_data_cb		 stream;
	void			*stream_arg;
	core_cb			 cb;
	void			*arg;
	void			(*arg_free)(void *);
	int			 retried;
	unsigned		 ticket_gen;	/* of the ticket it was sent with */
	int			 bad;		/* no URL: fails on the next turn */
	int			 background;	/* may wait for a connection */
	TAILQ_ENTRY(core_req)	 entry;
};

static uint64_t	core_next_id = 1;
static int	core_bg;		/* core_background() */

static void	core_start(struct core_req *);

/* What core_start() sends: needed until the request cannot be sent again. */
static void
core_req_drop_copies(struct core_req *r)
{
	free(r->url);
	free(r->body);
	free(r->accept);
	free(r->last_event_id);
	r->url = r->body = r->accept = r->last_event_id = NULL;
}

static void
core_req_free(struct core_req *r)
{
	core_req_drop_copies(r);
	free(r);
}

static struct core_req *
core_find_http(struct duser *u, uint64_t http_id)
{
	struct core_req	*r;

	TAILQ_FOREACH(r, &u->reqs, entry)
		if (r->http_id == http_id)
			return r;
	return NULL;
}

/* Hand the answer to the caller, under the caller's id. */
static void
core_finish(struct core_req *r, const struct http_resp *resp)
{
	struct duser		*u = r->user;
	struct http_resp	 copy = *resp;

	TAILQ_REMOVE(&u->reqs, r, entry);
	copy.id = r->id;
	if (r->cb != NULL)
		r->cb(u, &copy, r->arg);
	core_req_free(r);
}

static void
core_fail(struct core_req *r, enum dstny_err err, const char *msg)
{
	struct http_resp	resp;

	memset(&resp, 0, sizeof(resp));
	resp.err = err;
	resp.body = "";
	resp.message = msg;
	core_finish(r, &resp);
}

static void
core_stream_cb(uint64_t http_id, const char *p, size_t n, void *arg)
{
	struct duser	*u = arg;
	struct core_req	*r = core_find_http(u, http_id);

	if (r == NULL || r->stream == NULL)
		return;
	/*
	 * Data flows: the Core took the ticket (a 401 comes before any), so
	 * the request is never sent again and its copies can go. A stream
	 * lives for hours; these were 180 B of its 900.
	 */
	if (r->url != NULL) {
		r->retried = 1;
		core_req_drop_copies(r);
	}
	r->stream(r->id, p, n, r->stream_arg);
}

/*
 * A 401 on a ticket of ours that has not run out: the Core revoked it.
 * The usual cause is another client making a ticket of the same name for
 * the user (the Core keeps one per name); doctor reports the count.
 */
static void
core_ticket_refused(struct duser *u)
{
	time_t	now = time(NULL);

	if (ticket_owned(u->ticket) && ticket_expires(u->ticket) > now) {
		u->ticket_revoked++;
		u->ticket_revoked_at = now;
		log_warnx("%s@%s: the Core revoked ticket \"%s\" before it "
		    "expired; another client making a ticket of that name "
		    "replaces ours ([auth] ticket_name)", u->user, u->domain,
		    ticket_name(u->ticket));
	} else
		log_info("%s@%s: the Core refused the ticket", u->user,
		    u->domain);
}

static void
core_done_cb(const struct http_resp *resp, void *arg)
{
	struct duser	*u = arg;
	struct core_req	*r = core_find_http(u, resp->id);

	if (r == NULL)
		return;
	/*
	 * Stopping: the ticket is being deleted, and a request that meets
	 * its deletion is no revocation, nor a reason to make a new one.
	 */
	if (resp->err == DSTNY_ERR_UNAUTHORIZED && u->stopping) {
		core_finish(r, resp);
		return;
	}
	if (resp->err == DSTNY_ERR_UNAUTHORIZED && r->ticket_gen != u->ticket_gen) {
		/*
		 * Sent with a ticket since replaced: that one's refusal was
		 * seen already. Send it again with the new ticket (or when
		 * the one being made is ready), and refuse nothing new.
		 */
		r->http_id = 0;
		if (u->ticket_ok)
			core_start(r);
		return;
	}
	if (resp->err == DSTNY_ERR_UNAUTHORIZED && !r->retried) {
		/* The ticket ran out: get a new one, then try once more. */
		r->retried = 1;
		r->http_id = 0;
		if (u->ticket_ok) {
			u->ticket_ok = 0;
			u->ticket_accepted = 0;
			core_ticket_refused(u);
			ticket_invalid(u->ticket);
		}
		return;
	}
	if (resp->status != 0 && resp->err != DSTNY_ERR_UNAUTHORIZED)
		u->ticket_accepted = 1;	/* the Core took it */
	user_core_result(u, resp);
	trim_note(resp->body_len);
	core_finish(r, resp);
}

static void
core_start(struct core_req *r)
{
	struct duser	*u = r->user;
	struct http_req	 req;

	memset(&req, 0, sizeof(req));
	req.method = route_method(r->route);
	req.url = r->url;
	req.log_name = route_name(r->route);
	req.body = r->body;
	req.body_len = r->body != NULL ? strlen(r->body) : 0;
	req.bearer = ticket_token(u->ticket);
	req.accept = r->accept;
	req.last_event_id = r->last_event_id;
	req.stream = r->stream != NULL ? core_stream_cb : NULL;
	req.background = r->background;
	r->ticket_gen = u->ticket_gen;
	r->http_id = http_send(dhttp, &req, core_done_cb, u);
}

/* A request whose URL could not be built fails on the next loop turn. */
static void
core_bad_url_cb(evutil_socket_t fd, short what, void *arg)
{
	uint64_t	 id = (uint64_t)(uintptr_t)arg;
	struct duser	*u;
	struct core_req	*r;

	TAILQ_FOREACH(u, &dusers, entry)
		TAILQ_FOREACH(r, &u->reqs, entry)
			if (r->id == id) {
				core_fail(r, DSTNY_ERR_INVALID_ARGUMENT, r->url);
				return;
			}
}

uint64_t
core_send(struct duser *u, enum route_id route, const struct core_opts *o,
    core_cb cb, void *arg)
{
	struct route_var	 vars[8];
	struct core_req		*r;
	char			 err[256];
	size_t			 n = 0;

	vars[n].name = "domain";
	vars[n++].value = u->domain;
	vars[n].name = "user";
	vars[n++].value = u->user;
	for (; o != NULL && o->vars != NULL && o->vars[n - 2].name != NULL &&
	    n < 7; n++)
		vars[n] = o->vars[n - 2];
	vars[n].name = vars[n].value = NULL;

	r = xcalloc(1, sizeof(*r));
	r->id = core_next_id++;
	r->user = u;
	r->route = route;
	r->cb = cb;
	r->arg = arg;
	/*
	 * Background work waits for one of a few connections (lib/http.c)
	 * instead of each request opening its own: the keepalive tick's, and
	 * a launching user's (its ticket, registrations and first fetches).
	 */
	r->background = core_bg || u->launching;
	if (o != NULL) {
		r->body = o->body != NULL ? xstrdup(o->body) : NULL;
		r->accept = o->accept != NULL ? xstrdup(o->accept) : NULL;
		r->last_event_id = o->last_event_id != NULL ?
		    xstrdup(o->last_event_id) : NULL;
		r->stream = o->stream;
		r->stream_arg = o->stream_arg;
		r->arg_free = o->arg_free;
	}
	TAILQ_INSERT_TAIL(&u->reqs, r, entry);
	r->url = routes_url(dconf->routes, dconf->base_url, route, vars,
	    o != NULL ? o->query : NULL, err, sizeof(err));
	if (r->url == NULL) {
		/* Report it from the loop, never from inside the caller. */
		log_warnx("%s@%s: %s", u->user, u->domain, err);
		r->url = xstrdup(err);
		r->bad = 1;
		event_base_once(dbase, -1, EV_TIMEOUT, core_bad_url_cb,
		    (void *)(uintptr_t)r->id, NULL);
		return r->id;
	}
	if (u->ticket_ok)
		core_start(r);
	return r->id;
}

/* Requests sent while on are background work (the keepalive tick's). */
void
core_background(int on)
{
	core_bg = on;
}

void
core_cancel(struct duser *u, uint64_t id)
{
	struct core_req	*r;

	if (id == 0)
		return;
	TAILQ_FOREACH(r, &u->reqs, entry)
		if (r->id == id)
			break;
	if (r == NULL)
		return;
	if (r->http_id != 0)
		http_cancel(dhttp, r->http_id);
	TAILQ_REMOVE(&u->reqs, r, entry);
	if (r->arg_free != NULL)
		r->arg_free(r->arg);
	core_req_free(r);
}

void
core_cancel_all(struct duser *u)
{
	struct core_req	*r;

	while ((r = TAILQ_FIRST(&u->reqs)) != NULL)
		core_cancel(u, r->id);
}

/* The ticket is usable again, or could not be had. */
void
core_ticket_changed(struct duser *u, enum dstny_err err, const char *msg)
{
	struct core_req	*r, *next;

	u->ticket_ok = err == DSTNY_OK;
	if (u->ticket_ok)
		u->ticket_gen++;
	for (r = TAILQ_FIRST(&u->reqs); r != NULL; r = next) {
		next = TAILQ_NEXT(r, entry);
		if (r->http_id != 0 || r->bad)
			continue;
		if (err == DSTNY_OK)
			core_start(r);
		else
			core_fail(r, DSTNY_ERR_UNAUTHORIZED, msg);
	}
}
