/* test-conf.c: every section and key, defaults, and the error messages. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "routes.h"
#include "tap.h"

static struct conf *
parse(const char *text, char *err, size_t errlen)
{
	err[0] = '\0';
	return conf_parse(text, strlen(text), "t.conf", err, errlen);
}

/* text must fail with exactly want. */
static void
fails(const char *text, const char *want)
{
	char		 err[512];
	struct conf	*c = parse(text, err, sizeof(err));

	ok(c == NULL, "refused: %s", want);
	is_str(err, want, "message");
	conf_free(c);
}

#define BASE "[core]\nbase_url = https://core.example.com/api/\n" \
	"domain = example.com\nuser = alice\n"

int
main(void)
{
	char		 err[512];
	struct conf	*c;

	c = parse(BASE
	    "ca_file = /etc/ssl/core.pem\n"
	    "insecure = no\n"
	    "timeout_ms = 2500\n"
	    "method_override = yes\n"
	    "[auth]\n"
	    "password_file = /run/credentials/dstnyd/password\n"
	    "apis = CALL_CONTROL, QUEUE_STATISTICS USER\n"
	    "ticket_name = desk-7\n"
	    "ticket_expires = 3600\n"
	    "[events]\n"
	    "transport = auto\n"
	    "listen = 127.0.0.1:8088\n"
	    "public_url = http://ws7.example.com:8088/\n"
	    "public_target = false\n"
	    "keepalive = 15\n"
	    "tcp_keepalive = 20, 5,4\n"
	    "[dbus]\n"
	    "bus = system\n"
	    "[socket]\n"
	    "path = /run/dstnyd/x.sock\n"
	    "mode = 0660\n"
	    "max_clients = 200\n"
	    "[contacts]\n"
	    "lookup = false\n"
	    "name_cache = 10\n"
	    "name_cache_ttl = 60\n"
	    "[paths]\n"
	    "state.user = /cs/{user}\n"
	    "; a comment\n"
	    "# another\n"
	    "[user \"bob\"]\n"
	    "token_file = /etc/dstnyd/bob.token\n"
	    "[user \"carol\"]\n"
	    "user = carol.c\n"
	    "domain = other.example.com\n", err, sizeof(err));
	ok(c != NULL, "full config parses (%s)", err);
	if (c == NULL)
		return tap_done();
	is_str(c->base_url, "https://core.example.com/api", "base_url loses trailing /");
	is_str(c->users[0].domain, "example.com", "core domain");
	is_str(c->users[0].user, "alice", "core user");
	is_str(c->ca_file, "/etc/ssl/core.pem", "ca_file");
	is_int(c->insecure, 0, "insecure");
	is_int(c->timeout_ms, 2500, "timeout_ms");
	is_int(c->method_override, 1, "method_override");
	is_str(c->users[0].password_file, "/run/credentials/dstnyd/password", "password_file");
	ok(c->users[0].token_file == NULL, "no token_file");
	is_int(c->napis, 3, "three apis");
	is_str(c->apis[1], "QUEUE_STATISTICS", "apis split on comma and space");
	is_str(c->ticket_name, "desk-7", "ticket_name");
	is_int(c->ticket_expires, 3600, "ticket_expires");
	is_int(c->transport, CONF_TRANSPORT_AUTO, "transport as written");
	is_int(conf_transport(c), CONF_TRANSPORT_WEBHOOK, "auto with public_url is webhook");
	is_str(c->listen, "127.0.0.1:8088", "listen");
	is_str(c->public_url, "http://ws7.example.com:8088", "public_url");
	is_int(c->public_target, 0, "public_target");
	is_int(c->keepalive, 15, "keepalive");
	ok(c->tcp_keepalive.idle == 20 && c->tcp_keepalive.interval == 5 &&
	    c->tcp_keepalive.count == 4, "tcp_keepalive, spaces around commas");
	is_int(c->bus, CONF_BUS_SYSTEM, "bus");
	is_str(c->socket_path, "/run/dstnyd/x.sock", "socket path");
	is_int(c->socket_mode, 0660, "socket mode");
	is_int(c->max_clients, 200, "max_clients");
	ok(!c->name_lookup && c->name_cache == 10 && c->name_cache_ttl == 60,
	    "[contacts] lookup, name_cache, name_cache_ttl");
	is_str(routes_template(c->routes, ROUTE_STATE_USER), "/cs/{user}", "[paths] override");
	is_str(routes_template(c->routes, ROUTE_STATE_CALL),
	    "/callstate/{domain}/{user}/calls/{callId}", "other routes keep defaults");
	is_int(c->nusers, 3, "main user and two [user] sections");
	is_str(c->users[1].user, "bob", "user defaults to the section name");
	is_str(c->users[1].domain, "example.com", "domain defaults to [core]");
	is_str(c->users[1].token_file, "/etc/dstnyd/bob.token", "own token_file");
	ok(c->users[1].password_file == NULL, "own token replaces inherited password");
	is_str(c->users[2].user, "carol.c", "explicit user");
	is_str(c->users[2].domain, "other.example.com", "explicit domain");
	is_str(c->users[2].password_file, "/run/credentials/dstnyd/password",
	    "credentials inherited from [auth]");
	conf_free(c);

	/* Defaults. */
	setenv("XDG_RUNTIME_DIR", "/run/user/1000", 1);
	c = parse(BASE, err, sizeof(err));
	ok(c != NULL, "minimal config parses (%s)", err);
	is_int(c->timeout_ms, 10000, "default timeout_ms");
	is_int(c->napis, 1, "default apis");
	is_str(c->apis[0], "CALL_CONTROL", "default api CALL_CONTROL");
	{
		char host[65], want[128];
		struct conf *c2;
		gethostname(host, sizeof(host));
		host[40] = '\0';
		snprintf(want, sizeof(want), "dstnyd-%s-", host);
		ok(strncmp(c->ticket_name, want, strlen(want)) == 0 &&
		    strlen(c->ticket_name) == strlen(want) + 8,
		    "default ticket_name names the host and the file (%s)",
		    c->ticket_name);
		c2 = conf_parse(BASE, strlen(BASE), "other.conf", err, sizeof(err));
		ok(c2 != NULL && strcmp(c2->ticket_name, c->ticket_name) != 0,
		    "another configuration file gets another ticket name");
		conf_free(c2);
		c2 = parse(BASE, err, sizeof(err));
		is_str(c2->ticket_name, c->ticket_name,
		    "the same file gets the same name at every start");
		conf_free(c2);
	}
	is_int(c->keepalive, 30, "default keepalive");
	ok(c->tcp_keepalive.idle == 30 && c->tcp_keepalive.interval == 10 &&
	    c->tcp_keepalive.count == 3, "default tcp_keepalive 30,10,3: "
	    "a dead peer found in 60 s");
	is_int(c->public_target, 1, "default public_target");
	is_int(conf_transport(c), CONF_TRANSPORT_SSE, "auto without public_url is sse");
	is_int(c->bus, CONF_BUS_SESSION, "default bus");
	is_str(c->socket_path, "/run/user/1000/dstnyd/dstnyd.sock", "session socket path");
	is_int(c->socket_mode, 0600, "default mode");
	is_int(c->max_clients, 64, "default max_clients");
	ok(c->name_lookup && c->name_cache == 256 && c->name_cache_ttl == 3600,
	    "[contacts] defaults: lookup on, 256 names for an hour");
	conf_free(c);
	c = parse(BASE "[dbus]\nbus=system\n", err, sizeof(err));
	is_str(c->socket_path, "/run/dstnyd/dstnyd.sock", "system socket path");
	conf_free(c);

	/* ' #' starts a comment as ' ;' does; '#' inside a word does not. */
	c = parse(BASE "[auth]\npassword_file = /home/alice/pw   # mode 0600\n"
	    "ticket_name = desk#7\t# the desk\n"
	    "apis = CALL_CONTROL ; and nothing else\n"
	    "[events] # how events come\n"
	    "keepalive = 15 #seconds\n"
	    "  # a comment line\n"
	    "# another\n", err, sizeof(err));
	ok(c != NULL, "inline # comments parse (%s)", err);
	is_str(c->users[0].password_file, "/home/alice/pw", "' #' ends the value");
	is_str(c->ticket_name, "desk#7", "'#' inside a value stays");
	is_str(c->apis[0], "CALL_CONTROL", "' ;' ends the value");
	is_int(c->keepalive, 15, "comment after a number");
	conf_free(c);
	fails(BASE "timeout_ms = # none\n",
	    "t.conf:5: [core] timeout_ms: must be a number from 100 to 600000 (got \"\")");
	/* A comment that starts past inih's first read of a long line. */
	{
		char	text[8192], longpath[400];
		memset(longpath, 'a', sizeof(longpath) - 1);
		longpath[0] = '/';
		longpath[sizeof(longpath) - 1] = '\0';
		snprintf(text, sizeof(text), BASE "ca_file = %s # %s\n"
		    "insecure = true\n", longpath, longpath);
		c = parse(text, err, sizeof(err));
		ok(c != NULL && strcmp(c->ca_file, longpath) == 0 && c->insecure,
		    "a comment in a long line ends its value, the next line is read");
		conf_free(c);
		/* white space ending one read, '#' starting the next */
		memset(longpath, 'a', sizeof(longpath) - 1);
		longpath[0] = '/';
		snprintf(text, sizeof(text), BASE "ca_file = %.*s #x\n"
		    "insecure = true\n", (int)(199 - strlen("ca_file = ") - 1),
		    longpath);
		c = parse(text, err, sizeof(err));
		ok(c != NULL && c->insecure && strchr(c->ca_file, '#') == NULL &&
		    c->ca_file[strlen(c->ca_file) - 1] == 'a',
		    "' #' split between two reads is a comment (%s)", err);
		conf_free(c);
	}

	/* Long lines are read whole. */
	{
		char	text[8192], longpath[5000];
		memset(longpath, 'a', sizeof(longpath) - 1);
		longpath[0] = '/';
		longpath[sizeof(longpath) - 1] = '\0';
		snprintf(text, sizeof(text), BASE "ca_file = %s\n", longpath);
		c = parse(text, err, sizeof(err));
		ok(c != NULL && strlen(c->ca_file) == strlen(longpath),
		    "a 5000-byte value is read whole");
		conf_free(c);
	}

	/* Errors name the file, the line and the key. */
	fails(BASE "colour = blue\n", "t.conf:5: [core] colour: unknown key "
	    "(known: base_url domain user owner ca_file insecure timeout_ms "
	    "method_override)");
	fails(BASE "timeout = 5000\n",
	    "t.conf:5: [core] timeout: unknown key; did you mean timeout_ms?");
	fails(BASE "[auth]\npasword_file = /p\n",
	    "t.conf:6: [auth] pasword_file: unknown key; did you mean password_file?");
	fails(BASE "[event]\nlisten = 127.0.0.1:1\n",
	    "t.conf:5: unknown section [event]; did you mean [events]?");
	fails(BASE "[user \"bob\"]\npasword = keyring\n",
	    "t.conf:6: [user \"bob\"] pasword: unknown key; did you mean password?");
	/* password = keyring (doc/keyring.md): never the password itself. */
	fails(BASE "[user \"bob\"]\npassword = hunter2\n",
	    "t.conf:6: [user \"bob\"] password: must be keyring (the Secret "
	    "Service); a password itself goes in password_file (got \"hunter2\")");
	fails(BASE "[auth]\npassword = keyring\npassword_file = /b\n",
	    "t.conf:6: password: [auth] has password_file too: give one of them");
	fails(BASE "[auth]\npassword = keyring\n[dbus]\nbus = system\n",
	    "t.conf:6: password: [auth] password = keyring needs [dbus] bus = "
	    "session: the keyring (Secret Service) lives in the user's session; "
	    "a system service uses password_file, or "
	    "LoadCredential=password:FILE in its unit");
	fails(BASE "[dbus]\nbus = none\n[user \"bob\"]\npassword = keyring\n",
	    "t.conf:8: password: [user \"bob\"] password = keyring needs [dbus] "
	    "bus = session: the keyring (Secret Service) lives in the user's "
	    "session; set bus = session, or use password_file");
	c = parse(BASE "[auth]\npassword = keyring\n[user \"bob\"]\ndomain = b\n"
	    "[user \"carol\"]\ntoken_file = /t\n", err, sizeof(err));
	ok(c != NULL, "password = keyring parses: %s", err);
	if (c != NULL) {
		ok(c->users[0].keyring && c->users[0].password_file == NULL,
		    "[auth] password = keyring");
		ok(c->users[1].keyring, "a [user] without credentials inherits it");
		ok(!c->users[2].keyring, "one with its own token_file does not");
	}
	conf_free(c);
	fails(BASE "[colours]\nred = 1\n", "t.conf:5: unknown section [colours] "
	    "(known: [core] [auth] [events] [dbus] [socket] [paths] [contacts])");
	fails(BASE "[empty]\n", "t.conf:5: unknown section [empty] "
	    "(known: [core] [auth] [events] [dbus] [socket] [paths] [contacts])");
	fails(BASE "[user bob]\n", "t.conf:5: unknown section [user bob]; "
	    "write [user \"NAME\"], with the quotes");
	fails(BASE "user = bob\n", "t.conf:5: [core] user: set twice (first on line 4)");
	fails("x = 1\n" BASE, "t.conf:1: x: key outside of any section");
	fails(BASE "timeout_ms = fast\n",
	    "t.conf:5: [core] timeout_ms: must be a number from 100 to 600000 (got \"fast\")");
	fails(BASE "timeout_ms = 99\n",
	    "t.conf:5: [core] timeout_ms: must be a number from 100 to 600000 (got \"99\")");
	fails(BASE "insecure = maybe\n",
	    "t.conf:5: [core] insecure: must be true or false (got \"maybe\")");
	fails("[core]\nbase_url = ftp://x\n",
	    "t.conf:2: [core] base_url: must be an http:// or https:// URL (got \"ftp://x\")");
	fails(BASE "ca_file = relative.pem\n",
	    "t.conf:5: [core] ca_file: must be an absolute path (got \"relative.pem\")");
	fails(BASE "[events]\ntransport = carrier-pigeon\n",
	    "t.conf:6: [events] transport: must be auto, webhook or sse (got \"carrier-pigeon\")");
	fails(BASE "[events]\nlisten = 8088\n",
	    "t.conf:6: [events] listen: must be host:port, such as 127.0.0.1:8088 (got \"8088\")");
	fails(BASE "[events]\nlisten = localhost:99999\n",
	    "t.conf:6: [events] listen: must be host:port, such as 127.0.0.1:8088 (got \"localhost:99999\")");
#define KA_WHY "must be IDLE,INTERVAL,COUNT such as 30,10,3 (seconds 1 to " \
	"32767, count 1 to 127)"
	fails(BASE "[events]\ntcp_keepalive = 30\n",
	    "t.conf:6: [events] tcp_keepalive: " KA_WHY " (got \"30\")");
	fails(BASE "[events]\ntcp_keepalive = 30,10\n",
	    "t.conf:6: [events] tcp_keepalive: " KA_WHY " (got \"30,10\")");
	fails(BASE "[events]\ntcp_keepalive = 30,10,3,1\n",
	    "t.conf:6: [events] tcp_keepalive: " KA_WHY " (got \"30,10,3,1\")");
	fails(BASE "[events]\ntcp_keepalive = 0,10,3\n",
	    "t.conf:6: [events] tcp_keepalive: " KA_WHY " (got \"0,10,3\")");
	fails(BASE "[events]\ntcp_keepalive = 30,10,128\n",
	    "t.conf:6: [events] tcp_keepalive: " KA_WHY " (got \"30,10,128\")");
	fails(BASE "[events]\ntcp_keepalive = 32768,10,3\n",
	    "t.conf:6: [events] tcp_keepalive: " KA_WHY " (got \"32768,10,3\")");
	fails(BASE "[events]\ntcp_keepalive = 30,-10,3\n",
	    "t.conf:6: [events] tcp_keepalive: " KA_WHY " (got \"30,-10,3\")");
	fails(BASE "[events]\ntcp_keepalive = 30s,10s,3\n",
	    "t.conf:6: [events] tcp_keepalive: " KA_WHY " (got \"30s,10s,3\")");
	fails(BASE "[events]\ntcp_keepalive = 30,,3\n",
	    "t.conf:6: [events] tcp_keepalive: " KA_WHY " (got \"30,,3\")");
	fails(BASE "[events]\ntcp_keepalive = off\n",
	    "t.conf:6: [events] tcp_keepalive: " KA_WHY " (got \"off\")");
	fails(BASE "[events]\ntcp_keepalive = 99999999999999999999,1,1\n",
	    "t.conf:6: [events] tcp_keepalive: " KA_WHY
	    " (got \"99999999999999999999,1,1\")");
#undef KA_WHY
	fails(BASE "[dbus]\nbus = both\n",
	    "t.conf:6: [dbus] bus: must be session, system or none (got \"both\")");
	fails(BASE "[socket]\nmode = 0999\n",
	    "t.conf:6: [socket] mode: must be octal permission bits such as 0600 (got \"0999\")");
	fails(BASE "[auth]\napis = call_control\n",
	    "t.conf:6: [auth] apis: must be API names such as CALL_CONTROL (got \"call_control\")");
	fails(BASE "[paths]\nstate.users = /x\n",
	    "t.conf:6: [paths] state.users: unknown route \"state.users\"");
	fails(BASE "[paths]\nstate.call = /x/{callid}\n",
	    "t.conf:6: [paths] state.call: placeholder {callid} is not one of route state.call");
	fails(BASE "[paths]\nstate.call = x/{callId}\n",
	    "t.conf:6: [paths] state.call: path template must start with '/'");
	fails(BASE "[auth]\ntoken_file = /a\npassword_file = /b\n",
	    "t.conf:7: password_file: [auth] has token_file too: give one of them");
	fails(BASE "[events]\ntransport = webhook\n",
	    "t.conf:6: [events] public_url: required with transport = webhook");
	fails(BASE "[events]\npublic_url = http://h:1\n",
	    "t.conf:6: [events] listen: required when public_url is set");
	fails("[core]\nbase_url = http://h\nuser = a\n",
	    "t.conf: [core] domain: required key is missing");
	fails(BASE "[user \"a\"]\nuser = alice\n",
	    "t.conf: [user \"a\"] monitors alice@example.com, which is monitored already");
	fails(BASE "[user \"bob\"]\ncolour = red\n",
	    "t.conf:6: [user \"bob\"] colour: unknown key (known: domain user "
	    "token_file password_file password owner)");
	fails(BASE "just words\n",
	    "t.conf:5: syntax error: expected [section] or key = value");
	{
		static const char nul[] = "[core]\nbase_url = http://h\0\n";
		c = conf_parse(nul, sizeof(nul) - 1, "t.conf", err, sizeof(err));
		ok(c == NULL, "NUL byte refused");
		is_str(err, "t.conf:2: NUL byte in file", "NUL byte message");
	}

	/* owner: a name or a uid, resolved at load; defaults by bus; not inherited. */
	c = parse(BASE "owner = root\n[user \"bob\"]\nowner = 4242\n"
	    "[user \"carol\"]\nuser = carol\n", err, sizeof(err));
	ok(c != NULL && c->users[0].owner == 0 && c->users[1].owner == 4242,
	    "owner by name and by uid (%s)", err);
	ok(c != NULL && c->nusers == 3 && c->users[2].owner == (long long)geteuid(),
	    "session: no owner is the daemon's own account");
	conf_free(c);
	c = parse(BASE "owner = 0\n[dbus]\nbus = system\n[user \"bob\"]\nuser = bob\n", err,
	    sizeof(err));
	ok(c != NULL && c->nusers == 2 && c->users[0].owner == 0 &&
	    c->users[1].owner == CONF_OWNER_ROOT,
	    "system: no owner is root only, [core]'s is not inherited (%s)", err);
	conf_free(c);
	fails(BASE "owner = no-such-account-dstnyd\n",
	    "t.conf:5: [core] owner: no such local account "
	    "(got \"no-such-account-dstnyd\")");
	fails(BASE "owner = 4294967295\n",
	    "t.conf:5: [core] owner: no such local account (got \"4294967295\")");
	fails(BASE "owner = 12x\n",
	    "t.conf:5: [core] owner: no such local account (got \"12x\")");

	/* public_url in plain http off loopback is worth a warning. */
	{
		static const struct { const char *url; int plain; } pu[] = {
			{ "https://ws7.example.com:8088", 0 },
			{ "http://127.0.0.1:8088", 0 }, { "http://localhost:1", 0 },
			{ "http://[::1]:8088/x", 0 },
			{ "http://ws7.example.com:8088", 1 },
			{ "HTTP://10.0.0.7", 1 }, { "http://[2001:db8::1]:80", 1 },
			{ "http://localhost.evil.example", 1 },
			{ "http://127.0.0.1@evil.example", 1 },
		};
		struct conf pc;
		size_t i;
		memset(&pc, 0, sizeof(pc));
		for (i = 0; i < sizeof(pu) / sizeof(pu[0]); i++) {
			pc.public_url = (char *)pu[i].url;
			ok(conf_public_url_plain(&pc) == pu[i].plain,
			    "public_url %s: %s", pu[i].url, pu[i].plain ?
			    "plain" : "fine");
		}
	}

	/* The example shipped in conf/ is valid. */
	{
		char path[4096];
		snprintf(path, sizeof(path), "%s/../../conf/dstnyd.conf",
		    getenv("TEST_DATA") ? getenv("TEST_DATA") : "tests/data");
		c = conf_load(path, err, sizeof(err));
		ok(c != NULL, "conf/dstnyd.conf is valid (%s)", c ? "" : err);
		conf_free(c);
	}

	/* conf_load: a missing file. */
	c = conf_load("/nonexistent/dstnyd.conf", err, sizeof(err));
	ok(c == NULL, "missing file refused");
	is_str(err, "/nonexistent/dstnyd.conf: No such file or directory", "missing file message");

	setenv("XDG_CONFIG_HOME", "/home/a/.cfg", 1);
	{
		char *p = conf_default_path(0);
		is_str(p, "/home/a/.cfg/dstnyd/dstnyd.conf", "session default path");
		free(p);
		p = conf_default_path(1);
		is_str(p, "/etc/dstnyd/dstnyd.conf", "system default path");
		free(p);
	}
	return tap_done();
}
