/* test-deskconf.c: desktop.conf: defaults, every key, errors, the url and exec templates. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "deskconf.h"
#include "tap.h"

static struct desk_conf *
parse(const char *text, char *err, size_t errlen)
{
	err[0] = '\0';
	return deskconf_parse(text, strlen(text), "d.conf", err, errlen);
}

static void
fails(const char *text, const char *want)
{
	char			 err[512];
	struct desk_conf	*c = parse(text, err, sizeof(err));

	ok(c == NULL, "refused: %s", want);
	is_str(err, want, "message");
	deskconf_free(c);
}

int
main(void)
{
	char			 err[512], *s, **argv;
	struct desk_conf	*c;
	struct desk_popup	*r;
	struct desk_fields	 f = { "+46 70-123", "A & B/C", "c1", "support",
				    1, "alice" };

	c = parse("", err, sizeof(err));
	ok(c != NULL, "an empty file is fine");
	is_int(c->notify_incoming, 1, "default: incoming notifications on");
	is_int(c->notify_missed, 1, "default: missed notifications on");
	is_int(c->pause, DESK_PAUSE_NO, "default: media pause off");
	is_int(c->npopups, 0, "default: no popups");
	deskconf_free(c);

	/* The same comments as dstnyd.conf: ' #' and ' ;' end a value. */
	c = parse("[media]\npause = answered   # while on a call\n"
	    "[popup \"crm\"]\non = ringing ; first ring\n"
	    "url = https://crm/#/call?n={number}\n", err, sizeof(err));
	ok(c != NULL, "inline comments: %s", err);
	if (c != NULL) {
		is_int(c->pause, DESK_PAUSE_ANSWERED, "a ' #' comment ends a value");
		is_int(c->popups[0].on, DESK_ON_RINGING, "so does ' ;'");
		is_str(c->popups[0].url, "https://crm/#/call?n={number}",
		    "a '#' inside a value stays");
	}
	deskconf_free(c);

	c = parse("[notify]\nincoming = no\nmissed = off\n[media]\npause = ringing\n"
	    "[popup \"crm\"]\non = ringing  ended\n"
	    "url = https://crm/s?p={number}&n={name}&q={queue}&u={user}&d={direction}\n"
	    "direction = inbound\nqueue = support\nnumber_prefix = +46\n"
	    "[popup \"log\"]\non = answered\nexec = /usr/bin/logger  -t  x{name}y {callId}\n",
	    err, sizeof(err));
	ok(c != NULL, "every key: %s", err);
	if (c == NULL)
		return tap_done();
	is_int(c->notify_incoming, 0, "incoming = no");
	is_int(c->notify_missed, 0, "missed = off");
	is_int(c->pause, DESK_PAUSE_RINGING, "pause = ringing");
	is_int(c->npopups, 2, "two popups");
	r = &c->popups[0];
	is_str(r->name, "crm", "popup name");
	is_int(r->on, DESK_ON_RINGING | DESK_ON_ENDED, "on: several events");
	is_int(r->direction, DESK_DIR_INBOUND, "direction");
	ok(deskconf_match(r, &f), "filters match");
	s = deskconf_url(r, &f);
	is_str(s, "https://crm/s?p=%2B46%2070-123&n=A%20%26%20B%2FC&q=support&u=alice&d=inbound",
	    "url: percent-encoded placeholders");
	free(s);
	f.inbound = 0;
	ok(!deskconf_match(r, &f), "direction filter");
	f.inbound = 1;
	f.queue = "sales";
	ok(!deskconf_match(r, &f), "queue filter");
	f.queue = "SUPPORT";
	ok(deskconf_match(r, &f), "queue filter ignores case");
	f.number = "+4470";
	ok(!deskconf_match(r, &f), "number_prefix filter");
	f.number = "+46 70-123";
	r = &c->popups[1];
	argv = deskconf_argv(r, &f);
	ok(argv != NULL && argv[0] != NULL && argv[1] != NULL && argv[2] != NULL &&
	    argv[3] != NULL && argv[4] == NULL, "exec: split on runs of spaces, 4 elements");
	if (argv != NULL && argv[0] != NULL && argv[3] != NULL) {
		is_str(argv[0], "/usr/bin/logger", "exec: program");
		is_str(argv[1], "-t", "exec: a plain argument");
		is_str(argv[2], "xA & B/Cy", "exec: placeholder inside one element, not encoded");
		is_str(argv[3], "c1", "exec: {callId}");
	}
	deskconf_argv_free(argv);
	deskconf_free(c);

	c = parse("[popup \"p\"]\non = ended\nexec = p\nnumber_prefix = 4670\n", err,
	    sizeof(err));
	f.number = "+46701234";
	ok(c != NULL && deskconf_match(&c->popups[0], &f), "prefix without + matches +4670...");
	f.number = "0046701";
	ok(c != NULL && !deskconf_match(&c->popups[0], &f), "... not 0046...");
	deskconf_free(c);
	s = deskconf_pct_encode("a-._~ /?#[]@!$&'()*+,;=%\n\xc3\xa5");
	is_str(s, "a-._~%20%2F%3F%23%5B%5D%40%21%24%26%27%28%29%2A%2B%2C%3B%3D%25%0A%C3%A5",
	    "RFC 3986: only unreserved characters stay");
	free(s);

	fails("[notify]\ncolour = red\n", "d.conf:2: [notify] colour: unknown key");
	fails("[screen]\n", "d.conf:1: unknown section [screen]");
	fails("[popup x]\n", "d.conf:1: unknown section [popup x]");
	fails("[popup \"\"]\n", "d.conf:1: [popup \"\"]: a popup needs a name");
	fails("[notify]\nmissed = maybe\n",
	    "d.conf:2: [notify] missed: must be yes or no (got \"maybe\")");
	fails("[media]\npause = always\n",
	    "d.conf:2: [media] pause: must be no, answered or ringing (got \"always\")");
	fails("[popup \"a\"]\non = rung\n", "d.conf:2: [popup \"a\"] on: must be one or "
	    "several of ringing, answered, ended (got \"rung\")");
	fails("[popup \"a\"]\non = ended\nurl = -x{number}\n", "d.conf:3: [popup \"a\"] url: "
	    "must be a URL such as https://... (got \"-x{number}\")");
	fails("[popup \"a\"]\non = ended\nexec = {name}\n", "d.conf:3: [popup \"a\"] exec: "
	    "the program itself cannot be a placeholder (got \"{name}\")");
	fails("[popup \"a\"]\non = ended\nexec = p {nmae}\n", "d.conf:3: [popup \"a\"] exec: "
	    "unknown placeholder; use {number} {name} {callId} {queue} {direction} {user} "
	    "(got \"p {nmae}\")");
	fails("[popup \"a\"]\non = ended\nexec = p\nurl = https://x\n",
	    "d.conf:1: [popup \"a\"]: give url or exec, not both");
	fails("[popup \"a\"]\nexec = p\n",
	    "d.conf:1: [popup \"a\"]: on = ringing | answered | ended is missing");
	fails("[popup \"a\"]\non = ended\nexec = p\nnumber_prefix = +46-70\n",
	    "d.conf:4: [popup \"a\"] number_prefix: must be digits, such as +4670 or 0046 "
	    "(got \"+46-70\")");
	fails("[popup \"a\"]\non = ended\nexec = p\n[popup \"a\"]\n",
	    "d.conf:4: [popup \"a\"] given twice");
	fails("[notify]\nmissed = yes\nmissed = no\n",
	    "d.conf:3: [notify] missed: set twice (first on line 2)");
	fails("missed = yes\n", "d.conf:1: missed: key outside of any section");
	return tap_done();
}
