/* secret.h: tokens and passwords, kept out of every log line. */
#ifndef DSTNY_SECRET_H
#define DSTNY_SECRET_H

#include <stddef.h>

/*
 * A secret is opaque: it is not a char *, so passing one to a printf-style
 * log helper is a -Wformat error. Its value is read only where it goes on
 * the wire (secret_value()). As a second line of defence every live secret
 * is registered, and log lines are scrubbed of any registered value.
 */
struct secret;

struct secret	*secret_new(const char *value, size_t len);
void		 secret_free(struct secret *);
int		 secret_equal(const struct secret *, const struct secret *);
size_t		 secret_len(const struct secret *);
/* The raw value, for HTTP headers only. Never log it. */
const char	*secret_value(const struct secret *);
/* Read a secret from the first line of an open file descriptor. */
struct secret	*secret_from_fd(int fd, char *err, size_t errlen);

/* Replace every live secret in the NUL-terminated buf with "[redacted]". */
void		 secret_redact(char *buf, size_t bufsize);
/* Overwrite len bytes in a way the compiler cannot drop. */
void		 secret_wipe(void *, size_t len);

#endif
