/* scenario.c: users from a scenario file, and its timed steps (the demo). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <json-c/json.h>

#include "callstate.h"
#include "log.h"
#include "sim.h"
#include "xmalloc.h"

#define SCENARIO_MAX	(1024 * 1024)

struct label {
	char		*name;
	char		*call_id;
	struct label	*next;
};

static struct json_object	*steps;
static size_t			 next_step;
static int			 looping;
static struct event		*step_ev;
static struct label		*labels;

static void
label_set(const char *name, const char *call_id)
{
	struct label	*l = xcalloc(1, sizeof(*l));

	l->name = xstrdup(name);
	l->call_id = xstrdup(call_id);
	l->next = labels;
	labels = l;
}

static const char *
label_get(const char *name)
{
	struct label	*l;

	for (l = labels; l != NULL; l = l->next)
		if (strcmp(l->name, name) == 0)
			return l->call_id;
	return name;	/* a call id given directly */
}

static void
labels_free(void)
{
	struct label	*l;

	while ((l = labels) != NULL) {
		labels = l->next;
		free(l->name);
		free(l->call_id);
		free(l);
	}
}

static int
users_load(struct json_object *arr, char *err, size_t errlen)
{
	struct json_object	*uo, *list, *e;
	struct sim_user		*u;
	struct sim_group	*g;
	size_t			 i, j;

	if (!json_object_is_type(arr, json_type_array) ||
	    json_object_array_length(arr) == 0) {
		snprintf(err, errlen, "\"users\" must be a non-empty array");
		return -1;
	}
	for (i = 0; i < json_object_array_length(arr); i++) {
		uo = json_object_array_get_idx(arr, i);
		if (*model_str(uo, "domain") == '\0' || *model_str(uo, "user") == '\0' ||
		    *model_str(uo, "password") == '\0') {
			snprintf(err, errlen, "users[%zu]: domain, user and password "
			    "are required", i);
			return -1;
		}
		u = sim_user_add(model_str(uo, "domain"), model_str(uo, "user"),
		    model_str(uo, "password"));
		if (json_object_object_get_ex(uo, "devices", &list))
			for (j = 0; j < json_object_array_length(list); j++) {
				e = json_object_array_get_idx(list, j);
				sim_device_add(u, model_str(e, "deviceId"),
				    *model_str(e, "deviceType") ? model_str(e, "deviceType") : "SOFTPHONE",
				    model_str(e, "deviceName"),
				    *model_str(e, "deviceStatus") ? model_str(e, "deviceStatus") : "ACTIVE");
			}
		if (json_object_object_get_ex(uo, "groups", &list))
			for (j = 0; j < json_object_array_length(list); j++) {
				e = json_object_array_get_idx(list, j);
				g = sim_group_add(u, model_int(e, "id"),
				    model_str(e, "name"), *model_str(e, "type") ?
				    model_str(e, "type") : "ACD");
				g->logged_in = model_bool(e, "loggedIn");
				g->logged_in_agents = model_uint(e, "loggedInAgents");
				g->free_agents = model_uint(e, "freeAgents");
				g->calls_waiting = model_uint(e, "callsWaiting");
			}
	}
	return 0;
}

int
scenario_load(const char *path, char *err, size_t errlen)
{
	struct json_object	*doc, *users;
	FILE			*fp;
	char			*text, perr[256];
	size_t			 len;

	if ((fp = fopen(path, "r")) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	text = xmalloc(SCENARIO_MAX + 1);
	len = fread(text, 1, SCENARIO_MAX + 1, fp);
	fclose(fp);
	if (len > SCENARIO_MAX) {
		snprintf(err, errlen, "%s: larger than 1 MiB", path);
		free(text);
		return -1;
	}
	doc = model_json_parse(text, len, perr, sizeof(perr));
	free(text);
	if (doc == NULL) {
		snprintf(err, errlen, "%s: %s", path, perr);
		return -1;
	}
	if (!json_object_object_get_ex(doc, "users", &users))
		scenario_default_users();
	else if (users_load(users, perr, sizeof(perr)) == -1) {
		snprintf(err, errlen, "%s: %s", path, perr);
		json_object_put(doc);
		return -1;
	}
	if (json_object_object_get_ex(doc, "steps", &steps)) {
		if (!json_object_is_type(steps, json_type_array)) {
			snprintf(err, errlen, "%s: \"steps\" must be an array", path);
			json_object_put(doc);
			steps = NULL;
			return -1;
		}
		json_object_get(steps);
	}
	json_object_put(doc);
	return 0;
}

void
scenario_default_users(void)
{
	struct sim_user		*u;
	struct sim_group	*g;

	u = sim_user_add("example.com", "alice", "alice-password");
	sim_device_add(u, "alice-desk", "SOFTPHONE", "Desk softphone", "ACTIVE");
	sim_device_add(u, "alice-mobile", "MOBILE", "Mobile", "INACTIVE");
	g = sim_group_add(u, 35, "customer_acd", "ACD");
	g->logged_in = 1;
	g->logged_in_agents = 4;
	g->free_agents = 3;
	g = sim_group_add(u, 5, "reception", "ATTENDANT");
	g->logged_in_agents = 1;
	g->free_agents = 1;
	u = sim_user_add("example.com", "bob", "bob-password");
	sim_device_add(u, "bob-desk", "DESKPHONE", "Desk phone", "ACTIVE");
}

static struct sim_user *
step_user(struct json_object *st)
{
	const char	*name = model_str(st, "user");
	struct sim_user	*u;

	if (*name == '\0')
		return sim_users();
	for (u = sim_users(); u != NULL; u = u->next)
		if (strcmp(u->user, name) == 0)
			return u;
	return NULL;
}

/* Do one step, as the phones, the far ends and the queues would. */
static void
step_do(struct json_object *st)
{
	const char		*what = model_str(st, "do"), *dev;
	struct sim_user		*u = step_user(st);
	struct sim_call		*c = NULL;
	struct sim_group	*g;

	if (u == NULL) {
		log_warnx("scenario: step %zu: no such user", next_step);
		return;
	}
	if (*model_str(st, "call") != '\0' &&
	    (c = sim_call_find(u, label_get(model_str(st, "call")))) == NULL) {
		log_warnx("scenario: step %zu (%s): no such call %s", next_step,
		    what, model_str(st, "call"));
		return;
	}
	dev = *model_str(st, "device") != '\0' ? model_str(st, "device") :
	    u->ndevices > 0 ? u->devices[0].id : "";
	if (strcmp(what, "inbound") == 0 || strcmp(what, "outbound") == 0) {
		c = sim_call_new(u, what[0] == 'i', model_str(st, what[0] == 'i' ?
		    "from" : "to"), model_str(st, "name"), what[0] == 'i' ?
		    NULL : dev);
		if (*model_str(st, "as") != '\0')
			label_set(model_str(st, "as"), c->id);
	} else if (c == NULL && strcmp(what, "queue") != 0 &&
	    strcmp(what, "login") != 0 && strcmp(what, "logout") != 0) {
		log_warnx("scenario: step %zu (%s) needs a call", next_step, what);
	} else if (strcmp(what, "answer") == 0 || strcmp(what, "remote-answer") == 0 ||
	    strcmp(what, "hold") == 0 || strcmp(what, "resume") == 0 ||
	    strcmp(what, "mute") == 0 || strcmp(what, "unmute") == 0) {
		if (sim_call_press(u, c, strcmp(what, "remote-answer") == 0 ?
		    "answer" : what, dev) == -1)
			log_warnx("scenario: step %zu: cannot %s a call that is %s",
			    next_step, what, c->status);
	} else if (strcmp(what, "transfer") == 0) {
		sim_call_end(u, c, "TRANSFERRED");
	} else if (strcmp(what, "hangup") == 0) {
		sim_call_end(u, c, "HANGUP");
	} else if (strcmp(what, "remote-hangup") == 0) {
		sim_call_end(u, c, "REMOTE_HANGUP");
	} else if (strcmp(what, "queue") == 0 || strcmp(what, "login") == 0 ||
	    strcmp(what, "logout") == 0) {
		if ((g = sim_group_find(u, model_int(st, "group"))) == NULL) {
			log_warnx("scenario: step %zu: no such group", next_step);
			return;
		}
		if (strcmp(what, "queue") == 0) {
			if (json_object_object_get_ex(st, "callsWaiting", NULL))
				g->calls_waiting = model_uint(st, "callsWaiting");
			if (json_object_object_get_ex(st, "longestWaiting", NULL))
				g->longest_waiting = model_uint(st, "longestWaiting");
			if (json_object_object_get_ex(st, "freeAgents", NULL))
				g->free_agents = model_uint(st, "freeAgents");
		} else if (g->logged_in != (what[3] == 'i')) {
			g->logged_in = what[3] == 'i';
			g->logged_in_agents += g->logged_in ? 1 : -1;
		}
		if (sim_verbose)
			log_info("%s: queue %s: %u waiting, longest %u s, %u free "
			    "agents, %slogged in", u->user, g->name, g->calls_waiting,
			    g->longest_waiting, g->free_agents, g->logged_in ? "" :
			    "not ");
		events_queues_changed(u);
	} else
		log_warnx("scenario: step %zu: unknown action \"%s\"", next_step, what);
}

static double
step_wait(size_t i)
{
	struct json_object	*st = json_object_array_get_idx(steps, i);
	double			 wait;

	wait = json_object_get_double(json_object_object_get(st, "wait"));
	return wait < 0 || wait > 86400 ? 0 : wait;
}

/*
 * Run every step that is due now, then arm the timer for the next one.
 * Steps without a wait run back to back, so no request sees half of them.
 */
static void
step_run(int due)
{
	struct timeval	tv;
	double		wait;

	if (steps == NULL || json_object_array_length(steps) == 0)
		return;
	for (;;) {
		if (next_step >= json_object_array_length(steps)) {
			if (!looping)
				return;
			next_step = 0;
			labels_free();
			due = 0;	/* a new round always waits for its timer */
		}
		wait = step_wait(next_step);
		if (!due && wait > 0)
			break;
		if (!due && wait == 0 && next_step == 0 && looping)
			break;
		step_do(json_object_array_get_idx(steps, next_step));
		next_step++;
		due = 0;
	}
	tv.tv_sec = (long)wait;
	tv.tv_usec = (long)((wait - (double)tv.tv_sec) * 1e6);
	evtimer_add(step_ev, &tv);
}

static void
step_cb(evutil_socket_t fd, short what, void *arg)
{
	step_run(1);
}

void
scenario_start(struct event_base *base, int loop)
{
	looping = loop;
	step_ev = evtimer_new(base, step_cb, NULL);
	step_run(0);
}

void
scenario_free(void)
{
	if (step_ev != NULL)
		event_free(step_ev);
	json_object_put(steps);
	steps = NULL;
	labels_free();
}
