/* login.c: dstnyctl login: the user's password into the keyring (Secret Service), for password = keyring. */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <json-c/json.h>
#include <systemd/sd-bus.h>

#include "callstate.h"
#include "conf.h"
#include "ctl.h"
#include "keyring.h"
#include "secret.h"
#include "xmalloc.h"

#define LOGIN_PASSWORD_MAX	1024
#define LOGIN_PROMPT_USEC	(300ULL * 1000000)	/* a person types there */

static struct termios	login_tio;	/* as it was */
static struct termios	login_noecho;	/* while the password is typed */
static volatile sig_atomic_t login_tio_saved;

/*
 * A signal while the echo is off: the terminal gets its echo back first.
 * After a stop (^Z, then fg) the prompt is still waiting: echo goes off
 * again, as readpassphrase(3) does.
 */
static void
login_signal(int sig)
{
	int	saved = errno;

	if (login_tio_saved)
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &login_tio);
	signal(sig, SIG_DFL);
	raise(sig);
	if (sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU) {
		if (login_tio_saved)
			tcsetattr(STDIN_FILENO, TCSAFLUSH, &login_noecho);
		signal(sig, login_signal);
	}
	errno = saved;
}

/*
 * One line from stdin into buf: without echo from a terminal (prompt on
 * stderr), as is from a pipe (--password-stdin). The line end is not
 * part of it. -1 with why set.
 */
static int
login_read_password(int from_stdin, const char *who, char *buf, size_t len,
    const char **why)
{
	struct termios	 tio;
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGTSTP };
	size_t		 i, n;
	int		 tty = isatty(STDIN_FILENO), rc = 0;

	if (!from_stdin && !tty) {
		*why = "stdin is not a terminal, so the password cannot be "
		    "asked for without echo; give it on stdin with "
		    "--password-stdin";
		return -1;
	}
	if (tty) {
		if (tcgetattr(STDIN_FILENO, &login_tio) == -1) {
			*why = strerror(errno);
			return -1;
		}
		for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
			signal(sigs[i], login_signal);
		login_tio_saved = 1;
		tio = login_tio;
		tio.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
		tio.c_lflag |= ICANON;
		login_noecho = tio;
		/* Echo off before the prompt: what is typed after it is not shown. */
		if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &tio) == -1) {
			*why = strerror(errno);
			rc = -1;
		}
		fprintf(stderr, "Password for %s: ", who);
		fflush(stderr);
	}
	setvbuf(stdin, NULL, _IONBF, 0);	/* no copy in stdio's buffer */
	if (rc == 0 && fgets(buf, (int)len, stdin) == NULL) {
		*why = "no password given";
		rc = -1;
	}
	if (tty) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &login_tio);
		login_tio_saved = 0;
		fputc('\n', stderr);
		for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
			signal(sigs[i], SIG_DFL);
	}
	if (rc == -1)
		return -1;
	n = strcspn(buf, "\r\n");
	if (buf[n] == '\0' && n == len - 1) {
		*why = "longer than 1023 bytes";
		return -1;
	}
	buf[n] = '\0';
	if (n == 0) {
		*why = "the password is empty";
		return -1;
	}
	return 0;
}

/*
 * What to do about a Secret Service error, in one line: text that stays
 * valid after the error is freed.
 */
static const char *
login_hint(const sd_bus_error *e)
{
	static char	copy[512];

	if (sd_bus_error_has_name(e, SD_BUS_ERROR_SERVICE_UNKNOWN) ||
	    sd_bus_error_has_name(e, SD_BUS_ERROR_NAME_HAS_NO_OWNER) ||
	    strncmp(e->name, "org.freedesktop.DBus.Error.Spawn.", 33) == 0)
		return "nothing provides the Secret Service on the session bus: "
		    "start gnome-keyring or KeePassXC (with its Secret Service "
		    "integration), or use password_file";
	if (sd_bus_error_has_name(e, KEYRING_IFACE ".Error.IsLocked"))
		return "the keyring is locked: unlock it and run dstnyctl login "
		    "again";
	snprintf(copy, sizeof(copy), "%s", e->message);
	return copy;
}

/* Show a prompt (Unlock, CreateItem) and wait for its Completed: 0 done. */
static int
login_prompt(sd_bus *bus, const char *path, const char **why)
{
	sd_bus_error	 e = SD_BUS_ERROR_NULL;
	sd_bus_message	*m = NULL;
	sd_bus_slot	*slot = NULL;
	uint64_t	 deadline;
	int		 r, dismissed = -1;

	if (strcmp(path, "/") == 0)
		return 0;
	if ((r = sd_bus_match_signal(bus, &slot, KEYRING_BUS_NAME, path,
	    KEYRING_IFACE ".Prompt", "Completed", NULL, NULL)) < 0 ||
	    (r = sd_bus_call_method(bus, KEYRING_BUS_NAME, path,
	    KEYRING_IFACE ".Prompt", "Prompt", &e, NULL, "s", "")) < 0) {
		*why = e.message != NULL ? e.message : strerror(-r);
		sd_bus_slot_unref(slot);
		return -1;
	}
	deadline = LOGIN_PROMPT_USEC;
	while (dismissed == -1) {
		if ((r = sd_bus_process(bus, &m)) < 0)
			break;
		if (m != NULL && sd_bus_message_is_signal(m, KEYRING_IFACE
		    ".Prompt", "Completed") && strcmp(sd_bus_message_get_path(m),
		    path) == 0) {
			if (sd_bus_message_read(m, "b", &dismissed) < 0)
				dismissed = 1;
		}
		m = sd_bus_message_unref(m);
		if (r == 0 && dismissed == -1 &&
		    (r = sd_bus_wait(bus, deadline)) <= 0)
			break;
	}
	sd_bus_slot_unref(slot);
	if (dismissed == -1) {
		*why = "no answer from the keyring's prompt";
		return -1;
	}
	if (dismissed) {
		*why = "the prompt was dismissed";
		return -1;
	}
	return 0;
}

/* The default collection, unlocked (a prompt if needed). */
static int
login_collection(sd_bus *bus, char **path, const char **why)
{
	sd_bus_error	 e = SD_BUS_ERROR_NULL;
	sd_bus_message	*reply = NULL;
	const char	*p, *prompt;
	int		 r, locked = 0;

	if ((r = sd_bus_call_method(bus, KEYRING_BUS_NAME, KEYRING_PATH,
	    KEYRING_IFACE ".Service", "ReadAlias", &e, &reply, "s",
	    "default")) < 0 || (r = sd_bus_message_read(reply, "o", &p)) < 0) {
		*why = e.message != NULL ? login_hint(&e) : strerror(-r);
		goto fail;
	}
	if (strcmp(p, "/") == 0) {
		*why = "the keyring has no default collection: make one (in "
		    "Passwords and Keys, or your keyring's settings)";
		goto fail;
	}
	*path = xstrdup(p);
	reply = sd_bus_message_unref(reply);
	if ((r = sd_bus_get_property_trivial(bus, KEYRING_BUS_NAME, *path,
	    KEYRING_IFACE ".Collection", "Locked", &e, 'b', &locked)) < 0) {
		*why = e.message != NULL ? e.message : strerror(-r);
		goto fail;
	}
	if (!locked)
		return 0;
	if ((r = sd_bus_call_method(bus, KEYRING_BUS_NAME, KEYRING_PATH,
	    KEYRING_IFACE ".Service", "Unlock", &e, &reply, "ao", 1,
	    *path)) < 0 || (r = sd_bus_message_skip(reply, "ao")) < 0 ||
	    (r = sd_bus_message_read(reply, "o", &prompt)) < 0) {
		*why = e.message != NULL ? e.message : strerror(-r);
		goto fail;
	}
	if (login_prompt(bus, prompt, why) == -1) {
		fprintf(stderr, "dstnyctl: unlocking the keyring: %s\n", *why);
		*why = "the keyring stays locked: unlock it (Passwords and Keys, "
		    "or log in to the desktop) and run dstnyctl login again";
		goto fail;
	}
	sd_bus_message_unref(reply);
	return 0;
fail:
	sd_bus_error_free(&e);
	sd_bus_message_unref(reply);
	return -1;
}

/* Store password for cu; 0, or -1 with why set. */
static int
login_store(const struct conf_user *cu, const char *password, const char **why)
{
	static char	 msg[512];
	sd_bus		*bus = NULL;
	sd_bus_error	 e = SD_BUS_ERROR_NULL;
	sd_bus_message	*m = NULL, *reply = NULL;
	const char	*session, *prompt;
	char		*coll = NULL, *label;
	int		 r, rc = -1;

	if ((r = sd_bus_open_user(&bus)) < 0) {
		snprintf(msg, sizeof(msg), "no session bus (%s): the keyring "
		    "lives in the user's desktop session", strerror(-r));
		*why = msg;
		return -1;
	}
	if (login_collection(bus, &coll, why) == -1)
		goto out;
	if ((r = sd_bus_call_method(bus, KEYRING_BUS_NAME, KEYRING_PATH,
	    KEYRING_IFACE ".Service", "OpenSession", &e, &reply, "sv", "plain",
	    "s", "")) < 0 || (r = sd_bus_message_skip(reply, "v")) < 0 ||
	    (r = sd_bus_message_read(reply, "o", &session)) < 0) {
		*why = e.message != NULL ? login_hint(&e) : strerror(-r);
		goto out;
	}
	label = xasprintf("dstnyd password for %s@%s", cu->user, cu->domain);
	if ((r = sd_bus_message_new_method_call(bus, &m, KEYRING_BUS_NAME, coll,
	    KEYRING_IFACE ".Collection", "CreateItem")) >= 0)
		r = sd_bus_message_sensitive(m);
	if (r >= 0)
		r = sd_bus_message_open_container(m, 'a', "{sv}");
	if (r >= 0)
		r = sd_bus_message_append(m, "{sv}", KEYRING_IFACE ".Item.Label",
		    "s", label);
	free(label);
	if (r >= 0 && (r = sd_bus_message_open_container(m, 'e', "sv")) >= 0 &&
	    (r = sd_bus_message_append(m, "s", KEYRING_IFACE
	    ".Item.Attributes")) >= 0 &&
	    (r = sd_bus_message_open_container(m, 'v', "a{ss}")) >= 0 &&
	    (r = keyring_append_attributes(m, cu->domain, cu->user)) >= 0 &&
	    (r = sd_bus_message_close_container(m)) >= 0)
		r = sd_bus_message_close_container(m);
	if (r >= 0 && (r = sd_bus_message_close_container(m)) >= 0 &&
	    (r = sd_bus_message_open_container(m, 'r', "oayays")) >= 0 &&
	    (r = sd_bus_message_append(m, "o", session)) >= 0 &&
	    (r = sd_bus_message_append_array(m, 'y', NULL, 0)) >= 0 &&
	    (r = sd_bus_message_append_array(m, 'y', password,
	    strlen(password))) >= 0 &&
	    (r = sd_bus_message_append(m, "s", "text/plain")) >= 0 &&
	    (r = sd_bus_message_close_container(m)) >= 0)
		r = sd_bus_message_append(m, "b", 1);	/* replace ours */
	if (r < 0) {
		*why = strerror(-r);
		goto out;
	}
	reply = sd_bus_message_unref(reply);	/* the session stays ours */
	if ((r = sd_bus_call(bus, m, 0, &e, &reply)) < 0 ||
	    (r = sd_bus_message_skip(reply, "o")) < 0 ||
	    (r = sd_bus_message_read(reply, "o", &prompt)) < 0) {
		*why = e.message != NULL ? login_hint(&e) : strerror(-r);
		goto out;
	}
	if (login_prompt(bus, prompt, why) == -1)
		goto out;
	rc = 0;
out:
	sd_bus_error_free(&e);
	sd_bus_message_unref(m);
	sd_bus_message_unref(reply);
	free(coll);
	sd_bus_flush_close_unref(bus);
	return rc;
}

/* The configuration dstnyd reads: -c, else the running daemon's, else the default. */
static char *
login_conf_path(struct ctl *ctl, const char *conf_path)
{
	struct json_object	*reply, *res;
	char			*path = NULL;

	if (conf_path != NULL)
		return xstrdup(conf_path);
	ctl->quiet = 1;
	if (ctl_connect(ctl) == 0) {
		reply = ctl_request(ctl, "status", NULL);
		if (json_object_object_get_ex(reply, "result", &res) &&
		    *model_str(res, "config") != '\0')
			path = xstrdup(model_str(res, "config"));
		json_object_put(reply);
	}
	return path != NULL ? path : conf_default_path(geteuid() == 0);
}

int
login_run(struct ctl *ctl, const char *conf_path, int from_stdin)
{
	const struct conf_user	*cu = NULL;
	struct conf		*c;
	const char		*why;
	char			 err[1024], who[512], *path, *password;
	size_t			 i;
	int			 rc = EXIT_FAILURE_;

	path = login_conf_path(ctl, conf_path);
	if ((c = conf_load(path, err, sizeof(err))) == NULL) {
		fprintf(stderr, "dstnyctl: %s\n", err);
		free(path);
		return EXIT_FAILURE_;
	}
	for (i = 0; i < c->nusers && cu == NULL; i++)
		if (ctl->user == NULL || strcmp(c->users[i].user, ctl->user) == 0 ||
		    strcmp(c->users[i].name, ctl->user) == 0)
			cu = &c->users[i];
	if (cu == NULL) {
		fprintf(stderr, "dstnyctl: %s monitors no user \"%s\"\n", path,
		    ctl->user);
		goto out;
	}
	snprintf(who, sizeof(who), "%s@%s", cu->user, cu->domain);
	if (!cu->keyring)
		fprintf(stderr, "dstnyctl: note: %s does not set password = "
		    "keyring for %s: dstnyd will not read the keyring for it\n",
		    path, who);
	password = xmalloc(LOGIN_PASSWORD_MAX);
	if (login_read_password(from_stdin, who, password, LOGIN_PASSWORD_MAX,
	    &why) == -1)
		fprintf(stderr, "dstnyctl login: %s\n", why);
	else if (login_store(cu, password, &why) == -1)
		fprintf(stderr, "dstnyctl login: %s: %s\n", who, why);
	else {
		printf("the password of %s is in the keyring; a running dstnyd "
		    "reads it by itself\n", who);
		rc = EXIT_OK;
	}
	secret_wipe(password, LOGIN_PASSWORD_MAX);
	free(password);
out:
	conf_free(c);
	free(path);
	return rc;
}
