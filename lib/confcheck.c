/* confcheck.c: the start checks that need no network, worded once for dstnyd, --check-config and doctor. */
#include "config.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "confcheck.h"
#include "secret.h"
#include "ticket.h"
#include "xmalloc.h"

/* Where u's credential comes from, as the daemon picks it (ticket_new). */
static char *
confcheck_cred(const struct conf_user *u, const struct conf_user *main,
    const char **key, int *password)
{
	const char	*dir = getenv("CREDENTIALS_DIRECTORY");
	const char	*section = u == main ? "auth" : NULL;
	char		*path;
	static char	 where[256];

	*password = 0;
	*key = NULL;
	if (section == NULL)
		snprintf(where, sizeof(where), "[user \"%s\"]", u->name);
	else
		snprintf(where, sizeof(where), "[auth]");
	if (u->token_file != NULL || u->password_file != NULL) {
		const char *file = u->token_file != NULL ? u->token_file :
		    u->password_file;
		*password = u->token_file == NULL;
		/* A [user] section without credentials inherits [auth]'s. */
		if (u != main && ((main->token_file != NULL &&
		    strcmp(file, main->token_file) == 0) ||
		    (main->password_file != NULL &&
		    strcmp(file, main->password_file) == 0)))
			snprintf(where, sizeof(where), "[auth]");
		snprintf(where + strlen(where), sizeof(where) - strlen(where),
		    " %s", *password ? "password_file" : "token_file");
		*key = where;
		return xstrdup(file);
	}
	if (dir == NULL || *dir == '\0')
		return NULL;
	path = xasprintf("%s/token", dir);
	if (access(path, F_OK) == 0) {
		*key = "credential \"token\" ($CREDENTIALS_DIRECTORY)";
		return path;
	}
	free(path);
	path = xasprintf("%s/password", dir);
	if (access(path, F_OK) == 0) {
		*key = "credential \"password\" ($CREDENTIALS_DIRECTORY)";
		*password = 1;
		return path;
	}
	free(path);
	return NULL;
}

/*
 * password = keyring: the Secret Service is reached on the user's session
 * bus, found as sd-bus finds it. A service outside the user's session (a
 * system service, cron, ssh) has none: say so now, not at the first try.
 */
static int
confcheck_keyring(const struct conf_user *u, const struct conf_user *main,
    char *err, size_t errlen)
{
	const char	*addr = getenv("DBUS_SESSION_BUS_ADDRESS");
	const char	*rt = getenv("XDG_RUNTIME_DIR");
	char		*sock, where[128];
	int		 found;

	if (addr != NULL && *addr != '\0')
		return 0;
	sock = rt != NULL && *rt == '/' ? xasprintf("%s/bus", rt) : NULL;
	found = sock != NULL && access(sock, F_OK) == 0;
	free(sock);
	if (found)
		return 0;
	if (u == main || (u->keyring && main->keyring))
		snprintf(where, sizeof(where), "[auth]");
	else
		snprintf(where, sizeof(where), "[user \"%s\"]", u->name);
	snprintf(err, errlen, "%s password = keyring: no session bus here "
	    "(DBUS_SESSION_BUS_ADDRESS is unset and there is no "
	    "$XDG_RUNTIME_DIR/bus), so no keyring: run dstnyd as the user's "
	    "service (systemctl --user start dstnyd), or use password_file "
	    "(a system service: LoadCredential=password:FILE in its unit)",
	    where);
	return -1;
}

int
conf_check_credentials(const struct conf_user *u, const struct conf_user *main,
    char *err, size_t errlen)
{
	struct stat	 st;
	struct secret	*s;
	const char	*key, *what;
	char		*path, why[512];
	int		 password, fd, rc = -1;

	if (u->keyring)
		return confcheck_keyring(u, main, err, errlen);
	if ((path = confcheck_cred(u, main, &key, &password)) == NULL) {
		snprintf(err, errlen, "%s@%s: no credentials: set password_file "
		    "(or token_file) in %s, or pass a \"password\" credential "
		    "(LoadCredential=password:FILE in the unit)", u->user,
		    u->domain, u == main ? "[auth]" : "its [user] section or [auth]");
		return -1;
	}
	what = password ? "the password" : "the ticket token";
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)) == -1) {
		if (errno == ENOENT)
			snprintf(err, errlen, "%s: %s: no such file; create it "
			    "with `install -m 600 /dev/null %s` and write %s "
			    "on its first line", key, path, path, what);
		else if (errno == EACCES)
			snprintf(err, errlen, "%s: %s: permission denied; it "
			    "must be readable by the user dstnyd runs as (uid "
			    "%u), and by nobody else", key, path,
			    (unsigned)geteuid());
		else
			snprintf(err, errlen, "%s: %s: %s", key, path,
			    strerror(errno));
		rc = -1;
		goto keep_errno;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: %s is %s, not a file; name the file "
		    "that holds %s", key, path, S_ISDIR(st.st_mode) ?
		    "a directory" : "something else", what);
		goto out;
	}
	if (st.st_mode & (S_IRGRP | S_IROTH)) {
		snprintf(err, errlen, "%s: %s is readable by group or others "
		    "(mode %04o), which dstnyd refuses; run `chmod 600 %s`",
		    key, path, (unsigned)(st.st_mode & 07777), path);
		goto out;
	}
	if ((s = secret_from_fd(fd, why, sizeof(why))) == NULL) {
		if (strcmp(why, "empty") == 0)
			snprintf(err, errlen, "%s: %s is empty; write %s on its "
			    "first line", key, path, what);
		else
			snprintf(err, errlen, "%s: %s: %s", key, path, why);
		goto out;
	}
	secret_free(s);
	rc = 0;
out:
	close(fd);
	errno = 0;
keep_errno:
	free(path);
	return rc;
}

int
conf_check_listen(const struct conf *c, char *err, size_t errlen)
{
	struct addrinfo	 hints, *res = NULL, *ai;
	char		*host, *port;
	int		 fd, one = 1, e, rc = 0, saved = 0;

	if (c->listen == NULL || conf_transport(c) != CONF_TRANSPORT_WEBHOOK)
		return 0;
	host = xstrdup(c->listen);
	port = strrchr(host, ':');	/* the syntax is checked by conf.c */
	*port++ = '\0';
	if (host[0] == '[') {
		memmove(host, host + 1, strlen(host));
		host[strlen(host) - 1] = '\0';
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	if ((e = getaddrinfo(host, port, &hints, &res)) != 0) {
		snprintf(err, errlen, "[events] listen: %s: cannot resolve \"%s\": "
		    "%s; use an address of this machine, such as 0.0.0.0:%s",
		    c->listen, host, gai_strerror(e), port);
		free(host);
		return -1;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		if ((fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
		    ai->ai_protocol)) == -1)
			continue;
		/* As evhttp binds: SO_REUSEADDR, so TIME_WAIT does not count. */
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) == -1) {
			saved = errno;
			rc = -1;
		}
		close(fd);
		if (rc == -1)
			break;
	}
	freeaddrinfo(res);
	if (rc == -1) {
		if (saved == EADDRINUSE)
			snprintf(err, errlen, "[events] listen: %s is in use by "
			    "another program (`ss -ltnp 'sport = %s'` names it); "
			    "stop it or choose another port", c->listen, port);
		else if (saved == EADDRNOTAVAIL)
			snprintf(err, errlen, "[events] listen: %s: %s is not an "
			    "address of this machine; use one of its addresses, "
			    "or 0.0.0.0:%s", c->listen, host, port);
		else if (saved == EACCES)
			snprintf(err, errlen, "[events] listen: %s: ports below "
			    "1024 need privileges; choose a port above 1023",
			    c->listen);
		else
			snprintf(err, errlen, "[events] listen: %s: %s", c->listen,
			    strerror(saved));
	}
	free(host);
	return rc;
}

int
conf_check_private_dir(const char *dir, char *err, size_t errlen)
{
	struct stat	st;

	if (lstat(dir, &st) == -1) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	if (S_ISDIR(st.st_mode) && st.st_uid == geteuid() &&
	    (st.st_mode & 07777) == 0700)
		return 0;
	snprintf(err, errlen, "%s is not a private directory (%s, owner uid %u, "
	    "mode %04o; it must be ours with mode 0700): remove it, or set "
	    "XDG_RUNTIME_DIR or [socket] path", dir, S_ISDIR(st.st_mode) ?
	    "a directory" : S_ISLNK(st.st_mode) ? "a symbolic link" :
	    "not a directory", (unsigned)st.st_uid,
	    (unsigned)(st.st_mode & 07777));
	return -1;
}

int
conf_check_socket(const struct conf *c, int *live, char *err, size_t errlen)
{
	struct sockaddr_un	 sun;
	struct stat		 st;
	char			*copy, *dir, *copy2, *up;
	int			 fd, rc = -1;

	*live = 0;
	copy = xstrdup(c->socket_path);
	dir = dirname(copy);
	if (lstat(dir, &st) == -1) {
		if (errno != ENOENT) {
			snprintf(err, errlen, "[socket] path: %s: %s", dir,
			    strerror(errno));
			goto out;
		}
		/* dstnyd makes the last directory (mode 0700), no more. */
		copy2 = xstrdup(dir);
		up = dirname(copy2);
		if (access(up, W_OK | X_OK) == -1) {
			snprintf(err, errlen, "[socket] path: %s cannot be made "
			    "(%s: %s); create it, or choose another path",
			    dir, up, strerror(errno));
			free(copy2);
			goto out;
		}
		free(copy2);
		rc = 0;
		goto out;
	}
	if (c->socket_tmp) {
		if (conf_check_private_dir(dir, err, errlen) == -1)
			goto out;
	} else if (!S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "[socket] path: %s is not a directory", dir);
		goto out;
	}
	if (access(dir, W_OK | X_OK) == -1) {
		snprintf(err, errlen, "[socket] path: %s: cannot create the "
		    "socket there (%s); choose another path", dir,
		    strerror(errno));
		goto out;
	}
	if (lstat(c->socket_path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			snprintf(err, errlen, "[socket] path: %s exists and is "
			    "not a socket; remove it or choose another path",
			    c->socket_path);
			goto out;
		}
		memset(&sun, 0, sizeof(sun));
		sun.sun_family = AF_UNIX;
		snprintf(sun.sun_path, sizeof(sun.sun_path), "%s",
		    c->socket_path);
		if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) != -1) {
			*live = connect(fd, (struct sockaddr *)&sun,
			    sizeof(sun)) == 0;
			close(fd);
		}
	}
	rc = 0;
out:
	free(copy);
	return rc;
}
