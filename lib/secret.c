/* secret.c: opaque secrets, wiped on free and redacted from logs. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "secret.h"

#define SECRET_MAX	 8192
#define SECRET_MIN_REDACT 4	/* shorter values would redact ordinary words */
#define REDACTED	"[redacted]"

struct secret {
	char		*value;
	size_t		 len;
	struct secret	*next;		/* registry of live secrets */
};

static struct secret	*secret_live;

void
secret_wipe(void *p, size_t len)
{
	explicit_bzero(p, len);
}

struct secret *
secret_new(const char *value, size_t len)
{
	struct secret	*s;

	if (len > SECRET_MAX || memchr(value, '\0', len) != NULL)
		return NULL;
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	if ((s->value = malloc(len + 1)) == NULL) {
		free(s);
		return NULL;
	}
	memcpy(s->value, value, len);
	s->value[len] = '\0';
	s->len = len;
	s->next = secret_live;
	secret_live = s;
	return s;
}

void
secret_free(struct secret *s)
{
	struct secret	**pp;

	if (s == NULL)
		return;
	for (pp = &secret_live; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == s) {
			*pp = s->next;
			break;
		}
	}
	secret_wipe(s->value, s->len);
	free(s->value);
	free(s);
}

int
secret_equal(const struct secret *a, const struct secret *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return a->len == b->len && memcmp(a->value, b->value, a->len) == 0;
}

size_t
secret_len(const struct secret *s)
{
	return s->len;
}

const char *
secret_value(const struct secret *s)
{
	return s->value;
}

struct secret *
secret_from_fd(int fd, char *err, size_t errlen)
{
	char		 buf[SECRET_MAX + 2];
	size_t		 len = 0;
	ssize_t		 n;
	struct secret	*s;

	while (len < sizeof(buf) - 1) {
		n = read(fd, buf + len, sizeof(buf) - 1 - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			snprintf(err, errlen, "read: %s", strerror(errno));
			secret_wipe(buf, sizeof(buf));
			return NULL;
		}
		if (n == 0)
			break;
		len += n;
	}
	if (len > SECRET_MAX) {
		snprintf(err, errlen, "longer than %d bytes", SECRET_MAX);
		secret_wipe(buf, sizeof(buf));
		return NULL;
	}
	buf[len] = '\0';
	/* The first line is the secret; a trailing newline is not part of it. */
	len = strcspn(buf, "\r\n");
	s = len == 0 ? NULL : secret_new(buf, len);
	secret_wipe(buf, sizeof(buf));
	if (s == NULL)
		snprintf(err, errlen, len == 0 ? "empty" :
		    "contains a NUL byte");
	return s;
}

void
secret_redact(char *buf, size_t bufsize)
{
	const struct secret	*s;
	char			*p, *from;
	size_t			 rlen = strlen(REDACTED), off, tail;

	for (s = secret_live; s != NULL; s = s->next) {
		if (s->len < SECRET_MIN_REDACT)
			continue;
		from = buf;
		while ((p = strstr(from, s->value)) != NULL) {
			off = (size_t)(p - buf);
			if (off + rlen >= bufsize) {
				/* No room for the marker: cut the line here. */
				memcpy(p, REDACTED, bufsize - 1 - off);
				buf[bufsize - 1] = '\0';
				break;
			}
			tail = strlen(p + s->len) + 1;
			if (off + rlen + tail > bufsize)
				tail = bufsize - off - rlen;
			memmove(p + rlen, p + s->len, tail);
			memcpy(p, REDACTED, rlen);
			buf[bufsize - 1] = '\0';
			from = p + rlen;
		}
	}
}
