/* error.h: the error kinds of interfaces.md 2.5, shared by every layer. */
#ifndef DSTNY_ERROR_H
#define DSTNY_ERROR_H

/* The numeric values are the socket protocol's error codes (section 4). */
enum dstny_err {
	DSTNY_OK = 0,
	DSTNY_ERR_STATE_CONFLICT = 1,
	DSTNY_ERR_ACTION_NOT_ALLOWED = 2,
	DSTNY_ERR_NOT_FOUND = 3,
	DSTNY_ERR_INVALID_ARGUMENT = 4,
	DSTNY_ERR_UNAUTHORIZED = 5,
	DSTNY_ERR_FORBIDDEN = 6,
	DSTNY_ERR_OFFLINE = 7,
	DSTNY_ERR_UPSTREAM = 8,
	DSTNY_ERR_TIMEOUT = 9,
};
#define DSTNY_ERR_MAX	DSTNY_ERR_TIMEOUT

#define DSTNY_DBUS_ERROR_PREFIX	"org.dstnyd.Cti1.Error."

/* "StateConflict", ...; "" for DSTNY_OK, NULL when out of range. */
const char	*dstny_err_name(enum dstny_err);
/* "org.dstnyd.Cti1.Error.StateConflict", ... */
const char	*dstny_err_dbus_name(enum dstny_err);
/* Map an HTTP status from the Core to an error kind (1.3). */
enum dstny_err	 dstny_err_from_http(long status);

#endif
