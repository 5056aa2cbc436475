/* fuzz-xml.c: queue statistics and dialog-info XML. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>

#include <libxml/parser.h>

#include "directory.h"
#include "xml.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char			err[256];
	struct queue_list	q;
	struct dialog_info	di;

	if (queue_stats_parse_xml((const char *)data, size, &q, err,
	    sizeof(err)) == 0)
		queue_list_free(&q);
	if (dialog_info_parse((const char *)data, size, &di, err,
	    sizeof(err)) == 0)
		dialog_info_clear(&di);
	xmlResetLastError();
	return 0;
}
