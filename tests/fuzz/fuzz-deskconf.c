/* fuzz-deskconf.c: desktop.conf, and its templates expanded for a hostile call. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "deskconf.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char			 err[512], *url, **argv;
	struct desk_conf	*c;
	struct desk_fields	 f = { "+46 70;$(x)", "{name}\n\"'%", "c{1}",
				    "q&a", 1, "u" };
	size_t			 i;

	if ((c = deskconf_parse((const char *)data, size, "fuzz.conf", err,
	    sizeof(err))) == NULL)
		return 0;
	for (i = 0; i < c->npopups; i++) {
		(void)deskconf_match(&c->popups[i], &f);
		url = deskconf_url(&c->popups[i], &f);
		argv = deskconf_argv(&c->popups[i], &f);
		free(url);
		deskconf_argv_free(argv);
	}
	deskconf_free(c);
	return 0;
}
