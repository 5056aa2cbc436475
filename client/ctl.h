/* ctl.h: dstnyctl's shared pieces: the socket client, output, exit codes. */
#ifndef DSTNYCTL_H
#define DSTNYCTL_H

#include <stddef.h>

struct json_object;

/* Exit codes (dstnyctl(1)): daemon errors are 10 + the socket's code. */
#define EXIT_OK			0
#define EXIT_FAILURE_		1	/* anything else */
#define EXIT_USAGE		2
#define EXIT_NO_DAEMON		3	/* the socket cannot be reached */
#define EXIT_PROTOCOL		4	/* an answer that is not JSON-RPC */
#define EXIT_DAEMON(code)	(10 + (code))	/* 11 StateConflict ... 19 Timeout */

struct ctl {
	const char	*socket_path;
	const char	*user;
	int		 json;
	int		 fd;
	int		 quiet;		/* ctl_connect() prints nothing */
	int		 connect_errno;	/* why ctl_connect() failed */
	int		 next_id;
	char		*buf;
	size_t		 len;
	size_t		 cap;
};

int			 ctl_connect(struct ctl *);
/* Send a request and wait for its answer; notifications are skipped. */
struct json_object	*ctl_request(struct ctl *, const char *method,
			    struct json_object *params);
/* The next line from the daemon (a notification after subscribe); NULL at EOF. */
struct json_object	*ctl_read(struct ctl *);
/* Print an error answer on stderr; returns the exit code for it. */
int			 ctl_error(struct json_object *reply);
char			*ctl_default_socket(void);

int			 doctor_run(struct ctl *, const char *conf_path);
/* dstnyctl login: store ctl->user's password in the keyring. */
int			 login_run(struct ctl *, const char *conf_path,
			    int from_stdin);

#endif
