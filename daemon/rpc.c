/* rpc.c: the Unix socket: JSON-RPC 2.0, one request or batch per line (interfaces.md 4). */
#include "config.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <json-c/json.h>

#include "confcheck.h"
#include "contacts.h"
#include "dstnyd.h"
#include "jsonrpc.h"
#include "log.h"
#include "ticket.h"
#include "xmalloc.h"

#define RPC_LINE_MAX	(64 * 1024)
#define RPC_QUEUE_MAX	(1024 * 1024)

enum {
	TOPIC_CALLS = 1 << 0,
	TOPIC_QUEUES = 1 << 1,
	TOPIC_DEVICES = 1 << 2,
	TOPIC_STATUS = 1 << 3,
	TOPIC_HISTORY = 1 << 4,		/* issue 21 */
	TOPIC_PRESENCE = 1 << 5,
	TOPIC_CONTACTS = 1 << 6,	/* favourites (issue 22) */
	TOPIC_FORWARD = 1 << 7,		/* issue 21 parts 3-5 */
	TOPIC_CALLERID = 1 << 8,
	TOPIC_VOICEMAIL = 1 << 9,
	TOPIC_ALL = 0x3ff,
};
/* The subscribe topics' names, bit by bit. */
static const char *const rpc_topic_names[] = {
	"calls", "queues", "devices", "status", "history", "presence",
	"contacts", "forward", "callerid", "voicemail", NULL
};

struct rpc_client {
	uint64_t		 id;
	uid_t			 uid;		/* SO_PEERCRED, read at accept */
	struct bufferevent	*bev;
	unsigned		 topics;	/* subscribed topics, 0: none */
	int			 dead;
	int			 close_when_flushed;
	int			 read_paused;	/* its answers wait to be read */
	int			 served;	/* sent a whole line */
	struct event		*deadline_ev;	/* until then */
	TAILQ_ENTRY(rpc_client)	 entry;
};

/*
 * A client has RPC_HEAD_DEADLINE seconds from accept to send its first
 * whole line (a total, not an idle timeout: a byte every few seconds does
 * not keep it). When the socket is full, the oldest client that has not
 * sent one makes room for the new one; one that has (a subscriber) is
 * never pushed out: then the new one is refused.
 */
#define RPC_HEAD_DEADLINE	10

/*
 * Where one request's reply goes: a lone request's is a line to its
 * client, a batch member's a slot in the batch's array, a notification's
 * nowhere (it still runs). The client is named by id: it may leave while
 * an action is under way.
 */
struct rpc_req {
	uint64_t		 client;
	struct json_object	*id;		/* NULL: absent or null */
	int			 notification;
	struct rpc_batch	*batch;		/* NULL for a lone request */
	size_t			 slot;		/* the member's place in it */
};

/* A batch being answered: its members' replies go out as one line. */
struct rpc_batch {
	uint64_t		 client;
	struct json_object	*replies;	/* by slot; NULL: no reply */
	size_t			 open;		/* members not answered yet */
};

struct rpc_pending {
	struct rpc_req		 rq;		/* rq.id is a reference */
	char			*user;
};

static TAILQ_HEAD(, rpc_client) clients = TAILQ_HEAD_INITIALIZER(clients);
static TAILQ_HEAD(, rpc_client) dead_clients = TAILQ_HEAD_INITIALIZER(dead_clients);
static struct evconnlistener	*listener;
static char			*sock_path;
static char			*sock_dir;	/* made by us: removed at exit */
static size_t			 nclients;
static size_t			 clients_cap;	/* max_clients, or fewer */
static uint64_t			 next_client_id = 1;

static struct rpc_client *
client_find(uint64_t id)
{
	struct rpc_client	*c;

	TAILQ_FOREACH(c, &clients, entry)
		if (c->id == id && !c->dead)
			return c;
	return NULL;
}

static void
client_free_cb(evutil_socket_t fd, short what, void *arg)
{
	struct rpc_client	*c;

	while ((c = TAILQ_FIRST(&dead_clients)) != NULL) {
		TAILQ_REMOVE(&dead_clients, c, entry);
		bufferevent_free(c->bev);
		event_free(c->deadline_ev);
		free(c);
	}
}

/* Mark dead, free from the loop: we may be inside its own callback. */
static void
client_close(struct rpc_client *c)
{
	if (c->dead)
		return;
	c->dead = 1;
	bufferevent_disable(c->bev, EV_READ | EV_WRITE);
	evtimer_del(c->deadline_ev);
	TAILQ_REMOVE(&clients, c, entry);
	nclients--;
	if (TAILQ_EMPTY(&dead_clients))
		event_base_once(dbase, -1, EV_TIMEOUT, client_free_cb, NULL, NULL);
	TAILQ_INSERT_TAIL(&dead_clients, c, entry);
	if (listener != NULL)
		evconnlistener_enable(listener);
}

/* Queue a line (s, without its newline); only notifications count against a slow reader. */
static void
client_send_text(struct rpc_client *c, const char *s, size_t len, int notification)
{
	struct evbuffer	*out;
	struct iovec	 iov[2];
	struct msghdr	 mh;
	size_t		 done = 0;
	ssize_t		 n;

	if (c->dead)
		return;
	out = bufferevent_get_output(c->bev);
	/*
	 * Nothing is waiting: send the line now rather than after one more
	 * trip through the event loop; what does not fit is queued. (The
	 * bufferevent's own buffer cannot be written from here: its start
	 * is frozen for the bufferevent.)
	 */
	if (evbuffer_get_length(out) == 0) {
		iov[0].iov_base = (void *)s;
		iov[0].iov_len = len;
		iov[1].iov_base = (void *)"\n";
		iov[1].iov_len = 1;
		memset(&mh, 0, sizeof(mh));
		mh.msg_iov = iov;
		mh.msg_iovlen = 2;
		if ((n = sendmsg(bufferevent_getfd(c->bev), &mh,
		    MSG_DONTWAIT | MSG_NOSIGNAL)) > 0)
			done = (size_t)n;
	}
	if (done < len)
		evbuffer_add(out, s + done, len - done);
	if (done < len + 1)
		evbuffer_add(out, "\n", 1);
	/* A subscriber that does not read is cut off; we never block on it. */
	if (notification && evbuffer_get_length(out) > RPC_QUEUE_MAX) {
		log_warnx("socket: client %llu does not read: disconnected",
		    (unsigned long long)c->id);
		client_close(c);
	}
}

static void
client_send(struct rpc_client *c, struct json_object *msg, int notification)
{
	const char	*s = json_object_to_json_string_ext(msg,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);

	client_send_text(c, s, strlen(s), notification);
}

static void
req_init(struct rpc_req *rq, const struct rpc_client *c,
    const struct jsonrpc_request *r, struct rpc_batch *b, size_t slot)
{
	memset(rq, 0, sizeof(*rq));
	rq->client = c->id;
	if (r != NULL) {
		rq->id = r->id;
		rq->notification = r->notification;
	}
	rq->batch = b;
	rq->slot = slot;
}

static struct rpc_batch *
batch_new(const struct rpc_client *c, size_t n)
{
	struct rpc_batch	*b = xcalloc(1, sizeof(*b));

	b->client = c->id;
	b->replies = json_object_new_array();
	b->open = n + 1;	/* + 1 until every member is dispatched */
	return b;
}

/* One member answered (or dispatched, for the + 1): the last sends the line. */
static void
batch_member_done(struct rpc_batch *b)
{
	struct rpc_client	*c;
	struct json_object	*out, *m;
	size_t			 i, n;

	if (--b->open > 0)
		return;
	out = json_object_new_array();
	n = json_object_array_length(b->replies);
	for (i = 0; i < n; i++)
		if ((m = json_object_array_get_idx(b->replies, i)) != NULL)
			json_object_array_add(out, json_object_get(m));
	/* All notifications: nothing at all is sent (JSON-RPC 2.0, 6). */
	if (json_object_array_length(out) > 0 &&
	    (c = client_find(b->client)) != NULL)
		client_send(c, out, 0);
	json_object_put(out);
	json_object_put(b->replies);
	free(b);
}

/* Route a reply (msg, consumed) to where its request wants it. */
static void
rpc_answer(const struct rpc_req *rq, struct json_object *msg)
{
	struct rpc_client	*c;

	if (rq->notification) {
		json_object_put(msg);
		msg = NULL;
	}
	if (rq->batch != NULL) {
		if (msg != NULL)
			json_object_array_put_idx(rq->batch->replies, rq->slot,
			    msg);
		batch_member_done(rq->batch);
		return;
	}
	if (msg != NULL && (c = client_find(rq->client)) != NULL)
		client_send(c, msg, 0);
	json_object_put(msg);
}

static void
reply_result(const struct rpc_req *rq, struct json_object *result)
{
	struct json_object	*msg = json_object_new_object();

	json_object_object_add(msg, "jsonrpc", json_object_new_string("2.0"));
	json_object_object_add(msg, "result", result);
	json_object_object_add(msg, "id", json_object_get(rq->id));
	rpc_answer(rq, msg);
}

static void
reply_error(const struct rpc_req *rq, int code, const char *message,
    const char *name)
{
	struct json_object	*msg = json_object_new_object();
	struct json_object	*err = json_object_new_object(), *data;

	json_object_object_add(err, "code", json_object_new_int(code));
	json_object_object_add(err, "message", json_object_new_string(message));
	if (name != NULL) {
		data = json_object_new_object();
		json_object_object_add(data, "name", json_object_new_string(name));
		json_object_object_add(err, "data", data);
	}
	json_object_object_add(msg, "jsonrpc", json_object_new_string("2.0"));
	json_object_object_add(msg, "error", err);
	json_object_object_add(msg, "id", json_object_get(rq->id));
	rpc_answer(rq, msg);
}

static void
reply_dstny_error(const struct rpc_req *rq, enum dstny_err e, const char *msg)
{
	reply_error(rq, (int)e, msg != NULL && *msg != '\0' ? msg :
	    dstny_err_name(e), dstny_err_dbus_name(e));
}

/* A CallView: a normalised CallState plus "path" ("/" when gone) and "user". */
static struct json_object *
call_view(const char *state, const struct dcall *c, const char *user)
{
	struct json_object	*v;
	char			*p = c != NULL ? bus_call_path(c) : xstrdup("/");

	if ((v = json_tokener_parse(state)) == NULL)	/* ours: cannot fail */
		v = json_object_new_object();
	if (c != NULL) {
		/* The caller's name from the directory (issue 22). */
		const char *name, *source;

		name = contacts_call_name(c, &source);
		json_object_object_add(v, "remoteName",
		    json_object_new_string(name));
		json_object_object_add(v, "remoteNameSource",
		    json_object_new_string(source));
	}
	json_object_object_add(v, "path", json_object_new_string(p));
	json_object_object_add(v, "user", json_object_new_string(user));
	free(p);
	return v;
}

struct json_object *
rpc_call_view(const struct dcall *c)
{
	return call_view(c->cs->json, c, c->user->user);
}

static int
names_index(const char *const *names, const char *s)
{
	int	i;

	for (i = 0; names[i] != NULL; i++)
		if (strcmp(names[i], s) == 0)
			return i;
	return -1;
}

static unsigned
topic_bit(const char *topic)
{
	int	i = names_index(rpc_topic_names, topic);

	return i == -1 ? TOPIC_STATUS : 1u << i;
}

/* Does any client follow topic? Views nobody reads are not built. */
static int
rpc_wants(unsigned bit)
{
	struct rpc_client	*c;

	TAILQ_FOREACH(c, &clients, entry)
		if ((c->topics & bit) && !c->dead)
			return 1;
	return 0;
}

/* One notification line to every client following the topic bit. */
static void
notify_text(unsigned bit, const char *s, size_t len)
{
	struct rpc_client	*c, *next;

	for (c = TAILQ_FIRST(&clients); c != NULL; c = next) {
		next = TAILQ_NEXT(c, entry);
		if (c->topics & bit)
			client_send_text(c, s, len, 1);
	}
}

/*
 * call.added and call.changed, written as text: the call's normalised JSON
 * (ours, an object with a fixed set of members) with "path" and "user"
 * spliced in, where call_view() parses it and prints it again (callgrind:
 * that round trip was a sixth of the instructions an event costs).
 */
void
rpc_notify_call(const char *method, const struct dcall *c)
{
	struct json_object	*user, *name;
	struct buf		 b;
	const char		*state = c->cs->json;	/* "{...}", never "{}" */
	const char		*source;
	size_t			 n = strlen(state);
	char			*path;

	if (!rpc_wants(TOPIC_CALLS))
		return;
	path = bus_call_path(c);	/* [A-Za-z0-9_/]: nothing to escape */
	user = json_object_new_string(c->user->user);
	buf_init(&b);
	/* The state and what goes around it, in one allocation. */
	buf_reserve(&b, n + 256);
	/* Pieces added, not formatted: printf twice each was a third here. */
	buf_addstr(&b, "{\"jsonrpc\":\"2.0\",\"method\":\"");
	buf_addstr(&b, method);
	buf_addstr(&b, "\",\"params\":{\"call\":");
	buf_add(&b, state, n - 1);
	/* The caller's name from the directory (issue 22); source is ASCII. */
	name = json_object_new_string(contacts_call_name(c, &source));
	buf_addstr(&b, ",\"remoteName\":");
	buf_addstr(&b, json_object_to_json_string_ext(name,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	buf_addstr(&b, ",\"remoteNameSource\":\"");
	buf_addstr(&b, source);
	buf_addstr(&b, "\",\"path\":\"");
	buf_addstr(&b, path);
	buf_addstr(&b, "\",\"user\":");
	buf_addstr(&b, json_object_to_json_string_ext(user,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	buf_addstr(&b, "}}}");
	notify_text(TOPIC_CALLS, b.data, b.len);
	buf_free(&b);
	json_object_put(name);
	json_object_put(user);
	free(path);
}

void
rpc_notify(const char *topic, const char *method, struct json_object *params)
{
	struct json_object	*msg;
	const char		*s;

	msg = json_object_new_object();
	json_object_object_add(msg, "jsonrpc", json_object_new_string("2.0"));
	json_object_object_add(msg, "method", json_object_new_string(method));
	json_object_object_add(msg, "params", params);
	s = json_object_to_json_string_ext(msg, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE);
	notify_text(topic_bit(topic), s, strlen(s));
	json_object_put(msg);
}

static void
rpc_action_cb(enum dstny_err err, const char *msg, struct dcall *call,
    const char *answer, void *arg)
{
	struct rpc_pending	*p = arg;

	if (err != DSTNY_OK)
		reply_dstny_error(&p->rq, err, msg);
	else if (answer != NULL)
		reply_result(&p->rq, call_view(answer, call, p->user));
	else if (call != NULL)
		reply_result(&p->rq, rpc_call_view(call));
	else
		reply_result(&p->rq, json_object_new_object());
	json_object_put(p->rq.id);
	free(p->user);
	free(p);
}

static struct rpc_pending *
pending_new(const struct rpc_req *rq, const struct duser *u)
{
	struct rpc_pending	*p = xcalloc(1, sizeof(*p));

	p->rq = *rq;
	p->rq.id = json_object_get(rq->id);
	p->user = xstrdup(u->user);
	return p;
}

/*
 * What is known of a user's ticket: its name, where it came from, and
 * what the Core did with it: "accepted" (it answered a request made
 * with it), "refused" (the user is unauthorized), "unconfirmed" (we
 * hold one the Core has not answered yet) or "none".
 */
static struct json_object *
ticket_json(const struct duser *u)
{
	struct json_object	*t = json_object_new_object();
	const char		*state;

	if (u->kr.waiting && !u->ticket_ok)
		state = "keyring";	/* no password from it (why says why) */
	else if (u->unauthorized)
		state = "refused";
	else if (u->ticket_ok && u->ticket_accepted)
		state = "accepted";
	else if (u->ticket_ok)
		state = "unconfirmed";
	else
		state = "none";
	json_object_object_add(t, "state", json_object_new_string(state));
	json_object_object_add(t, "source", json_object_new_string(
	    ticket_keyring(u->ticket) ? "keyring" :
	    ticket_owned(u->ticket) ? "password" : "token"));
	if (ticket_owned(u->ticket)) {
		json_object_object_add(t, "name", json_object_new_string(
		    ticket_name(u->ticket)));
		/* When dstnyd makes the next one (80% of the lifetime); 0: unknown. */
		json_object_object_add(t, "renewsAt",
		    json_object_new_int64((int64_t)ticket_renews(u->ticket)));
	}
	json_object_object_add(t, "revoked",
	    json_object_new_int64(u->ticket_revoked));
	if (u->ticket_revoked > 0)
		json_object_object_add(t, "revokedAt",
		    json_object_new_int64((int64_t)u->ticket_revoked_at));
	return t;
}

static struct json_object *
status_json(void)
{
	struct json_object	*o = json_object_new_object(), *a, *e, *h;
	struct duser		*u;
	struct dcall		*call;
	int			 n;

	json_object_object_add(o, "version", json_object_new_string(DSTNY_VERSION));
	a = json_object_new_array();
	h = json_object_new_array();
	TAILQ_FOREACH(u, &dusers, entry) {
		e = json_object_new_object();
		n = 0;
		TAILQ_FOREACH(call, &u->calls, entry)
			n++;
		json_object_object_add(e, "userId", json_object_new_string(u->user));
		json_object_object_add(e, "domain", json_object_new_string(u->domain));
		json_object_object_add(e, "state",
		    json_object_new_string(user_state_name(u->state)));
		json_object_object_add(e, "transport",
		    json_object_new_string(conf_transport_name(u->transport)));
		json_object_object_add(e, "calls", json_object_new_int(n));
		n = 0;
		{
			struct dqueue *q;
			TAILQ_FOREACH(q, &u->queues, entry)
				n++;
		}
		json_object_object_add(e, "queues", json_object_new_int(n));
		json_object_array_add(a, e);
		/* health[i]: users[i]'s ticket and trouble, for doctor */
		e = json_object_new_object();
		json_object_object_add(e, "userId", json_object_new_string(u->user));
		json_object_object_add(e, "domain", json_object_new_string(u->domain));
		json_object_object_add(e, "ticket", ticket_json(u));
		if (u->state != USTATE_ONLINE && u->why[0] != '\0')
			json_object_object_add(e, "reason",
			    json_object_new_string(u->why));
		json_object_array_add(h, e);
	}
	json_object_object_add(o, "users", a);
	/*
	 * Beyond interfaces.md 4, at the top level so that users[] stays
	 * exactly as listed there: what dstnyctl doctor checks against.
	 */
	json_object_object_add(o, "health", h);
	json_object_object_add(o, "config", json_object_new_string(dconf->path));
	return o;
}

static struct json_object *
devices_json(struct duser *u)
{
	struct json_object	*a = json_object_new_array(), *d;
	size_t			 i;

	for (i = 0; i < u->devices.n; i++) {
		d = json_object_new_object();
		json_object_object_add(d, "deviceId", json_object_new_string(u->devices.v[i].id));
		json_object_object_add(d, "deviceType", json_object_new_string(u->devices.v[i].type));
		json_object_object_add(d, "deviceName", json_object_new_string(u->devices.v[i].name));
		json_object_object_add(d, "deviceStatus", json_object_new_string(u->devices.v[i].status));
		json_object_array_add(a, d);
	}
	return a;
}

/*
 * The socket's methods (interfaces.md 4), each described once: its name,
 * its parameters (type, whether required, where the value goes in struct
 * rpc_args), whether it only reads, and the function that runs it. The
 * dispatcher checks every parameter against the spec before anything
 * runs: a missing or mistyped one is -32602 naming it ("params.call:
 * expected a string"); one not in the spec is ignored.
 */
enum rpc_ptype {
	RPC_STR,	/* a string; null is as absent */
	RPC_BOOL,
	RPC_INT,
	RPC_ID,		/* an integer, or a string holding one */
	RPC_LIST,
	RPC_ENUM,	/* a string among the spec's values: its index */
	RPC_CALL,	/* a callId (string) of the user's: the call */
	RPC_OBJECT,	/* a JSON object */
};

#define RPC_REQUIRED	0x1
#define RPC_HAS		0x2	/* sets the int at has when present */

struct rpc_param {
	const char		*name;
	enum rpc_ptype		 type;
	int			 flags;
	size_t			 off;		/* in struct rpc_args */
	size_t			 has;		/* with RPC_HAS */
	const char *const	*values;	/* RPC_ENUM, NULL-terminated */
};

/* Every parameter's value, where the specs put them. */
struct rpc_args {
	struct action_args	 a;
	const char		*user;
	struct dcall		*call;
	const char		*external_id;
	int64_t			 expires_on;
	struct json_object	*queue;
	struct json_object	*topics;
	size_t			 record;
	/* The directory (issue 22). */
	const char		*query;
	int64_t			 max;
	/* issue 21: history and presence */
	const char		*h_type;
	struct json_object	*h_types;
	int64_t			 h_since, h_until, h_limit, h_older, h_newer;
	const char		*h_number;
	struct json_object	*h_ids;
	int64_t			 h_seen_until;
	const char		*p_activity;
	int			 p_available, p_has_available;
	const char		*p_note;
	int64_t			 p_expires;
	const char		*p_shortcut;
	const char		*cid;
	/* issue 21 parts 3-5: forwarding, caller ID, voicemail */
	const char		*f_type, *f_number, *f_line;
	const char		*c_type;
	int64_t			 c_group;
	struct json_object	*v_settings;
};

struct rpc_method;
typedef void (*rpc_handler)(struct rpc_client *, const struct rpc_req *,
    const struct rpc_method *, struct duser *, struct rpc_args *);

#define RPC_PARAMS_MAX	8

struct rpc_method {
	const char		*name;
	rpc_handler		 run;
	/*
	 * Only reads: for whoever may connect. Every other method (the
	 * call.* actions, queue.login and .logout, linestate.*, resync)
	 * controls a user's calls and is its owner's and root's
	 * (interfaces.md 3); resync is control, as the D-Bus Resync is: it
	 * costs the Core requests.
	 */
	int			 reads;
	/* rpc_action's enum call_op; queue.login 1 (login), linestate 1 (clear) */
	int			 op;
	struct rpc_param	 params[RPC_PARAMS_MAX];
};

#define ARG(f)		offsetof(struct rpc_args, f)
#define RPC_NO_PARAMS	{ { NULL, RPC_STR, 0, 0, 0, NULL } }
#define P_OPT(n, t, f)	{ n, t, 0, ARG(f), 0, NULL }
#define P_REQ(n, t, f)	{ n, t, RPC_REQUIRED, ARG(f), 0, NULL }
#define P_CALL		P_REQ("call", RPC_CALL, call)
#define P_TOKEN		{ "stateToken", RPC_INT, RPC_HAS, ARG(a.state_token), \
			    ARG(a.has_state_token), NULL }
#define P_TARGET	P_OPT("target", RPC_CALL, a.target)

/* Every method's user: by user id; absent, the first user. */
static const struct rpc_param rpc_user_param = P_OPT("user", RPC_STR, user);

/* call.record's actions, in the order of OP_REC_START .. OP_REC_DISCARD. */
static const char *const rpc_record_actions[] = {
	"start", "stop", "pause", "resume", "save", "discard", NULL
};
_Static_assert(OP_REC_DISCARD - OP_REC_START + 1 ==
    sizeof(rpc_record_actions) / sizeof(rpc_record_actions[0]) - 1,
    "one call.record action per OP_REC_*");

static void	rpc_status(struct rpc_client *, const struct rpc_req *,
		    const struct rpc_method *, struct duser *, struct rpc_args *);
static void	rpc_calls_list(struct rpc_client *, const struct rpc_req *,
		    const struct rpc_method *, struct duser *, struct rpc_args *);
static void	rpc_call_get(struct rpc_client *, const struct rpc_req *,
		    const struct rpc_method *, struct duser *, struct rpc_args *);
static void	rpc_devices_list(struct rpc_client *, const struct rpc_req *,
		    const struct rpc_method *, struct duser *, struct rpc_args *);
static void	rpc_queues_list(struct rpc_client *, const struct rpc_req *,
		    const struct rpc_method *, struct duser *, struct rpc_args *);
static void	rpc_subscribe(struct rpc_client *, const struct rpc_req *,
		    const struct rpc_method *, struct duser *, struct rpc_args *);
static void	rpc_queue_login(struct rpc_client *, const struct rpc_req *,
		    const struct rpc_method *, struct duser *, struct rpc_args *);
static void	rpc_linestate(struct rpc_client *, const struct rpc_req *,
		    const struct rpc_method *, struct duser *, struct rpc_args *);
static void	rpc_resync(struct rpc_client *, const struct rpc_req *,
		    const struct rpc_method *, struct duser *, struct rpc_args *);
static void	rpc_action(struct rpc_client *, const struct rpc_req *,
		    const struct rpc_method *, struct duser *, struct rpc_args *);
static void	rpc_record(struct rpc_client *, const struct rpc_req *,
		    const struct rpc_method *, struct duser *, struct rpc_args *);
static void	rpc_contacts_search(struct rpc_client *, const struct rpc_req *,
		    const struct rpc_method *, struct duser *, struct rpc_args *);
/* issue 21 */
static void	rpc_history(struct rpc_client *, const struct rpc_req *,
		    const struct rpc_method *, struct duser *, struct rpc_args *);
static void	rpc_presence(struct rpc_client *, const struct rpc_req *,
		    const struct rpc_method *, struct duser *, struct rpc_args *);
static void	rpc_settings(struct rpc_client *, const struct rpc_req *,
		    const struct rpc_method *, struct duser *, struct rpc_args *);
enum { RPC_FORWARD_GET, RPC_FORWARD_SET, RPC_FORWARD_CLEAR,
    RPC_CALLERID_GET, RPC_CALLERID_SET, RPC_VOICEMAIL_GET, RPC_VOICEMAIL_SET };
enum { RPC_HISTORY_LIST, RPC_HISTORY_COUNTS, RPC_HISTORY_SEEN,
    RPC_HISTORY_DELETE, RPC_PRESENCE_GET, RPC_PRESENCE_SET,
    RPC_PRESENCE_APPLY };
static void	rpc_favourites_list(struct rpc_client *, const struct rpc_req *,
		    const struct rpc_method *, struct duser *, struct rpc_args *);
static void	rpc_favourite_change(struct rpc_client *,
		    const struct rpc_req *, const struct rpc_method *,
		    struct duser *, struct rpc_args *);

static const struct rpc_method rpc_methods[] = {
	{ "status", rpc_status, 1, 0, RPC_NO_PARAMS },
	{ "calls.list", rpc_calls_list, 1, 0, RPC_NO_PARAMS },
	{ "call.get", rpc_call_get, 1, 0, { P_CALL } },
	{ "devices.list", rpc_devices_list, 1, 0, RPC_NO_PARAMS },
	{ "queues.list", rpc_queues_list, 1, 0, RPC_NO_PARAMS },
	{ "subscribe", rpc_subscribe, 1, 0,
	    { P_OPT("topics", RPC_LIST, topics) } },
	{ "queue.login", rpc_queue_login, 0, 1,
	    { P_REQ("queue", RPC_ID, queue) } },
	{ "queue.logout", rpc_queue_login, 0, 0,
	    { P_REQ("queue", RPC_ID, queue) } },
	{ "linestate.set", rpc_linestate, 0, 0,
	    { P_REQ("externalId", RPC_STR, external_id),
	      P_REQ("expiresOn", RPC_INT, expires_on) } },
	{ "linestate.clear", rpc_linestate, 0, 1,
	    { P_REQ("externalId", RPC_STR, external_id) } },
	{ "resync", rpc_resync, 0, 0, RPC_NO_PARAMS },
	/*
	 * Call control: what an action needs beyond its parameters' types
	 * (a device to answer on, valid digits, ...) is checked in
	 * actions.c, for D-Bus and the socket alike.
	 */
	{ "call.make", rpc_action, 0, OP_MAKE,
	    { P_OPT("destination", RPC_STR, a.destination),
	      P_OPT("device", RPC_STR, a.device),
	      P_OPT("role", RPC_STR, a.role), P_OPT("type", RPC_STR, a.type) } },
	{ "call.answer", rpc_action, 0, OP_ANSWER,
	    { P_CALL, P_TOKEN, P_OPT("device", RPC_STR, a.device) } },
	{ "call.hangup", rpc_action, 0, OP_HANGUP, { P_CALL, P_TOKEN } },
	{ "call.hold", rpc_action, 0, OP_HOLD, { P_CALL, P_TOKEN } },
	{ "call.resume", rpc_action, 0, OP_RESUME, { P_CALL, P_TOKEN } },
	{ "call.mute", rpc_action, 0, OP_MUTE, { P_CALL, P_TOKEN } },
	{ "call.unmute", rpc_action, 0, OP_UNMUTE, { P_CALL, P_TOKEN } },
	{ "call.park", rpc_action, 0, OP_PARK, { P_CALL, P_TOKEN } },
	{ "call.move", rpc_action, 0, OP_MOVE,
	    { P_CALL, P_TOKEN, P_OPT("device", RPC_STR, a.device) } },
	{ "call.transfer", rpc_action, 0, OP_TRANSFER,
	    { P_CALL, P_TOKEN, P_OPT("destination", RPC_STR, a.destination),
	      P_OPT("blind", RPC_BOOL, a.blind),
	      P_OPT("type", RPC_STR, a.type) } },
	{ "call.transferToCall", rpc_action, 0, OP_TRANSFER_TO_CALL,
	    { P_CALL, P_TOKEN, P_TARGET,
	      P_OPT("waitForAnswer", RPC_BOOL, a.wait_for_answer) } },
	{ "call.swap", rpc_action, 0, OP_SWAP, { P_CALL, P_TOKEN, P_TARGET } },
	{ "call.conference", rpc_action, 0, OP_CONFERENCE,
	    { P_CALL, P_TOKEN, P_TARGET } },
	{ "call.leaveConference", rpc_action, 0, OP_LEAVE_CONFERENCE,
	    { P_CALL, P_TOKEN } },
	{ "call.removeParticipant", rpc_action, 0, OP_REMOVE_PARTICIPANT,
	    { P_CALL, P_TOKEN,
	      P_OPT("participant", RPC_STR, a.participant) } },
	{ "call.dtmf", rpc_action, 0, OP_DTMF,
	    { P_CALL, P_TOKEN, P_OPT("digits", RPC_STR, a.digits) } },
	{ "call.consult", rpc_action, 0, OP_CONSULT,
	    { P_CALL, P_TOKEN, P_OPT("destination", RPC_STR, a.destination),
	      P_OPT("role", RPC_STR, a.role), P_OPT("type", RPC_STR, a.type) } },
	{ "call.record", rpc_record, 0, 0,
	    { P_CALL, P_TOKEN, { "action", RPC_ENUM, RPC_REQUIRED, ARG(record),
	      0, rpc_record_actions } } },
	/*
	 * The directory (issue 22): a search spends the user's ticket, so it
	 * is its owner's, as the D-Bus Search is.
	 */
	{ "contacts.search", rpc_contacts_search, 0, 0,
	    { P_REQ("query", RPC_STR, query), P_OPT("max", RPC_INT, max) } },
	/*
	 * issue 21: history and presence. history.list asks the Core, so it
	 * is the owner's, as Resync is; the counters and presence.get read
	 * what dstnyd holds.
	 */
	{ "history.list", rpc_history, 0, RPC_HISTORY_LIST,
	    { P_OPT("type", RPC_STR, h_type), P_OPT("types", RPC_LIST, h_types),
	      P_OPT("since", RPC_INT, h_since), P_OPT("until", RPC_INT, h_until),
	      P_OPT("number", RPC_STR, h_number),
	      P_OPT("limit", RPC_INT, h_limit),
	      P_OPT("olderThan", RPC_INT, h_older),
	      P_OPT("newerThan", RPC_INT, h_newer) } },
	{ "history.counts", rpc_history, 1, RPC_HISTORY_COUNTS, RPC_NO_PARAMS },
	{ "history.seen", rpc_history, 0, RPC_HISTORY_SEEN,
	    { P_OPT("ids", RPC_LIST, h_ids),
	      P_OPT("until", RPC_INT, h_seen_until) } },
	{ "history.delete", rpc_history, 0, RPC_HISTORY_DELETE,
	    { P_REQ("ids", RPC_LIST, h_ids) } },
	{ "presence.get", rpc_presence, 1, RPC_PRESENCE_GET, RPC_NO_PARAMS },
	{ "presence.set", rpc_presence, 0, RPC_PRESENCE_SET,
	    { P_REQ("activity", RPC_STR, p_activity),
	      { "available", RPC_BOOL, RPC_HAS, ARG(p_available),
	        ARG(p_has_available), NULL },
	      P_OPT("note", RPC_STR, p_note),
	      P_OPT("expires", RPC_INT, p_expires) } },
	{ "presence.apply", rpc_presence, 0, RPC_PRESENCE_APPLY,
	    { P_REQ("shortcut", RPC_STR, p_shortcut) } },
	/* Favourites (issue 22): listing reads; adding and removing control. */
	{ "favourites.list", rpc_favourites_list, 1, 0, RPC_NO_PARAMS },
	{ "favourites.add", rpc_favourite_change, 0, 1,
	    { P_REQ("cid", RPC_STR, cid) } },
	{ "favourites.remove", rpc_favourite_change, 0, 0,
	    { P_REQ("cid", RPC_STR, cid) } },
	/*
	 * issue 21 parts 3-5: forwarding, caller ID, voicemail settings. The
	 * .get methods read what dstnyd holds; changes are the owner's.
	 */
	{ "forward.get", rpc_settings, 1, RPC_FORWARD_GET, RPC_NO_PARAMS },
	{ "forward.set", rpc_settings, 0, RPC_FORWARD_SET,
	    { P_REQ("type", RPC_STR, f_type), P_REQ("number", RPC_STR, f_number),
	      P_OPT("line", RPC_STR, f_line) } },
	{ "forward.clear", rpc_settings, 0, RPC_FORWARD_CLEAR,
	    { P_OPT("type", RPC_STR, f_type), P_OPT("line", RPC_STR, f_line) } },
	{ "callerid.get", rpc_settings, 1, RPC_CALLERID_GET, RPC_NO_PARAMS },
	{ "callerid.set", rpc_settings, 0, RPC_CALLERID_SET,
	    { P_REQ("type", RPC_STR, c_type),
	      P_OPT("groupId", RPC_INT, c_group) } },
	{ "voicemail.get", rpc_settings, 1, RPC_VOICEMAIL_GET, RPC_NO_PARAMS },
	{ "voicemail.set", rpc_settings, 0, RPC_VOICEMAIL_SET,
	    { P_REQ("settings", RPC_OBJECT, v_settings) } },
};

static const struct rpc_method *
rpc_method_find(const char *name)
{
	size_t	i;

	for (i = 0; i < sizeof(rpc_methods) / sizeof(rpc_methods[0]); i++)
		if (strcmp(rpc_methods[i].name, name) == 0)
			return &rpc_methods[i];
	return NULL;
}

static const char *
rpc_ptype_what(enum rpc_ptype t)
{
	switch (t) {
	case RPC_BOOL:
		return "true or false";
	case RPC_INT:
		return "an integer";
	case RPC_ID:
		return "an id (an integer, or a string holding one)";
	case RPC_LIST:
		return "a list";
	case RPC_CALL:
		return "a callId (a string)";
	case RPC_OBJECT:
		return "an object";
	default:
		return "a string";
	}
}

/*
 * Check one parameter and store its value; a call is only looked up
 * later (rpc_param_call), once the user is known. Returns 0, or -1 with
 * the message for -32602 in err.
 */
static int
rpc_param_read(struct json_object *params, const struct rpc_param *p,
    struct rpc_args *args, char *err, size_t errlen)
{
	struct json_object	*v = NULL;
	char			*at = (char *)args + p->off;
	const char		*const *e;
	int			 absent, ok, i;
	size_t			 len;

	absent = params == NULL || !json_object_object_get_ex(params, p->name, &v);
	/* A null string is as absent, as it always was. */
	if (!absent && json_object_is_type(v, json_type_null) &&
	    (p->type == RPC_STR || p->type == RPC_CALL || p->type == RPC_ENUM))
		absent = 1;
	if (absent) {
		if (!(p->flags & RPC_REQUIRED))
			return 0;
		ok = 0;
	} else switch (p->type) {
	case RPC_BOOL:
		if ((ok = json_object_is_type(v, json_type_boolean)))
			*(int *)(void *)at = json_object_get_boolean(v);
		break;
	case RPC_INT:
		if ((ok = json_object_is_type(v, json_type_int)))
			*(int64_t *)(void *)at = json_object_get_int64(v);
		break;
	case RPC_ID:
	case RPC_LIST:
	case RPC_OBJECT:
		ok = p->type == RPC_OBJECT ?
		    json_object_is_type(v, json_type_object) :
		    p->type == RPC_LIST ?
		    json_object_is_type(v, json_type_array) :
		    json_object_is_type(v, json_type_int) ||
		    json_object_is_type(v, json_type_string);
		if (ok)
			*(struct json_object **)(void *)at = v;
		break;
	case RPC_ENUM:
		if ((ok = json_object_is_type(v, json_type_string) &&
		    (i = names_index(p->values, json_object_get_string(v))) >= 0))
			*(size_t *)(void *)at = (size_t)i;
		break;
	case RPC_CALL:
	case RPC_STR:
		if ((ok = json_object_is_type(v, json_type_string)) &&
		    p->type == RPC_STR)
			*(const char **)(void *)at = json_object_get_string(v);
		break;
	}
	if (ok) {
		if (p->flags & RPC_HAS)
			*(int *)(void *)((char *)args + p->has) = 1;
		return 0;
	}
	if (p->type != RPC_ENUM) {
		snprintf(err, errlen, "params.%s: %s%s", p->name,
		    absent ? "required: " : "expected ", rpc_ptype_what(p->type));
		return -1;
	}
	len = (size_t)snprintf(err, errlen, "params.%s: %s", p->name,
	    absent ? "required: one of" : "expected one of");
	for (e = p->values; *e != NULL && len < errlen; e++)
		len += (size_t)snprintf(err + len, errlen - len, "%s %s",
		    e == p->values ? "" : ",", *e);
	return -1;
}

/* A RPC_CALL parameter, looked up among u's calls; -1: no such call. */
static int
rpc_param_call(struct json_object *params, const struct rpc_param *p,
    struct duser *u, struct rpc_args *args)
{
	struct json_object	*v;

	if (params == NULL || !json_object_object_get_ex(params, p->name, &v) ||
	    !json_object_is_type(v, json_type_string))
		return 0;	/* absent or null: rpc_param_read let it pass */
	return (*(struct dcall **)(void *)((char *)args + p->off) =
	    cache_find(u, json_object_get_string(v))) == NULL ? -1 : 0;
}

static void
rpc_dispatch(struct rpc_client *c, const struct rpc_req *rq, const char *method,
    struct json_object *params)
{
	const struct rpc_method	*m;
	const struct rpc_param	*p;
	struct rpc_args		 args;
	struct duser		*u;
	char			 err[160];

	memset(&args, 0, sizeof(args));
	if (rpc_param_read(params, &rpc_user_param, &args, err,
	    sizeof(err)) == -1) {
		reply_error(rq, JSONRPC_INVALID_PARAMS, err, NULL);
		return;
	}
	if ((u = user_find(args.user)) == NULL) {
		reply_dstny_error(rq, DSTNY_ERR_NOT_FOUND, "no such user");
		return;
	}
	/* A name not in the table is control too: Forbidden before -32601. */
	m = rpc_method_find(method);
	if ((m == NULL || !m->reads) && !user_controls(u, c->uid)) {
		reply_dstny_error(rq, DSTNY_ERR_FORBIDDEN, "only the owner of "
		    "this user and root control its calls");
		return;
	}
	if (m == NULL) {
		reply_error(rq, JSONRPC_NO_METHOD, "method not found", NULL);
		return;
	}
	for (p = m->params; p < m->params + RPC_PARAMS_MAX && p->name; p++)
		if (rpc_param_read(params, p, &args, err, sizeof(err)) == -1) {
			reply_error(rq, JSONRPC_INVALID_PARAMS, err, NULL);
			return;
		}
	for (p = m->params; p < m->params + RPC_PARAMS_MAX && p->name; p++)
		if (p->type == RPC_CALL &&
		    rpc_param_call(params, p, u, &args) == -1) {
			reply_dstny_error(rq, DSTNY_ERR_NOT_FOUND,
			    p->off == ARG(call) ? "no such call" :
			    "no such target call");
			return;
		}
	m->run(c, rq, m, u, &args);
}

static void
rpc_status(struct rpc_client *c, const struct rpc_req *rq,
    const struct rpc_method *m, struct duser *u, struct rpc_args *args)
{
	reply_result(rq, status_json());
}

static void
rpc_calls_list(struct rpc_client *c, const struct rpc_req *rq,
    const struct rpc_method *m, struct duser *u, struct rpc_args *args)
{
	struct json_object	*arr = json_object_new_array();
	struct dcall		*call;

	TAILQ_FOREACH(call, &u->calls, entry)
		json_object_array_add(arr, rpc_call_view(call));
	reply_result(rq, arr);
}

static void
rpc_call_get(struct rpc_client *c, const struct rpc_req *rq,
    const struct rpc_method *m, struct duser *u, struct rpc_args *args)
{
	reply_result(rq, rpc_call_view(args->call));
}

static void
rpc_devices_list(struct rpc_client *c, const struct rpc_req *rq,
    const struct rpc_method *m, struct duser *u, struct rpc_args *args)
{
	reply_result(rq, devices_json(u));
}

static void
rpc_queues_list(struct rpc_client *c, const struct rpc_req *rq,
    const struct rpc_method *m, struct duser *u, struct rpc_args *args)
{
	struct json_object	*arr = json_object_new_array();
	struct dqueue		*q;

	TAILQ_FOREACH(q, &u->queues, entry)
		json_object_array_add(arr, queue_view(q));
	reply_result(rq, arr);
}

/* topics: a list of rpc_topic_names (TOPIC_* bits); absent, all. */
static void
rpc_subscribe(struct rpc_client *c, const struct rpc_req *rq,
    const struct rpc_method *m, struct duser *u, struct rpc_args *args)
{
	struct json_object	*e;
	unsigned		 topics = TOPIC_ALL;
	size_t			 i, len;
	int			 bit;
	char			 msg[256];

	if (args->topics != NULL) {
		topics = 0;
		for (i = 0; i < json_object_array_length(args->topics); i++) {
			e = json_object_array_get_idx(args->topics, i);
			if (!json_object_is_type(e, json_type_string) ||
			    (bit = names_index(rpc_topic_names,
			    json_object_get_string(e))) == -1) {
				/* The names, from the one table of them. */
				len = (size_t)snprintf(msg, sizeof(msg),
				    "params.topics: expected a list of");
				for (bit = 0; rpc_topic_names[bit] != NULL &&
				    len < sizeof(msg); bit++)
					len += (size_t)snprintf(msg + len,
					    sizeof(msg) - len, "%s %s",
					    bit > 0 ? "," : "",
					    rpc_topic_names[bit]);
				reply_error(rq, JSONRPC_INVALID_PARAMS, msg,
				    NULL);
				return;
			}
			topics |= 1u << bit;
		}
	}
	c->topics = topics;
	reply_result(rq, json_object_new_object());
}

static void
rpc_queue_login(struct rpc_client *c, const struct rpc_req *rq,
    const struct rpc_method *m, struct duser *u, struct rpc_args *args)
{
	struct dqueue	*q;

	q = queue_find_id(u, json_object_is_type(args->queue, json_type_int) ?
	    json_object_get_int64(args->queue) :
	    strtoll(json_object_get_string(args->queue), NULL, 10));
	if (q == NULL) {
		reply_dstny_error(rq, DSTNY_ERR_NOT_FOUND, "no such queue");
		return;
	}
	queue_login(u, q, m->op, rpc_action_cb, pending_new(rq, u));
}

static void
rpc_linestate(struct rpc_client *c, const struct rpc_req *rq,
    const struct rpc_method *m, struct duser *u, struct rpc_args *args)
{
	action_linestate(u, args->external_id, args->expires_on, m->op,
	    rpc_action_cb, pending_new(rq, u));
}

static void
rpc_resync(struct rpc_client *c, const struct rpc_req *rq,
    const struct rpc_method *m, struct duser *u, struct rpc_args *args)
{
	user_resync(u);
	reply_result(rq, json_object_new_object());
}

static void
rpc_action(struct rpc_client *c, const struct rpc_req *rq,
    const struct rpc_method *m, struct duser *u, struct rpc_args *args)
{
	action_run(u, args->call, m->op, &args->a, rpc_action_cb,
	    pending_new(rq, u));
}

static void
rpc_record(struct rpc_client *c, const struct rpc_req *rq,
    const struct rpc_method *m, struct duser *u, struct rpc_args *args)
{
	action_run(u, args->call, OP_REC_START + (int)args->record, &args->a,
	    rpc_action_cb, pending_new(rq, u));
}

/* The directory (issue 22). */
static void
rpc_contacts_cb(enum dstny_err err, const char *msg,
    const struct contact_list *l, void *arg)
{
	struct rpc_pending	*p = arg;
	struct json_object	*a;
	size_t			 i;

	if (err != DSTNY_OK)
		reply_dstny_error(&p->rq, err, msg);
	else {
		a = json_object_new_array();
		for (i = 0; i < l->n; i++)
			json_object_array_add(a, contact_view(&l->v[i]));
		reply_result(&p->rq, a);
	}
	json_object_put(p->rq.id);
	free(p->user);
	free(p);
}

/* issue 21: history and presence. */
static void
rpc_profile_cb(enum dstny_err err, const char *msg, struct json_object *res,
    void *arg)
{
	struct rpc_pending	*p = arg;

	if (err != DSTNY_OK)
		reply_dstny_error(&p->rq, err, msg);
	else
		reply_result(&p->rq, res != NULL ? json_object_get(res) :
		    json_object_new_object());
	json_object_put(p->rq.id);
	free(p->user);
	free(p);
}

static void
rpc_contacts_search(struct rpc_client *c, const struct rpc_req *rq,
    const struct rpc_method *m, struct duser *u, struct rpc_args *args)
{
	if (*args->query == '\0' || args->max < 0 || args->max > 200) {
		reply_error(rq, JSONRPC_INVALID_PARAMS, *args->query == '\0' ?
		    "params.query: empty" : "params.max: 0 to 200", NULL);
		return;
	}
	contacts_search(u, args->query, args->max == 0 ? 25 :
	    (unsigned)args->max, rpc_contacts_cb, pending_new(rq, u));
}

/* A list of itemIds (integers or strings holding one); -1 naming the bad one. */
static int
rpc_ids(struct json_object *list, int64_t **ids, size_t *n)
{
	struct json_object	*e;
	const char		*s;
	char			*end;
	size_t			 i, len = list != NULL ?
	    json_object_array_length(list) : 0;

	*ids = xcalloc(len > 0 ? len : 1, sizeof(**ids));
	for (*n = 0, i = 0; i < len; i++) {
		e = json_object_array_get_idx(list, i);
		if (json_object_is_type(e, json_type_int))
			(*ids)[(*n)++] = json_object_get_int64(e);
		else if (json_object_is_type(e, json_type_string) &&
		    *(s = json_object_get_string(e)) != '\0' &&
		    ((*ids)[*n] = strtoll(s, &end, 10), *end == '\0'))
			(*n)++;
		else {
			free(*ids);
			return -1;
		}
	}
	return 0;
}

static void
rpc_history(struct rpc_client *c, const struct rpc_req *rq,
    const struct rpc_method *m, struct duser *u, struct rpc_args *args)
{
	struct history_filter	 f;
	struct json_object	*e;
	int64_t			*ids;
	size_t			 i, n;

	switch (m->op) {
	case RPC_HISTORY_COUNTS:
		reply_result(rq, history_counts_json(u));
		return;
	case RPC_HISTORY_LIST:
		memset(&f, 0, sizeof(f));
		if (args->h_type != NULL)
			f.types[f.ntypes++] = args->h_type;
		for (i = 0; args->h_types != NULL &&
		    i < json_object_array_length(args->h_types); i++) {
			e = json_object_array_get_idx(args->h_types, i);
			if (!json_object_is_type(e, json_type_string) ||
			    f.ntypes == sizeof(f.types) / sizeof(f.types[0])) {
				reply_error(rq, JSONRPC_INVALID_PARAMS,
				    "params.types: expected a list of at most 8 "
				    "item types", NULL);
				return;
			}
			f.types[f.ntypes++] = json_object_get_string(e);
		}
		f.since = args->h_since;
		f.until = args->h_until;
		f.number = args->h_number;
		f.limit = args->h_limit;
		f.older = args->h_older;
		f.newer = args->h_newer;
		history_list(u, &f, rpc_profile_cb, pending_new(rq, u));
		return;
	default:
		if (rpc_ids(args->h_ids, &ids, &n) == -1) {
			reply_dstny_error(rq, DSTNY_ERR_INVALID_ARGUMENT,
			    "ids: expected itemIds (integers)");
			return;
		}
		if (m->op == RPC_HISTORY_SEEN)
			history_mark_seen(u, ids, n, args->h_seen_until,
			    rpc_profile_cb, pending_new(rq, u));
		else
			history_delete(u, ids, n, rpc_profile_cb,
			    pending_new(rq, u));
		free(ids);
		return;
	}
}

static void
rpc_presence(struct rpc_client *c, const struct rpc_req *rq,
    const struct rpc_method *m, struct duser *u, struct rpc_args *args)
{
	const struct activity	*a;
	int			 available;

	switch (m->op) {
	case RPC_PRESENCE_GET:
		reply_result(rq, presence_view(u));
		return;
	case RPC_PRESENCE_SET:
		/* Without available: the activity's own (lunch: false). */
		available = args->p_has_available ? args->p_available :
		    (a = activities_find(&u->pres.acts, args->p_activity)) != NULL ?
		    a->available : 1;
		presence_set(u, args->p_activity, available, args->p_note,
		    args->p_expires, rpc_profile_cb, pending_new(rq, u));
		return;
	default:
		presence_apply_shortcut(u, args->p_shortcut, rpc_profile_cb,
		    pending_new(rq, u));
		return;
	}
}

static void
rpc_favourites_list(struct rpc_client *c, const struct rpc_req *rq,
    const struct rpc_method *m, struct duser *u, struct rpc_args *args)
{
	struct json_object	*arr = json_object_new_array();
	struct dfav		*f;

	TAILQ_FOREACH(f, &u->favs.list, entry)
		json_object_array_add(arr, favourite_view(f));
	reply_result(rq, arr);
}

static void
rpc_favourite_change(struct rpc_client *c, const struct rpc_req *rq,
    const struct rpc_method *m, struct duser *u, struct rpc_args *args)
{
	favourites_change(u, args->cid, m->op, rpc_action_cb,
	    pending_new(rq, u));
}

/* issue 21 parts 3-5: forwarding, caller ID, voicemail settings. */
static void
rpc_settings(struct rpc_client *c, const struct rpc_req *rq,
    const struct rpc_method *m, struct duser *u, struct rpc_args *args)
{
	switch (m->op) {
	case RPC_FORWARD_GET:
		reply_result(rq, forward_view(u));
		return;
	case RPC_FORWARD_SET:
		forward_set(u, args->f_type, args->f_number, args->f_line,
		    rpc_profile_cb, pending_new(rq, u));
		return;
	case RPC_FORWARD_CLEAR:
		forward_clear(u, args->f_type, args->f_line, rpc_profile_cb,
		    pending_new(rq, u));
		return;
	case RPC_CALLERID_GET:
		reply_result(rq, callerid_view(u));
		return;
	case RPC_CALLERID_SET:
		callerid_set(u, args->c_type, args->c_group, rpc_profile_cb,
		    pending_new(rq, u));
		return;
	case RPC_VOICEMAIL_GET:
		reply_result(rq, voicemail_view(u));
		return;
	default:
		voicemail_set(u, args->v_settings, rpc_profile_cb,
		    pending_new(rq, u));
		return;
	}
}

/* One line: a request, or a batch whose replies go out together. */
static void
rpc_line(struct rpc_client *c, const char *line, size_t len)
{
	struct jsonrpc_line	 l;
	struct rpc_batch	*b = NULL;
	struct rpc_req		 rq;
	const char		*msg;
	size_t			 i;
	int			 code;

	if ((code = jsonrpc_read(line, len, &l, &msg)) != 0) {
		req_init(&rq, c, NULL, NULL, 0);
		reply_error(&rq, code, msg, NULL);
		return;
	}
	if (l.batch)
		b = batch_new(c, l.n);
	for (i = 0; i < l.n; i++) {
		req_init(&rq, c, &l.reqs[i], b, i);
		if (l.reqs[i].code != 0)
			reply_error(&rq, l.reqs[i].code, l.reqs[i].msg, NULL);
		else
			rpc_dispatch(c, &rq, l.reqs[i].method, l.reqs[i].params);
	}
	if (b != NULL)
		batch_member_done(b);
	jsonrpc_line_clear(&l);
}

static void
client_read_cb(struct bufferevent *bev, void *arg)
{
	struct rpc_client	*c = arg;
	struct evbuffer		*in = bufferevent_get_input(bev);
	struct evbuffer_ptr	 eol;
	struct rpc_req		 rq;
	size_t			 eol_len;
	char			*line;

	while (!c->dead && !c->close_when_flushed) {
		/*
		 * A client that writes and does not read gets no more
		 * requests read until its answers are taken: one line can
		 * cost megabytes of answer (a 64 KiB batch of 32,000
		 * invalid members), and the queue must not grow without end.
		 */
		if (evbuffer_get_length(bufferevent_get_output(bev)) >
		    RPC_QUEUE_MAX) {
			log_debug("socket: client %llu: answers not read, "
			    "reading paused", (unsigned long long)c->id);
			c->read_paused = 1;
			bufferevent_disable(bev, EV_READ);
			return;
		}
		eol = evbuffer_search_eol(in, NULL, &eol_len, EVBUFFER_EOL_LF);
		if (eol.pos < 0) {
			if (evbuffer_get_length(in) > RPC_LINE_MAX)
				goto too_long;
			return;
		}
		if ((size_t)eol.pos > RPC_LINE_MAX)
			goto too_long;
		if (!c->served) {
			c->served = 1;
			evtimer_del(c->deadline_ev);
		}
		line = xmalloc((size_t)eol.pos + 1);
		evbuffer_remove(in, line, (size_t)eol.pos);
		evbuffer_drain(in, eol_len);
		line[eol.pos] = '\0';
		if (eol.pos > 0)
			rpc_line(c, line, (size_t)eol.pos);
		free(line);
	}
	return;
too_long:
	req_init(&rq, c, NULL, NULL, 0);
	reply_error(&rq, -32600, "line longer than 64 KiB", NULL);
	c->close_when_flushed = 1;
	bufferevent_disable(bev, EV_READ);
	if (evbuffer_get_length(bufferevent_get_output(bev)) == 0)
		client_close(c);
}

static void
client_write_cb(struct bufferevent *bev, void *arg)
{
	struct rpc_client	*c = arg;

	if (c->close_when_flushed)
		client_close(c);
	else if (c->read_paused) {
		/* All taken: read on, first the lines already in. */
		c->read_paused = 0;
		bufferevent_enable(bev, EV_READ);
		client_read_cb(bev, c);
	}
}

static void
client_event_cb(struct bufferevent *bev, short what, void *arg)
{
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR))
		client_close(arg);
}

static void
client_deadline_cb(evutil_socket_t fd, short what, void *arg)
{
	struct rpc_client	*c = arg;

	log_debug("socket: client %llu sent no whole line in %d s: closed",
	    (unsigned long long)c->id, RPC_HEAD_DEADLINE);
	client_close(c);
}

/* The oldest client that has not sent a whole line; NULL: none. */
static struct rpc_client *
client_unserved(void)
{
	struct rpc_client	*c;

	TAILQ_FOREACH(c, &clients, entry)
		if (!c->served && !c->dead)
			return c;
	return NULL;
}

static void
accept_cb(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa,
    int salen, void *arg)
{
	struct rpc_client	*c;
	struct ucred		 cred;
	struct timeval		 tv = { RPC_HEAD_DEADLINE, 0 };
	socklen_t		 len = sizeof(cred);
	static const char	 busy[] = "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":"
	    "-32000,\"message\":\"too many clients\"},\"id\":null}\n";

	/*
	 * Who may connect is the socket file's mode (and its directory's);
	 * who may control a user's calls is decided per request, from the
	 * uid read here once.
	 */
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == -1) {
		log_warn("socket: SO_PEERCRED");
		close(fd);
		return;
	}
	if (nclients >= clients_cap) {
		if ((c = client_unserved()) == NULL) {
			if (write(fd, busy, sizeof(busy) - 1) < 0)
				log_debug("socket: %s", strerror(errno));
			close(fd);
			return;
		}
		log_debug("socket: full: client %llu, which sent no whole "
		    "line, closed", (unsigned long long)c->id);
		client_close(c);
	}
	c = xcalloc(1, sizeof(*c));
	c->id = next_client_id++;
	c->uid = cred.uid;
	c->deadline_ev = evtimer_new(dbase, client_deadline_cb, c);
	evtimer_add(c->deadline_ev, &tv);
	c->bev = bufferevent_socket_new(dbase, fd, BEV_OPT_CLOSE_ON_FREE);
	bufferevent_setcb(c->bev, client_read_cb, client_write_cb,
	    client_event_cb, c);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
	TAILQ_INSERT_TAIL(&clients, c, entry);
	nclients++;
}

static void
accept_error_cb(struct evconnlistener *l, void *arg)
{
	listen_accept_error(l, "socket");
}

/* A socket file left by a dead daemon is replaced; a live one is not. */
static int
rpc_claim_path(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un	 sun;
	struct stat		 st;
	int			 fd, rc;

	if (lstat(path, &st) == -1)
		return errno == ENOENT ? 0 : -1;
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(err, errlen, "%s exists and is not a socket", path);
		return -1;
	}
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	rc = connect(fd, (struct sockaddr *)&sun, sizeof(sun));
	close(fd);
	if (rc == 0) {
		snprintf(err, errlen, "%s: another dstnyd is running", path);
		return -1;
	}
	log_info("socket: replacing the stale %s", path);
	unlink(path);
	return 0;
}

/*
 * Every exit removes the socket (and the directory we made for it): a
 * clean stop through rpc_close(), a failed start or a fatalx() through
 * this. Only a kill -9 leaves it; the next start replaces it.
 */
static void
rpc_atexit(void)
{
	if (sock_path != NULL && unlink(sock_path) == 0)
		log_debug("socket: removed %s", sock_path);
	if (sock_dir != NULL)
		rmdir(sock_dir);	/* when empty */
}

int
rpc_listen(const struct conf *conf, char *err, size_t errlen)
{
	static int		 registered;
	struct sockaddr_un	 sun;
	char			*dir, *parent;
	int			 fd;

	dir = xstrdup(conf->socket_path);
	parent = dirname(dir);
	if (mkdir(parent, 0700) == -1) {
		if (errno != EEXIST) {
			snprintf(err, errlen, "%s: %s", parent, strerror(errno));
			free(dir);
			return -1;
		}
	} else {
		free(sock_dir);
		sock_dir = xstrdup(parent);
	}
	if (!registered) {
		atexit(rpc_atexit);
		registered = 1;
	}
	if (conf->socket_tmp && conf_check_private_dir(parent, err,
	    errlen) == -1) {
		free(dir);
		return -1;
	}
	free(dir);
	if (rpc_claim_path(conf->socket_path, err, errlen) == -1) {
		if (*err == '\0')
			snprintf(err, errlen, "%s: %s", conf->socket_path,
			    strerror(errno));
		return -1;
	}
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", conf->socket_path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) == -1 || bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		snprintf(err, errlen, "%s: %s", conf->socket_path, strerror(errno));
		if (fd != -1)
			close(fd);
		return -1;
	}
	sock_path = xstrdup(conf->socket_path);	/* ours now: rpc_atexit */
	if (chmod(conf->socket_path, conf->socket_mode) == -1) {
		snprintf(err, errlen, "%s: %s", conf->socket_path, strerror(errno));
		close(fd);
		return -1;
	}
	listener = evconnlistener_new(dbase, accept_cb, NULL,
	    LEV_OPT_CLOSE_ON_FREE, 64, fd);
	if (listener == NULL) {
		snprintf(err, errlen, "%s: listen: %s", conf->socket_path,
		    strerror(errno));
		close(fd);
		return -1;
	}
	evconnlistener_set_error_cb(listener, accept_error_cb);
	clients_cap = listen_cap((size_t)conf->max_clients);
	log_info("socket: listening on %s (at most %zu clients)", sock_path,
	    clients_cap);
	return 0;
}

void
rpc_close(void)
{
	struct rpc_client	*c;

	while ((c = TAILQ_FIRST(&clients)) != NULL) {
		TAILQ_REMOVE(&clients, c, entry);
		bufferevent_free(c->bev);
		event_free(c->deadline_ev);
		free(c);
	}
	client_free_cb(-1, 0, NULL);
	nclients = 0;
	if (listener != NULL) {
		evconnlistener_free(listener);
	}
	listener = NULL;
	if (sock_path != NULL)
		unlink(sock_path);
	if (sock_dir != NULL)
		rmdir(sock_dir);
	free(sock_path);
	free(sock_dir);
	sock_path = sock_dir = NULL;
}
