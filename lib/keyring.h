/* keyring.h: what dstnyd and dstnyctl say to the Secret Service (org.freedesktop.secrets). */
#ifndef DSTNY_KEYRING_H
#define DSTNY_KEYRING_H

#include <stddef.h>

#include <systemd/sd-bus.h>

struct secret;

#define KEYRING_BUS_NAME	"org.freedesktop.secrets"
#define KEYRING_PATH		"/org/freedesktop/secrets"
#define KEYRING_IFACE		"org.freedesktop.Secret"
#define KEYRING_DEFAULT		"/org/freedesktop/secrets/aliases/default"
/* The attribute that marks our items; domain and user name the account. */
#define KEYRING_APPLICATION	"dstnyd"

/* The item's attributes, a{ss}: application=dstnyd, domain, user. */
int		 keyring_append_attributes(sd_bus_message *, const char *domain,
		    const char *user);
/*
 * The first secret of a GetSecrets answer, a{o(oayays)}; NULL with why
 * set when there is none or it is empty. Mark the message sensitive
 * (sd_bus_message_sensitive) before: it holds the value in the clear.
 */
struct secret	*keyring_read_secret(sd_bus_message *, char *why, size_t len);

#endif
