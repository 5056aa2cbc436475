/* test-teluri.c: RFC 3966's examples, what browsers and mail clients send, and garbage. */
#include "config.h"

#include <string.h>

#include "tap.h"
#include "teluri.h"

static void
dials(const char *in, const char *want)
{
	char	out[TELURI_MAX], err[256];

	out[0] = err[0] = '\0';
	if (!ok(teluri_parse(in, out, sizeof(out), err, sizeof(err)) == 0,
	    "accepted: %s", in))
		printf("#   %s\n", err);
	is_str(out, want, in);
}

static void
refuses(const char *in, const char *why)
{
	char	out[TELURI_MAX], err[256];

	err[0] = '\0';
	ok(teluri_parse(in, out, sizeof(out), err, sizeof(err)) == -1,
	    "refused: %s", in);
	is_str(err, why, "  because");
}

int
main(void)
{
	/* RFC 3966 section 6 and its ABNF's cases. */
	dials("tel:+1-201-555-0123", "tel:+12015550123");
	dials("tel:7042;phone-context=example.com", "tel:7042;phone-context=example.com");
	dials("tel:863-1234;phone-context=+1-914-555", "tel:8631234;phone-context=+1914555");
	dials("tel:+1-201-555-0123;ext=1234", "tel:+12015550123;ext=1234");
	dials("tel:+1(201)555.0123;isub=1411", "tel:+12015550123");
	dials("tel:+46 70;a=$(id);flag", "tel:+4670");	/* other parameters dropped */
	dials("tel:*21#;phone-context=example.com", "tel:*21#;phone-context=example.com");
	dials("TEL:+46701234567", "tel:+46701234567");
	dials("tel:1234;PHONE-CONTEXT=Example.COM", "tel:1234;phone-context=example.com");
	/* What browsers and mail clients hand to x-scheme-handler/tel. */
	dials("tel:+46%2070%20123%2045%2067", "tel:+46701234567");
	dials("tel:+46 70-123 45 67", "tel:+46701234567");
	dials("tel:(555)%20123-4567", "tel:5551234567");
	dials("tel:%2B46701234567", "tel:+46701234567");
	dials("tel:+1.555.123.4567", "tel:+15551234567");
	dials("tel:+4631300000;ext=%2012", "tel:+4631300000;ext=12");
	dials("callto://+46701234567", "tel:+46701234567");
	dials("callto:+46 70 123 45 67", "tel:+46701234567");
	dials("sip:alice@example.com", "sip:alice@example.com");
	dials("SIP:bob@Example.COM:5060;transport=tcp?subject=x", "sip:bob@Example.COM:5060");
	dials("sips:carol@example.com", "sip:carol@example.com");
	dials("sip:+46701234567@example.com;user=phone", "tel:+46701234567");
	dials("sip:7042@pbx.example.com", "tel:7042");
	/* Typed by a person. */
	dials("+46 (0)70-123 45 67", "tel:+460701234567");
	dials("  7042 ", "tel:7042");
	dials("dave@example.com", "sip:dave@example.com");

	refuses("", "nothing to dial");
	refuses("tel:", "nothing to dial");
	refuses("tel:+", "not a telephone number (digits, a leading +, and the separators - . ( ) only)");
	refuses("tel:abc", "not a telephone number (digits, a leading +, and the separators - . ( ) only)");
	refuses("tel:+46 70 ; rm -rf /", "a bad parameter (name=value after ';')");
	refuses("tel:+46701234567;ext=", ";ext= must be digits");
	refuses("tel:+46701234567;ext=12a", ";ext= must be digits");
	refuses("tel:7042;phone-context=", ";phone-context= must be +digits or a domain name");
	refuses("tel:7042;phone-context=exa_mple", ";phone-context= must be +digits or a domain name");
	refuses("tel:+4670;phone-context=+46", "a global number (+...) takes no ;phone-context=");
	refuses("tel:+4670;;ext=1", "an empty parameter");
	refuses("tel:%zz", "a broken %-escape");
	refuses("tel:+46%0A70", "a control or non-ASCII character");
	refuses("tel:+46\xc3\xa5" "70", "a control or non-ASCII character");
	refuses("tel:123456789012345678901234567890123", "not a telephone number (digits, a leading +, and the separators - . ( ) only)");
	refuses("mailto:x@example.com", "not a tel:, callto: or sip: URI");
	refuses("javascript:alert(1)", "not a tel:, callto: or sip: URI");
	refuses("callto://skype.user", "callto: names a Skype or Teams user, not a telephone number");
	refuses("sip:@example.com", "a SIP address needs user@host");
	refuses("sip:alice@", "a SIP address needs user@host");
	refuses("sip:alice@exa mple.com", "a bad host in the SIP address");
	refuses("sip:ali<ce@example.com", "a bad user in the SIP address");
	refuses("-x", "not a telephone number (digits, a leading +, and the separators - . ( ) only)");
	return tap_done();
}
