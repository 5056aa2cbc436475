/* main.c: dstny-desktop: options, the libevent loop, sd-bus driven from it. */
#include "config.h"

#include <sys/wait.h>

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "busloop.h"
#include "desktop.h"
#include "log.h"
#include "xmalloc.h"

struct event_base	*desk_base;
sd_bus			*desk_bus;
struct desk_conf	*desk_conf;

static struct busloop	*desk_loop;
static int		 desk_exit_code;

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: dstny-desktop [-dhnV] [-c file]\n");
	exit(2);
}

/* Arm the loop's events from what sd-bus wants now. */
void
desk_bus_update(void)
{
	busloop_update(desk_loop);
}

static void
desk_bus_lost(void *arg)
{
	log_warnx("bus: the session bus went away; exiting");
	desk_exit_code = 1;
	event_base_loopbreak(desk_base);
}

int
desk_call_async(sd_bus_message *m, sd_bus_message_handler_t cb, void *arg,
    void (*freefn)(void *))
{
	sd_bus_slot	*slot = NULL;
	int		 r;

	if ((r = sd_bus_call_async(desk_bus, &slot, m, cb, arg, 0)) < 0) {
		if (freefn != NULL)
			freefn(arg);
		return r;
	}
	if (freefn != NULL)
		sd_bus_slot_set_destroy_callback(slot, freefn);
	/* The bus holds the slot now; it goes with the reply. */
	sd_bus_slot_set_floating(slot, 1);
	sd_bus_slot_unref(slot);
	desk_bus_update();
	return 0;
}

void
desk_quit(void)
{
	event_base_loopbreak(desk_base);
}

static void
desk_signal_cb(evutil_socket_t sig, short what, void *arg)
{
	log_info("signal %d: exiting", (int)sig);
	desk_quit();
}

/* Screen-pop programs are not waited for; reap them here. */
static void
desk_child_cb(evutil_socket_t sig, short what, void *arg)
{
	pid_t	pid;
	int	status;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
			log_info("child %ld exited with status %d", (long)pid,
			    WEXITSTATUS(status));
		else if (WIFSIGNALED(status))
			log_info("child %ld killed by signal %d", (long)pid,
			    WTERMSIG(status));
		else
			log_debug("child %ld done", (long)pid);
	}
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check-config", no_argument, NULL, 'n' },
		{ "debug", no_argument, NULL, 'd' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct event	*sigterm, *sigint, *sigchld;
	const char	*path = NULL;
	char		 err[1024];
	int		 ch, check = 0, debug = 0, r;

	while ((ch = getopt_long(argc, argv, "c:dhnV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c': path = optarg; break;
		case 'd': debug = 1; break;
		case 'n': check = 1; break;
		case 'V':
			printf("dstny-desktop %s\n", DSTNY_VERSION);
			return 0;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	log_init("dstny-desktop", debug);
	if ((desk_conf = deskconf_load(path, err, sizeof(err))) == NULL) {
		log_warnx("%s", err);
		return 1;
	}
	if (check) {
		printf("%s: OK\n", desk_conf->path);
		deskconf_free(desk_conf);
		return 0;
	}
	signal(SIGPIPE, SIG_IGN);
	if ((desk_base = event_base_new()) == NULL)
		fatalx("event_base_new failed");
	if ((r = sd_bus_open_user(&desk_bus)) < 0) {
		log_warnx("cannot connect to the session bus: %s", strerror(-r));
		return 1;
	}
	desk_loop = busloop_new(desk_base, desk_bus, desk_bus_lost, NULL);
	sigterm = evsignal_new(desk_base, SIGTERM, desk_signal_cb, NULL);
	sigint = evsignal_new(desk_base, SIGINT, desk_signal_cb, NULL);
	sigchld = evsignal_new(desk_base, SIGCHLD, desk_child_cb, NULL);
	evsignal_add(sigterm, NULL);
	evsignal_add(sigint, NULL);
	evsignal_add(sigchld, NULL);

	if (notify_start() == -1 || calls_start() == -1) {
		log_warnx("cannot watch the session bus");
		return 1;
	}
	log_info("started (%s)", desk_conf->path);
	desk_bus_update();
	event_base_dispatch(desk_base);

	calls_stop();
	notify_stop();
	media_stop();
	sd_bus_flush(desk_bus);
	desk_bus = sd_bus_flush_close_unref(desk_bus);
	busloop_free(desk_loop);
	event_free(sigterm);
	event_free(sigint);
	event_free(sigchld);
	event_base_free(desk_base);
	deskconf_free(desk_conf);
	return desk_exit_code;
}
