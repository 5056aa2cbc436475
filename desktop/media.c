/* media.c: pause MPRIS 2.2 players that are playing during calls, play exactly those again after. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "desktop.h"
#include "log.h"
#include "xmalloc.h"

#define MPRIS_PREFIX	"org.mpris.MediaPlayer2."
#define MPRIS_PATH	"/org/mpris/MediaPlayer2"
#define MPRIS_PLAYER	"org.mpris.MediaPlayer2.Player"

static char	**media_paused;		/* the players we paused */
static size_t	  media_npaused;
static int	  media_scanning;	/* a ListNames is on its way */
static int	  media_rescan;		/* another call wants one after it */

/* A call now wants the music off (answered, or ringing with pause = ringing). */
static int
media_call_wants(const struct desk_call *c)
{
	switch (desk_conf->pause) {
	case DESK_PAUSE_ANSWERED:
		return c->ever_active;
	case DESK_PAUSE_RINGING:
		return c->ever_active || (c->events & DESK_ON_RINGING);
	default:
		return 0;
	}
}

static int
media_wanted(void)
{
	struct desk_call	*c;

	TAILQ_FOREACH(c, &desk_calls, entry)
		if (media_call_wants(c))
			return 1;
	return 0;
}

static int
media_is_paused(const char *name)
{
	size_t	i;

	for (i = 0; i < media_npaused; i++)
		if (strcmp(media_paused[i], name) == 0)
			return 1;
	return 0;
}

static void
media_free_name(void *arg)
{
	free(arg);
}

static int
media_done_cb(sd_bus_message *m, void *arg, sd_bus_error *ret_error)
{
	const sd_bus_error	*e = sd_bus_message_get_error(m);

	if (e != NULL)
		log_warnx("media: %s: %s", (const char *)arg, e->message != NULL ?
		    e->message : e->name);
	return 0;
}

static void
media_send(const char *name, const char *method)
{
	sd_bus_message	*m = NULL;
	int		 r;

	log_info("media: %s %s", method, name);
	if ((r = sd_bus_message_new_method_call(desk_bus, &m, name, MPRIS_PATH,
	    MPRIS_PLAYER, method)) < 0 ||
	    (r = desk_call_async(m, media_done_cb, xasprintf("%s %s", method,
	    name), media_free_name)) < 0)
		log_warnx("media: %s %s: %s", method, name, strerror(-r));
	sd_bus_message_unref(m);
}

/* PlaybackStatus of one player: Playing (and a call still on) -> Pause. */
static int
media_status_cb(sd_bus_message *m, void *arg, sd_bus_error *ret_error)
{
	const char	*name = arg, *status;

	if (sd_bus_message_is_method_error(m, NULL) ||
	    sd_bus_message_read(m, "v", "s", &status) < 0)
		return 0;
	if (strcmp(status, "Playing") != 0 || media_is_paused(name) ||
	    !media_wanted())
		return 0;
	media_paused = xreallocarray(media_paused, media_npaused + 1,
	    sizeof(*media_paused));
	media_paused[media_npaused++] = xstrdup(name);
	media_send(name, "Pause");
	return 0;
}

static void	media_scan(void);

static int
media_names_cb(sd_bus_message *m, void *arg, sd_bus_error *ret_error)
{
	sd_bus_message	*q;
	const char	*name;
	int		 r;

	media_scanning = 0;
	if (sd_bus_message_is_method_error(m, NULL) ||
	    sd_bus_message_enter_container(m, 'a', "s") < 0)
		return 0;
	while (sd_bus_message_read(m, "s", &name) > 0) {
		if (strncmp(name, MPRIS_PREFIX, strlen(MPRIS_PREFIX)) != 0)
			continue;
		q = NULL;
		if ((r = sd_bus_message_new_method_call(desk_bus, &q, name,
		    MPRIS_PATH, "org.freedesktop.DBus.Properties", "Get")) < 0 ||
		    (r = sd_bus_message_append(q, "ss", MPRIS_PLAYER,
		    "PlaybackStatus")) < 0 ||
		    (r = desk_call_async(q, media_status_cb, xstrdup(name),
		    media_free_name)) < 0)
			log_warnx("media: %s: %s", name, strerror(-r));
		sd_bus_message_unref(q);
	}
	if (media_rescan) {
		media_rescan = 0;
		media_scan();
	}
	return 0;
}

static void
media_scan(void)
{
	int	r;

	if (media_scanning) {
		media_rescan = 1;
		return;
	}
	if ((r = sd_bus_call_method_async(desk_bus, NULL, "org.freedesktop.DBus",
	    "/org/freedesktop/DBus", "org.freedesktop.DBus", "ListNames",
	    media_names_cb, NULL, "")) < 0) {
		log_warnx("media: ListNames: %s", strerror(-r));
		return;
	}
	media_scanning = 1;
}

/*
 * A call changed. Each call that wants quiet looks once, when it starts
 * to; players that start playing later in a call are the user's choice.
 */
void
media_call_update(struct desk_call *c)
{
	if (c->media_seen || !media_call_wants(c))
		return;
	c->media_seen = 1;
	media_scan();
}

/* A call went: after the last one, play what we paused, and only that. */
void
media_call_gone(void)
{
	size_t	i;

	if (!TAILQ_EMPTY(&desk_calls) || media_npaused == 0)
		return;
	for (i = 0; i < media_npaused; i++) {
		media_send(media_paused[i], "Play");
		free(media_paused[i]);
	}
	free(media_paused);
	media_paused = NULL;
	media_npaused = 0;
}

void
media_stop(void)
{
	size_t	i;

	for (i = 0; i < media_npaused; i++)
		free(media_paused[i]);
	free(media_paused);
	media_paused = NULL;
	media_npaused = 0;
}
