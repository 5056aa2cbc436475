/* teluri.h: what to dial from a tel: (RFC 3966), callto: or sip: URI, or a typed number. */
#ifndef DSTNY_TELURI_H
#define DSTNY_TELURI_H

#include <stddef.h>

#define TELURI_MAX	256	/* the longest destination written */

/*
 * Parse in (as a browser or a user gives it: %-encoded, with visual
 * separators "-.()" and spaces) into the destination for call.make, a
 * canonical URI: "tel:+46701234567", "tel:7042;phone-context=example.com",
 * "tel:+12015550123;ext=1234", "sip:alice@example.com". A sip: URI whose
 * user part is a telephone number (or that says user=phone) becomes a tel:
 * URI. Returns 0, or -1 with a one-line reason in err.
 */
int	teluri_parse(const char *in, char *out, size_t outlen, char *err,
	    size_t errlen);

#endif
