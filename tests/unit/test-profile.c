/* test-profile.c: the Communication Log and presence parsers on the reference's examples, and their quirks. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "history.h"
#include "presence.h"
#include "tap.h"

static int
parse_history(const char *text, struct history_list *l)
{
	char	err[256];

	return history_parse(text, strlen(text), l, err, sizeof(err));
}

static void
test_history(void)
{
	struct history_list	 l;
	struct json_object	*o;
	char			*t;

	t = tap_read_data("ref/communicationlog-02.json", NULL);
	ok(parse_history(t, &l) == 0 && l.n == 3, "history: the reference's list of three");
	if (l.n == 3) {
		is_int(l.v[2].id, 1247, "itemId, a number in the body");
		is_str(l.v[2].kind, "CallDTO", "the wrapper's class, without its dot");
		is_str(l.v[2].type, "MISSED_CALL", "itemType");
		ok(!l.v[2].seen && l.v[0].seen, "isSeen");
		is_str(l.v[0].number, "+1555123001", "remoteParty.number");
		is_str(l.v[0].name, "Jane Doe", "remoteParty.displayName");
		is_int(l.v[0].duration, 145, "duration");
		is_int((long long)l.v[0].start, 1601896169LL, "startTime");
		o = history_item_json(&l.v[0]);
		is_str(json_object_get_string(json_object_object_get(o, "startTime")),
		    "2020-10-05T11:09:29Z", "the socket's view keeps the time");
		json_object_put(o);
	}
	is_int(l.newest, 1247, "the newest itemId");
	history_free(&l);
	free(t);

	t = tap_read_data("ref/communicationlog-03.json", NULL);
	ok(parse_history(t, &l) == 0 && l.n == 1, "history: a group inbox voicemail");
	if (l.n == 1) {
		is_str(l.v[0].kind, "GroupInboxVoiceMailDTO", "its class");
		ok(!l.v[0].played && l.v[0].seen, "isPlayed, isSeen");
		is_str(l.v[0].inbox, "Group Inbox 1", "inboxName");
	}
	history_free(&l);
	free(t);

	/* itemId as a string, a bare item, a quoted duration, junk skipped. */
	ok(parse_history("{\"historyItems\": [{\".CallDTO\": {\"itemId\": \"12\","
	    "\"itemType\": \"MISSED_CALL\", \"duration\": \"2\"}},"
	    "{\"itemId\": 13, \"itemType\": \"FAX\"}, 7, {\"a\": 1, \"b\": 2},"
	    "{\".CallDTO\": {\"itemId\": -1}}, {\".X\": {}}]}", &l) == 0 &&
	    l.n == 2, "history: quirks read, junk skipped");
	if (l.n == 2) {
		is_int(l.v[0].id, 12, "itemId as a string");
		is_int(l.v[0].duration, 2, "a quoted number");
		is_str(l.v[1].kind, "", "a bare item has no class");
	}
	is_int(l.newest, 13, "newest of both");
	history_free(&l);
	ok(parse_history("[]", &l) == 0 && l.n == 0, "a bare empty list");
	history_free(&l);
	ok(parse_history("{}", &l) == 0 && l.n == 0, "{}: no items");
	history_free(&l);
	ok(parse_history("{\"historyItems\": 3}", &l) == -1, "not a list: refused");
	ok(parse_history("nope", &l) == -1, "not JSON: refused");
	ok(history_type_valid("MISSED_CALL") && history_type_valid("FAX") &&
	    !history_type_valid("MISSED_CALL INCOMING_CALL") &&
	    !history_type_valid("") && !history_type_valid("missed_call"),
	    "history_type_valid: the reference's enum, exactly");
}

static void
test_presence(void)
{
	struct presence		 p, q;
	struct activity_list	 a;
	struct shortcut_list	 s;
	struct shortcut		 sc;
	char			 err[256], *t;
	struct tm		 tm;
	time_t			 now, e;

	t = tap_read_data("ref/userinfo-01.json", NULL);
	ok(presence_parse(t, strlen(t), &p, err, sizeof(err)) == 0,
	    "presence: the reference's");
	is_str(p.activity, "working", "activity.id");
	ok(p.available, "available");
	is_str(p.note, "Planning our upgrade", "note");
	is_int((long long)p.expires, 1600686300LL, "activity.expiration");
	free(t);
	t = tap_read_data("ref/userinfo-03.json", NULL);
	ok(presence_parse(t, strlen(t), &q, err, sizeof(err)) == 0 &&
	    !q.available && strcmp(q.activity, "meeting") == 0,
	    "presence: the update's answer (do not disturb)");
	ok(!presence_equal(&p, &q), "presence_equal tells them apart");
	presence_clear(&q);
	free(t);
	t = "{\"presence\": {\"activity\": \"lunch\", \"available\": \"false\"}}";
	ok(presence_parse(t, strlen(t), &q, err, sizeof(err)) == 0 &&
	    strcmp(q.activity, "lunch") == 0 && !q.available && q.expires == 0,
	    "presence: wrapped, a bare activity id, a quoted boolean");
	presence_clear(&q);
	ok(presence_parse("[1]", 3, &q, err, sizeof(err)) == -1,
	    "presence: a list is refused");
	presence_clear(&p);

	t = tap_read_data("ref/enduserconfig-03.json", NULL);
	ok(activities_parse(t, strlen(t), &a, err, sizeof(err)) == 0 &&
	    a.n == 3, "activities: the reference's three");
	ok(a.n == 3 && a.v[0].dflt && a.v[0].available && !a.v[1].available &&
	    activities_find(&a, "lunch") == &a.v[1] &&
	    activities_find(&a, "working") == NULL, "activities: fields, find");
	activities_free(&a);
	free(t);
	t = tap_read_data("ref/enduserconfig-04.json", NULL);
	ok(activities_parse(t, strlen(t), &a, err, sizeof(err)) == 0 &&
	    a.n == 3, "activities: from the aggregated configuration");
	activities_free(&a);
	free(t);

	t = tap_read_data("ref/presenceshortcuts-04.json", NULL);
	ok(shortcuts_parse(t, strlen(t), &s, err, sizeof(err)) == 0 &&
	    s.n == 2, "shortcuts: the reference's two");
	if (s.n == 2) {
		is_str(s.v[1].id, "23342323232", "id (a string of digits)");
		is_int(s.v[1].minutes, 45, "durationMinutes");
		is_str(s.v[1].divert, "+5545445656", "diversionPhoneNumber");
		ok(s.v[1].apply_divert && !s.v[0].apply_divert,
		    "applyDiversionNumber");
	}
	shortcuts_free(&s);
	free(t);
	t = tap_read_data("ref/presenceshortcuts-01.json", NULL);
	ok(shortcuts_parse(t, strlen(t), &s, err, sizeof(err)) == 0 &&
	    s.n == 1 && strcmp(s.v[0].name, "Weekend") == 0,
	    "shortcuts: one alone");
	shortcuts_free(&s);
	free(t);
	t = "{\"presenceShortcut\": [{\"id\": \"b\", \"order\": 9},"
	    "{\"id\": \"a\", \"order\": \"2\"}]}";
	ok(shortcuts_parse(t, strlen(t), &s, err, sizeof(err)) == 0 &&
	    s.n == 2 && strcmp(s.v[0].id, "a") == 0, "shortcuts: by order, "
	    "a quoted order too");
	shortcuts_free(&s);

	is_int((long long)presence_text_expires("2020-01-31T20:00:00Z", 20),
	    1580500800LL, "plain text: an end time");
	is_int((long long)presence_text_expires(" \"never\"\n", 9), 0,
	    "plain text: never, quoted");
	is_int((long long)presence_text_expires("soon", 4), -1,
	    "plain text: unreadable");
	is_int(presence_text_bool("true", 4), 1, "plain text: true");
	is_int(presence_text_bool("false\r\n", 7), 0, "plain text: false");
	is_int(presence_text_bool("yes", 3), -1, "plain text: neither");

	memset(&sc, 0, sizeof(sc));
	now = 1700000000;	/* a Tuesday */
	sc.duration_type = "MINUTES";
	sc.minutes = 45;
	is_int((long long)shortcut_expiry(&sc, now), (long long)now + 2700,
	    "expiry: MINUTES");
	sc.duration_type = "NO_END_TIME";
	is_int((long long)shortcut_expiry(&sc, now), 0, "expiry: none");
	sc.duration_type = "UNTIL_NEXT_WORKING_DAY";
	e = shortcut_expiry(&sc, now);
	localtime_r(&e, &tm);
	ok(e > now && tm.tm_hour == 8 && tm.tm_min == 0 && tm.tm_wday >= 1 &&
	    tm.tm_wday <= 5 && e - now < 3 * 86400 + 3600,
	    "expiry: 08:00 on the next working day");
}

int
main(void)
{
	test_history();
	test_presence();
	return tap_done();
}
