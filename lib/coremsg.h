/* coremsg.h: the Core's small documents: tickets, errors, expiries, webhook hints. */
#ifndef DSTNY_COREMSG_H
#define DSTNY_COREMSG_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct secret;

/* ticket.create's answer: {expires, name, token, allowedApis}. */
struct ticket_info {
	char		*name;
	struct secret	*token;
	time_t		 expires;	/* 0 when absent or unreadable */
};

int	 ticket_info_parse(const char *, size_t, struct ticket_info *,
	    char *err, size_t errlen);
void	 ticket_info_clear(struct ticket_info *);

/* The first description of {field[], warning[]}; NULL when none. Free it. */
char	*core_error_message(const char *, size_t);

/* The last second that ISO 8601's four-digit year can write: 9999-12-31T23:59:59Z. */
#define ISO8601_MAX	((time_t)253402300799LL)

/*
 * A webhook registration's {expiresOn}: seconds from now (a number) or an
 * ISO 8601 time. Returns the absolute time, at most ISO8601_MAX, or 0 when
 * unreadable or not after now.
 */
time_t	 core_expires_parse(const char *, size_t, time_t now);
/* ISO 8601 "2023-11-10T14:38:39.482+00:00", "...Z", "+01", "+0100"; -1 if bad. */
time_t	 iso8601_parse(const char *);
/*
 * Format t as "YYYY-MM-DDTHH:MM:SSZ" into buf (21 bytes at least); -1 (and
 * buf "") when t is before 1970 or after ISO8601_MAX.
 */
int	 iso8601_format(time_t t, char *buf, size_t len);

/* What a webhook POST body names; only ever a hint (interfaces.md 1.4). */
enum hint_kind {
	HINT_NONE,	/* empty or unreadable: treat as "something changed" */
	HINT_TOKEN,	/* a call's new stateToken */
	HINT_CALLS,	/* a user state or list naming calls */
	HINT_DEVICES,	/* {timeStamp, changedField} */
};

struct hint {
	enum hint_kind	  kind;
	int64_t		  token;	/* HINT_TOKEN */
	char		**call_ids;	/* HINT_CALLS (and HINT_TOKEN with a callId) */
	int64_t		 *tokens;	/* matching call_ids; 0 when absent */
	size_t		  ncalls;
};

void	 hint_parse(const char *, size_t, struct hint *);
/* The same for a user webhook's body, without holding a user state whole. */
void	 hint_parse_user(const char *, size_t, struct hint *);
/*
 * The targetId of a webhook request URI "/hooks/<32 lowercase hex>";
 * 0 with id filled, -1 for any other URI.
 */
int	 hint_target(const char *uri, char id[33]);
void	 hint_clear(struct hint *);

#endif
