/* ctlio.c: dstnyctl's socket client: one JSON-RPC request per line, answers by id. */
#include "config.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "callstate.h"
#include "ctl.h"
#include "xmalloc.h"

char *
ctl_default_socket(void)
{
	const char	*env = getenv("DSTNYD_SOCKET"), *rt;
	char		*own;
	struct stat	 st;

	if (env != NULL && *env != '\0')
		return xstrdup(env);
	/*
	 * Where the daemon puts it (dstnyd.conf(5) [socket] path): the
	 * session daemon's first, then the system one's.
	 */
	if ((rt = getenv("XDG_RUNTIME_DIR")) != NULL && *rt == '/')
		own = xasprintf("%s/dstnyd/dstnyd.sock", rt);
	else
		own = xasprintf("/tmp/dstnyd-%u/dstnyd.sock", (unsigned)getuid());
	if (lstat(own, &st) == 0 && S_ISSOCK(st.st_mode))
		return own;
	if ((lstat("/run/dstnyd/dstnyd.sock", &st) == 0 && S_ISSOCK(st.st_mode)) ||
	    (rt == NULL && geteuid() == 0)) {
		free(own);
		return xstrdup("/run/dstnyd/dstnyd.sock");
	}
	return own;
}

int
ctl_connect(struct ctl *c)
{
	struct sockaddr_un	sun;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(c->socket_path) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "dstnyctl: %s: path too long\n", c->socket_path);
		return -1;
	}
	strcpy(sun.sun_path, c->socket_path);
	if ((c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1 ||
	    connect(c->fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		c->connect_errno = errno;
		if (c->fd != -1)
			close(c->fd);
		c->fd = -1;
		if (!c->quiet)
			fprintf(stderr, "dstnyctl: dstnyd is not running (%s: "
			    "%s)\n", c->socket_path, strerror(c->connect_errno));
		return -1;
	}
	return 0;
}

struct json_object *
ctl_read(struct ctl *c)
{
	struct json_object	*o;
	char			*nl, err[256];
	ssize_t			 n;
	size_t			 linelen;

	for (;;) {
		if (c->buf != NULL && (nl = memchr(c->buf, '\n', c->len)) != NULL) {
			linelen = (size_t)(nl - c->buf);
			o = model_json_parse(c->buf, linelen, err, sizeof(err));
			memmove(c->buf, nl + 1, c->len - linelen - 1);
			c->len -= linelen + 1;
			if (o == NULL) {
				fprintf(stderr, "dstnyctl: bad answer from "
				    "dstnyd: %s\n", err);
				exit(EXIT_PROTOCOL);
			}
			return o;
		}
		if (c->cap - c->len < 65536) {
			c->cap = c->cap * 2 + 65536;
			c->buf = xreallocarray(c->buf, c->cap, 1);
		}
		n = read(c->fd, c->buf + c->len, c->cap - c->len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return NULL;
		c->len += (size_t)n;
	}
}

struct json_object *
ctl_request(struct ctl *c, const char *method, struct json_object *params)
{
	struct json_object	*req = json_object_new_object(), *reply, *id;
	const char		*s;
	size_t			 len, off = 0;
	ssize_t			 n;
	int			 want = ++c->next_id;

	json_object_object_add(req, "jsonrpc", json_object_new_string("2.0"));
	json_object_object_add(req, "method", json_object_new_string(method));
	if (params == NULL)
		params = json_object_new_object();
	if (c->user != NULL && !json_object_object_get_ex(params, "user", NULL))
		json_object_object_add(params, "user",
		    json_object_new_string(c->user));
	json_object_object_add(req, "params", params);
	json_object_object_add(req, "id", json_object_new_int(want));
	s = json_object_to_json_string_ext(req, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE);
	len = strlen(s);
	while (off < len + 1) {
		n = off < len ? write(c->fd, s + off, len - off) :
		    write(c->fd, "\n", 1);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			fprintf(stderr, "dstnyctl: writing to dstnyd: %s\n",
			    strerror(errno));
			exit(EXIT_NO_DAEMON);
		}
		off += (size_t)n;
	}
	json_object_put(req);
	while ((reply = ctl_read(c)) != NULL) {
		if (json_object_object_get_ex(reply, "id", &id) &&
		    json_object_get_int(id) == want)
			return reply;
		json_object_put(reply);	/* a notification */
	}
	fprintf(stderr, "dstnyctl: dstnyd closed the connection\n");
	exit(EXIT_NO_DAEMON);
}

int
ctl_error(struct json_object *reply)
{
	struct json_object	*err, *code, *msg, *data, *name;
	int			 c;

	if (!json_object_object_get_ex(reply, "error", &err))
		return EXIT_OK;
	c = json_object_object_get_ex(err, "code", &code) ?
	    json_object_get_int(code) : -1;
	json_object_object_get_ex(err, "message", &msg);
	if (json_object_object_get_ex(err, "data", &data) &&
	    json_object_object_get_ex(data, "name", &name))
		fprintf(stderr, "dstnyctl: %s (%s)\n", json_object_get_string(msg),
		    strrchr(json_object_get_string(name), '.') + 1);
	else
		fprintf(stderr, "dstnyctl: %s\n", msg != NULL ?
		    json_object_get_string(msg) : "error");
	if (c >= 1 && c <= 9)
		return EXIT_DAEMON(c);
	return c == -32602 || c == -32601 ? EXIT_USAGE : EXIT_FAILURE_;
}
