/* xmalloc.h: allocation that cannot fail (tmux style): out of memory is fatal. */
#ifndef DSTNY_XMALLOC_H
#define DSTNY_XMALLOC_H

#include <stdarg.h>
#include <stddef.h>

void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xreallocarray(void *, size_t, size_t);
char	*xstrdup(const char *);
char	*xstrndup(const char *, size_t);
char	*xasprintf(const char *, ...) __attribute__((format(printf, 1, 2)));

/* A growable, always NUL-terminated byte string. */
struct buf {
	char	*data;
	size_t	 len;
	size_t	 cap;
};

void	 buf_init(struct buf *);
/* Room for n more bytes in one allocation, where the size is known. */
void	 buf_reserve(struct buf *, size_t);
void	 buf_add(struct buf *, const void *, size_t);
void	 buf_addstr(struct buf *, const char *);
void	 buf_addc(struct buf *, char);
void	 buf_printf(struct buf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	 buf_reset(struct buf *);
/* Hand the string to the caller; the buf is empty afterwards. */
char	*buf_release(struct buf *);
void	 buf_free(struct buf *);

#endif
