/* fuzz-conf.c: the INI configuration and [paths] templates. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "conf.h"
#include "routes.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char		 err[512], *url;
	struct conf	*c;
	struct route_var vars[] = { { "domain", "d" }, { "user", "u" },
	    { "callId", "c" }, { NULL, NULL } };

	if ((c = conf_parse((const char *)data, size, "fuzz.conf", err,
	    sizeof(err))) == NULL)
		return 0;
	url = routes_url(c->routes, c->base_url, ROUTE_STATE_CALL, vars, NULL,
	    err, sizeof(err));
	free(url);
	conf_free(c);
	return 0;
}
