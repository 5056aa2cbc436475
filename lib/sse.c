/* sse.c: EventSource framing: any chunking, CRLF/LF/CR, comments, id, retry. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "sse.h"
#include "xmalloc.h"

struct sse {
	sse_event_cb	 cb;
	void		*arg;
	struct buf	 line;
	struct buf	 data;
	struct buf	 type;
	char		*last_id;
	long		 retry_ms;
	unsigned long	 comments;	/* comment lines read */
	int		 after_cr;	/* last byte was CR: a following LF is eaten */
	int		 bom_seen;	/* bytes of a leading BOM matched so far, or 3 */
};

static const unsigned char sse_bom[3] = { 0xef, 0xbb, 0xbf };

struct sse *
sse_new(sse_event_cb cb, void *arg)
{
	struct sse	*s = xcalloc(1, sizeof(*s));

	s->cb = cb;
	s->arg = arg;
	s->last_id = xstrdup("");
	s->retry_ms = -1;
	buf_init(&s->line);
	buf_init(&s->data);
	buf_init(&s->type);
	return s;
}

void
sse_free(struct sse *s)
{
	if (s == NULL)
		return;
	buf_free(&s->line);
	buf_free(&s->data);
	buf_free(&s->type);
	free(s->last_id);
	free(s);
}

void
sse_reset(struct sse *s)
{
	buf_reset(&s->line);
	buf_reset(&s->data);
	buf_reset(&s->type);
	s->after_cr = 0;
	s->bom_seen = 0;
}

const char *
sse_last_id(const struct sse *s)
{
	return s->last_id;
}

unsigned long
sse_comments(const struct sse *s)
{
	return s->comments;
}

long
sse_retry_ms(const struct sse *s)
{
	return s->retry_ms;
}

static void
sse_dispatch(struct sse *s)
{
	struct sse_event	ev;

	if (s->data.len == 0) {
		buf_reset(&s->type);
		return;
	}
	/* Drop the '\n' that the last data: line added. */
	s->data.data[--s->data.len] = '\0';
	ev.type = s->type.len > 0 ? s->type.data : "message";
	ev.data = s->data.data;
	ev.datalen = s->data.len;
	ev.id = s->last_id;
	s->cb(&ev, s->arg);
	buf_reset(&s->data);
	buf_reset(&s->type);
}

static int
sse_field(struct sse *s, const char *field, const char *value, size_t vlen)
{
	size_t	i;
	long	ms = 0;

	if (strcmp(field, "data") == 0) {
		if (s->data.len + vlen + 1 > SSE_MAX_EVENT)
			return -1;
		buf_add(&s->data, value, vlen);
		buf_addc(&s->data, '\n');
	} else if (strcmp(field, "event") == 0) {
		buf_reset(&s->type);
		buf_add(&s->type, value, vlen);
	} else if (strcmp(field, "id") == 0) {
		if (memchr(value, '\0', vlen) == NULL) {
			free(s->last_id);
			s->last_id = xstrndup(value, vlen);
		}
	} else if (strcmp(field, "retry") == 0) {
		for (i = 0; i < vlen; i++) {
			if (value[i] < '0' || value[i] > '9')
				return 0;
			if (ms < 86400000)	/* cap at a day */
				ms = ms * 10 + (value[i] - '0');
		}
		if (vlen > 0)
			s->retry_ms = ms;
	}
	/* Other fields are ignored. */
	return 0;
}

static int
sse_line(struct sse *s)
{
	const char	*line = s->line.data, *colon, *value;
	char		*field;
	size_t		 len = s->line.len, vlen;
	int		 rc;

	if (len == 0) {
		sse_dispatch(s);
		return 0;
	}
	if (line[0] == ':') {
		s->comments++;		/* a comment: a keepalive, perhaps */
		return 0;
	}
	if ((colon = memchr(line, ':', len)) != NULL) {
		field = xstrndup(line, (size_t)(colon - line));
		value = colon + 1;
		if (value < line + len && *value == ' ')
			value++;
		vlen = (size_t)(line + len - value);
	} else {
		field = xstrndup(line, len);
		value = "";
		vlen = 0;
	}
	/* A field name with a NUL cannot match any of ours: xstrndup cut it. */
	if (strlen(field) != (colon != NULL ? (size_t)(colon - line) : len))
		rc = 0;
	else
		rc = sse_field(s, field, value, vlen);
	free(field);
	return rc;
}

static int
sse_bytes(struct sse *s, const char *p, size_t len)
{
	const char	*end = p + len, *eol;

	while (p < end) {
		if (s->after_cr) {
			s->after_cr = 0;
			if (*p == '\n') {
				p++;
				continue;
			}
		}
		for (eol = p; eol < end && *eol != '\n' && *eol != '\r'; eol++)
			;
		if (s->line.len + (size_t)(eol - p) > SSE_MAX_EVENT)
			return -1;
		buf_add(&s->line, p, (size_t)(eol - p));
		if (eol == end)
			break;
		s->after_cr = *eol == '\r';
		p = eol + 1;
		if (sse_line(s) == -1)
			return -1;
		buf_reset(&s->line);
	}
	return 0;
}

/* Between events a stream holds no buffers: most streams are idle. */
static void
sse_release(struct buf *b)
{
	if (b->len == 0 && b->data != NULL)
		buf_free(b);
}

int
sse_feed(struct sse *s, const char *p, size_t len)
{
	size_t	n;

	/* A UTF-8 BOM at the very start of the stream is not part of it. */
	while (s->bom_seen < 3 && len > 0) {
		if ((unsigned char)*p != sse_bom[s->bom_seen]) {
			n = (size_t)s->bom_seen;
			s->bom_seen = 3;
			if (n > 0 && sse_bytes(s, (const char *)sse_bom, n) == -1)
				goto fail;
			break;
		}
		s->bom_seen++;
		p++;
		len--;
	}
	if (sse_bytes(s, p, len) == 0) {
		sse_release(&s->line);
		sse_release(&s->data);
		sse_release(&s->type);
		return 0;
	}
fail:
	sse_reset(s);
	return -1;
}
