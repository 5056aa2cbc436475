/* fuzz-xml.c: queue statistics and dialog-info XML. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <libxml/parser.h>

#include "directory.h"
#include "utf8.h"
#include "dialog-info.h"
#include "xml.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Every string a parser emits is valid UTF-8 (utf8.h): sd-bus takes it. */
#define VALID(s)	do {						\
	if (!utf8_valid((s), strlen(s)))				\
		__builtin_trap();					\
} while (0)

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char			err[256];
	struct queue_list	q;
	struct dialog_info	di;

	size_t			i, j;

	if (queue_stats_parse_xml((const char *)data, size, &q, err,
	    sizeof(err)) == 0) {
		for (i = 0; i < q.n; i++) {
			VALID(q.v[i].domain);
			VALID(q.v[i].name);
			VALID(q.v[i].type);
			VALID(q.v[i].number);
			for (j = 0; j < q.v[i].npresence; j++)
				VALID(q.v[i].presence[j].name);
		}
		queue_list_free(&q);
	}
	if (dialog_info_parse((const char *)data, size, &di, err,
	    sizeof(err)) == 0) {
		VALID(di.entity);
		for (i = 0; i < di.n; i++) {
			VALID(di.v[i].id);
			VALID(di.v[i].call_id);
			VALID(di.v[i].local_tag);
			VALID(di.v[i].remote_tag);
			VALID(di.v[i].direction);
			VALID(di.v[i].state);
			VALID(di.v[i].event);
			VALID(di.v[i].remote_identity);
		}
		dialog_info_clear(&di);
	}
	xmlResetLastError();
	return 0;
}
