/* error.c: names and HTTP mapping of the error kinds. */
#include "config.h"

#include <stddef.h>

#include "error.h"

static const struct {
	const char	*name;
	const char	*dbus;
} dstny_errs[] = {
	[DSTNY_OK] = { "", "" },
#define E(k, n) [k] = { n, DSTNY_DBUS_ERROR_PREFIX n }
	E(DSTNY_ERR_STATE_CONFLICT, "StateConflict"),
	E(DSTNY_ERR_ACTION_NOT_ALLOWED, "ActionNotAllowed"),
	E(DSTNY_ERR_NOT_FOUND, "NotFound"),
	E(DSTNY_ERR_INVALID_ARGUMENT, "InvalidArgument"),
	E(DSTNY_ERR_UNAUTHORIZED, "Unauthorized"),
	E(DSTNY_ERR_FORBIDDEN, "Forbidden"),
	E(DSTNY_ERR_OFFLINE, "Offline"),
	E(DSTNY_ERR_UPSTREAM, "Upstream"),
	E(DSTNY_ERR_TIMEOUT, "Timeout"),
#undef E
};

const char *
dstny_err_name(enum dstny_err e)
{
	if ((int)e < 0 || e > DSTNY_ERR_MAX)
		return NULL;
	return dstny_errs[e].name;
}

const char *
dstny_err_dbus_name(enum dstny_err e)
{
	if ((int)e < 0 || e > DSTNY_ERR_MAX)
		return NULL;
	return dstny_errs[e].dbus;
}

enum dstny_err
dstny_err_from_http(long status)
{
	if (status >= 200 && status < 300)
		return DSTNY_OK;
	switch (status) {
	case 400:
		return DSTNY_ERR_INVALID_ARGUMENT;
	case 401:
		return DSTNY_ERR_UNAUTHORIZED;
	case 403:
		return DSTNY_ERR_FORBIDDEN;
	case 404:
		return DSTNY_ERR_NOT_FOUND;
	case 408:
	case 504:
		return DSTNY_ERR_TIMEOUT;
	case 409:
	case 412:
		return DSTNY_ERR_STATE_CONFLICT;
	case 429:
		return DSTNY_ERR_UPSTREAM;
	default:
		/* Other 4xx are ours to fix; report them as bad arguments. */
		if (status >= 400 && status < 500)
			return DSTNY_ERR_INVALID_ARGUMENT;
		return DSTNY_ERR_UPSTREAM;
	}
}
