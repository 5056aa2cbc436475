/* control.c: the simulator's control API, fault injection and request log. */
#include "config.h"

#include <sys/socket.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sys/queue.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <json-c/json.h>

#include "callstate.h"
#include "forward.h"
#include "log.h"
#include "sim.h"
#include "xmalloc.h"

#define LOG_MAX		4096

struct fault_count {
	long	 count;
	int	 status;
	char	*route;		/* NULL: every route */
};

struct delayed {
	struct evhttp_request	 *req;
	struct evhttp_connection *evcon;
	int			  status;
	char			 *ctype;
	char			 *body;
	struct event		 *ev;
	struct delayed		 *next;
};

struct logged {
	char	*method;
	char	*path;
	char	*route;
	char	*last_event_id;
	char	*query;		/* the query string, "" when none */
};

static struct event_base	*ctl_base;
static const char		*ctl_prefix = "/_sim";
static long			 latency_ms;
static char			*slow_route;	/* the slow fault: this route's */
static long			 slow_ms;	/* answers come that much later */
static long			 reply_delay_ms; /* for the request being answered */
static struct fault_count	 fail_fault, drop_fault, malformed_fault;
static struct delayed		*delayed;
static long long		 released;	/* held answers sent so far */
static struct logged		 reqlog[LOG_MAX];
static size_t			 nlog, log_total;

void
control_init(struct event_base *base, const char *prefix)
{
	ctl_base = base;
	ctl_prefix = prefix;
}

long
control_latency_ms(void)
{
	return latency_ms;
}

static const char *
reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 204: return "No Content";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 412: return "Precondition Failed";
	case 500: return "Internal Server Error";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	case 504: return "Gateway Timeout";
	default: return "Status";
	}
}

static void
send_now(struct evhttp_request *req, int status, const char *ctype,
    const char *body)
{
	struct evbuffer	*b = NULL;

	if (body != NULL && status != 204) {
		b = evbuffer_new();
		evbuffer_add(b, body, strlen(body));
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "Content-Type", ctype != NULL ? ctype : "application/json");
	}
	evhttp_send_reply(req, status, reason(status), b);
	if (b != NULL)
		evbuffer_free(b);
}

static void
delayed_free(struct delayed *d)
{
	struct delayed	**pp;

	for (pp = &delayed; *pp != NULL; pp = &(*pp)->next)
		if (*pp == d) {
			*pp = d->next;
			break;
		}
	event_free(d->ev);
	free(d->ctype);
	free(d->body);
	free(d);
}

static void
delayed_cb(evutil_socket_t fd, short what, void *arg)
{
	struct delayed	*d = arg;

	send_now(d->req, d->status, d->ctype, d->body);
	released++;
	delayed_free(d);
}

void
control_conn_closed(struct evhttp_connection *evcon)
{
	struct delayed	*d, *next;

	churn_conn_closed(evcon);
	for (d = delayed; d != NULL; d = next) {
		next = d->next;
		if (d->evcon != evcon)
			continue;
		/* libevent detached the unanswered request: it is ours to free. */
		if (evhttp_request_get_connection(d->req) == NULL)
			evhttp_request_free(d->req);
		delayed_free(d);
	}
}

void
sim_reply(struct evhttp_request *req, int status, const char *ctype,
    const char *body)
{
	struct delayed	*d;
	struct timeval	 tv;
	long		 delay;

	if (body != NULL && status < 300 && malformed_fault.count > 0) {
		malformed_fault.count--;
		body = ctype != NULL && strstr(ctype, "xml") != NULL ?
		    "<queue-statistics><queue><id>1</id" :
		    "{\"stateToken\": 12, \"callId\": <html>broken";
	}
	if (reply_delay_ms < latency_ms)
		reply_delay_ms = latency_ms;
	if (reply_delay_ms <= 0) {
		send_now(req, status, ctype, body);
		return;
	}
	delay = reply_delay_ms;
	reply_delay_ms = 0;
	d = xcalloc(1, sizeof(*d));
	d->req = req;
	d->evcon = evhttp_request_get_connection(req);
	d->status = status;
	d->ctype = ctype != NULL ? xstrdup(ctype) : NULL;
	d->body = body != NULL ? xstrdup(body) : NULL;
	d->ev = evtimer_new(ctl_base, delayed_cb, d);
	d->next = delayed;
	delayed = d;
	tv.tv_sec = delay / 1000;
	tv.tv_usec = (delay % 1000) * 1000;
	evtimer_add(d->ev, &tv);
}

void
sim_reply_json(struct evhttp_request *req, int status, struct json_object *o)
{
	sim_reply(req, status, "application/json",
	    json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
}

void
sim_reply_error(struct evhttp_request *req, int status, const char *code,
    const char *description)
{
	struct json_object	*o = json_object_new_object(), *a, *f;
	char			*gid = sim_random_hex(6);

	f = json_object_new_object();
	json_object_object_add(f, "fieldName", json_object_new_string(""));
	json_object_object_add(f, "code", json_object_new_string(code));
	json_object_object_add(f, "description", json_object_new_string(description));
	a = json_object_new_array();
	json_object_array_add(a, f);
	json_object_object_add(o, "field", a);
	json_object_object_add(o, "warning", json_object_new_array());
	json_object_object_add(o, "generated-id", json_object_new_string(gid));
	free(gid);
	/* Errors are never made malformed: only answers are. */
	if (latency_ms > 0 || reply_delay_ms > 0)
		sim_reply(req, status, "application/json",
		    json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	else
		send_now(req, status, "application/json",
		    json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
}

static int
fault_matches(struct fault_count *f, const char *route)
{
	if (f->count <= 0)
		return 0;
	if (f->route != NULL && strcmp(f->route, route) != 0)
		return 0;
	f->count--;
	return 1;
}

/*
 * Close the connection under a request without answering it: the socket
 * is shut down first, so the reply that lets libevent free the request
 * never reaches the client.
 */
static void
drop_connection(struct evhttp_request *req)
{
	struct evhttp_connection *evcon = evhttp_request_get_connection(req);
	struct bufferevent	 *bev = evhttp_connection_get_bufferevent(evcon);

	shutdown(bufferevent_getfd(bev), SHUT_RDWR);
	evhttp_send_reply(req, 500, "Dropped", NULL);
}

int
control_fault_before(struct evhttp_request *req, const char *route)
{
	struct evkeyvalq	*in = evhttp_request_get_input_headers(req);
	struct logged		*l;
	const char		*uri = evhttp_request_get_uri(req), *q, *lei;

	/* Log first: a test must see what was sent even when it failed. */
	l = &reqlog[log_total % LOG_MAX];
	if (log_total >= LOG_MAX) {
		free(l->method);
		free(l->path);
		free(l->route);
		free(l->last_event_id);
		free(l->query);
	}
	switch (evhttp_request_get_command(req)) {
	case EVHTTP_REQ_GET: l->method = xstrdup("GET"); break;
	case EVHTTP_REQ_POST: l->method = xstrdup("POST"); break;
	case EVHTTP_REQ_PUT: l->method = xstrdup("PUT"); break;
	case EVHTTP_REQ_DELETE: l->method = xstrdup("DELETE"); break;
	default: l->method = xstrdup("OTHER"); break;
	}
	q = strchr(uri, '?');
	l->path = q != NULL ? xstrndup(uri, (size_t)(q - uri)) : xstrdup(uri);
	l->route = xstrdup(route);
	lei = evhttp_find_header(in, "Last-Event-ID");
	l->last_event_id = xstrdup(lei != NULL ? lei : "");
	l->query = xstrdup(q != NULL ? q + 1 : "");
	log_total++;
	if (nlog < LOG_MAX)
		nlog++;
	if (sim_verbose)
		log_info("api: %s %s (%s)", l->method, uri, route);

	/* Requests are answered in the same loop pass, or held (sim_reply). */
	reply_delay_ms = slow_route != NULL && strcmp(slow_route, route) == 0 ?
	    slow_ms : 0;
	if (fault_matches(&drop_fault, route)) {
		drop_connection(req);
		return 1;
	}
	if (fault_matches(&fail_fault, route)) {
		sim_reply_error(req, fail_fault.status, "fault.injected",
		    "failure injected by dstny-coresim");
		return 1;
	}
	return 0;
}

static void
ctl_reply(struct evhttp_request *req, int status, struct json_object *o)
{
	send_now(req, status, "application/json", o != NULL ?
	    json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE) : NULL);
	json_object_put(o);
}

static void
ctl_error(struct evhttp_request *req, int status, const char *msg)
{
	struct json_object	*o = json_object_new_object();

	json_object_object_add(o, "error", json_object_new_string(msg));
	ctl_reply(req, status, o);
}

static struct json_object *
ctl_body(struct evhttp_request *req)
{
	struct evbuffer		*in = evhttp_request_get_input_buffer(req);
	size_t			 len = evbuffer_get_length(in);
	char			 err[128];
	struct json_object	*o;

	if (len == 0)
		return json_object_new_object();
	o = model_json_parse((const char *)evbuffer_pullup(in, -1), len, err,
	    sizeof(err));
	return o;
}

/*
 * The bytes that hex pairs spell ("fffe"), NUL-terminated: a test's way to
 * send text that is not UTF-8, which a JSON body cannot carry. NULL when
 * hex is not pairs of hex digits or spells a NUL.
 */
static char *
ctl_hex(const char *hex)
{
	size_t		 i, n = strlen(hex);
	char		*out;
	unsigned int	 byte;

	if (n % 2 != 0 || strspn(hex, "0123456789abcdefABCDEF") != n)
		return NULL;
	out = xmalloc(n / 2 + 1);
	for (i = 0; i < n / 2; i++) {
		if (sscanf(hex + 2 * i, "%2x", &byte) != 1 || byte == 0) {
			free(out);
			return NULL;
		}
		out[i] = (char)byte;
	}
	out[n / 2] = '\0';
	return out;
}

/* The user a control request names ("user", "domain"), else the first. */
static struct sim_user *
ctl_user(struct json_object *body, struct evkeyvalq *query)
{
	const char	*user = model_str(body, "user"), *domain;
	struct sim_user	*u;

	if (*user == '\0' && query != NULL &&
	    evhttp_find_header(query, "user") != NULL)
		user = evhttp_find_header(query, "user");
	if (*user == '\0')
		return sim_users();
	domain = model_str(body, "domain");
	for (u = sim_users(); u != NULL; u = u->next)
		if (strcmp(u->user, user) == 0 &&
		    (*domain == '\0' || strcmp(u->domain, domain) == 0))
			return u;
	return NULL;
}

static struct sim_call *
ctl_call(const char *id, struct sim_user **up)
{
	struct sim_user	*u;
	struct sim_call	*c;

	for (u = sim_users(); u != NULL; u = u->next)
		if ((c = sim_call_find(u, id)) != NULL) {
			*up = u;
			return c;
		}
	return NULL;
}

static struct json_object *
ctl_state(void)
{
	struct json_object	*o = json_object_new_object(), *us, *uo, *st;
	struct sim_user		*u;

	us = json_object_new_array();
	for (u = sim_users(); u != NULL; u = u->next) {
		uo = json_object_new_object();
		json_object_object_add(uo, "domain", json_object_new_string(u->domain));
		json_object_object_add(uo, "user", json_object_new_string(u->user));
		st = sim_user_state_json(u);
		json_object_object_add(uo, "calls",
		    json_object_get(json_object_object_get(st, "calls")));
		json_object_put(st);
		json_object_object_add(uo, "devices", sim_devices_json(u, 0));
		st = sim_groups_json(u);
		json_object_object_add(uo, "groups",
		    json_object_get(json_object_object_get(st, "group")));
		json_object_put(st);
		json_object_object_add(uo, "lineStates", api_linestates_json(u));
		json_object_array_add(us, uo);
	}
	json_object_object_add(o, "users", us);
	json_object_object_add(o, "events", events_json());
	json_object_object_add(o, "tls", sim_tls_json());
	json_object_object_add(o, "requests", json_object_new_int64((int64_t)log_total));
	return o;
}

static struct json_object *
ctl_requests(void)
{
	struct json_object	*a = json_object_new_array(), *e;
	size_t			 i, first = log_total - nlog;
	struct logged		*l;

	for (i = first; i < log_total; i++) {
		l = &reqlog[i % LOG_MAX];
		e = json_object_new_object();
		json_object_object_add(e, "seq", json_object_new_int64((int64_t)i + 1));
		json_object_object_add(e, "method", json_object_new_string(l->method));
		json_object_object_add(e, "path", json_object_new_string(l->path));
		json_object_object_add(e, "route", json_object_new_string(l->route));
		if (*l->query != '\0')
			json_object_object_add(e, "query",
			    json_object_new_string(l->query));
		if (*l->last_event_id != '\0')
			json_object_object_add(e, "lastEventId",
			    json_object_new_string(l->last_event_id));
		json_object_array_add(a, e);
	}
	return a;
}

static void
fault_set(struct fault_count *f, struct json_object *o, int default_status)
{
	free(f->route);
	f->route = *model_str(o, "route") != '\0' ?
	    xstrdup(model_str(o, "route")) : NULL;
	f->count = (long)model_int(o, "count");
	f->status = model_int(o, "status") > 0 ? (int)model_int(o, "status") :
	    default_status;
}

static void
faults_clear(void)
{
	latency_ms = 0;
	fault_set(&fail_fault, NULL, 503);
	fault_set(&drop_fault, NULL, 0);
	fault_set(&malformed_fault, NULL, 0);
	free(slow_route);
	slow_route = NULL;
	slow_ms = 0;
	events_silent = 0;
	events_initial_state = 1;
	events_stream_delay_ms = 0;
}

static struct json_object *
faults_json(void)
{
	struct json_object	*o = json_object_new_object();
	struct delayed		*d;
	long long		 held = 0;

	for (d = delayed; d != NULL; d = d->next)
		held++;

	json_object_object_add(o, "latencyMs", json_object_new_int64(latency_ms));
	json_object_object_add(o, "fail", json_object_new_int64(fail_fault.count));
	json_object_object_add(o, "drop", json_object_new_int64(drop_fault.count));
	json_object_object_add(o, "malformed",
	    json_object_new_int64(malformed_fault.count));
	/* Answers latencyMs holds back now, and those sent after it so far. */
	json_object_object_add(o, "slow", slow_route == NULL ? NULL :
	    json_object_new_int64(slow_ms));
	json_object_object_add(o, "silent", json_object_new_boolean(events_silent));
	json_object_object_add(o, "initialState",
	    json_object_new_boolean(events_initial_state));
	json_object_object_add(o, "streamDelayMs",
	    json_object_new_int64(events_stream_delay_ms));
	json_object_object_add(o, "streamsHeld",
	    json_object_new_int64((int64_t)events_streams_held()));
	json_object_object_add(o, "frozen",
	    json_object_new_int64((int64_t)events_frozen_count()));
	json_object_object_add(o, "held", json_object_new_int64(held));
	json_object_object_add(o, "eventsHeld",
	    json_object_new_int64((int64_t)events_late_count()));
	json_object_object_add(o, "released", json_object_new_int64(released));
	return o;
}

/* Set the group's counters that the body names. */
static void
ctl_queue_update(struct sim_group *g, struct json_object *b)
{
#define SETU(key, f)	if (json_object_object_get_ex(b, key, NULL)) \
	g->f = (uint32_t)model_uint(b, key)
	SETU("callsWaiting", calls_waiting);
	SETU("freeAgents", free_agents);
	SETU("loggedInAgents", logged_in_agents);
	SETU("longestWaiting", longest_waiting);
	SETU("averageWait", average_wait);
	SETU("lastWait", last_wait);
	SETU("answeredLast24h", answered_24h);
	SETU("droppedLast24h", dropped_24h);
	SETU("totalLast24h", total_24h);
#undef SETU
	if (json_object_object_get_ex(b, "nightMode", NULL))
		g->night_mode = model_bool(b, "nightMode");
	if (json_object_object_get_ex(b, "loggedIn", NULL))
		g->logged_in = model_bool(b, "loggedIn");
}

static int
path_is(const char *path, const char *want, const char **rest)
{
	size_t	len = strlen(want);

	if (strncmp(path, want, len) != 0)
		return 0;
	if (rest != NULL)
		*rest = path + len;
	return 1;
}

int
control_handle(struct evhttp_request *req, const char *path)
{
	enum evhttp_cmd_type	 cmd = evhttp_request_get_command(req);
	struct json_object	*b = NULL, *o;
	struct evkeyvalq	 query;
	struct sim_user		*u;
	struct sim_call		*c;
	struct sim_group	*g;
	const char		*rest, *qs;
	size_t			 plen = strlen(ctl_prefix), i;
	char			 id[128];
	int			 post = cmd == EVHTTP_REQ_POST;

	if (strncmp(path, ctl_prefix, plen) != 0 ||
	    (path[plen] != '/' && path[plen] != '\0'))
		return 0;
	path += plen;
	TAILQ_INIT(&query);
	if ((qs = evhttp_uri_get_query(evhttp_request_get_evhttp_uri(req))) != NULL)
		evhttp_parse_query_str(qs, &query);
	if ((b = ctl_body(req)) == NULL) {
		ctl_error(req, 400, "the body is not JSON");
		goto done;
	}
	if (cmd == EVHTTP_REQ_GET && strcmp(path, "/state") == 0) {
		ctl_reply(req, 200, ctl_state());
	} else if (cmd == EVHTTP_REQ_GET && strcmp(path, "/tickets") == 0) {
		ctl_reply(req, 200, sim_tickets_issued_json());
	} else if (cmd == EVHTTP_REQ_GET && strcmp(path, "/requests") == 0) {
		ctl_reply(req, 200, ctl_requests());
	} else if (cmd == EVHTTP_REQ_DELETE && strcmp(path, "/requests") == 0) {
		nlog = 0;
		ctl_reply(req, 204, NULL);
	} else if (post && strcmp(path, "/calls") == 0) {
		char *raw;

		if ((u = ctl_user(b, &query)) == NULL) {
			ctl_error(req, 404, "no such user");
			goto done;
		}
		/* nameHex: bytes as a Core may send them, UTF-8 or not. */
		if ((raw = ctl_hex(model_str(b, "nameHex"))) == NULL) {
			ctl_error(req, 400, "nameHex is not pairs of hex digits");
			goto done;
		}
		c = sim_call_new(u, 1, *model_str(b, "from") != '\0' ?
		    model_str(b, "from") : "+15550100", *raw != '\0' ? raw :
		    model_str(b, "name"), NULL);
		free(raw);
		if (*model_str(b, "queue") != '\0') {
			c->queue = xstrdup(model_str(b, "queue"));
			sim_call_changed(u, c, "RINGING");
		}
		ctl_reply(req, 200, sim_call_json(u, c));
	} else if (post && path_is(path, "/calls/", &rest) &&
	    sscanf(rest, "%127[^/]", id) == 1) {
		rest += strlen(id);
		if ((c = ctl_call(id, &u)) == NULL) {
			ctl_error(req, 404, "no such call");
			goto done;
		}
		if (strcmp(rest, "/answer") == 0 || strcmp(rest, "/hold") == 0 ||
		    strcmp(rest, "/resume") == 0 || strcmp(rest, "/mute") == 0 ||
		    strcmp(rest, "/unmute") == 0) {
			/* As the user's phone (or an outbound call's far end) would. */
			if (sim_call_press(u, c, rest + 1, u->ndevices > 0 ?
			    u->devices[0].id : NULL) == -1) {
				ctl_error(req, 409, "the call's status does not allow that now");
				goto done;
			}
			ctl_reply(req, 200, sim_call_json(u, c));
		} else if (strcmp(rest, "/hangup") == 0) {
			sim_call_end(u, c, "REMOTE_HANGUP");
			ctl_reply(req, 204, NULL);
		} else
			ctl_error(req, 404, "no such call action");
	} else if (path_is(path, "/contacts", &rest) &&
	    (*rest == '\0' || *rest == '/')) {
		/* The directory and favourites (issue 22), in sim/contacts.c. */
		int status;

		if ((u = ctl_user(b, &query)) == NULL) {
			ctl_error(req, 404, "no such user");
			goto done;
		}
		status = contacts_control(post, rest, b, u, &o);
		if (o != NULL)
			ctl_reply(req, status, o);
		else
			ctl_error(req, status, status == 404 ? "no such contact" :
			    "POST /contacts needs an id; /contacts/<id> changes one");
	} else if (post && (strcmp(path, "/history") == 0 ||
	    strcmp(path, "/presence") == 0)) {
		/* issue 21: a log item, or presence set elsewhere. */
		if ((u = ctl_user(b, &query)) == NULL) {
			ctl_error(req, 404, "no such user");
			goto done;
		}
		if (path[1] == 'h')
			sim_history_add(u, *model_str(b, "itemType") != '\0' ?
			    model_str(b, "itemType") : "MISSED_CALL",
			    model_str(b, "number"), model_str(b, "name"),
			    model_bool(b, "isSeen"), model_uint(b, "duration"));
		else
			sim_presence_set(u, b);
		ctl_reply(req, 200, sim_profile_json(u));
	} else if (post && strcmp(path, "/forward") == 0) {
		/* issue 21 part 3: a rule set or cleared elsewhere. */
		if ((u = ctl_user(b, &query)) == NULL) {
			ctl_error(req, 404, "no such user");
			goto done;
		}
		if (forward_type_name(model_str(b, "type")) == NULL)
			ctl_error(req, 400, "type: a CFWD_* rule type");
		else if (sim_forward_set(u, *model_str(b, "line") != '\0' ?
		    model_str(b, "line") : "PRIMARY", model_str(b, "type"),
		    model_str(b, "number")) == -1)
			ctl_error(req, 404, "no such line");
		else
			ctl_reply(req, 200, sim_settings_json(u));
	} else if (post && strcmp(path, "/churn") == 0) {
		const char *why;

		if ((u = ctl_user(b, &query)) == NULL) {
			ctl_error(req, 404, "no such user");
			goto done;
		}
		if ((why = churn_start(ctl_base, req, u, (long)model_int(b, "changes"),
		    (long)model_int(b, "rate"))) != NULL)
			ctl_error(req, 409, why);
	} else if (cmd == EVHTTP_REQ_DELETE && path_is(path, "/queues/", &rest)) {
		if ((u = ctl_user(b, &query)) == NULL ||
		    sim_group_remove(u, strtoll(rest, NULL, 10)) == -1) {
			ctl_error(req, 404, "no such user or group");
			goto done;
		}
		events_queues_changed(u);
		ctl_reply(req, 200, sim_groups_json(u));
	} else if (post && path_is(path, "/queues/", &rest)) {
		if ((u = ctl_user(b, &query)) == NULL) {
			ctl_error(req, 404, "no such user");
			goto done;
		}
		if ((g = sim_group_find(u, strtoll(rest, NULL, 10))) == NULL &&
		    model_bool(b, "create"))
			g = sim_group_add(u, strtoll(rest, NULL, 10),
			    *model_str(b, "name") ? model_str(b, "name") : "new group",
			    *model_str(b, "type") ? model_str(b, "type") : "ACD");
		if (g == NULL) {
			ctl_error(req, 404, "no such group (\"create\": true adds it)");
			goto done;
		}
		ctl_queue_update(g, b);
		events_queues_changed(u);
		ctl_reply(req, 200, sim_groups_json(u));
	} else if (post && strcmp(path, "/devices") == 0) {
		if ((u = ctl_user(b, &query)) == NULL || *model_str(b, "deviceId") == '\0') {
			ctl_error(req, 400, "a user and a deviceId are needed");
			goto done;
		}
		for (i = 0; i < u->ndevices; i++)
			if (strcmp(u->devices[i].id, model_str(b, "deviceId")) == 0)
				break;
		if (i < u->ndevices) {
			free(u->devices[i].status);
			u->devices[i].status = xstrdup(*model_str(b, "deviceStatus") ?
			    model_str(b, "deviceStatus") : "ACTIVE");
		} else
			sim_device_add(u, model_str(b, "deviceId"),
			    *model_str(b, "deviceType") ? model_str(b, "deviceType") : "SOFTPHONE",
			    model_str(b, "deviceName"),
			    *model_str(b, "deviceStatus") ? model_str(b, "deviceStatus") : "ACTIVE");
		events_devices_changed(u);
		ctl_reply(req, 200, sim_devices_json(u, 0));
	} else if (post && strcmp(path, "/faults") == 0) {
		if (json_object_object_get_ex(b, "latencyMs", NULL))
			latency_ms = (long)model_int(b, "latencyMs");
		if (json_object_object_get_ex(b, "fail", &o))
			fault_set(&fail_fault, o, 503);
		if (json_object_object_get_ex(b, "drop", &o))
			fault_set(&drop_fault, o, 0);
		if (json_object_object_get_ex(b, "malformed", &o))
			fault_set(&malformed_fault, o, 0);
		if (json_object_object_get_ex(b, "slow", &o)) {
			free(slow_route);
			slow_route = NULL;
			slow_ms = 0;
			if (json_object_is_type(o, json_type_object) &&
			    *model_str(o, "route") != '\0' &&
			    model_int(o, "ms") > 0) {
				slow_route = xstrdup(model_str(o, "route"));
				slow_ms = (long)model_int(o, "ms");
			}
		}
		if (json_object_object_get_ex(b, "silent", NULL))
			events_silent = model_bool(b, "silent");
		if (json_object_object_get_ex(b, "initialState", NULL))
			events_initial_state = model_bool(b, "initialState");
		if (json_object_object_get_ex(b, "streamDelayMs", NULL))
			events_stream_delay_ms = (long)model_int(b, "streamDelayMs");
		if (json_object_object_get_ex(b, "freeze", &o)) {
			int kind = -1;

			if (json_object_is_type(o, json_type_object) &&
			    *model_str(o, "route") != '\0' &&
			    (kind = events_stream_kind(model_str(o, "route"))) == -2) {
				ctl_error(req, 400, "freeze: route names no stream");
				goto done;
			}
			events_freeze(kind);
		}
		if (model_int(b, "downSeconds") > 0) {
			struct evhttp_connection *evcon =
			    evhttp_request_get_connection(req);
			/* This answer still goes out; the connection closes after. */
			evhttp_add_header(evhttp_request_get_output_headers(req),
			    "Connection", "close");
			sim_listener_down((long)model_int(b, "downSeconds"), evcon);
			ctl_reply(req, 200, faults_json());
			goto done;
		}
		ctl_reply(req, 200, faults_json());
	} else if (cmd == EVHTTP_REQ_GET && strcmp(path, "/faults") == 0) {
		ctl_reply(req, 200, faults_json());
	} else if (cmd == EVHTTP_REQ_DELETE && strcmp(path, "/faults") == 0) {
		faults_clear();
		ctl_reply(req, 200, faults_json());
	} else if (post && strcmp(path, "/tickets/revoke") == 0) {
		sim_tickets_revoke(*model_str(b, "user") != '\0' ? ctl_user(b, NULL) : NULL);
		ctl_reply(req, 204, NULL);
	} else if (post && strcmp(path, "/webhooks/expire") == 0) {
		events_expire_hooks();
		ctl_reply(req, 204, NULL);
	} else if (post && strcmp(path, "/webhooks/lifetime") == 0) {
		if (model_int(b, "seconds") > 0)
			events_hook_lifetime = (long)model_int(b, "seconds");
		ctl_reply(req, 204, NULL);
	} else if (post && strcmp(path, "/streams/drop") == 0) {
		events_drop_streams();
		ctl_reply(req, 204, NULL);
	} else if (post && strcmp(path, "/restart") == 0) {
		/*
		 * A restarted Core forgets webhooks and streams, keeps tickets
		 * and calls; every connection is cut (this one after its
		 * answer), and with downSeconds new ones are refused that long.
		 */
		struct evhttp_connection *evcon = evhttp_request_get_connection(req);

		events_restart(model_bool(b, "graceful"));
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "Connection", "close");
		if (model_int(b, "downSeconds") > 0)
			sim_listener_down((long)model_int(b, "downSeconds"), evcon);
		else if (!model_bool(b, "graceful"))
			sim_conns_drop(evcon);
		ctl_reply(req, 204, NULL);
	} else
		ctl_error(req, 404, "no such control resource");
done:
	json_object_put(b);
	evhttp_clear_headers(&query);
	return 1;
}

void
control_free(void)
{
	size_t	i;

	churn_free();
	while (delayed != NULL)
		delayed_free(delayed);
	for (i = 0; i < LOG_MAX && i < log_total; i++) {
		free(reqlog[i].method);
		free(reqlog[i].path);
		free(reqlog[i].route);
		free(reqlog[i].last_event_id);
		free(reqlog[i].query);
	}
	faults_clear();
}
