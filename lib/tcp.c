/*
 * tcp.c: the TCP options of every connection to the Core.
 *
 * A Core node that dies without a FIN, or a NAT entry that expires, leaves
 * an idle event stream "connected" and silent. With the kernel's keepalive
 * defaults (7200 s, then 9 probes 75 s apart) that is noticed after two
 * hours and eleven minutes; with 30,10,3 after 60 s. TCP_USER_TIMEOUT
 * bounds the other case, data sent and never acknowledged, by the same
 * figure: with keepalive on, the kernel also uses it to end a connection
 * whose probes go unanswered (tcp(7)), so both agree.
 */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>

#include "tcp.h"

struct tcp_keepalive
tcp_keepalive_get(const struct tcp_keepalive *ka)
{
	struct tcp_keepalive	r = { TCP_KEEPALIVE_IDLE,
				    TCP_KEEPALIVE_INTERVAL, TCP_KEEPALIVE_COUNT };

	if (ka != NULL) {
		if (ka->idle > 0)
			r.idle = ka->idle;
		if (ka->interval > 0)
			r.interval = ka->interval;
		if (ka->count > 0)
			r.count = ka->count;
	}
	return r;
}

/* A number from 1 to max at *sp, then white space; advances *sp. */
static int
tcp_parse_field(const char **sp, long max, int *out)
{
	const char	*s = *sp;
	char		*end;
	long		 n;

	while (*s == ' ' || *s == '\t')
		s++;
	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	n = strtol(s, &end, 10);
	if (errno != 0 || n < 1 || n > max)
		return -1;
	for (s = end; *s == ' ' || *s == '\t'; s++)
		;
	*out = (int)n;
	*sp = s;
	return 0;
}

int
tcp_keepalive_parse(const char *s, struct tcp_keepalive *ka)
{
	struct tcp_keepalive	r;

	if (tcp_parse_field(&s, TCP_KEEPALIVE_SECS_MAX, &r.idle) == -1 ||
	    *s++ != ',' ||
	    tcp_parse_field(&s, TCP_KEEPALIVE_SECS_MAX, &r.interval) == -1 ||
	    *s++ != ',' ||
	    tcp_parse_field(&s, TCP_KEEPALIVE_COUNT_MAX, &r.count) == -1 ||
	    *s != '\0')
		return -1;
	*ka = r;
	return 0;
}

int
tcp_keepalive_set(int fd, const struct tcp_keepalive *want)
{
	struct tcp_keepalive	ka = tcp_keepalive_get(want);
	long long		ms;
	int			user_ms, one = 1;

	ms = ((long long)ka.idle + (long long)ka.interval * ka.count) * 1000;
	user_ms = ms < INT_MAX ? (int)ms : INT_MAX;
	if (setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one)) == -1 ||
	    setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &ka.idle,
	    sizeof(ka.idle)) == -1 ||
	    setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &ka.interval,
	    sizeof(ka.interval)) == -1 ||
	    setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &ka.count,
	    sizeof(ka.count)) == -1 ||
	    setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &user_ms,
	    sizeof(user_ms)) == -1)
		return -1;
	return 0;
}
