/* ticket.h: the user's API ticket (interfaces.md 1.5): use, create, renew, delete. */
#ifndef DSTNY_TICKET_H
#define DSTNY_TICKET_H

#include <stddef.h>
#include <time.h>

#include "error.h"

struct event_base;
struct http;
struct routes;
struct secret;

struct ticket_conf {
	const char		*base_url;
	const struct routes	*routes;
	const char		*domain;
	const char		*user;
	const char		*token_file;	/* NULL: $CREDENTIALS_DIRECTORY/token */
	const char		*password_file;	/* NULL: $CREDENTIALS_DIRECTORY/password */
	int			 keyring;	/* the password comes later, from the
						   keyring: ticket_set_password() */
	char *const		*apis;
	size_t			 napis;
	const char		*name;		/* ticket name */
	long			 expires;	/* requested lifetime, seconds */
};

struct ticket;

/*
 * Called when a token becomes usable (DSTNY_OK) and when getting one
 * failed (err and a message for the log; never the secret).
 */
typedef void (*ticket_cb)(struct ticket *, enum dstny_err, const char *msg,
    void *arg);

/*
 * Read the credentials now: a token or a password from the configured
 * file or from $CREDENTIALS_DIRECTORY. A file readable by group or others
 * is refused. NULL with err set on failure. base_url, routes, apis and
 * name are kept by reference (a thousand users share them): they must
 * outlive the ticket, as the daemon's configuration does; the rest is
 * copied.
 */
struct ticket	*ticket_new(struct event_base *, struct http *,
		    const struct ticket_conf *, ticket_cb, void *arg,
		    char *err, size_t errlen);
void		 ticket_free(struct ticket *);
/* Get a token: at once with a token file, else through ticket.create. */
void		 ticket_start(struct ticket *);
/* The usable token, or NULL. */
const struct secret *ticket_token(const struct ticket *);
/*
 * Keyring mode: the password, when it was read (consumed). Returns 1 when
 * it differs from the one held before, else 0.
 */
int		 ticket_set_password(struct ticket *, struct secret *);
/* Keyring mode, before the password came: ticket_start() must wait. */
int		 ticket_keyring(const struct ticket *);
/* The Core answered 401: get a new token (or re-read the token file). */
void		 ticket_invalid(struct ticket *);
/* Delete a ticket we created (ticket.delete); done runs when finished. */
void		 ticket_stop(struct ticket *, void (*done)(void *), void *arg);
/* The ticket's name: the one the Core gave, else the one asked for. */
const char	*ticket_name(const struct ticket *);
/* Did we create the ticket (password mode)? */
int		 ticket_owned(const struct ticket *);
/* When the current ticket runs out (0: unknown), and when we renew it. */
time_t		 ticket_expires(const struct ticket *);
time_t		 ticket_renews(const struct ticket *);

/* Read one secret from path, refusing files readable by group or others. */
struct secret	*credential_read(const char *path, char *err, size_t errlen);

#endif
