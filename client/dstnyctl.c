/* dstnyctl.c: the command line for dstnyd, over its Unix socket (like mmcli or nmcli). */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "callstate.h"
#include "ctl.h"
#include "teluri.h"
#include "xmalloc.h"

static struct ctl	 ctl;
static const char	*opt_device;
static int		 opt_blind;
static int		 opt_password_stdin;

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
	    "  watch\n");
	exit(EXIT_USAGE);
}

static const char *
str(struct json_object *o, const char *key)
{
	return model_str(o, key);
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
	printf("%-14s %-11s %-4s %-22s %-14s %7llds  %s\n", str(c, "callId"),
	    str(c, "status"), model_bool(c, "inbound") ? "in" : "out",
	    model_str(rp, "displayName"), model_str(rp, "displayNumber"),
	    (long long)model_int(c, "duration"), str(c, "path"));
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
		buf_printf(&b, "\n  %s  %s  %s", str(c, "callId"), str(c, "status"),
		    model_str(json_object_object_get(c, "remoteParty"), "displayName"));
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
		printf("dstnyd %s\n", str(r, "version"));
		printf("%-20s %-20s %-13s %-9s %5s %6s\n", "USER", "DOMAIN",
		    "STATE", "TRANSPORT", "CALLS", "QUEUES");
		json_object_object_get_ex(r, "users", &users);
		for (i = 0; i < json_object_array_length(users); i++) {
			u = json_object_array_get_idx(users, i);
			printf("%-20s %-20s %-13s %-9s %5lld %6lld\n",
			    str(u, "userId"), str(u, "domain"), str(u, "state"),
			    str(u, "transport"), (long long)model_int(u, "calls"),
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
			printf("  %-28s %s\n", key, json_object_get_string(val));
		}
		json_object_object_get_ex(c, "remoteParty", &v);
		json_object_object_foreach(v, rk, rv)
			printf("  remoteParty.%-16s %s\n", rk, json_object_get_string(rv));
		json_object_object_get_ex(c, "actions", &v);
		printf("  %-28s", "actions");
		for (i = 0; i < json_object_array_length(v); i++)
			printf(" %s", str(json_object_array_get_idx(v, i), "action"));
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
	const char	*status = str(r, "status"), *event = str(r, "event");

	printf("call %s", str(r, "callId"));
	if (strcmp(method, "call.make") == 0 || strcmp(method, "call.consult") == 0)
		printf(" to %s", model_str(params, "destination"));
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
			    (long long)model_int(e, "id"), str(e, "name"),
			    model_bool(e, "loggedIn") ? "yes" : "no",
			    (long long)model_int(e, "callsWaiting"),
			    (long long)model_int(e, "longestWaiting"),
			    (long long)model_int(e, "freeAgents"));
		}
	} else {
		printf("%-22s %-12s %-24s %s\n", "DEVICE", "TYPE", "NAME", "STATUS");
		for (i = 0; i < json_object_array_length(r); i++) {
			e = json_object_array_get_idx(r, i);
			printf("%-22s %-12s %-24s %s\n", str(e, "deviceId"),
			    str(e, "deviceType"), str(e, "deviceName"),
			    str(e, "deviceStatus"));
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

static void
watch_line(struct json_object *m)
{
	struct json_object	*p, *c;
	const char		*method = str(m, "method");
	char			 when[16];
	time_t			 now = time(NULL);

	strftime(when, sizeof(when), "%H:%M:%S", localtime(&now));
	json_object_object_get_ex(m, "params", &p);
	if (json_object_object_get_ex(p, "call", &c))
		printf("%s %-13s %-14s %-11s %s %s\n", when, method,
		    str(c, "callId"), str(c, "status"),
		    model_str(json_object_object_get(c, "remoteParty"), "displayName"),
		    model_str(json_object_object_get(c, "remoteParty"), "displayNumber"));
	else if (strcmp(method, "call.removed") == 0)
		printf("%s %-13s %-14s (%s)\n", when, method, str(p, "callId"),
		    str(p, "reason"));
	else if (json_object_object_get_ex(p, "queue", &c))
		printf("%s %-13s %-14s waiting %lld, longest %llds, %lld free%s\n",
		    when, method, str(c, "name"),
		    (long long)model_int(c, "callsWaiting"),
		    (long long)model_int(c, "longestWaiting"),
		    (long long)model_int(c, "freeAgents"),
		    model_bool(c, "removed") ? " (removed)" : "");
	else if (strcmp(method, "status.changed") == 0)
		printf("%s %-13s %s: %s\n", when, method, str(p, "user"),
		    str(p, "state"));
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
static const char *
printable(const char *s)
{
	static char	out[81];
	size_t		i;

	for (i = 0; s[i] != '\0' && i < sizeof(out) - 1; i++)
		out[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
	out[i] = '\0';
	return out;
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
		{ "password-stdin", no_argument, NULL, 'P' },
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
		optind = first + 1;
		while ((ch = getopt_long(argc, argv, "ju:s:c:h", longopts, NULL)) != -1) {
			switch (ch) {
			case 'j': ctl.json = 1; break;
			case 'u': ctl.user = optarg; break;
			case 's': ctl.socket_path = optarg; break;
			case 'c': conf_path = optarg; break;
			case 'D': opt_device = optarg; break;
			case 'b': opt_blind = 1; break;
			case 'P': opt_password_stdin = 1; break;
			default:
				usage();
			}
		}
		/* getopt moved the operands to the end: shift them back. */
		{
			int nops = argc - optind, i;
			char **ops = xcalloc((size_t)nops + 1, sizeof(*ops));
			for (i = 0; i < nops; i++)
				ops[i] = argv[optind + i];
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
	if (strcmp(cmd, "dial") == 0) {
		char dest[TELURI_MAX], why[256];
		NEED(1);
		/* A tel:, callto: or sip: URI (the .desktop handler's %u) or a number. */
		if (teluri_parse(ARG(0), dest, sizeof(dest), why, sizeof(why)) == -1) {
			fprintf(stderr, "dstnyctl: cannot dial \"%.80s\": %s\n",
			    printable(ARG(0)), why);
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
		json_object_object_add(p, "destination", json_object_new_string(ARG(1)));
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
	fprintf(stderr, "dstnyctl: unknown command \"%s\"\n", cmd);
	usage();
}
