/* popup.c: screen pop: [popup] rules open a URL or run a program, never through a shell. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>

#include "desktop.h"
#include "log.h"
#include "xmalloc.h"

extern char	**environ;

/* The three events, as indexes of desk_call.fired. */
static const unsigned popup_events[3] = {
	DESK_ON_RINGING, DESK_ON_ANSWERED, DESK_ON_ENDED
};
static const char *const popup_event_names[3] = {
	"ringing", "answered", "ended"
};

/* Start argv with stdin from /dev/null, in a session of its own; 0 or errno. */
static int
popup_spawn(char *const argv[])
{
	posix_spawn_file_actions_t	 fa;
	posix_spawnattr_t		 attr;
	sigset_t			 none, dfl;
	pid_t				 pid;
	int				 r;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawnattr_init(&attr);
	sigemptyset(&none);
	sigemptyset(&dfl);
	sigaddset(&dfl, SIGPIPE);
	sigaddset(&dfl, SIGCHLD);
	sigaddset(&dfl, SIGTERM);
	sigaddset(&dfl, SIGINT);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &dfl);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK |
	    POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSID);
	r = posix_spawnp(&pid, argv[0], &fa, &attr, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	if (r == 0)
		log_debug("popup: started %s (pid %ld)", argv[0], (long)pid);
	return r;
}

/* Run one rule for a call (or a notification's copy of one). */
static void
popup_run(const struct desk_popup *r, const struct desk_fields *f,
    const char *why)
{
	char	*url, **argv;
	int	 e;

	log_info("popup \"%s\": %s, call %s", r->name, why,
	    f->call_id != NULL ? f->call_id : "");
	if (r->url != NULL) {
		url = deskconf_url(r, f);
		/* The desktop's handler for the URL; gio where xdg-utils is not. */
		char *xdg[] = { "xdg-open", url, NULL };
		char *gio[] = { "gio", "open", url, NULL };
		if ((e = popup_spawn(xdg)) == ENOENT)
			e = popup_spawn(gio);
		if (e != 0)
			log_warnx("popup \"%s\": cannot open the URL with "
			    "xdg-open or gio: %s", r->name, strerror(e));
		free(url);
		return;
	}
	argv = deskconf_argv(r, f);
	if ((e = popup_spawn(argv)) != 0)
		log_warnx("popup \"%s\": cannot run %s: %s", r->name, argv[0],
		    strerror(e));
	deskconf_argv_free(argv);
}

/*
 * Fire what has not fired yet for the events the call has seen: each rule
 * at most once per call and event. A rule is looked at again on every
 * change, so a filter on a field that comes late (the queue) still works.
 */
void
popup_call_update(struct desk_call *c, int quiet)
{
	struct desk_fields	 f;
	const struct desk_popup	*r;
	size_t			 e, i;

	calls_fields(c, &f);
	for (e = 0; e < 3; e++) {
		if (!(c->events & popup_events[e]))
			continue;
		for (i = 0; i < desk_conf->npopups; i++) {
			r = &desk_conf->popups[i];
			if (!(r->on & popup_events[e]) ||
			    (c->fired[e] & ((uint64_t)1 << i)))
				continue;
			if (quiet) {
				/* Found under way at start: not an event we saw. */
				c->fired[e] |= (uint64_t)1 << i;
				continue;
			}
			if (!deskconf_match(r, &f))
				continue;
			c->fired[e] |= (uint64_t)1 << i;
			popup_run(r, &f, popup_event_names[e]);
		}
	}
}

/* A notification's default action: every rule whose filters take the call. */
void
popup_default(const struct desk_fields *f)
{
	size_t	i;
	int	n = 0;

	for (i = 0; i < desk_conf->npopups; i++)
		if (deskconf_match(&desk_conf->popups[i], f)) {
			popup_run(&desk_conf->popups[i], f, "default action");
			n++;
		}
	if (n == 0)
		log_info("popup: no [popup] rule for call %s", f->call_id);
}
