/*
 * keyring-tool.c: what test-keyring.py does to the real gnome-keyring
 * that dstnyd and a person would not: lock the default collection, and
 * unlock it with its password without a prompt (gnome-keyring's own
 * UnlockWithMasterPassword, which its tests use; a desktop shows a
 * prompt instead).
 *
 *     keyring-tool lock
 *     keyring-tool unlock PASSWORD
 *     keyring-tool twin DOMAIN USER PASSWORD
 *
 * twin stores a second item that dstnyd's search finds too (its three
 * attributes and one more), as a second client or collection would.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <systemd/sd-bus.h>

#include "keyring.h"

static int
fail(const char *what, sd_bus_error *e, int r)
{
	fprintf(stderr, "keyring-tool: %s: %s\n", what,
	    e->message != NULL ? e->message : strerror(-r));
	return 1;
}

int
main(int argc, char *argv[])
{
	sd_bus		*bus = NULL;
	sd_bus_error	 e = SD_BUS_ERROR_NULL;
	sd_bus_message	*reply = NULL, *m = NULL;
	const char	*coll, *session;
	char		 path[256];
	int		 r;

	if (argc < 2 || (strcmp(argv[1], "unlock") == 0 && argc != 3) ||
	    (strcmp(argv[1], "twin") == 0 && argc != 5)) {
		fprintf(stderr, "usage: keyring-tool lock | unlock PASSWORD | "
		    "twin DOMAIN USER PASSWORD\n");
		return 2;
	}
	if ((r = sd_bus_open_user(&bus)) < 0)
		return fail("session bus", &e, r);
	if ((r = sd_bus_call_method(bus, KEYRING_BUS_NAME, KEYRING_PATH,
	    KEYRING_IFACE ".Service", "ReadAlias", &e, &reply, "s",
	    "default")) < 0 || (r = sd_bus_message_read(reply, "o", &coll)) < 0)
		return fail("ReadAlias", &e, r);
	snprintf(path, sizeof(path), "%s", coll);
	reply = sd_bus_message_unref(reply);
	if (strcmp(argv[1], "lock") == 0) {
		if ((r = sd_bus_call_method(bus, KEYRING_BUS_NAME, KEYRING_PATH,
		    KEYRING_IFACE ".Service", "Lock", &e, NULL, "ao", 1,
		    path)) < 0)
			return fail("Lock", &e, r);
		sd_bus_flush_close_unref(bus);
		return 0;
	}
	if ((r = sd_bus_call_method(bus, KEYRING_BUS_NAME, KEYRING_PATH,
	    KEYRING_IFACE ".Service", "OpenSession", &e, &reply, "sv", "plain",
	    "s", "")) < 0 || (r = sd_bus_message_skip(reply, "v")) < 0 ||
	    (r = sd_bus_message_read(reply, "o", &session)) < 0)
		return fail("OpenSession", &e, r);
	if (strcmp(argv[1], "twin") == 0) {
		if ((r = sd_bus_message_new_method_call(bus, &m,
		    KEYRING_BUS_NAME, path, KEYRING_IFACE ".Collection",
		    "CreateItem")) < 0 ||
		    (r = sd_bus_message_append(m, "a{sv}", 2,
		    KEYRING_IFACE ".Item.Label", "s", "dstnyd twin",
		    KEYRING_IFACE ".Item.Attributes", "a{ss}", 4,
		    "application", "dstnyd", "domain", argv[2], "user", argv[3],
		    "twin", "1")) < 0 ||
		    (r = sd_bus_message_open_container(m, 'r', "oayays")) < 0 ||
		    (r = sd_bus_message_append(m, "o", session)) < 0 ||
		    (r = sd_bus_message_append_array(m, 'y', NULL, 0)) < 0 ||
		    (r = sd_bus_message_append_array(m, 'y', argv[4],
		    strlen(argv[4]))) < 0 ||
		    (r = sd_bus_message_append(m, "s", "text/plain")) < 0 ||
		    (r = sd_bus_message_close_container(m)) < 0 ||
		    (r = sd_bus_message_append(m, "b", 1)) < 0 ||
		    (r = sd_bus_call(bus, m, 0, &e, NULL)) < 0)
			return fail("CreateItem", &e, r);
		sd_bus_message_unref(m);
		sd_bus_message_unref(reply);
		sd_bus_flush_close_unref(bus);
		return 0;
	}
	if ((r = sd_bus_message_new_method_call(bus, &m, KEYRING_BUS_NAME,
	    KEYRING_PATH, "org.gnome.keyring.InternalUnsupportedGuiltRidden"
	    "Interface", "UnlockWithMasterPassword")) < 0 ||
	    (r = sd_bus_message_append(m, "o", path)) < 0 ||
	    (r = sd_bus_message_open_container(m, 'r', "oayays")) < 0 ||
	    (r = sd_bus_message_append(m, "o", session)) < 0 ||
	    (r = sd_bus_message_append_array(m, 'y', NULL, 0)) < 0 ||
	    (r = sd_bus_message_append_array(m, 'y', argv[2],
	    strlen(argv[2]))) < 0 ||
	    (r = sd_bus_message_append(m, "s", "text/plain")) < 0 ||
	    (r = sd_bus_message_close_container(m)) < 0 ||
	    (r = sd_bus_call(bus, m, 0, &e, NULL)) < 0)
		return fail("UnlockWithMasterPassword", &e, r);
	sd_bus_message_unref(m);
	sd_bus_message_unref(reply);
	sd_bus_flush_close_unref(bus);
	return 0;
}
