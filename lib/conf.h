/* conf.h: the INI configuration of interfaces.md section 3. */
#ifndef DSTNY_CONF_H
#define DSTNY_CONF_H

#include <sys/types.h>
#include <stddef.h>

#include "tcp.h"

struct routes;

enum conf_transport {
	CONF_TRANSPORT_AUTO,
	CONF_TRANSPORT_WEBHOOK,
	CONF_TRANSPORT_SSE,
};

enum conf_bus {
	CONF_BUS_SESSION,
	CONF_BUS_SYSTEM,
	CONF_BUS_NONE,
};

/* One monitored user: users[0] is [core]/[auth], then each [user "name"]. */
struct conf_user {
	char		*name;		/* "" for the main user */
	char		*domain;
	char		*user;
	char		*token_file;	/* NULL: inherit, then credentials dir */
	char		*password_file;
	int		 keyring;	/* password = keyring: the Secret Service */
	long long	 owner;		/* who controls its calls: a uid, or
					   CONF_OWNER_ROOT (root only) */
};

#define CONF_OWNER_ROOT		(-1LL)	/* nobody but root */
#define CONF_OWNER_UNSET	(-2LL)	/* only while parsing */

/* Parsed configuration; a plain value, read-only after conf_load(). */
struct conf {
	char			*path;

	char			*base_url;	/* without a trailing '/' */
	char			*ca_file;
	int			 insecure;
	long			 timeout_ms;
	int			 method_override;

	char			**apis;
	size_t			 napis;
	char			*ticket_name;
	long			 ticket_expires;

	enum conf_transport	 transport;	/* as written; see conf_transport() */
	char			*listen;
	char			*public_url;	/* without a trailing '/' */
	int			 public_target;
	long			 keepalive;
	struct tcp_keepalive	 tcp_keepalive;	/* of every connection to the Core */

	enum conf_bus		 bus;

	char			*socket_path;
	int			 socket_tmp;	/* the /tmp/dstnyd-<uid> fallback: its
					   directory must be ours alone */
	mode_t			 socket_mode;
	long			 max_clients;

	/* [contacts]: caller names (issue 22) */
	int			 name_lookup;
	long			 name_cache;	/* entries; 0: no cache */
	long			 name_cache_ttl; /* seconds */
	/* favourites followed by their own streams; the rest are polled */
	long			 favourite_streams;

	struct routes		*routes;	/* defaults with [paths] applied */

	struct conf_user	*users;
	size_t			 nusers;
};

/*
 * Read and validate a file. On error returns NULL with err set to
 * "FILE:LINE: [section] key: what is wrong" (LINE left out when the
 * problem is a key that is missing).
 */
struct conf	*conf_load(const char *path, char *err, size_t errlen);
/* The same from memory; name stands for the file in messages. */
struct conf	*conf_parse(const char *text, size_t len, const char *name,
		    char *err, size_t errlen);
void		 conf_free(struct conf *);

/*
 * 1 when webhooks would cross a network unencrypted: public_url is
 * http:// on a host that is not loopback (localhost, 127/8, ::1).
 */
int		 conf_public_url_plain(const struct conf *);
/* auto resolved: webhook when public_url is set, else sse. */
enum conf_transport conf_transport(const struct conf *);
const char	*conf_transport_name(enum conf_transport);
/* $XDG_CONFIG_HOME/dstnyd/dstnyd.conf or /etc/dstnyd/dstnyd.conf; free it. */
char		*conf_default_path(int system);

#endif
