/* doctor.c: dstnyctl doctor: one line per check, what a support desk asks for first. */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <json-c/json.h>

#include "callstate.h"
#include "conf.h"
#include "confcheck.h"
#include "ctl.h"
#include "xmalloc.h"

/*
 * Every line says what was observed; a FAIL says why and what to do.
 * Nothing is claimed that was not seen: no ticket line without the
 * daemon's word on it, no TLS line for an http:// Core.
 */
static int	failures;

static void __attribute__((format(printf, 4, 5)))
check(int good, const char *what, const char *hint, const char *fmt, ...)
{
	char	detail[1536];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	printf("%-5s %s%s%s", good ? "ok" : "FAIL", what, *detail ? ": " : "",
	    detail);
	if (!good && hint != NULL)
		printf(" (%s)", hint);
	printf("\n");
	failures += !good;
}

/* A risk, not a fault: said, but the exit status stays. */
static void
warn(int good, const char *what, const char *detail, const char *hint)
{
	if (good)
		check(1, what, NULL, "%s", detail);
	else
		printf("%-5s %s: %s (%s)\n", "WARN", what, detail, hint);
}

static size_t
discard_cb(char *p, size_t size, size_t n, void *arg)
{
	return size * n;
}

/* One request; returns the HTTP status, or 0 with *code and err set. */
static long
probe(const struct conf *c, const char *url, int post, CURLcode *code,
    char *err, size_t errlen)
{
	CURL	*e = curl_easy_init();
	char	 ebuf[CURL_ERROR_SIZE] = "";
	long	 status = 0;

	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, 5000L);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, ebuf);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, discard_cb);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	if (post)
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, "{}");
	if (c->insecure) {
		curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
	} else if (c->ca_file != NULL)
		curl_easy_setopt(e, CURLOPT_CAINFO, c->ca_file);
	if ((*code = curl_easy_perform(e)) == CURLE_OK)
		curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
	else
		snprintf(err, errlen, "%s", *ebuf ? ebuf :
		    curl_easy_strerror(*code));
	curl_easy_cleanup(e);
	return status;
}

/* What to do about a request that got no HTTP answer. */
static const char *
probe_hint(CURLcode code, const char *key)
{
	static char	hint[256];

	switch (code) {
	case CURLE_COULDNT_RESOLVE_HOST:
		snprintf(hint, sizeof(hint), "the host name in %s does not "
		    "resolve: check its spelling and DNS", key);
		break;
	case CURLE_COULDNT_CONNECT:
		snprintf(hint, sizeof(hint), "nothing accepts connections "
		    "there: check the host and port in %s, and the firewall",
		    key);
		break;
	case CURLE_OPERATION_TIMEDOUT:
		snprintf(hint, sizeof(hint), "no answer within 5 s: check the "
		    "network, a proxy or a firewall between here and %s", key);
		break;
	case CURLE_PEER_FAILED_VERIFICATION:
#if LIBCURL_VERSION_NUM < 0x073e00
	case CURLE_SSL_CACERT:
#endif
	case CURLE_SSL_CACERT_BADFILE:
		snprintf(hint, sizeof(hint), "the certificate is not trusted: "
		    "set [core] ca_file to the CA that signed it");
		break;
	default:
		snprintf(hint, sizeof(hint), "check %s and the network", key);
		break;
	}
	return hint;
}

static void
check_core(const struct conf *c)
{
	CURLcode	 code = CURLE_OK;
	char		 err[CURL_ERROR_SIZE + 64];
	int		 tls = strncmp(c->base_url, "https://", 8) == 0;
	const char	*what;

	what = !tls ? "Core reachable" : c->insecure ?
	    "Core reachable (TLS not verified: insecure = true)" :
	    "Core reachable, TLS certificate valid";
	if (probe(c, c->base_url, 0, &code, err, sizeof(err)) != 0)
		check(1, what, NULL, "%s answers%s", c->base_url, tls ? "" :
		    " (http://, no TLS)");
	else
		check(0, what, probe_hint(code, "[core] base_url"), "%s: %s",
		    c->base_url, err);
}

/*
 * What the daemon's start checks, in its words: the credential files
 * always (a running daemon read them at its start; they must still do
 * for the next one), the socket and the listen address when no daemon
 * answers. A file we may not read while a daemon runs is its (a system
 * daemon's): its ticket line tells instead.
 */
static void
check_start(const struct conf *c, int running)
{
	char	err[1024];
	size_t	i;
	int	live;

	for (i = 0; i < c->nusers; i++) {
		errno = 0;
		if (conf_check_credentials(&c->users[i], &c->users[0], err,
		    sizeof(err)) == 0)
			check(1, "credentials", NULL, "%s@%s: %s",
			    c->users[i].user, c->users[i].domain,
			    c->users[i].keyring ? "password = keyring, and a "
			    "session bus to find it on" : "a file of ours "
			    "alone, not empty");
		else if (!running || errno != EACCES)
			check(0, "credentials", NULL, "%s", err);
	}
	if (running)
		return;
	if (conf_check_socket(c, &live, err, sizeof(err)) == -1)
		check(0, "socket path", NULL, "%s", err);
	else
		check(1, "socket path", NULL, "%s can be made", c->socket_path);
	if (c->listen != NULL && conf_transport(c) == CONF_TRANSPORT_WEBHOOK &&
	    !live) {
		if (conf_check_listen(c, err, sizeof(err)) == -1)
			check(0, "listen address free", NULL, "%s", err);
		else
			check(1, "listen address free", NULL, "%s", c->listen);
	}
}

static void
check_ticket(struct json_object *u, struct json_object *h, const char *who)
{
	struct json_object	*t = json_object_object_get(h, "ticket");
	const char		*tstate = model_str(t, "state");
	const char		*ustate = model_str(u, "state");
	const char		*reason = model_str(h, "reason");
	const char		*name = model_str(t, "name");
	int			 keyring = strcmp(model_str(t, "source"),
				    "keyring") == 0;
	int			 password = keyring || strcmp(model_str(t,
				    "source"), "password") == 0;
	int64_t			 revoked = model_int(t, "revoked");
	char			 when[32];
	time_t			 at;
	char			 hint[1024];

	if (strcmp(tstate, "accepted") == 0 && password)
		check(1, "ticket accepted", NULL, "%s: ticket \"%s\", made with "
		    "the password", who, name);
	else if (strcmp(tstate, "accepted") == 0)
		check(1, "ticket accepted", NULL, "%s: the token from token_file "
		    "(or the \"token\" credential)", who);
	else if (strcmp(tstate, "keyring") == 0)
		check(0, "ticket accepted", "see the reason; dstnyd goes on by "
		    "itself once it is dealt with", "%s: no password from the "
		    "keyring: %s", who, reason);
	else if (strcmp(tstate, "refused") == 0 && keyring)
		check(0, "ticket accepted", "store the right one with `dstnyctl "
		    "login`; dstnyd reads it by itself", "%s: the Core refused "
		    "the password from the keyring%s%s", who, *reason ? ": " :
		    "", reason);
	else if (strcmp(tstate, "refused") == 0)
		check(0, "ticket accepted", password ?
		    "check the password in [auth] password_file, then "
		    "restart dstnyd" : "the token is no longer valid: put a "
		    "new one in token_file", "%s: the Core refused %s%s%s", who,
		    password ? "the password" : "the token", *reason ? ": " : "",
		    reason);
	else if (strcmp(ustate, "offline") == 0)
		check(0, "ticket accepted", "the Core is unreachable: see "
		    "\"Core reachable\" above", "%s: no ticket yet%s%s", who,
		    *reason ? ": " : "", reason);
	else if (strcmp(tstate, "unconfirmed") == 0)
		check(0, "ticket accepted", "the Core has not answered yet: run "
		    "doctor again in a few seconds", "%s: not confirmed by the "
		    "Core yet", who);
	else
		check(0, "ticket accepted", "dstnyd is still asking for one: "
		    "run doctor again in a few seconds", "%s: no ticket yet%s%s",
		    who, *reason ? ": " : "", reason);
	if (revoked > 0) {
		at = (time_t)model_int(t, "revokedAt");
		strftime(when, sizeof(when), "%H:%M:%S", localtime(&at));
		snprintf(hint, sizeof(hint), "the Core keeps one ticket per name "
		    "and user: another client that makes a ticket named \"%s\" "
		    "for %s replaces ours; give each installation its own "
		    "[auth] ticket_name, or leave it out (the default is unique "
		    "per host and configuration file)", name, who);
		check(0, "ticket kept", hint, "%s: the Core revoked ticket \"%s\" "
		    "%lld time%s before it expired, last at %s", who, name,
		    (long long)revoked, revoked == 1 ? "" : "s", when);
	}
}

static void
check_events(struct json_object *u, struct json_object *h, const char *who)
{
	const char	*state = model_str(u, "state");
	const char	*transport = model_str(u, "transport");
	const char	*reason = model_str(h, "reason");
	const char	*hint;

	if (strcmp(state, "online") == 0)
		hint = NULL;
	else if (strcmp(state, "offline") == 0)
		hint = "the Core is unreachable: see \"Core reachable\"; dstnyd "
		    "retries by itself";
	else if (strcmp(state, "unauthorized") == 0)
		hint = "no valid ticket: see \"ticket accepted\"";
	else if (strcmp(state, "starting") == 0)
		hint = "dstnyd is still starting: run doctor again in a few "
		    "seconds";
	else if (strcmp(transport, "webhook") == 0)
		hint = "webhooks are not arriving or are being registered "
		    "again: can the Core reach [events] public_url? dstnyd "
		    "polls meanwhile";
	else
		hint = "the event streams are reconnecting; dstnyd polls "
		    "meanwhile";
	check(hint == NULL, "events flowing", hint, "%s: %s over %s%s%s", who,
	    state, transport, *reason && hint != NULL ? ": " : "",
	    hint != NULL ? reason : "");
}

int
doctor_run(struct ctl *ctl, const char *conf_path)
{
	struct json_object	*reply = NULL, *res = NULL, *users, *u, *health, *h;
	struct conf		*c;
	CURLcode		 code;
	char			 err[1024], who[512], *path, *url;
	const char		*from;
	long			 status;
	size_t			 i;
	int			 running;

	ctl->quiet = 1;
	running = ctl_connect(ctl) == 0;
	if (running) {
		reply = ctl_request(ctl, "status", NULL);
		if (!json_object_object_get_ex(reply, "result", &res))
			res = NULL;
	}
	if (running)
		check(1, "dstnyd running", NULL, "%s", ctl->socket_path);
	else
		check(0, "dstnyd running", "start it: systemctl --user start "
		    "dstnyd (or sudo systemctl start dstnyd-system); if it runs "
		    "elsewhere, name its socket with -s or DSTNYD_SOCKET",
		    "%s: %s", ctl->socket_path, strerror(ctl->connect_errno));

	/* The file the running daemon read; else the one it would read. */
	if (conf_path != NULL) {
		path = xstrdup(conf_path);
		from = "given with -c";
	} else if (res != NULL && *model_str(res, "config") != '\0') {
		path = xstrdup(model_str(res, "config"));
		from = "the running dstnyd's";
	} else {
		path = conf_default_path(geteuid() == 0);
		from = "the default";
	}
	if ((c = conf_load(path, err, sizeof(err))) == NULL) {
		check(0, "configuration valid", "fix what it names; `dstnyd "
		    "--check-config -c FILE` checks again", "%s (%s)", err, from);
	} else {
		check(1, "configuration valid", NULL, "%s (%s)", path, from);
		check_start(c, running);
		check_core(c);
	}
	if (res != NULL && json_object_object_get_ex(res, "users", &users)) {
		if (!json_object_object_get_ex(res, "health", &health))
			health = NULL;
		for (i = 0; i < json_object_array_length(users); i++) {
			u = json_object_array_get_idx(users, i);
			h = health != NULL ? json_object_array_get_idx(health, i) :
			    NULL;
			snprintf(who, sizeof(who), "%s@%s", model_str(u, "userId"),
			    model_str(u, "domain"));
			if (h != NULL)	/* else an older dstnyd: nothing seen */
				check_ticket(u, h, who);
			check_events(u, h, who);
		}
	}
	json_object_put(reply);
	if (c != NULL && c->public_url != NULL &&
	    conf_transport(c) == CONF_TRANSPORT_WEBHOOK) {
		warn(!conf_public_url_plain(c), "public_url encrypted",
		    c->public_url, "plain http:// off loopback: anyone on the "
		    "way reads the webhooks' targetIds; use https://");
		url = xasprintf("%s/hooks/dstnyctl-doctor", c->public_url);
		status = probe(c, url, 1, &code, err, sizeof(err));
		if (status == 404)
			check(1, "public_url reachable from here", NULL,
			    "%s: dstnyd's listener answers", c->public_url);
		else if (status != 0)
			check(0, "public_url reachable from here", "something "
			    "other than dstnyd answers there: check [events] "
			    "public_url and listen, and any proxy in between",
			    "%s: HTTP %ld", c->public_url, status);
		else
			check(0, "public_url reachable from here",
			    probe_hint(code, "[events] public_url"), "%s: %s",
			    c->public_url, err);
		free(url);
	}
	conf_free(c);
	free(path);
	return failures == 0 ? EXIT_OK : EXIT_FAILURE_;
}
