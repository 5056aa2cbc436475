/* dstnyctl.c: the command line for dstnyd, over its Unix socket (like mmcli or nmcli). */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <json-c/json.h>

#include "callstate.h"
#include "ctl.h"
#include "forward.h"
#include "teluri.h"
#include "voicemail.h"
#include "xmalloc.h"

static struct ctl	 ctl;
static const char	*opt_device;
static int		 opt_blind;
/* issue 21 */
static int		 opt_missed;
static const char	*opt_since;
static const char	*opt_for;
static const char	*opt_note;
static const char	*opt_limit;
static int		 opt_password_stdin;
static const char	*opt_line;	/* issue 21 parts 3-5 */

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr,
	    "usage: dstnyctl [--json] [-u user] [-s socket] command [args]\n"
	    "       dstnyctl [-s socket] [-c config] doctor\n"
	    "       dstnyctl [-u user] [-c config] login [--password-stdin]\n"
	    "options:\n"
	    "  -s, --socket PATH  the daemon's socket (default: $DSTNYD_SOCKET, else\n"
	    "                     where dstnyd puts it)\n"
	    "  -c, --config FILE  for doctor and login: the configuration (default:\n"
	    "                     the running daemon's, else dstnyd's default)\n"
	    "  -u, --user USER    act for this monitored user   --json  print JSON\n"
	    "commands:\n"
	    "  status | calls | show CALL | devices | queues | resync | doctor | login\n"
	    "  dial NUMBER [--device ID]     answer [CALL] [--device ID]\n"
	    "  hangup|hold|resume|mute|unmute|park [CALL]\n"
	    "  move [CALL] DEVICE            transfer CALL DEST [--blind]\n"
	    "  dtmf CALL DIGITS              consult CALL DEST\n"
	    "  record CALL start|stop|pause|resume|save|discard\n"
	    "  queue login|logout ID         linestate set ID EXPIRES | clear ID\n"
	    "  history [--missed] [--since DURATION] [--limit N]\n"
	    "  history seen [ID...] | delete ID...\n"
	    "  presence | presence set ACTIVITY [--for DURATION] [--note TEXT]\n"
	    "  presence shortcut ID          dnd on|off\n"
	    "  forward | forward TYPE NUMBER [--line L] | forward off [TYPE] [--line L]\n"
	    "  callerid | callerid set TYPE [GROUP]\n"
	    "  voicemail | voicemail set KEY=VALUE...\n"
	    "  watch\n"
	    "  search QUERY                  (dial, transfer and consult take a name too)\n"
	    "  favourites [add|remove CID-or-NAME]\n");
	exit(EXIT_USAGE);
}

static const char *
str(struct json_object *o, const char *key)
{
	return model_str(o, key);
}

/*
 * Text from the Core made fit for a terminal: control characters (C0,
 * DEL and the C1 range, which some terminals obey in UTF-8 too) become
 * '?'. A few buffers in turn, so one printf can show several.
 */
static const char *
shown(const char *s)
{
	static char		 out[8][512];
	static unsigned		 next;
	char			*o = out[next++ % 8];
	const unsigned char	*u = (const unsigned char *)s;
	size_t			 i = 0;

	for (; *u != '\0' && i < sizeof(out[0]) - 1; u++) {
		if (u[0] == 0xc2 && u[1] >= 0x80 && u[1] <= 0x9f) {
			o[i++] = '?';
			u++;
		} else
			o[i++] = *u < 0x20 || *u == 0x7f ? '?' : (char)*u;
	}
	o[i] = '\0';
	return o;
}

/* A string field of the daemon's answer, as shown(). */
static const char *
text(struct json_object *o, const char *key)
{
	return shown(model_str(o, key));
}

static struct json_object *
result_or_exit(struct json_object *reply)
{
	struct json_object	*res;
	int			 rc;

	if ((rc = ctl_error(reply)) != EXIT_OK)
		exit(rc);
	if (!json_object_object_get_ex(reply, "result", &res)) {
		fprintf(stderr, "dstnyctl: an answer without a result\n");
		exit(EXIT_PROTOCOL);
	}
	return res;
}

static struct json_object *
call_method(const char *method, struct json_object *params)
{
	return ctl_request(&ctl, method, params);
}

static void
print_json(struct json_object *o)
{
	printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
	    JSON_C_TO_STRING_NOSLASHESCAPE | JSON_C_TO_STRING_SPACED));
}

static void
print_call_line(struct json_object *c)
{
	struct json_object	*rp = NULL;

	json_object_object_get_ex(c, "remoteParty", &rp);
	/* remoteName: the Core's displayName, else the directory's. */
	printf("%-14s %-11s %-4s %-22s %-14s %7llds  %s\n", text(c, "callId"),
	    text(c, "status"), model_bool(c, "inbound") ? "in" : "out",
	    json_object_object_get_ex(c, "remoteName", NULL) ?
	    text(c, "remoteName") : shown(model_str(rp, "displayName")),
	    shown(model_str(rp, "displayNumber")),
	    (long long)model_int(c, "duration"), text(c, "path"));
}

static void
print_calls_header(void)
{
	/*
	 * CORE-DUR: the Core's duration as of the call's last change, not a
	 * clock (the socket's CallView carries no ActiveSince to count from).
	 */
	printf("%-14s %-11s %-4s %-22s %-14s %8s  %s\n", "CALL", "STATUS", "DIR",
	    "REMOTE", "NUMBER", "CORE-DUR", "PATH");
}

/* CALL given (an id, a unique id prefix or a path) or the only candidate. */
static char *
resolve_call(const char *arg, int for_answer)
{
	struct json_object	*reply, *list, *c, *match = NULL;
	struct buf		 b;
	const char		*id;
	size_t			 i, n, nmatch = 0;

	reply = call_method("calls.list", NULL);
	list = result_or_exit(reply);
	n = json_object_array_length(list);
	for (i = 0; i < n; i++) {
		c = json_object_array_get_idx(list, i);
		id = str(c, "callId");
		if (arg != NULL) {
			if (strcmp(id, arg) == 0 || strcmp(str(c, "path"), arg) == 0) {
				match = c;
				nmatch = 1;
				break;
			}
			if (strncmp(id, arg, strlen(arg)) == 0) {
				match = c;
				nmatch++;
			}
		} else if (!for_answer || strcmp(str(c, "status"), "RINGING") == 0) {
			match = c;
			nmatch++;
		}
	}
	if (nmatch == 1) {
		char *out = xstrdup(str(match, "callId"));
		json_object_put(reply);
		return out;
	}
	buf_init(&b);
	for (i = 0; i < n; i++) {
		c = json_object_array_get_idx(list, i);
		buf_printf(&b, "\n  %s  %s  %s", text(c, "callId"), text(c, "status"),
		    shown(model_str(json_object_object_get(c, "remoteParty"), "displayName")));
	}
	if (arg != NULL && nmatch == 0)
		fprintf(stderr, "dstnyctl: no call matches \"%s\"%s%s\n", arg,
		    n ? "; calls:" : "", n ? b.data : "");
	else if (arg != NULL)
		fprintf(stderr, "dstnyctl: \"%s\" matches %zu calls; name one:%s\n",
		    arg, nmatch, b.data);
	else if (n == 0)
		fprintf(stderr, "dstnyctl: there is no call\n");
	else
		fprintf(stderr, "dstnyctl: %s; name one:%s\n", for_answer ?
		    (nmatch == 0 ? "no call is ringing" : "several calls are ringing") :
		    "there are several calls", b.data);
	buf_free(&b);
	json_object_put(reply);
	exit(arg != NULL && nmatch == 0 ? EXIT_DAEMON(3) : EXIT_USAGE);
}

static int
cmd_status(void)
{
	struct json_object	*reply = call_method("status", NULL), *r, *users, *u;
	size_t			 i;

	r = result_or_exit(reply);
	if (ctl.json)
		print_json(r);
	else {
		printf("dstnyd %s\n", text(r, "version"));
		printf("%-20s %-20s %-13s %-9s %5s %6s\n", "USER", "DOMAIN",
		    "STATE", "TRANSPORT", "CALLS", "QUEUES");
		json_object_object_get_ex(r, "users", &users);
		for (i = 0; i < json_object_array_length(users); i++) {
			u = json_object_array_get_idx(users, i);
			printf("%-20s %-20s %-13s %-9s %5lld %6lld\n",
			    text(u, "userId"), text(u, "domain"), text(u, "state"),
			    text(u, "transport"), (long long)model_int(u, "calls"),
			    (long long)model_int(u, "queues"));
		}
	}
	json_object_put(reply);
	return EXIT_OK;
}

static int
cmd_calls(void)
{
	struct json_object	*reply = call_method("calls.list", NULL), *r;
	size_t			 i;

	r = result_or_exit(reply);
	if (ctl.json)
		print_json(r);
	else if (json_object_array_length(r) == 0)
		printf("no calls\n");
	else {
		print_calls_header();
		for (i = 0; i < json_object_array_length(r); i++)
			print_call_line(json_object_array_get_idx(r, i));
	}
	json_object_put(reply);
	return EXIT_OK;
}

static int
cmd_show(const char *arg)
{
	struct json_object	*params = json_object_new_object(), *reply, *c, *v;
	char			*id = resolve_call(arg, 0);
	size_t			 i;

	json_object_object_add(params, "call", json_object_new_string(id));
	reply = call_method("call.get", params);
	c = result_or_exit(reply);
	if (ctl.json)
		print_json(c);
	else {
		json_object_object_foreach(c, key, val) {
			if (json_object_is_type(val, json_type_object) ||
			    json_object_is_type(val, json_type_array))
				continue;
			printf("  %-28s %s\n", key, shown(json_object_get_string(val)));
		}
		json_object_object_get_ex(c, "remoteParty", &v);
		json_object_object_foreach(v, rk, rv)
			printf("  remoteParty.%-16s %s\n", rk, shown(json_object_get_string(rv)));
		json_object_object_get_ex(c, "actions", &v);
		printf("  %-28s", "actions");
		for (i = 0; i < json_object_array_length(v); i++)
			printf(" %s", text(json_object_array_get_idx(v, i), "action"));
		printf("\n");
	}
	free(id);
	json_object_put(reply);
	return EXIT_OK;
}

/*
 * What an action did, in one line: "call c4bbb92b88 to tel:+4670 is
 * INITIATED", "call c4bbb92b88 is HELD (event HOLD)". The event is told
 * only when it says more than the status.
 */
static void
print_action_line(const char *method, struct json_object *params,
    struct json_object *r)
{
	const char	*status = text(r, "status"), *event = text(r, "event");

	printf("call %s", text(r, "callId"));
	if (strcmp(method, "call.make") == 0 || strcmp(method, "call.consult") == 0)
		printf(" to %s", shown(model_str(params, "destination")));
	printf(" is %s", *status ? status : "(no status)");
	if (*event != '\0' && strcmp(event, status) != 0)
		printf(" (event %s)", event);
	printf("\n");
}

/* Any call action; prints the call's new state. */
static int
cmd_action(const char *method, const char *call_arg, int for_answer,
    struct json_object *params)
{
	struct json_object	*reply, *r;
	char			*id = NULL;

	if (params == NULL)
		params = json_object_new_object();
	if (strcmp(method, "call.make") != 0) {
		id = resolve_call(call_arg, for_answer);
		json_object_object_add(params, "call", json_object_new_string(id));
	}
	if (opt_device != NULL)
		json_object_object_add(params, "device",
		    json_object_new_string(opt_device));
	json_object_get(params);	/* the request takes one reference */
	reply = call_method(method, params);
	r = result_or_exit(reply);
	if (ctl.json)
		print_json(r);
	else if (json_object_object_get_ex(r, "callId", NULL))
		print_action_line(method, params, r);
	else if (id != NULL)	/* the call is gone: no state to show */
		printf("call %s: %s done\n", id, method + strlen("call."));
	else
		printf("%s: done\n", method);
	free(id);
	json_object_put(params);
	json_object_put(reply);
	return EXIT_OK;
}

static int
cmd_list(const char *method)
{
	struct json_object	*reply = call_method(method, NULL), *r, *e;
	size_t			 i;
	int			 queues = strcmp(method, "queues.list") == 0;

	r = result_or_exit(reply);
	if (ctl.json)
		print_json(r);
	else if (json_object_array_length(r) == 0)
		printf("no %s\n", queues ? "queues" : "devices");
	else if (queues) {
		printf("%-8s %-22s %-9s %7s %8s %11s\n", "ID", "NAME", "LOGGED-IN",
		    "WAITING", "LONGEST", "FREE-AGENTS");
		for (i = 0; i < json_object_array_length(r); i++) {
			e = json_object_array_get_idx(r, i);
			printf("%-8lld %-22s %-9s %7lld %7llds %11lld\n",
			    (long long)model_int(e, "id"), text(e, "name"),
			    model_bool(e, "loggedIn") ? "yes" : "no",
			    (long long)model_int(e, "callsWaiting"),
			    (long long)model_int(e, "longestWaiting"),
			    (long long)model_int(e, "freeAgents"));
		}
	} else {
		printf("%-22s %-12s %-24s %s\n", "DEVICE", "TYPE", "NAME", "STATUS");
		for (i = 0; i < json_object_array_length(r); i++) {
			e = json_object_array_get_idx(r, i);
			printf("%-22s %-12s %-24s %s\n", text(e, "deviceId"),
			    text(e, "deviceType"), text(e, "deviceName"),
			    text(e, "deviceStatus"));
		}
	}
	json_object_put(reply);
	return EXIT_OK;
}

static int
cmd_simple(const char *method, struct json_object *params)
{
	struct json_object	*reply = call_method(method, params), *r;

	r = result_or_exit(reply);
	if (ctl.json)
		print_json(r);
	else
		printf("%s: done\n", method);
	json_object_put(reply);
	return EXIT_OK;
}

/* A favourite's presence in a word or two: "available", "away (lunch)". */
static const char *
presence_word(struct json_object *c)
{
	static char	out[96];
	const char	*act = model_str(c, "activity");

	if (!json_object_object_get_ex(c, "available", NULL))
		return "-";
	if (model_bool(c, "available"))
		return "available";
	snprintf(out, sizeof(out), *act != '\0' ? "away (%.60s)" : "away",
	    shown(act));
	return out;
}

static void
watch_contact(const char *when, const char *method, struct json_object *c)
{
	printf("%s %-13s ", when, method);
	printf("%-24s ", shown(model_str(c, "name")));
	if (model_bool(c, "removed"))
		printf("(no longer a favourite)\n");
	else
		printf("%s%s\n", presence_word(c), model_bool(c, "inCall") ?
		    ", in a call" : "");
}

static void
watch_line(struct json_object *m)
{
	struct json_object	*p, *c;
	const char		*method = text(m, "method");
	char			 when[16];
	time_t			 now = time(NULL);

	strftime(when, sizeof(when), "%H:%M:%S", localtime(&now));
	json_object_object_get_ex(m, "params", &p);
	if (json_object_object_get_ex(p, "call", &c))
		printf("%s %-13s %-14s %-11s %s %s\n", when, method,
		    text(c, "callId"), text(c, "status"),
		    shown(model_str(json_object_object_get(c, "remoteParty"), "displayName")),
		    shown(model_str(json_object_object_get(c, "remoteParty"), "displayNumber")));
	else if (strcmp(method, "call.removed") == 0)
		printf("%s %-13s %-14s (%s)\n", when, method, text(p, "callId"),
		    text(p, "reason"));
	else if (json_object_object_get_ex(p, "queue", &c))
		printf("%s %-13s %-14s waiting %lld, longest %llds, %lld free%s\n",
		    when, method, text(c, "name"),
		    (long long)model_int(c, "callsWaiting"),
		    (long long)model_int(c, "longestWaiting"),
		    (long long)model_int(c, "freeAgents"),
		    model_bool(c, "removed") ? " (removed)" : "");
	else if (strcmp(method, "status.changed") == 0)
		printf("%s %-13s %s: %s\n", when, method, text(p, "user"),
		    text(p, "state"));
	else if (json_object_object_get_ex(p, "contact", &c))
		watch_contact(when, method, c);
	else
		printf("%s %-13s %s\n", when, method, json_object_to_json_string_ext(p,
		    JSON_C_TO_STRING_PLAIN));
}

static int
cmd_watch(void)
{
	struct json_object	*reply = call_method("subscribe", NULL), *m;

	result_or_exit(reply);
	json_object_put(reply);
	/* On stderr, so that standard output stays the events alone. */
	fprintf(stderr, "dstnyctl: watching; interrupt to stop\n");
	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((m = ctl_read(&ctl)) != NULL) {
		if (json_object_object_get_ex(m, "method", NULL)) {
			if (ctl.json)
				printf("%s\n", json_object_to_json_string_ext(m,
				    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
			else
				watch_line(m);
		}
		json_object_put(m);
	}
	fprintf(stderr, "dstnyctl: dstnyd closed the connection\n");
	return EXIT_NO_DAEMON;
}

/* s for one line of a message: control characters as '?' (a static copy). */
/* ---- The directory (issue 22) ---- */

/* One table line per contact; text from the Core is made printable. */
static void
print_contacts(FILE *f, struct json_object *list)
{
	struct json_object	*c, *nums;
	struct buf		 b;
	size_t			 i, j;

	fprintf(f, "%-24s %-20s %-16s %-9s %-7s %s\n", "NAME", "COMPANY", "NUMBER",
	    "PRESENCE", "IN-CALL", "NOTE");
	for (i = 0; i < json_object_array_length(list); i++) {
		c = json_object_array_get_idx(list, i);
		buf_init(&b);
		json_object_object_get_ex(c, "numbers", &nums);
		for (j = 0; j < json_object_array_length(nums); j++)
			buf_printf(&b, "%s%s", j ? "," : "",
			    str(json_object_array_get_idx(nums, j), "number"));
		fprintf(f, "%-24s ", shown(str(c, "name")));
		fprintf(f, "%-20s ", shown(str(c, "company")));
		fprintf(f, "%-16s %-9s %-7s ", shown(b.data != NULL ? b.data : ""),
		    !json_object_object_get_ex(c, "available", NULL) ? "-" :
		    model_bool(c, "available") ? "available" : "away",
		    model_bool(c, "inCall") ? "yes" : "no");
		fprintf(f, "%s\n", shown(str(c, "note")));
		buf_free(&b);
	}
}

/* favourites: name, presence, in-call, number and note, a line each. */
static int
cmd_favourites_list(void)
{
	struct json_object	*reply = call_method("favourites.list", NULL), *r;
	struct json_object	*c, *nums;
	size_t			 i;

	r = result_or_exit(reply);
	if (ctl.json)
		print_json(r);
	else if (json_object_array_length(r) == 0)
		printf("no favourites\n");
	else {
		printf("%-24s %-22s %-7s %-16s %s\n", "NAME", "PRESENCE",
		    "IN-CALL", "NUMBER", "NOTE");
		for (i = 0; i < json_object_array_length(r); i++) {
			c = json_object_array_get_idx(r, i);
			json_object_object_get_ex(c, "numbers", &nums);
			printf("%-24s ", shown(str(c, "name")));
			printf("%-22s %-7s ", presence_word(c),
			    model_bool(c, "inCall") ? "yes" : "no");
			printf("%-16s ", shown(str(json_object_array_get_idx(
			    nums, 0), "number")));
			printf("%s\n", shown(str(c, "note")));
		}
	}
	json_object_put(reply);
	return EXIT_OK;
}

/*
 * The cid of CID-or-NAME: given with an '@', as is; else the one contact
 * of list (favourites.list or a search) whose name it is, or that alone
 * matches. Several or none: said, and dstnyctl exits 2 or 13.
 */
static char *
resolve_cid(const char *arg, int favourites)
{
	struct json_object	*p, *reply, *r, *c, *match = NULL;
	size_t			 i, n, exact = 0;
	char			*out;

	if (strchr(arg, '@') != NULL)
		return xstrdup(arg);
	if (favourites)
		reply = call_method("favourites.list", NULL);
	else {
		p = json_object_new_object();
		json_object_object_add(p, "query", json_object_new_string(arg));
		json_object_object_add(p, "max", json_object_new_int(10));
		reply = call_method("contacts.search", p);
	}
	r = result_or_exit(reply);
	n = json_object_array_length(r);
	for (i = 0; i < n; i++) {
		c = json_object_array_get_idx(r, i);
		if (strcasecmp(str(c, "name"), arg) == 0 ||
		    strcasecmp(str(c, "cid"), arg) == 0) {
			match = c;
			exact++;
		}
	}
	if (exact != 1)
		match = !favourites && exact == 0 && n == 1 ?
		    json_object_array_get_idx(r, 0) : NULL;
	if (match == NULL) {
		fprintf(stderr, "dstnyctl: \"%s\" ", shown(arg));
		if (exact > 1 || (!favourites && n > 1)) {
			fprintf(stderr, "matches %zu contacts; name one, or give "
			    "its id (id@domain):\n", exact > 1 ? exact : n);
			print_contacts(stderr, r);
		} else
			fprintf(stderr, "is %s\n", favourites ?
			    "no favourite" : "in no contact's name");
		json_object_put(reply);
		exit(exact > 1 || (!favourites && n > 1) ? EXIT_USAGE :
		    EXIT_DAEMON(3));
	}
	out = xstrdup(str(match, "cid"));
	json_object_put(reply);
	return out;
}

static int
cmd_favourites(const char *verb, const char *arg)
{
	struct json_object	*p;
	char			*cid;
	int			 add;

	if (verb == NULL)
		return cmd_favourites_list();
	if ((strcmp(verb, "add") != 0 && strcmp(verb, "remove") != 0) ||
	    arg == NULL)
		usage();
	add = strcmp(verb, "add") == 0;
	cid = resolve_cid(arg, !add);
	p = json_object_new_object();
	json_object_object_add(p, "cid", json_object_new_string(cid));
	free(cid);
	return cmd_simple(add ? "favourites.add" : "favourites.remove", p);
}

static int
cmd_search(const char *query)
{
	struct json_object	*p = json_object_new_object(), *reply, *r;

	json_object_object_add(p, "query", json_object_new_string(query));
	reply = call_method("contacts.search", p);
	r = result_or_exit(reply);
	if (ctl.json)
		print_json(r);
	else if (json_object_array_length(r) == 0)
		printf("no contact matches \"%s\"\n", shown(query));
	else
		print_contacts(stdout, r);
	json_object_put(reply);
	return EXIT_OK;
}

/*
 * A destination that is no number or URI but a name: the number of the
 * one contact the directory finds for it (or whose name it is exactly).
 * Several: they are listed and dstnyctl exits 2; none: exit 13.
 */
static char *
resolve_name(const char *name)
{
	struct json_object	*p = json_object_new_object(), *reply, *r, *c;
	struct json_object	*match = NULL, *nums;
	size_t			 i, n, exact = 0;
	char			*out;

	json_object_object_add(p, "query", json_object_new_string(name));
	json_object_object_add(p, "max", json_object_new_int(10));
	reply = call_method("contacts.search", p);
	r = result_or_exit(reply);
	n = json_object_array_length(r);
	for (i = 0; i < n; i++) {
		c = json_object_array_get_idx(r, i);
		if (strcasecmp(str(c, "name"), name) == 0) {
			match = c;
			exact++;
		}
	}
	if (n == 1)
		match = json_object_array_get_idx(r, 0);
	else if (exact != 1)
		match = NULL;
	if (match == NULL) {
		if (n == 0)
			fprintf(stderr, "dstnyctl: no contact matches \"%s\"\n",
			    shown(name));
		else {
			fprintf(stderr, "dstnyctl: \"%s\" matches %zu contacts; "
			    "name one, or give a number:\n", shown(name), n);
			print_contacts(stderr, r);
		}
		json_object_put(reply);
		exit(n == 0 ? EXIT_DAEMON(3) : EXIT_USAGE);
	}
	json_object_object_get_ex(match, "numbers", &nums);
	if (json_object_array_length(nums) == 0) {
		fprintf(stderr, "dstnyctl: %s has no number\n",
		    shown(str(match, "name")));
		json_object_put(reply);
		exit(EXIT_FAILURE_);
	}
	out = xstrdup(str(json_object_array_get_idx(nums, 0), "number"));
	fprintf(stderr, "dstnyctl: %s", shown(str(match, "name")));
	fprintf(stderr, " is %s\n", shown(out));
	json_object_put(reply);
	return out;
}

/* A name (letters, no ':') rather than a number or a URI? */
static int
is_name(const char *s)
{
	if (strchr(s, ':') != NULL)
		return 0;
	for (; *s != '\0'; s++)
		if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (unsigned char)*s >= 0x80)
			return 1;
	return 0;
}

/* issue 21: history and presence. */

/* "90", "90s", "30m", "1h", "2d": seconds; -1 when unreadable. */
static long long
duration_parse(const char *s)
{
	char		*end;
	long long	 n;

	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	n = strtoll(s, &end, 10);
	if (n < 0 || n > 100LL * 365 * 86400)
		return -1;
	switch (*end) {
	case '\0': case 's': break;
	case 'm': n *= 60; break;
	case 'h': n *= 3600; break;
	case 'd': n *= 86400; break;
	default: return -1;
	}
	return end[0] != '\0' && end[1] != '\0' ? -1 : n;
}

static long long
duration_or_exit(const char *opt, const char *s)
{
	long long	n = duration_parse(s);

	if (n < 0) {
		fprintf(stderr, "dstnyctl: %s: \"%s\" is no duration (90s, 30m, "
		    "1h, 2d)\n", opt, s);
		exit(EXIT_USAGE);
	}
	return n;
}

static void
when_local(long long t, char *buf, size_t len)
{
	time_t		tt = (time_t)t;
	struct tm	tm;

	if (t <= 0 || localtime_r(&tt, &tm) == NULL)
		snprintf(buf, len, "-");
	else
		strftime(buf, len, "%Y-%m-%d %H:%M", &tm);
}

static int
cmd_history(void)
{
	struct json_object	*p = json_object_new_object(), *reply, *r, *e;
	struct json_object	*counts, *creply;
	char			 when[32];
	size_t			 i;

	if (opt_missed)
		json_object_object_add(p, "type",
		    json_object_new_string("MISSED_CALL"));
	if (opt_since != NULL)
		json_object_object_add(p, "since", json_object_new_int64(
		    (long long)time(NULL) - duration_or_exit("--since", opt_since)));
	if (opt_limit != NULL)
		json_object_object_add(p, "limit",
		    json_object_new_int64(strtoll(opt_limit, NULL, 10)));
	reply = call_method("history.list", p);
	r = result_or_exit(reply);
	if (ctl.json) {
		print_json(r);
		json_object_put(reply);
		return EXIT_OK;
	}
	creply = call_method("history.counts", NULL);
	counts = result_or_exit(creply);
	printf("%lld missed call(s) not seen, %lld voicemail(s) not played\n",
	    (long long)model_int(counts, "missedCalls"),
	    (long long)model_int(counts, "unplayedVoicemails"));
	json_object_put(creply);
	if (json_object_array_length(r) > 0)
		printf("%-10s %-14s %-16s %-16s %-22s %-4s %6s\n", "ID", "TYPE",
		    "WHEN", "NUMBER", "NAME", "NEW", "DUR");
	for (i = 0; i < json_object_array_length(r); i++) {
		e = json_object_array_get_idx(r, i);
		when_local(model_int(e, "start"), when, sizeof(when));
		printf("%-10lld %-14s %-16s %-16s %-22s %-4s %5llds\n",
		    (long long)model_int(e, "itemId"), str(e, "itemType"), when,
		    str(e, "number"), str(e, "name"),
		    strcmp(str(e, "itemType"), "VOICEMAIL") == 0 ?
		    (model_bool(e, "played") ? "" : "yes") :
		    (model_bool(e, "seen") ? "" : "yes"),
		    (long long)model_int(e, "duration"));
	}
	json_object_put(reply);
	return EXIT_OK;
}

/* seen [ID...] (none: every missed call up to the newest); delete ID... */
static int
cmd_history_change(const char *what, char **ids, int nids)
{
	struct json_object	*p = json_object_new_object(), *a, *reply, *r;
	long long		 id, newest = 0;
	char			*end;
	size_t			 i;
	int			 k;

	a = json_object_new_array();
	for (k = 0; k < nids; k++) {
		id = strtoll(ids[k], &end, 10);
		if (*ids[k] == '\0' || *end != '\0' || id <= 0) {
			fprintf(stderr, "dstnyctl: \"%s\" is no item ID\n",
			    shown(ids[k]));
			exit(EXIT_USAGE);
		}
		json_object_array_add(a, json_object_new_int64(id));
	}
	json_object_object_add(p, "ids", a);
	if (strcmp(what, "seen") == 0 && nids == 0) {
		reply = call_method("history.list", NULL);
		r = result_or_exit(reply);
		for (i = 0; i < json_object_array_length(r); i++)
			if ((id = model_int(json_object_array_get_idx(r, i),
			    "itemId")) > newest)
				newest = id;
		json_object_put(reply);
		if (newest == 0) {
			json_object_put(p);
			printf("history: nothing to mark\n");
			return EXIT_OK;
		}
		json_object_object_add(p, "until", json_object_new_int64(newest));
	}
	return cmd_simple(strcmp(what, "seen") == 0 ? "history.seen" :
	    "history.delete", p);
}

static int
cmd_presence_show(void)
{
	struct json_object	*reply = call_method("presence.get", NULL), *r, *l, *e;
	char			 when[32];
	size_t			 i;

	r = result_or_exit(reply);
	if (ctl.json) {
		print_json(r);
		json_object_put(reply);
		return EXIT_OK;
	}
	when_local(model_int(r, "expires"), when, sizeof(when));
	printf("activity   %s\navailable  %s\nnote       %s\nuntil      %s\n",
	    str(r, "activity"), model_bool(r, "available") ? "yes" :
	    "no (do not disturb)", str(r, "note"),
	    model_int(r, "expires") > 0 ? when : "no end time");
	json_object_object_get_ex(r, "activities", &l);
	printf("activities:");
	for (i = 0; i < json_object_array_length(l); i++) {
		e = json_object_array_get_idx(l, i);
		printf(" %s%s", str(e, "id"), model_bool(e, "available") ? "" :
		    "(dnd)");
	}
	printf("\n");
	json_object_object_get_ex(r, "shortcuts", &l);
	if (json_object_array_length(l) > 0)
		printf("%-14s %-22s %-12s %-22s %s\n", "SHORTCUT", "NAME",
		    "ACTIVITY", "DURATION", "DIVERT");
	for (i = 0; i < json_object_array_length(l); i++) {
		e = json_object_array_get_idx(l, i);
		printf("%-14s %-22s %-12s %-22s %s\n", str(e, "id"),
		    str(e, "name"), str(e, "activityId"),
		    strcmp(str(e, "durationType"), "MINUTES") == 0 ?
		    str(e, "durationMinutes") : str(e, "durationType"),
		    model_bool(e, "applyDiversionNumber") ?
		    str(e, "diversionPhoneNumber") : "");
	}
	json_object_put(reply);
	return EXIT_OK;
}

static int
cmd_presence_set(const char *activity)
{
	struct json_object	*p = json_object_new_object();

	json_object_object_add(p, "activity", json_object_new_string(activity));
	if (opt_for != NULL)
		json_object_object_add(p, "expires", json_object_new_int64(
		    (long long)time(NULL) + duration_or_exit("--for", opt_for)));
	if (opt_note != NULL)
		json_object_object_add(p, "note", json_object_new_string(opt_note));
	return cmd_simple("presence.set", p);
}

/* Do not disturb on or off: the same activity, note and end time. */
static int
cmd_dnd(int on)
{
	struct json_object	*reply = call_method("presence.get", NULL), *r, *p;
	long long		 expires;

	r = result_or_exit(reply);
	p = json_object_new_object();
	json_object_object_add(p, "activity",
	    json_object_new_string(str(r, "activity")));
	json_object_object_add(p, "available", json_object_new_boolean(!on));
	json_object_object_add(p, "note", json_object_new_string(str(r, "note")));
	/* An end time already past is none. */
	expires = model_int(r, "expires");
	if (opt_for != NULL)
		expires = (long long)time(NULL) + duration_or_exit("--for", opt_for);
	if (expires > (long long)time(NULL))
		json_object_object_add(p, "expires", json_object_new_int64(expires));
	json_object_put(reply);
	return cmd_simple("presence.set", p);
}

/* issue 21 parts 3-5: forwarding, caller ID, voicemail settings. */

static int
cmd_forward_show(void)
{
	struct json_object	*reply = call_method("forward.get", NULL), *r;
	struct json_object	*lines, *rules, *map, *l, *e;
	size_t			 i, j, n;

	r = result_or_exit(reply);
	if (ctl.json) {
		print_json(r);
		json_object_put(reply);
		return EXIT_OK;
	}
	json_object_object_get_ex(r, "lines", &lines);
	json_object_object_get_ex(r, "rules", &rules);
	json_object_object_get_ex(r, "activityDiversions", &map);
	for (i = 0; i < json_object_array_length(lines); i++) {
		l = json_object_array_get_idx(lines, i);
		printf("%-10s %-15s %s\n", text(l, "line"), text(l, "lineType"),
		    text(l, "lineNumber"));
		for (n = 0, j = 0; j < json_object_array_length(rules); j++) {
			e = json_object_array_get_idx(rules, j);
			if (strcmp(str(e, "line"), str(l, "line")) != 0)
				continue;
			printf("  %-28s -> %s\n",
			    shown(forward_type_short(str(e, "type"))),
			    text(e, "number"));
			n++;
		}
		if (n == 0)
			printf("  not forwarded\n");
	}
	printf("diversion number: %s\n", *str(r, "diversionNumber") != '\0' ?
	    text(r, "diversionNumber") : "none");
	for (i = 0; i < json_object_array_length(map); i++) {
		e = json_object_array_get_idx(map, i);
		printf("%s %s -> %s", i == 0 ? "activity diversions:" : ",",
		    text(e, "activityId"), text(e, "phoneNumber"));
	}
	if (json_object_array_length(map) > 0)
		printf("\n");
	json_object_put(reply);
	return EXIT_OK;
}

/* forward TYPE NUMBER, forward off [TYPE]; --line names the line. */
static int
cmd_forward_change(const char *type, const char *number)
{
	struct json_object	*p = json_object_new_object(), *reply, *r;

	if (type != NULL)
		json_object_object_add(p, "type", json_object_new_string(type));
	if (opt_line != NULL)
		json_object_object_add(p, "line", json_object_new_string(opt_line));
	if (number != NULL) {
		json_object_object_add(p, "number", json_object_new_string(number));
		return cmd_simple("forward.set", p);
	}
	reply = call_method("forward.clear", p);
	r = result_or_exit(reply);
	if (ctl.json)
		print_json(r);
	else
		printf("forward: %lld rule(s) cleared\n",
		    (long long)model_int(r, "cleared"));
	json_object_put(reply);
	return EXIT_OK;
}

static int
cmd_callerid_show(void)
{
	struct json_object	*reply = call_method("callerid.get", NULL), *r;
	struct json_object	*l, *e;
	size_t			 i;

	r = result_or_exit(reply);
	if (ctl.json) {
		print_json(r);
		json_object_put(reply);
		return EXIT_OK;
	}
	printf("caller ID: %s %lld %s %s\n", text(r, "type"),
	    (long long)model_int(r, "groupId"), text(r, "number"),
	    text(r, "name"));
	json_object_object_get_ex(r, "lines", &l);
	if (json_object_array_length(l) > 0)
		printf("%-3s %-15s %-6s %-16s %s\n", "", "TYPE", "GROUP",
		    "NUMBER", "NAME");
	for (i = 0; i < json_object_array_length(l); i++) {
		e = json_object_array_get_idx(l, i);
		printf("%-3s %-15s %-6lld %-16s %s\n",
		    model_bool(e, "active") ? "*" : "", text(e, "type"),
		    (long long)model_int(e, "groupId"), text(e, "number"),
		    text(e, "name"));
	}
	json_object_put(reply);
	return EXIT_OK;
}

static int
cmd_callerid_set(const char *type, const char *group)
{
	struct json_object	*p = json_object_new_object();
	char			*end;
	long long		 g = 0;

	if (group != NULL) {
		g = strtoll(group, &end, 10);
		if (*group == '\0' || *end != '\0' || g < 0) {
			fprintf(stderr, "dstnyctl: \"%s\" is no group id\n",
			    shown(group));
			exit(EXIT_USAGE);
		}
	}
	json_object_object_add(p, "type", json_object_new_string(type));
	json_object_object_add(p, "groupId", json_object_new_int64(g));
	return cmd_simple("callerid.set", p);
}

static int
cmd_voicemail_show(void)
{
	struct json_object	*reply = call_method("voicemail.get", NULL), *r;
	int			 i;

	r = result_or_exit(reply);
	if (ctl.json) {
		print_json(r);
		json_object_put(reply);
		return EXIT_OK;
	}
	for (i = 0; i < VM_NBOOLS; i++)
		printf("%-37s %s\n", voicemail_key_name(i),
		    model_bool(r, voicemail_key_name(i)) ? "on" : "off");
	printf("%-37s %s\n", voicemail_key_name(VM_HUMAN_NUMBER),
	    text(r, voicemail_key_name(VM_HUMAN_NUMBER)));
	json_object_put(reply);
	return EXIT_OK;
}

/* KEY=VALUE...: on|off|true|false|yes|no for a switch, the number as is. */
static int
cmd_voicemail_set(char **kv, int n)
{
	struct json_object	*p = json_object_new_object(), *o;
	const char		*v;
	char			*key;
	int			 k, i;

	o = json_object_new_object();
	for (k = 0; k < n; k++) {
		if ((v = strchr(kv[k], '=')) == NULL) {
			fprintf(stderr, "dstnyctl: \"%s\": KEY=VALUE\n",
			    shown(kv[k]));
			exit(EXIT_USAGE);
		}
		key = xstrndup(kv[k], (size_t)(v++ - kv[k]));
		if ((i = voicemail_key(key)) == VM_HUMAN_NUMBER || i == -1)
			/* The daemon names an unknown key. */
			json_object_object_add(o, key, json_object_new_string(v));
		else if (strcmp(v, "on") == 0 || strcmp(v, "true") == 0 ||
		    strcmp(v, "yes") == 0 || strcmp(v, "off") == 0 ||
		    strcmp(v, "false") == 0 || strcmp(v, "no") == 0)
			json_object_object_add(o, key, json_object_new_boolean(
			    strcmp(v, "on") == 0 || strcmp(v, "true") == 0 ||
			    strcmp(v, "yes") == 0));
		else {
			fprintf(stderr, "dstnyctl: %s: on or off\n", shown(key));
			exit(EXIT_USAGE);
		}
		free(key);
	}
	json_object_object_add(p, "settings", o);
	return cmd_simple("voicemail.set", p);
}

static char	**operands;	/* the command's arguments */
static int	  noperands;

#define NEED(n) do { if (noperands < (n)) usage(); } while (0)

/* The command's i-th argument, or NULL. */
static const char *
ARG(int i)
{
	return i < noperands ? operands[i] : NULL;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "user", required_argument, NULL, 'u' },
		{ "socket", required_argument, NULL, 's' },
		{ "config", required_argument, NULL, 'c' },
		{ "device", required_argument, NULL, 'D' },
		{ "blind", no_argument, NULL, 'b' },
		{ "missed", no_argument, NULL, 'M' },		/* issue 21 */
		{ "since", required_argument, NULL, 'S' },
		{ "for", required_argument, NULL, 'F' },
		{ "note", required_argument, NULL, 'N' },
		{ "limit", required_argument, NULL, 'L' },
		{ "password-stdin", no_argument, NULL, 'P' },
		{ "line", required_argument, NULL, 'I' },	/* issue 21 parts 3-5 */
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct json_object	*p;
	const char		*cmd, *conf_path = NULL;
	int			 ch;

	signal(SIGPIPE, SIG_IGN);
	while ((ch = getopt_long(argc, argv, "+ju:s:c:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'j': ctl.json = 1; break;
		case 'u': ctl.user = optarg; break;
		case 's': ctl.socket_path = optarg; break;
		case 'c': conf_path = optarg; break;
		case 'V':
			printf("dstnyctl %s\n", DSTNY_VERSION);
			return EXIT_OK;
		default:
			usage();
		}
	}
	if (optind >= argc)
		usage();
	/* Options may follow the command too (dial NUMBER --device ID). */
	{
		int first = optind;
		/*
		 * A fresh scan (optind 0) of the command's own arguments: the
		 * first scan's "+" (stop at the command) would otherwise stay
		 * in force, and options after an operand would be operands.
		 */
		optind = 0;
		while ((ch = getopt_long(argc - first, argv + first, "ju:s:c:h",
		    longopts, NULL)) != -1) {
			switch (ch) {
			case 'j': ctl.json = 1; break;
			case 'u': ctl.user = optarg; break;
			case 's': ctl.socket_path = optarg; break;
			case 'c': conf_path = optarg; break;
			case 'D': opt_device = optarg; break;
			case 'b': opt_blind = 1; break;
			case 'M': opt_missed = 1; break;
			case 'S': opt_since = optarg; break;
			case 'F': opt_for = optarg; break;
			case 'N': opt_note = optarg; break;
			case 'L': opt_limit = optarg; break;
			case 'P': opt_password_stdin = 1; break;
			case 'I': opt_line = optarg; break;
			default:
				usage();
			}
		}
		/* getopt moved the operands to the end: shift them back. */
		{
			int nops = argc - first - optind, i;
			char **ops = xcalloc((size_t)nops + 1, sizeof(*ops));
			for (i = 0; i < nops; i++)
				ops[i] = argv[first + optind + i];
			for (i = 0; i < nops; i++)
				argv[first + 1 + i] = ops[i];
			argc = first + 1 + nops;
			free(ops);
		}
		optind = first;
	}
	cmd = argv[optind];
	operands = argv + optind + 1;
	noperands = argc - optind - 1;
	if (ctl.socket_path == NULL)
		ctl.socket_path = ctl_default_socket();
	if (strcmp(cmd, "doctor") == 0)
		return doctor_run(&ctl, conf_path);
	if (strcmp(cmd, "login") == 0)
		return login_run(&ctl, conf_path, opt_password_stdin);
	if (ctl_connect(&ctl) == -1)
		return EXIT_NO_DAEMON;

	if (strcmp(cmd, "status") == 0)
		return cmd_status();
	if (strcmp(cmd, "calls") == 0)
		return cmd_calls();
	if (strcmp(cmd, "show") == 0)
		return cmd_show(ARG(0));
	if (strcmp(cmd, "devices") == 0)
		return cmd_list("devices.list");
	if (strcmp(cmd, "queues") == 0)
		return cmd_list("queues.list");
	if (strcmp(cmd, "resync") == 0)
		return cmd_simple("resync", NULL);
	if (strcmp(cmd, "watch") == 0)
		return cmd_watch();
	if (strcmp(cmd, "search") == 0) {
		NEED(1);
		return cmd_search(ARG(0));
	}
	if (strcmp(cmd, "favourites") == 0)
		return cmd_favourites(ARG(0), ARG(1));
	if (strcmp(cmd, "dial") == 0) {
		char dest[TELURI_MAX], why[256], *num = NULL;
		int bad;
		NEED(1);
		/* A tel:, callto: or sip: URI (the .desktop handler's %u) or a number. */
		bad = teluri_parse(ARG(0), dest, sizeof(dest), why, sizeof(why));
		/* ... or a name in the directory (issue 22). */
		if (bad == -1 && is_name(ARG(0))) {
			num = resolve_name(ARG(0));
			bad = teluri_parse(num, dest, sizeof(dest), why,
			    sizeof(why));
			free(num);
		}
		if (bad == -1) {
			fprintf(stderr, "dstnyctl: cannot dial \"%.80s\": %s\n",
			    shown(ARG(0)), why);
			return EXIT_USAGE;
		}
		p = json_object_new_object();
		json_object_object_add(p, "destination", json_object_new_string(dest));
		return cmd_action("call.make", NULL, 0, p);
	}
	if (strcmp(cmd, "answer") == 0)
		return cmd_action("call.answer", ARG(0), 1, NULL);
	if (strcmp(cmd, "hangup") == 0 || strcmp(cmd, "hold") == 0 ||
	    strcmp(cmd, "resume") == 0 || strcmp(cmd, "mute") == 0 ||
	    strcmp(cmd, "unmute") == 0 || strcmp(cmd, "park") == 0) {
		char *method = xasprintf("call.%s", cmd);
		int rc = cmd_action(method, ARG(0), 0, NULL);
		free(method);
		return rc;
	}
	if (strcmp(cmd, "move") == 0) {
		NEED(1);
		opt_device = ARG(1) != NULL ? ARG(1) : ARG(0);
		return cmd_action("call.move", ARG(1) != NULL ? ARG(0) : NULL, 0, NULL);
	}
	if (strcmp(cmd, "transfer") == 0 || strcmp(cmd, "consult") == 0) {
		NEED(2);
		p = json_object_new_object();
		/* DEST may be a name in the directory (issue 22). */
		if (is_name(ARG(1))) {
			char *num = resolve_name(ARG(1));
			json_object_object_add(p, "destination",
			    json_object_new_string(num));
			free(num);
		} else
			json_object_object_add(p, "destination",
			    json_object_new_string(ARG(1)));
		if (opt_blind)
			json_object_object_add(p, "blind", json_object_new_boolean(1));
		return cmd_action(cmd[0] == 't' ? "call.transfer" : "call.consult",
		    ARG(0), 0, p);
	}
	if (strcmp(cmd, "dtmf") == 0) {
		NEED(2);
		p = json_object_new_object();
		json_object_object_add(p, "digits", json_object_new_string(ARG(1)));
		return cmd_action("call.dtmf", ARG(0), 0, p);
	}
	if (strcmp(cmd, "record") == 0) {
		NEED(2);
		p = json_object_new_object();
		json_object_object_add(p, "action", json_object_new_string(ARG(1)));
		return cmd_action("call.record", ARG(0), 0, p);
	}
	if (strcmp(cmd, "queue") == 0) {
		NEED(2);
		if (strcmp(ARG(0), "login") != 0 && strcmp(ARG(0), "logout") != 0)
			usage();
		p = json_object_new_object();
		json_object_object_add(p, "queue", json_object_new_int64(
		    strtoll(ARG(1), NULL, 10)));
		return cmd_simple(strcmp(ARG(0), "login") == 0 ? "queue.login" :
		    "queue.logout", p);
	}
	if (strcmp(cmd, "linestate") == 0) {
		NEED(2);
		if (strcmp(ARG(0), "set") != 0 && strcmp(ARG(0), "clear") != 0)
			usage();
		if (strcmp(ARG(0), "set") == 0)
			NEED(3);
		p = json_object_new_object();
		json_object_object_add(p, "externalId", json_object_new_string(ARG(1)));
		if (strcmp(ARG(0), "set") == 0) {
			long long when;
			when = ARG(2)[0] == '+' ? (long long)time(NULL) +
			    strtoll(ARG(2) + 1, NULL, 10) : strtoll(ARG(2), NULL, 10);
			json_object_object_add(p, "expiresOn", json_object_new_int64(when));
			return cmd_simple("linestate.set", p);
		}
		return cmd_simple("linestate.clear", p);
	}
	/* issue 21: history and presence */
	if (strcmp(cmd, "history") == 0) {
		if (ARG(0) == NULL)
			return cmd_history();
		if (strcmp(ARG(0), "seen") == 0 || strcmp(ARG(0), "delete") == 0) {
			if (strcmp(ARG(0), "delete") == 0)
				NEED(2);
			return cmd_history_change(ARG(0), operands + 1,
			    noperands - 1);
		}
		usage();
	}
	if (strcmp(cmd, "presence") == 0) {
		if (ARG(0) == NULL)
			return cmd_presence_show();
		NEED(2);
		if (strcmp(ARG(0), "set") == 0)
			return cmd_presence_set(ARG(1));
		if (strcmp(ARG(0), "shortcut") == 0) {
			struct json_object *reply, *r;
			p = json_object_new_object();
			json_object_object_add(p, "shortcut",
			    json_object_new_string(ARG(1)));
			reply = call_method("presence.apply", p);
			r = result_or_exit(reply);
			if (ctl.json)
				print_json(r);
			else	/* what the shortcut did, in words */
				printf("%s\n", str(r, "done"));
			json_object_put(reply);
			return EXIT_OK;
		}
		usage();
	}
	if (strcmp(cmd, "dnd") == 0) {
		NEED(1);
		if (strcmp(ARG(0), "on") != 0 && strcmp(ARG(0), "off") != 0)
			usage();
		return cmd_dnd(strcmp(ARG(0), "on") == 0);
	}
	/* issue 21 parts 3-5: forwarding, caller ID, voicemail settings */
	if (strcmp(cmd, "forward") == 0) {
		if (ARG(0) == NULL)
			return cmd_forward_show();
		if (strcmp(ARG(0), "off") == 0)
			return cmd_forward_change(ARG(1), NULL);
		NEED(2);
		return cmd_forward_change(ARG(0), ARG(1));
	}
	if (strcmp(cmd, "callerid") == 0) {
		if (ARG(0) == NULL)
			return cmd_callerid_show();
		NEED(2);
		if (strcmp(ARG(0), "set") != 0)
			usage();
		return cmd_callerid_set(ARG(1), ARG(2));
	}
	if (strcmp(cmd, "voicemail") == 0) {
		if (ARG(0) == NULL)
			return cmd_voicemail_show();
		NEED(2);
		if (strcmp(ARG(0), "set") != 0)
			usage();
		return cmd_voicemail_set(operands + 1, noperands - 1);
	}
	fprintf(stderr, "dstnyctl: unknown command \"%s\"\n", cmd);
	usage();
}
