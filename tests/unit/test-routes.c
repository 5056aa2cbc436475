/* test-routes.c: the route table, percent-encoding, templates, queries. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "routes.h"
#include "tap.h"
#include "xmalloc.h"

/*
 * Every path parameter of every route, given ".", "..", "a/../.." or
 * "%2e%2e", stays one segment: the URL has as many segments as the
 * template, none of them a dot-segment, and curl's own parser (which
 * removes dot-segments) reads back the same path.
 */
static void
dot_segments(void)
{
	static const char *const evil[] = { ".", "..", "a/../..", "%2e%2e", "..." };
	struct route_var	 vars[8];
	char			 names[8][32], err[256], *url, *path, *seg;
	const char		*t, *p, *end;
	CURLU			*u;
	size_t			 nvars, i, want, got, bad = 0, checked = 0;
	int			 id;

	for (id = 0; id < ROUTE_COUNT; id++) {
		t = route_default_template(id);
		nvars = 0;
		for (p = t; (p = strchr(p, '{')) != NULL; p = end + 1) {
			end = strchr(p, '}');
			snprintf(names[nvars], sizeof(names[nvars]), "%.*s",
			    (int)(end - p - 1), p + 1);
			nvars++;
		}
		for (want = 0, p = t; *p != '\0'; p++)
			want += *p == '/';
		for (i = 0; i < nvars * (sizeof(evil) / sizeof(evil[0])); i++) {
			size_t	v, k = i % nvars;

			for (v = 0; v < nvars; v++) {
				vars[v].name = names[v];
				vars[v].value = v == k ? evil[i / nvars] : "x";
			}
			vars[nvars].name = vars[nvars].value = NULL;
			url = routes_url(NULL, "http://h", id, vars, NULL, err,
			    sizeof(err));
			path = xstrdup(url + strlen("http://h"));
			got = 0;
			for (seg = strtok(path, "/"); seg != NULL;
			    seg = strtok(NULL, "/")) {
				got++;
				if (strcmp(seg, ".") == 0 || strcmp(seg, "..") == 0)
					bad++;
			}
			free(path);
			path = NULL;
			u = curl_url();
			if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
			    curl_url_get(u, CURLUPART_PATH, &path, 0) != CURLUE_OK ||
			    strcmp(path, url + strlen("http://h")) != 0 || got != want) {
				if (bad++ == 0)
					printf("#   %s {%s} = \"%s\": %s (curl: %s)\n",
					    route_name(id), names[k], evil[i / nvars],
					    url, path != NULL ? path : "?");
			}
			curl_free(path);
			curl_url_cleanup(u);
			free(url);
			checked++;
		}
	}
	ok(bad == 0 && checked > 100, "dot-segments in %zu path parameters "
	    "stay one segment", checked);
}

int
main(void)
{
	struct routes	*r = routes_new();
	struct query	*q;
	char		 err[256], *s;
	int		 i;
	const struct route_var vars[] = {
		{ "domain", "example.com" },
		{ "user", "alice+desk@x/y%z" },
		{ "callId", "aaa 111/bbb" },
		{ "deviceId", "+1555555" },
		{ NULL, NULL },
	};

	/* Every route of interfaces.md 1.2 is there, by name and method. */
	static const char *const expect[][3] = {
		{ "ticket.create", "POST", "/ticket/{domain}/{user}" },
		{ "ticket.delete", "DELETE", "/ticket/{domain}/{user}/{ticketName}" },
		{ "devices.list", "GET", "/userdevice/{domain}/{user}/devices" },
		{ "devices.active", "GET", "/userdevice/{domain}/{user}/activedevices" },
		{ "devices.webhook", "POST", "/userdevice/{domain}/{user}/webhook" },
		{ "devices.webhook.delete", "DELETE", "/userdevice/{domain}/{user}/webhook/{targetId}" },
		{ "devices.sse", "GET", "/userdevice/{domain}/{user}/subscribe" },
		{ "state.user", "GET", "/callstate/{domain}/{user}" },
		{ "state.call", "GET", "/callstate/{domain}/{user}/calls/{callId}" },
		{ "state.user.webhook", "POST", "/callstate/{domain}/{user}/webhook" },
		{ "state.user.webhook.delete", "DELETE", "/callstate/{domain}/{user}/webhook/{targetId}" },
		{ "state.call.webhook", "POST", "/callstate/{domain}/{user}/calls/{callId}/webhook" },
		{ "state.call.webhook.delete", "DELETE", "/callstate/{domain}/{user}/calls/{callId}/webhook/{targetId}" },
		{ "state.call.sse", "GET", "/callstate/{domain}/{user}/calls/{callId}/subscribe" },
		{ "state.dialog.sse", "GET", "/callstate/{domain}/{user}/dialogs/subscribe" },
		{ "call.make", "POST", "/callcontrol/{domain}/{user}/devices/{deviceId}/calls" },
		{ "call.consult", "POST", "/callcontrol/{domain}/{user}/calls/{callId}/consult" },
		{ "call.answer", "POST", "/callcontrol/{domain}/{user}/calls/{callId}/answer/{deviceId}" },
		{ "call.hangup", "DELETE", "/callcontrol/{domain}/{user}/calls/{callId}" },
		{ "call.hold", "POST", "/callcontrol/{domain}/{user}/calls/{callId}/hold" },
		{ "call.resume", "POST", "/callcontrol/{domain}/{user}/calls/{callId}/resume" },
		{ "call.mute", "POST", "/callcontrol/{domain}/{user}/calls/{callId}/mute" },
		{ "call.unmute", "POST", "/callcontrol/{domain}/{user}/calls/{callId}/unmute" },
		{ "call.park", "POST", "/callcontrol/{domain}/{user}/calls/{callId}/park" },
		{ "call.move", "POST", "/callcontrol/{domain}/{user}/calls/{callId}/move/{deviceId}" },
		{ "call.transfer", "POST", "/callcontrol/{domain}/{user}/calls/{callId}/transfer" },
		{ "call.transfertocall", "POST", "/callcontrol/{domain}/{user}/calls/{callId}/transfertocall" },
		{ "call.swap", "POST", "/callcontrol/{domain}/{user}/calls/{callId}/swap" },
		{ "call.conference", "POST", "/callcontrol/{domain}/{user}/calls/{callId}/conference" },
		{ "call.leaveconference", "POST", "/callcontrol/{domain}/{user}/calls/{callId}/leaveconference" },
		{ "call.removeparticipant", "DELETE", "/callcontrol/{domain}/{user}/calls/{callId}/participants/{participantId}" },
		{ "call.dtmf", "POST", "/callcontrol/{domain}/{user}/calls/{callId}/dtmf" },
		{ "call.pickup", "POST", "/callcontrol/{domain}/{user}/devices/{deviceId}/pickup" },
		{ "rec.start", "POST", "/callrecording/{domain}/{user}/calls/{callId}/start" },
		{ "rec.stop", "POST", "/callrecording/{domain}/{user}/calls/{callId}/stop" },
		{ "rec.pause", "POST", "/callrecording/{domain}/{user}/calls/{callId}/pause" },
		{ "rec.resume", "POST", "/callrecording/{domain}/{user}/calls/{callId}/resume" },
		{ "rec.save", "POST", "/callrecording/{domain}/{user}/calls/{callId}/save" },
		{ "rec.discard", "POST", "/callrecording/{domain}/{user}/calls/{callId}/discard" },
		{ "groups.list", "GET", "/distributiongroup/{domain}/{user}/groups" },
		{ "groups.login", "POST", "/distributiongroup/{domain}/{user}/groups/{groupId}/login" },
		{ "groups.logout", "POST", "/distributiongroup/{domain}/{user}/groups/{groupId}/logout" },
		{ "queues.sse", "GET", "/distributiongroup/{domain}/{user}/queuestatistics/subscribe" },
		{ "linestate.put", "PUT", "/linestate/{domain}/{user}/{externalId}" },
		{ "linestate.delete", "DELETE", "/linestate/{domain}/{user}/{externalId}" },
		/* The directory, favourites and contact information (issue 22). */
		{ "contacts.list", "GET", "/contacts/{domain}/{user}" },
		{ "buddy.add", "PUT", "/buddylist/{domain}/{user}/{cid}" },
		{ "buddy.delete", "DELETE", "/buddylist/{domain}/{user}/{cid}" },
		{ "contact.vcard", "GET", "/contactinfo/v1/{domain}/{cid}/vcard" },
		{ "contact.linestate.sse", "GET", "/contactinfo/v1/{domain}/{cid}/linestate/subscribe" },
		{ "contact.presence.sse", "GET", "/contactinfo/v1/{domain}/{cid}/presence/subscribe" },
		{ "personal.list", "GET", "/personalcontacts/{domain}/{user}" },
		/* issue 21: history, presence, forwarding, caller ID, voicemail */
		{ "history.list", "GET", "/communicationlog/{domain}/{user}/items" },
		{ "history.seen", "PUT", "/communicationlog/{domain}/{user}/items/seen" },
		{ "history.delete", "DELETE", "/communicationlog/{domain}/{user}/items" },
		{ "presence.get", "GET", "/userinfo/{domain}/{user}/presence" },
		{ "presence.put", "PUT", "/userinfo/{domain}/{user}/presence" },
		{ "presence.activities", "GET", "/configuration/{domain}/{user}/activities" },
		{ "presence.shortcuts", "GET", "/presenceshortcuts/{domain}/{user}/shortcuts" },
		{ "diversion.rules", "GET", "/diversion/{domain}/{user}/rules" },
		{ "diversion.rule.put", "PUT", "/diversion/{domain}/{user}/rules/{line}/{rule}" },
		{ "diversion.rule.delete", "DELETE", "/diversion/{domain}/{user}/rules/{line}/{rule}" },
		{ "diversion.number", "GET", "/diversion/{domain}/{user}/number" },
		{ "diversion.number.put", "PUT", "/diversion/{domain}/{user}/number" },
		{ "diversion.mapping", "GET", "/activitydiversion/{domain}/{user}/mappings" },
		{ "userline.list", "GET", "/userline/{domain}/{user}/lines" },
		{ "userline.active", "GET", "/userline/{domain}/{user}/active" },
		{ "userline.put", "PUT", "/userline/{domain}/{user}/active" },
		{ "voicemail.get", "GET", "/voicemail/{domain}/{user}/settings" },
		{ "voicemail.put", "PUT", "/voicemail/{domain}/{user}/settings" },
	};
	is_int(sizeof(expect) / sizeof(expect[0]), ROUTE_COUNT, "route count");
	for (i = 0; i < (int)(sizeof(expect) / sizeof(expect[0])); i++) {
		int id = route_lookup(expect[i][0]);
		ok(id >= 0 && strcmp(route_method(id), expect[i][1]) == 0 &&
		    strcmp(route_default_template(id), expect[i][2]) == 0 &&
		    strcmp(route_name(id), expect[i][0]) == 0,
		    "route %s %s %s", expect[i][0], expect[i][1], expect[i][2]);
	}
	is_int(route_lookup("call.teleport"), -1, "unknown route name");

	/* Percent-encoding: unreserved stay; + @ / % and space are encoded. */
	s = pct_encode("aZ09-._~+@/% é");
	is_str(s, "aZ09-._~%2B%40%2F%25%20%C3%A9", "pct_encode");
	free(s);

	s = routes_url(r, "https://core.example.com/api/", ROUTE_CALL_ANSWER,
	    vars, NULL, err, sizeof(err));
	is_str(s, "https://core.example.com/api/callcontrol/example.com/"
	    "alice%2Bdesk%40x%2Fy%25z/calls/aaa%20111%2Fbbb/answer/%2B1555555",
	    "every component encoded, base's trailing / dropped");
	free(s);

	s = routes_url(r, "http://h", ROUTE_CALL_MOVE, vars + 2, NULL, err,
	    sizeof(err));
	ok(s == NULL, "missing placeholder value refused");
	is_str(err, "call.move: no value for {domain}", "missing value message");

	/* Overrides. */
	ok(routes_set(r, "state.user", "/v2/state/{user}", err, sizeof(err)) == 0,
	    "override with a subset of the placeholders");
	s = routes_url(r, "http://h/api", ROUTE_STATE_USER, vars, NULL, err,
	    sizeof(err));
	is_str(s, "http://h/api/v2/state/alice%2Bdesk%40x%2Fy%25z", "override used");
	free(s);
	ok(routes_set(r, "state.user", "/x/{callId}", err, sizeof(err)) == -1,
	    "foreign placeholder refused");
	is_str(err, "placeholder {callId} is not one of route state.user", "message");
	ok(routes_set(r, "state.user", "/x/{user", err, sizeof(err)) == -1,
	    "unbalanced { refused");
	ok(routes_set(r, "state.user", "/x/user}", err, sizeof(err)) == -1,
	    "unbalanced } refused");
	ok(routes_set(r, "state.user", "/x/{{user}}", err, sizeof(err)) == -1,
	    "nested braces refused");
	ok(routes_set(r, "state.user", "/x?a=b", err, sizeof(err)) == -1,
	    "query in template refused");
	ok(routes_set(r, "state.user", "/x y", err, sizeof(err)) == -1,
	    "space in template refused");
	ok(routes_set(r, "nope", "/x", err, sizeof(err)) == -1,
	    "unknown route refused");
	is_str(routes_template(r, ROUTE_STATE_USER), "/v2/state/{user}",
	    "failed overrides leave the last good one");

	/* Queries, with repeated keys (ticket.create). */
	q = query_new();
	query_add(q, "api", "CALL_CONTROL");
	query_add(q, "api", "USER");
	query_add(q, "platform", "other");
	query_add(q, "name", "desk 7/a&b=c");
	query_add(q, "expires", "3600");
	s = routes_url(r, "https://h/api", ROUTE_TICKET_CREATE, vars, q, err,
	    sizeof(err));
	is_str(s, "https://h/api/ticket/example.com/alice%2Bdesk%40x%2Fy%25z"
	    "?api=CALL_CONTROL&api=USER&platform=other&name=desk%207%2Fa%26b%3Dc"
	    "&expires=3600", "query with repeated keys");
	free(s);
	query_free(q);
	q = query_new();
	s = query_string(q);
	is_str(s, "", "empty query");
	free(s);
	query_free(q);

	/* A whole segment of dots is encoded; dots inside an id are not. */
	s = routes_url(NULL, "http://h", ROUTE_CALL_REMOVEPARTICIPANT,
	    (struct route_var[]){ { "domain", "d" }, { "user", "u" },
	    { "callId", "c.1" }, { "participantId", ".." }, { NULL, NULL } },
	    NULL, err, sizeof(err));
	is_str(s, "http://h/callcontrol/d/u/calls/c.1/participants/%2E%2E",
	    "participant \"..\" is %2E%2E");
	free(s);
	dot_segments();
	routes_free(r);
	return tap_done();
}
