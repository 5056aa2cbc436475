/* test-log.c: log lines, journal priorities, and secrets kept out. */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "log.h"
#include "secret.h"
#include "tap.h"

static char	 out[8192];
static FILE	*fp;

static const char *
logged(void)
{
	fflush(fp);
	return out;
}

static void
clear(void)
{
	rewind(fp);
	memset(out, 0, sizeof(out));
}

int
main(void)
{
	struct secret	*tok, *pw, *tiny, *again;
	char		 buf[64], err[128];
	int		 fds[2];

	fp = fmemopen(out, sizeof(out), "w");
	log_init("test", 0);
	log_setoutput(fp);

	log_info("hello %d", 42);
	is_str(logged(), "test: hello 42\n", "info line");
	clear();
	log_debug("hidden");
	is_str(logged(), "", "debug off by default");
	log_setverbose(1);
	log_debug("shown");
	is_str(logged(), "test: shown\n", "debug when verbose");
	clear();
	errno = ENOENT;
	log_warn("open %s", "/x");
	is_str(logged(), "test: open /x: No such file or directory\n",
	    "log_warn adds strerror");
	clear();

	/* Secrets: registered values never reach a line. */
	tok = secret_new("2343.ZSDjndiJSDjksHj", 20);
	pw = secret_new("hunter2hunter2", 14);
	tiny = secret_new("ab", 2);
	log_info("Authorization: Bearer %s; pw=%s%s", secret_value(tok),
	    secret_value(pw), secret_value(pw));
	is_str(logged(), "test: Authorization: Bearer [redacted]; "
	    "pw=[redacted][redacted]\n", "tokens and passwords redacted");
	clear();
	log_info("tab %s", secret_value(tiny));
	is_str(logged(), "test: tab ab\n", "values under 4 bytes are not scrubbed");
	clear();
	again = secret_new("2343.ZSDjndiJSDjksHj", 20);
	ok(secret_equal(tok, again), "secret_equal same value");
	ok(!secret_equal(tok, pw), "secret_equal different value");
	secret_free(again);
	secret_free(tok);
	log_info("after free %s", "2343.ZSDjndiJSDjksHj");
	is_str(logged(), "test: after free 2343.ZSDjndiJSDjksHj\n",
	    "a freed secret leaves the registry");
	clear();

	/* A secret longer than the marker, at the very end of a long line. */
	{
		char big[5000];
		memset(big, 'x', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\0';
		snprintf(big + 4080, sizeof(big) - 4080, "%s", secret_value(pw));
		log_info("%s", big);
		ok(strstr(logged(), "hunter2") == NULL, "secret at the cut of a long line");
		clear();
	}
	secret_redact(strcpy(buf, "dact dact"), sizeof(buf));
	{
		struct secret *d = secret_new("dact", 4);
		strcpy(buf, "dact dact");
		secret_redact(buf, sizeof(buf));
		is_str(buf, "[redacted] [redacted]", "a secret inside the marker terminates");
		secret_free(d);
	}

	/* Reading secrets from files: first line only, empty refused. */
	ok(pipe(fds) == 0, "pipe");
	ok(write(fds[1], "s3cr3t-token\nignored\n", 21) == 21, "write");
	close(fds[1]);
	tok = secret_from_fd(fds[0], err, sizeof(err));
	close(fds[0]);
	ok(tok != NULL && strcmp(secret_value(tok), "s3cr3t-token") == 0 &&
	    secret_len(tok) == 12, "first line read");
	secret_free(tok);
	ok(pipe(fds) == 0, "pipe");
	ok(write(fds[1], "\n", 1) == 1, "write");
	close(fds[1]);
	ok(secret_from_fd(fds[0], err, sizeof(err)) == NULL, "empty secret refused");
	is_str(err, "empty", "empty message");
	close(fds[0]);

	/* Journal priorities: JOURNAL_STREAM names our stderr. */
	{
		char	 path[] = "/tmp/test-log-XXXXXX", js[64], line[256];
		int	 fd = mkstemp(path), saved = dup(2);
		struct stat st;
		FILE	*in;

		dup2(fd, 2);
		fstat(2, &st);
		snprintf(js, sizeof(js), "%lu:%lu", (unsigned long)st.st_dev,
		    (unsigned long)st.st_ino);
		setenv("JOURNAL_STREAM", js, 1);
		log_init("test", 0);
		log_setoutput(NULL);
		log_warnx("careful");
		log_info("fyi");
		dup2(saved, 2);
		in = fopen(path, "r");
		ok(fgets(line, sizeof(line), in) != NULL, "journal line 1");
		is_str(line, "<4>careful\n", "warning has priority 4");
		ok(fgets(line, sizeof(line), in) != NULL, "journal line 2");
		is_str(line, "<6>fyi\n", "info has priority 6");
		fclose(in);
		unlink(path);
		close(fd);
	}

	/* Error names (interfaces.md 2.5) and the socket codes 1..9. */
	is_str(dstny_err_name(DSTNY_ERR_STATE_CONFLICT), "StateConflict", "code 1");
	is_str(dstny_err_name(DSTNY_ERR_TIMEOUT), "Timeout", "code 9");
	is_int(DSTNY_ERR_TIMEOUT, 9, "nine errors");
	is_str(dstny_err_dbus_name(DSTNY_ERR_ACTION_NOT_ALLOWED),
	    "org.dstnyd.Cti1.Error.ActionNotAllowed", "D-Bus error name");
	ok(dstny_err_name(10) == NULL, "out of range");
	is_int(dstny_err_from_http(204), DSTNY_OK, "2xx");
	is_int(dstny_err_from_http(400), DSTNY_ERR_INVALID_ARGUMENT, "400");
	is_int(dstny_err_from_http(401), DSTNY_ERR_UNAUTHORIZED, "401");
	is_int(dstny_err_from_http(403), DSTNY_ERR_FORBIDDEN, "403");
	is_int(dstny_err_from_http(404), DSTNY_ERR_NOT_FOUND, "404");
	is_int(dstny_err_from_http(409), DSTNY_ERR_STATE_CONFLICT, "409");
	is_int(dstny_err_from_http(412), DSTNY_ERR_STATE_CONFLICT, "412");
	is_int(dstny_err_from_http(500), DSTNY_ERR_UPSTREAM, "500");
	is_int(dstny_err_from_http(503), DSTNY_ERR_UPSTREAM, "503");
	is_int(dstny_err_from_http(504), DSTNY_ERR_TIMEOUT, "504");

	secret_free(pw);
	secret_free(tiny);
	fclose(fp);
	return tap_done();
}
