/* keyring.c: the Secret Service items of dstnyd: their attributes, and reading a secret. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <systemd/sd-bus.h>

#include "keyring.h"
#include "secret.h"

int
keyring_append_attributes(sd_bus_message *m, const char *domain,
    const char *user)
{
	return sd_bus_message_append(m, "a{ss}", 3,
	    "application", KEYRING_APPLICATION, "domain", domain, "user", user);
}

struct secret *
keyring_read_secret(sd_bus_message *m, char *why, size_t len)
{
	const void	*value;
	const char	*item, *session, *type;
	size_t		 n = 0;
	int		 r;

	if ((r = sd_bus_message_enter_container(m, 'a', "{o(oayays)}")) < 0 ||
	    (r = sd_bus_message_enter_container(m, 'e', "o(oayays)")) < 0) {
		snprintf(why, len, "%s", strerror(-r));
		return NULL;
	}
	if (r == 0) {
		snprintf(why, len, "no secret in the answer (locked?)");
		return NULL;
	}
	if ((r = sd_bus_message_read(m, "o", &item)) < 0 ||
	    (r = sd_bus_message_enter_container(m, 'r', "oayays")) < 0 ||
	    (r = sd_bus_message_read(m, "o", &session)) < 0 ||
	    (r = sd_bus_message_skip(m, "ay")) < 0 ||	/* plain: no parameters */
	    (r = sd_bus_message_read_array(m, 'y', &value, &n)) < 0 ||
	    (r = sd_bus_message_read(m, "s", &type)) < 0) {
		snprintf(why, len, "%s", strerror(-r));
		return NULL;
	}
	if (n == 0) {
		snprintf(why, len, "the stored password is empty");
		return NULL;
	}
	return secret_new(value, n);
}
