/* log.h: OpenBSD-style logging to stderr or, under systemd, the journal. */
#ifndef DSTNY_LOG_H
#define DSTNY_LOG_H

#include <stdarg.h>
#include <stdio.h>

#define LOG_PRINTF(a, b) __attribute__((format(printf, a, b)))

/*
 * Start logging for program ident. With debug set, log_debug() lines are
 * printed too. Under systemd ($JOURNAL_STREAM names our stderr) every
 * line carries a "<N>" priority prefix that the journal understands.
 */
void	log_init(const char *ident, int debug);
void	log_setverbose(int debug);
/* Send lines to fp instead of stderr (tests); NULL restores stderr. */
void	log_setoutput(FILE *fp);

void	log_warn(const char *, ...) LOG_PRINTF(1, 2);
void	log_warnx(const char *, ...) LOG_PRINTF(1, 2);
void	log_info(const char *, ...) LOG_PRINTF(1, 2);
void	log_debug(const char *, ...) LOG_PRINTF(1, 2);
void	vlog(int pri, const char *, va_list) LOG_PRINTF(2, 0);
__attribute__((noreturn)) void fatal(const char *, ...) LOG_PRINTF(1, 2);
__attribute__((noreturn)) void fatalx(const char *, ...) LOG_PRINTF(1, 2);

#endif
