/* log.c: log helpers; every line passes secret_redact() before it is written. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <sys/stat.h>

#include "log.h"
#include "secret.h"

#define LOG_LINE_MAX	4096

static const char	*log_ident = "dstnyd";
static int		 log_debug_on;
static int		 log_journal;
static FILE		*log_fp;

/* True when systemd connected our stderr to the journal. */
static int
log_stderr_is_journal(void)
{
	const char	*js = getenv("JOURNAL_STREAM");
	unsigned long	 dev, ino;
	struct stat	 st;

	if (js == NULL || sscanf(js, "%lu:%lu", &dev, &ino) != 2)
		return 0;
	if (fstat(fileno(stderr), &st) == -1)
		return 0;
	return st.st_dev == dev && st.st_ino == ino;
}

void
log_init(const char *ident, int debug)
{
	log_ident = ident;
	log_debug_on = debug;
	log_journal = log_stderr_is_journal();
}

void
log_setverbose(int debug)
{
	log_debug_on = debug;
}

void
log_setoutput(FILE *fp)
{
	log_fp = fp;
}

void
vlog(int pri, const char *fmt, va_list ap)
{
	char	 line[LOG_LINE_MAX];
	FILE	*fp = log_fp != NULL ? log_fp : stderr;

	if (pri == LOG_DEBUG && !log_debug_on)
		return;
	vsnprintf(line, sizeof(line), fmt, ap);
	secret_redact(line, sizeof(line));
	if (log_journal)
		fprintf(fp, "<%d>%s\n", pri, line);
	else
		fprintf(fp, "%s: %s\n", log_ident, line);
	fflush(fp);
}

static void LOG_PRINTF(2, 3)
logit(int pri, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vlog(pri, fmt, ap);
	va_end(ap);
}

/* Like vlog(), with ": strerror(saved)" appended. */
static void LOG_PRINTF(3, 0)
vlog_errno(int pri, int saved, const char *fmt, va_list ap)
{
	char	msg[LOG_LINE_MAX];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	logit(pri, "%s: %s", msg, strerror(saved));
}

void
log_warn(const char *fmt, ...)
{
	va_list	ap;
	int	saved = errno;

	va_start(ap, fmt);
	vlog_errno(LOG_WARNING, saved, fmt, ap);
	va_end(ap);
	errno = saved;
}

void
log_warnx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vlog(LOG_WARNING, fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vlog(LOG_INFO, fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vlog(LOG_DEBUG, fmt, ap);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list	ap;
	int	saved = errno;

	va_start(ap, fmt);
	vlog_errno(LOG_CRIT, saved, fmt, ap);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vlog(LOG_CRIT, fmt, ap);
	va_end(ap);
	exit(1);
}
