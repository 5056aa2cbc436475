/*
 * fake-desk.c: a recording desktop for the dstny-desktop tests, on the
 * session bus of DBUS_SESSION_BUS_ADDRESS:
 *   fake-desk notify [--no-actions] [--markup]   org.freedesktop.Notifications
 *   fake-desk player NAME STATUS                 org.mpris.MediaPlayer2.NAME
 * Every method call is printed on stdout as one JSON line; the first line
 * is {"ready": ...} once the name is owned. Lines on stdin make signals:
 *   action ID KEY     ActionInvoked(ID, KEY)
 *   close ID REASON   NotificationClosed(ID, REASON)
 * End of stdin ends the program.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <systemd/sd-bus.h>

static sd_bus		*bus;
static uint32_t		 next_id = 1;
static int		 with_actions = 1, with_markup;
static char		 status[32] = "Stopped";

static void
json_str(const char *s)
{
	putchar('"');
	for (; *s != '\0'; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '"' || ch == '\\')
			printf("\\%c", ch);
		else if (ch < 0x20)
			printf("\\u%04x", ch);
		else
			putchar(ch);
	}
	putchar('"');
}

static int
caps_cb(sd_bus_message *m, void *arg, sd_bus_error *e)
{
	sd_bus_message	*reply = NULL;
	int		 r;

	printf("{\"method\": \"GetCapabilities\"}\n");
	fflush(stdout);
	if ((r = sd_bus_message_new_method_return(m, &reply)) < 0)
		return r;
	r = sd_bus_message_append(reply, "as", 3 + with_actions + with_markup,
	    "body", "persistence", "icon-static",
	    with_actions ? "actions" : "body-markup", "body-markup");
	if (r >= 0)
		r = sd_bus_send(NULL, reply, NULL);
	sd_bus_message_unref(reply);
	return r;
}

static int
info_cb(sd_bus_message *m, void *arg, sd_bus_error *e)
{
	return sd_bus_reply_method_return(m, "ssss", "fake-desk", "dstnyd",
	    "1", "1.3");
}

static int
notify_cb(sd_bus_message *m, void *arg, sd_bus_error *e)
{
	const char	*app, *icon, *summary, *body, *s, *key, *contents;
	uint32_t	 replaces, id, u;
	int32_t		 timeout, i;
	uint8_t		 y;
	int		 b, first = 1, r;
	char		 type;

	if ((r = sd_bus_message_read(m, "susss", &app, &replaces, &icon,
	    &summary, &body)) < 0)
		return r;
	id = replaces != 0 ? replaces : next_id++;
	printf("{\"method\": \"Notify\", \"id\": %u, \"app\": ", id);
	json_str(app);
	printf(", \"replaces\": %u, \"icon\": ", replaces);
	json_str(icon);
	printf(", \"summary\": ");
	json_str(summary);
	printf(", \"body\": ");
	json_str(body);
	printf(", \"actions\": [");
	if ((r = sd_bus_message_enter_container(m, 'a', "s")) < 0)
		return r;
	while ((r = sd_bus_message_read(m, "s", &s)) > 0) {
		printf("%s", first ? "" : ", ");
		json_str(s);
		first = 0;
	}
	sd_bus_message_exit_container(m);
	printf("], \"hints\": {");
	first = 1;
	if ((r = sd_bus_message_enter_container(m, 'a', "{sv}")) < 0)
		return r;
	while ((r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
		sd_bus_message_read(m, "s", &key);
		printf("%s", first ? "" : ", ");
		first = 0;
		json_str(key);
		printf(": ");
		sd_bus_message_peek_type(m, &type, &contents);
		if (strcmp(contents, "s") == 0) {
			sd_bus_message_read(m, "v", "s", &s);
			json_str(s);
		} else if (strcmp(contents, "y") == 0) {
			sd_bus_message_read(m, "v", "y", &y);
			printf("%u", y);
		} else if (strcmp(contents, "b") == 0) {
			sd_bus_message_read(m, "v", "b", &b);
			printf("%s", b ? "true" : "false");
		} else if (strcmp(contents, "i") == 0) {
			sd_bus_message_read(m, "v", "i", &i);
			printf("%d", i);
		} else if (strcmp(contents, "u") == 0) {
			sd_bus_message_read(m, "v", "u", &u);
			printf("%u", u);
		} else {
			sd_bus_message_skip(m, "v");
			printf("null");
		}
		sd_bus_message_exit_container(m);
	}
	sd_bus_message_exit_container(m);
	sd_bus_message_read(m, "i", &timeout);
	printf("}, \"timeout\": %d}\n", timeout);
	fflush(stdout);
	return sd_bus_reply_method_return(m, "u", id);
}

static int
close_cb(sd_bus_message *m, void *arg, sd_bus_error *e)
{
	uint32_t	id;
	int		r;

	if ((r = sd_bus_message_read(m, "u", &id)) < 0)
		return r;
	printf("{\"method\": \"CloseNotification\", \"id\": %u}\n", id);
	fflush(stdout);
	sd_bus_emit_signal(bus, "/org/freedesktop/Notifications",
	    "org.freedesktop.Notifications", "NotificationClosed", "uu", id, 3);
	return sd_bus_reply_method_return(m, "");
}

static const sd_bus_vtable notify_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_METHOD("GetCapabilities", "", "as", caps_cb, 0),
	SD_BUS_METHOD("GetServerInformation", "", "ssss", info_cb, 0),
	SD_BUS_METHOD("Notify", "susssasa{sv}i", "u", notify_cb, 0),
	SD_BUS_METHOD("CloseNotification", "u", "", close_cb, 0),
	SD_BUS_SIGNAL("ActionInvoked", "us", 0),
	SD_BUS_SIGNAL("NotificationClosed", "uu", 0),
	SD_BUS_VTABLE_END
};

static int
player_get(sd_bus *b, const char *path, const char *iface, const char *prop,
    sd_bus_message *reply, void *arg, sd_bus_error *e)
{
	return sd_bus_message_append(reply, "s", status);
}

static int
player_method_cb(sd_bus_message *m, void *arg, sd_bus_error *e)
{
	const char	*member = sd_bus_message_get_member(m);

	printf("{\"method\": ");
	json_str(member);
	printf(", \"was\": ");
	json_str(status);
	printf("}\n");
	fflush(stdout);
	if (strcmp(member, "Pause") == 0 && strcmp(status, "Playing") == 0)
		strcpy(status, "Paused");
	else if (strcmp(member, "Play") == 0)
		strcpy(status, "Playing");
	else if (strcmp(member, "Stop") == 0)
		strcpy(status, "Stopped");
	sd_bus_emit_properties_changed(bus, "/org/mpris/MediaPlayer2",
	    "org.mpris.MediaPlayer2.Player", "PlaybackStatus", NULL);
	return sd_bus_reply_method_return(m, "");
}

static const sd_bus_vtable player_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_PROPERTY("PlaybackStatus", "s", player_get, 0,
	    SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_METHOD("Pause", "", "", player_method_cb, 0),
	SD_BUS_METHOD("Play", "", "", player_method_cb, 0),
	SD_BUS_METHOD("PlayPause", "", "", player_method_cb, 0),
	SD_BUS_METHOD("Stop", "", "", player_method_cb, 0),
	SD_BUS_VTABLE_END
};

static const sd_bus_vtable root_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_VTABLE_END
};

static void
command(char *line)
{
	unsigned	id, reason;
	char		key[256];

	if (sscanf(line, "action %u %255s", &id, key) == 2)
		sd_bus_emit_signal(bus, "/org/freedesktop/Notifications",
		    "org.freedesktop.Notifications", "ActionInvoked", "us", id,
		    key);
	else if (sscanf(line, "close %u %u", &id, &reason) == 2)
		sd_bus_emit_signal(bus, "/org/freedesktop/Notifications",
		    "org.freedesktop.Notifications", "NotificationClosed", "uu",
		    id, reason);
}

int
main(int argc, char *argv[])
{
	struct pollfd	 pfd[2];
	char		 line[4096], *name = NULL;
	uint64_t	 until;
	size_t		 len = 0;
	ssize_t		 n;
	int		 r, i, timeout;

	if (argc < 2)
		return 2;
	if ((r = sd_bus_open_user(&bus)) < 0) {
		fprintf(stderr, "fake-desk: %s\n", strerror(-r));
		return 1;
	}
	if (strcmp(argv[1], "notify") == 0) {
		for (i = 2; i < argc; i++) {
			if (strcmp(argv[i], "--no-actions") == 0)
				with_actions = 0;
			else if (strcmp(argv[i], "--markup") == 0)
				with_markup = 1;
		}
		r = sd_bus_add_object_vtable(bus, NULL,
		    "/org/freedesktop/Notifications",
		    "org.freedesktop.Notifications", notify_vtable, NULL);
		name = strdup("org.freedesktop.Notifications");
	} else if (strcmp(argv[1], "player") == 0 && argc == 4) {
		snprintf(status, sizeof(status), "%s", argv[3]);
		r = sd_bus_add_object_vtable(bus, NULL, "/org/mpris/MediaPlayer2",
		    "org.mpris.MediaPlayer2.Player", player_vtable, NULL);
		if (r >= 0)
			r = sd_bus_add_object_vtable(bus, NULL,
			    "/org/mpris/MediaPlayer2", "org.mpris.MediaPlayer2",
			    root_vtable, NULL);
		if (asprintf(&name, "org.mpris.MediaPlayer2.%s", argv[2]) == -1)
			return 1;
	} else
		return 2;
	if (r < 0 || (r = sd_bus_request_name(bus, name, 0)) < 0) {
		fprintf(stderr, "fake-desk: %s: %s\n", name, strerror(-r));
		return 1;
	}
	printf("{\"ready\": ");
	json_str(name);
	printf("}\n");
	fflush(stdout);
	free(name);
	for (;;) {
		while ((r = sd_bus_process(bus, NULL)) > 0)
			;
		if (r < 0)
			return 1;
		pfd[0].fd = sd_bus_get_fd(bus);
		pfd[0].events = (short)sd_bus_get_events(bus);
		pfd[1].fd = 0;
		pfd[1].events = POLLIN;
		timeout = -1;
		if (sd_bus_get_timeout(bus, &until) >= 0 && until != UINT64_MAX)
			timeout = 100;
		if (poll(pfd, 2, timeout) == -1 && errno != EINTR)
			return 1;
		if (pfd[1].revents & (POLLIN | POLLHUP)) {
			if ((n = read(0, line + len, sizeof(line) - 1 - len)) <= 0)
				break;
			len += (size_t)n;
			line[len] = '\0';
			char *nl;
			while ((nl = strchr(line, '\n')) != NULL) {
				*nl = '\0';
				command(line);
				memmove(line, nl + 1, len - (size_t)(nl + 1 - line) + 1);
				len -= (size_t)(nl + 1 - line);
			}
			if (len == sizeof(line) - 1)
				len = 0;
			sd_bus_flush(bus);
		}
	}
	sd_bus_flush_close_unref(bus);
	return 0;
}
