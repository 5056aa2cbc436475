/* main.c: dstnyd: options, configuration, signals, systemd notification. */
#include "config.h"

#include <sys/prctl.h>
#include <sys/resource.h>

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <systemd/sd-daemon.h>

#include "confcheck.h"
#include "dstnyd.h"
#include "log.h"
#include "xmalloc.h"

#define SHUTDOWN_MSEC	1800	/* SIGTERM must be done within 2 s */
#define STATUS_NAMED	4	/* users STATUS= names; beyond, it counts */

struct event_base	*dbase;
struct http		*dhttp;
struct conf		*dconf;
struct duser_list	 dusers = TAILQ_HEAD_INITIALIZER(dusers);

static char		*conf_path;
static int		 notified_ready;
static int		 stopping;
static unsigned		 next_user_n;
static size_t		 users_stopping;
static struct event	*watchdog_ev;
static char		*last_status;
static int		 exit_status;

uint64_t
now_usec(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static void
usage(void)
{
	fprintf(stderr, "usage: dstnyd [-d] [-c file] [--check-config] [--version]\n");
	exit(2);
}

/*
 * STATUS= for systemctl status; READY=1 once the name is owned and fetched.
 * A few users are named ("alice@example.com: online"); more are counted
 * ("1000 users: 998 online, 2 degraded"): one line whatever their number,
 * and no list of every user rebuilt at each user's change.
 */
void
daemon_status_changed(void)
{
	struct duser	*u;
	struct buf	 b;
	unsigned	 count[USTATE_UNAUTHORIZED + 1] = { 0 }, n = 0, s;
	const char	*sep;
	int		 all_ready = 1;

	buf_init(&b);
	TAILQ_FOREACH(u, &dusers, entry) {
		count[u->state]++;
		n++;
		/*
		 * A user waiting for the keyring is settled too: the keyring
		 * may unlock long after the session started, and the unit
		 * must not time out meanwhile (doc/keyring.md).
		 */
		if (!u->ready && !u->kr.waiting)
			all_ready = 0;
	}
	if (n == 0)
		buf_printf(&b, "no users");
	else if (n <= STATUS_NAMED) {
		TAILQ_FOREACH(u, &dusers, entry)
			buf_printf(&b, "%s%s@%s: %s", b.len ? ", " : "", u->user,
			    u->domain, user_state_name(u->state));
	} else {
		buf_printf(&b, "%u users", n);
		for (s = 0, sep = ":"; s <= USTATE_UNAUTHORIZED; s++) {
			if (count[s] == 0)
				continue;
			buf_printf(&b, "%s %u %s", sep, count[s], user_state_name(s));
			sep = ",";
		}
	}
	if (!bus_ready()) {
		buf_printf(&b, "%swaiting for the D-Bus name", b.len ? "; " : "");
		all_ready = 0;
	}
	if (last_status == NULL || strcmp(last_status, b.data) != 0) {
		notify_send("STATUS=%s", b.data);
		free(last_status);
		last_status = xstrdup(b.data);
	}
	if (all_ready && !notified_ready && !stopping) {
		notified_ready = 1;
		log_info("ready: %s", b.data);
		notify_send("READY=1");
	}
	buf_free(&b);
}

static void
watchdog_cb(evutil_socket_t fd, short what, void *arg)
{
	notify_send("WATCHDOG=1");
}

static void
shutdown_deadline_cb(evutil_socket_t fd, short what, void *arg)
{
	log_warnx("shutdown: the Core did not answer in time; exiting anyway");
	event_base_loopexit(dbase, NULL);
}

static void
user_stopped_cb(void *arg)
{
	if (--users_stopping == 0)
		event_base_loopexit(dbase, NULL);
}

static void
daemon_shutdown(void)
{
	struct duser	*u;
	struct timeval	 tv = { 0, SHUTDOWN_MSEC * 1000 };

	if (stopping)
		return;
	stopping = 1;
	notify_send("STOPPING=1");
	log_info("stopping: deleting webhooks and tickets");
	event_base_once(dbase, -1, EV_TIMEOUT, shutdown_deadline_cb, NULL, &tv);
	users_stopping = 1;
	TAILQ_FOREACH(u, &dusers, entry)
		u->stopping = 1;	/* none of them starts now */
	TAILQ_FOREACH(u, &dusers, entry) {
		users_stopping++;
		user_stop(u, user_stopped_cb, NULL);
	}
	user_stopped_cb(NULL);
}

/*
 * Before any secret is read: no core dump, and no ptrace or /proc/<pid>/mem
 * by other processes of our uid, holds the tickets or the password
 * (LimitCORE=0 in the units says the same). Descriptors: the soft limit
 * up to the hard one, so that slow clients run into the listeners' caps,
 * not into EMFILE (daemon/hooks.c, daemon/rpc.c).
 */
static void
process_harden(void)
{
	struct rlimit	rl;

	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == -1)
		log_warn("prctl(PR_SET_DUMPABLE)");
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
			log_warn("setrlimit(RLIMIT_NOFILE)");
	}
}

void
daemon_fail(void)
{
	exit_status = 1;
	daemon_shutdown();
}

static int
users_add(const struct conf *conf, const struct conf_user *cu, char *err,
    size_t errlen)
{
	struct duser	*u;

	if ((u = user_new(conf, cu, next_user_n, err, errlen)) == NULL)
		return -1;
	next_user_n++;
	TAILQ_INSERT_TAIL(&dusers, u, entry);
	bus_user_added(u);
	user_start(u);
	return 0;
}

static struct duser *
users_find(const char *domain, const char *user)
{
	struct duser	*u;

	TAILQ_FOREACH(u, &dusers, entry)
		if (strcmp(u->domain, domain) == 0 && strcmp(u->user, user) == 0)
			return u;
	return NULL;
}

static const struct conf_user *
conf_user_listed(const struct conf *conf, const struct duser *u)
{
	size_t	i;

	for (i = 0; i < conf->nusers; i++)
		if (strcmp(conf->users[i].domain, u->domain) == 0 &&
		    strcmp(conf->users[i].user, u->user) == 0)
			return &conf->users[i];
	return NULL;
}

static void
removed_user_stopped_cb(void *arg)
{
	struct duser	*u = arg;

	user_free(u);
}

/* SIGHUP: read the file again; users come and go, the rest stays. */
static void
daemon_reload(void)
{
	struct conf		*nc;
	const struct conf_user	*cu;
	struct duser		*u, *next;
	char			 err[1024];
	size_t			 i;

	log_info("reloading %s", conf_path);
	if ((nc = conf_load(conf_path, err, sizeof(err))) == NULL) {
		log_warnx("reload refused, keeping the running configuration: %s",
		    err);
		return;
	}
	if (strcmp(nc->base_url, dconf->base_url) != 0 ||
	    strcmp(nc->socket_path, dconf->socket_path) != 0 ||
	    nc->bus != dconf->bus || conf_transport(nc) != conf_transport(dconf) ||
	    (nc->listen == NULL) != (dconf->listen == NULL) ||
	    (nc->listen != NULL && strcmp(nc->listen, dconf->listen) != 0))
		log_warnx("reload: base_url, socket, bus, transport and listen "
		    "changes need a restart; users are reloaded");
	for (u = TAILQ_FIRST(&dusers); u != NULL; u = next) {
		next = TAILQ_NEXT(u, entry);
		if ((cu = conf_user_listed(nc, u)) != NULL) {
			if (cu->owner != u->owner)
				log_info("reload: %s@%s has another owner",
				    u->user, u->domain);
			u->owner = cu->owner;
			continue;
		}
		log_info("reload: %s@%s no longer monitored", u->user, u->domain);
		TAILQ_REMOVE(&dusers, u, entry);
		bus_user_removed(u);
		user_stop(u, removed_user_stopped_cb, u);
	}
	for (i = 0; i < nc->nusers; i++) {
		if (users_find(nc->users[i].domain, nc->users[i].user) != NULL)
			continue;
		log_info("reload: now monitoring %s@%s", nc->users[i].user,
		    nc->users[i].domain);
		if (users_add(dconf, &nc->users[i], err, sizeof(err)) == -1)
			log_warnx("reload: %s", err);
	}
	conf_free(nc);
	daemon_status_changed();
}

/*
 * What the start needs and the network does not: the credential files,
 * the socket's directory, the webhook listener's address. With live set,
 * the socket answers already: a running dstnyd holds it and (we assume)
 * the listen address, so those two are not errors for --check-config.
 */
static int
daemon_check(const struct conf *c, int *live, char *err, size_t errlen)
{
	size_t	i;

	for (i = 0; i < c->nusers; i++)
		if (conf_check_credentials(&c->users[i], &c->users[0], err,
		    errlen) == -1)
			return -1;
	if (conf_check_socket(c, live, err, errlen) == -1)
		return -1;
	if (!*live && conf_check_listen(c, err, errlen) == -1)
		return -1;
	return 0;
}

/* The bus cannot be reached: say which bus, and what to do. */
static void
daemon_bus_failed(const struct conf *c, const char *err)
{
	if (c->bus == CONF_BUS_SESSION)
		fatalx("%s; there is no session bus here (a root shell, ssh, or "
		    "a service outside the user's session): run dstnyd as the "
		    "user service (systemctl --user start dstnyd), set "
		    "DBUS_SESSION_BUS_ADDRESS, or set [dbus] bus = system or "
		    "none in %s", err, c->path);
	fatalx("%s; is dbus running (systemctl status dbus)? Or set [dbus] "
	    "bus = none in %s", err, c->path);
}

static void
signal_cb(evutil_socket_t sig, short what, void *arg)
{
	if (sig == SIGHUP)
		daemon_reload();
	else {
		log_info("signal %d", (int)sig);
		daemon_shutdown();
	}
}

/* The options; the configuration file's path made absolute. */
static int
main_options(int argc, char *argv[], int *debug)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check-config", no_argument, NULL, 'C' },
		{ "debug", no_argument, NULL, 'd' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char	*real;
	int	 ch, check = 0;

	while ((ch = getopt_long(argc, argv, "c:dh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			free(conf_path);
			conf_path = xstrdup(optarg);
			break;
		case 'C': check = 1; break;
		case 'd': *debug = 1; break;
		case 'V':
			printf("dstnyd %s\n", DSTNY_VERSION);
			exit(0);
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	if (conf_path == NULL)
		conf_path = conf_default_path(geteuid() == 0);
	/* Absolute: status tells dstnyctl doctor which file this is. */
	if ((real = realpath(conf_path, NULL)) != NULL) {
		free(conf_path);
		conf_path = real;
	}
	return check;
}

/* --check-config: the file, and whether a dstnyd runs with it. */
static int
main_check_config(void)
{
	char	err[1024];
	int	live, rc = 0;

	if (daemon_check(dconf, &live, err, sizeof(err)) == -1) {
		fprintf(stderr, "dstnyd: %s: %s\n", conf_path, err);
		rc = 1;
	} else {
		printf("%s: valid\n", conf_path);
		if (live)
			printf("%s: a dstnyd answers on %s: the socket and "
			    "the listen address were not tried\n", conf_path,
			    dconf->socket_path);
	}
	conf_free(dconf);
	free(conf_path);
	return rc;
}

/* What starting needs that the syntax check does not: credentials. */
static int
main_preflight(void)
{
	char	err[1024];
	size_t	n;

	for (n = 0; n < dconf->nusers; n++)
		if (conf_check_credentials(&dconf->users[n], &dconf->users[0],
		    err, sizeof(err)) == -1) {
			fprintf(stderr, "dstnyd: %s: %s\n", conf_path, err);
			return -1;
		}
	if (dconf->insecure)
		log_warnx("insecure = true: the Core's TLS certificate is NOT "
		    "verified");
	if (conf_transport(dconf) == CONF_TRANSPORT_WEBHOOK &&
	    conf_public_url_plain(dconf))
		log_warnx("[events] public_url is plain http:// on a host that is "
		    "not loopback: webhooks and their targetIds are not "
		    "encrypted on the way (use https:// through a TLS proxy)");
	return 0;
}

/* The event loop and the HTTP client every user shares. */
static void
main_loop_new(void)
{
	struct event_config	*evcfg;
	struct http_opts	 hopts;

	/*
	 * With a changelist, the add/delete/modify of one descriptor within
	 * one loop pass becomes one epoll_ctl(2) or none: evhttp alone made
	 * four per webhook request (make bench, strace -c). Nothing here
	 * dup(2)s a descriptor it hands to libevent, the case the changelist
	 * gets wrong.
	 */
	if ((evcfg = event_config_new()) == NULL)
		fatalx("out of memory");
	event_config_set_flag(evcfg, EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST);
	dbase = event_base_new_with_config(evcfg);
	event_config_free(evcfg);
	if (dbase == NULL)
		fatalx("libevent: no event base");
	hopts = (struct http_opts){
		.timeout_ms = dconf->timeout_ms, .ca_file = dconf->ca_file,
		.insecure = dconf->insecure, .keepalive = dconf->tcp_keepalive,
		.method_override = dconf->method_override, .max_retries = 2,
	};
	dhttp = http_new(dbase, &hopts);
}

/* The listeners, the bus, the users, the signals and the watchdog. */
static void
main_start(struct event *sig_ev[3])
{
	static const int	 sigs[3] = { SIGTERM, SIGINT, SIGHUP };
	char			 err[1024];
	uint64_t		 wd_usec;
	struct timeval		 tv;
	size_t			 n;
	int			 i;

	listen_init();
	if (rpc_listen(dconf, err, sizeof(err)) == -1)
		fatalx("[socket] path: %s", err);
	if (conf_transport(dconf) == CONF_TRANSPORT_WEBHOOK &&
	    hooks_listen(dconf, err, sizeof(err)) == -1) {
		conf_check_listen(dconf, err, sizeof(err));	/* says why */
		fatalx("%s", err);
	}
	if (bus_open(dconf, err, sizeof(err)) == -1)
		daemon_bus_failed(dconf, err);
	for (n = 0; n < dconf->nusers; n++)
		if (users_add(dconf, &dconf->users[n], err, sizeof(err)) == -1)
			fatalx("%s", err);
	for (i = 0; i < 3; i++) {
		sig_ev[i] = evsignal_new(dbase, sigs[i], signal_cb, NULL);
		evsignal_add(sig_ev[i], NULL);
	}
	if (sd_watchdog_enabled(0, &wd_usec) > 0) {
		watchdog_ev = event_new(dbase, -1, EV_PERSIST, watchdog_cb, NULL);
		tv.tv_sec = (time_t)(wd_usec / 2 / 1000000);
		tv.tv_usec = (suseconds_t)(wd_usec / 2 % 1000000);
		event_add(watchdog_ev, &tv);
	}
	daemon_status_changed();
}

/* After the loop: free everything, in the reverse order of main_start(). */
static void
main_free(struct event *sig_ev[3])
{
	struct duser	*u;
	int		 i;

	while ((u = TAILQ_FIRST(&dusers)) != NULL) {
		TAILQ_REMOVE(&dusers, u, entry);
		user_free(u);
	}
	user_keepalive_free();
	streams_free();
	contacts_free();
	trim_free();
	rpc_close();
	hooks_close();
	listen_free();
	keyring_free();
	bus_close();
	http_free(dhttp);
	for (i = 0; i < 3; i++)
		event_free(sig_ev[i]);
	if (watchdog_ev != NULL)
		event_free(watchdog_ev);
	notify_flush();	/* STOPPING=1 and the last STATUS=, if they wait */
	notify_free();
	event_base_free(dbase);
	conf_free(dconf);
	free(conf_path);
	free(last_status);
}

int
main(int argc, char *argv[])
{
	struct event	*sig_ev[3];
	char		 err[1024];
	int		 check, debug = 0;

	check = main_options(argc, argv, &debug);
	log_init("dstnyd", debug);
	process_harden();
	if ((dconf = conf_load(conf_path, err, sizeof(err))) == NULL) {
		fprintf(stderr, "dstnyd: %s\n", err);
		return 1;
	}
	if (check)
		return main_check_config();
	if (main_preflight() == -1)
		return 1;
	signal(SIGPIPE, SIG_IGN);
	main_loop_new();
	main_start(sig_ev);
	event_base_dispatch(dbase);
	main_free(sig_ev);
	log_info("stopped");
	return exit_status;
}
