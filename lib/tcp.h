/* tcp.h: the TCP options of every connection to the Core. */
#ifndef DSTNY_TCP_H
#define DSTNY_TCP_H

/*
 * TCP keepalive ([events] tcp_keepalive): probe after idle seconds of
 * silence, every interval seconds, and give up after count unanswered
 * probes. A zero field takes its default (TCP_KEEPALIVE_*).
 */
struct tcp_keepalive {
	int	idle;
	int	interval;
	int	count;
};

#define TCP_KEEPALIVE_IDLE	30
#define TCP_KEEPALIVE_INTERVAL	10
#define TCP_KEEPALIVE_COUNT	3
/* The kernel's limits (TCP_KEEPIDLE, TCP_KEEPINTVL, TCP_KEEPCNT). */
#define TCP_KEEPALIVE_SECS_MAX	32767
#define TCP_KEEPALIVE_COUNT_MAX	127

/* The values in effect: ka's, or the default for each zero field. */
struct tcp_keepalive tcp_keepalive_get(const struct tcp_keepalive *);
/*
 * "IDLE,INTERVAL,COUNT" (white space around the commas allowed) into ka,
 * each within its limit; -1 if it is not that.
 */
int		 tcp_keepalive_parse(const char *, struct tcp_keepalive *);
/*
 * Set SO_KEEPALIVE with ka's timing, and TCP_USER_TIMEOUT to the same
 * idle + interval * count: data left unacknowledged that long ends the
 * connection too. ka NULL: the defaults. 0, or -1 with errno set.
 */
int		 tcp_keepalive_set(int fd, const struct tcp_keepalive *);

#endif
