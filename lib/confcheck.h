/* confcheck.h: what dstnyd checks at start without the network. */
#ifndef DSTNY_CONFCHECK_H
#define DSTNY_CONFCHECK_H

#include <stddef.h>

struct conf;
struct conf_user;

/*
 * Each returns 0, or -1 with err set to one line that names the key (or
 * the file) and what to do. dstnyd runs them at start and for
 * --check-config, dstnyctl doctor when no daemon runs: one wording.
 */

/*
 * u's credential file (or $CREDENTIALS_DIRECTORY's) exists, is a regular
 * file, readable by us, by nobody in group or others, and not empty.
 * main is the [auth] user, whose keys [user] sections inherit. When the
 * file cannot be opened, errno says why (EACCES: not ours to read).
 */
int	conf_check_credentials(const struct conf_user *u,
	    const struct conf_user *main, char *err, size_t errlen);
/* [events] listen resolves to an address of this host that can be bound. */
int	conf_check_listen(const struct conf *, char *err, size_t errlen);
/*
 * [socket] path can be made: its directory exists and is writable, or
 * can be made; for the /tmp fallback it is private. *live is set when a
 * dstnyd already answers on it (then it is not an error here).
 */
int	conf_check_socket(const struct conf *, int *live, char *err,
	    size_t errlen);
/* The /tmp/dstnyd-<uid> fallback directory is ours alone (lstat, 0700). */
int	conf_check_private_dir(const char *dir, char *err, size_t errlen);

#endif
