/* test-profile.c: the parsers of the user's own settings (log, presence, forwarding, caller ID, voicemail) on the reference's examples, and their quirks. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "forward.h"
#include "history.h"
#include "presence.h"
#include "userline.h"
#include "voicemail.h"
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

/* issue 21 parts 3-5 */
static void
test_forward(void)
{
	struct fwd_rules	 r, r2;
	struct fwd_mappings	 m;
	const struct fwd_rule	*f;
	char			 err[256], *t, *num;

	t = tap_read_data("ref/diversion-01.json", NULL);
	ok(forward_rules_parse(t, strlen(t), &r, err, sizeof(err)) == 0,
	    "diversion: the reference's rules");
	is_int(r.nlines, 2, "two lines");
	is_int(r.nrules, 3, "three rules with a number, the others are off");
	if (r.nlines == 2) {
		is_str(r.lines[0].order, "PRIMARY", "lineOrderType");
		is_str(r.lines[0].type, "OFFICE_FIXED", "lineType");
		is_str(r.lines[1].number, "+123467890", "lineNumber");
	}
	f = forward_rules_find(&r, "PRIMARY", "CFWD_ON_BUSY");
	ok(f != NULL && strcmp(f->number, "+12345679") == 0,
	    "the primary line's CFWD_ON_BUSY");
	ok(forward_rules_find(&r, "PRIMARY", "CFWD_ALL") == NULL,
	    "CFWD_ALL without a number is off");
	ok(forward_rules_find(&r, "SECONDARY", "CFWD_NO_ANSWER") != NULL,
	    "the secondary line's rule");
	free(t);
	t = tap_read_data("ref/diversion-02.json", NULL);
	ok(forward_rules_parse(t, strlen(t), &r2, err, sizeof(err)) == 0 &&
	    forward_rules_equal(&r, &r2), "diversion: equal documents are equal");
	free(t);
	ok(forward_rules_set(&r2, "PRIMARY", "CFWD_ALL", "+4670") == 1 &&
	    !forward_rules_equal(&r, &r2) &&
	    forward_rules_find(&r2, "PRIMARY", "CFWD_ALL") != NULL,
	    "forward_rules_set: a new rule");
	ok(forward_rules_set(&r2, "PRIMARY", "CFWD_ALL", "+4670") == 0,
	    "forward_rules_set: the same number changes nothing");
	ok(forward_rules_set(&r2, "PRIMARY", "CFWD_ALL", NULL) == 1 &&
	    forward_rules_equal(&r, &r2), "forward_rules_set: cleared again");
	ok(forward_rules_set(&r2, "PRIMARY", "CFWD_ALL", NULL) == 0,
	    "forward_rules_set: clearing an off rule changes nothing");
	forward_rules_free(&r2);
	forward_rules_free(&r);

	t = tap_read_data("ref/diversion-09.json", NULL);
	ok(forward_rules_parse(t, strlen(t), &r, err, sizeof(err)) == 0 &&
	    r.nrules == 1 && strcmp(r.rules[0].type, "CFWD_NO_ANSWER") == 0 &&
	    strcmp(r.rules[0].line, "PRIMARY") == 0, "diversion: one rule alone");
	forward_rules_free(&r);
	free(t);
	t = tap_read_data("ref/diversion-06.json", NULL);
	ok(forward_rules_parse(t, strlen(t), &r, err, sizeof(err)) == 0 &&
	    r.nrules == 1 && strcmp(r.rules[0].line, "PRIMARY") == 0,
	    "diversion: a line without lineOrderType is the primary");
	forward_rules_free(&r);
	free(t);
	t = "{\"user-diversion-line-rules\": [{\"lineOrderType\": \"SECONDARY\","
	    "\"userDiversionRules\": {\"phoneNumber\": 4670123,"
	    "\"diversionRoutingRulesType\": \"CFWD_ALL\"}},"
	    "{\"userDiversionRules\": [{\"diversionRoutingRulesType\": \"NONE\","
	    "\"phoneNumber\": \"1\"}, 5, {\"phoneNumber\": \"2\"}]}, \"x\"]}";
	ok(forward_rules_parse(t, strlen(t), &r, err, sizeof(err)) == 0 &&
	    r.nlines == 2 && r.nrules == 1 &&
	    strcmp(r.rules[0].number, "4670123") == 0,
	    "diversion: hyphenated key, one rule as an object, a number as a "
	    "number, NONE and junk skipped");
	forward_rules_free(&r);
	ok(forward_rules_parse("{}", 2, &r, err, sizeof(err)) == 0 &&
	    r.nlines == 0, "diversion: {} has no line");
	ok(forward_rules_parse("{\"a\": 1}", 8, &r, err, sizeof(err)) == -1,
	    "diversion: anything else is refused");
	t = tap_read_data("ref/diversion-03.json", NULL);
	ok(forward_rules_parse(t, strlen(t), &r, err, sizeof(err)) == -1,
	    "diversion: an error body is no rules");
	free(t);

	t = tap_read_data("ref/diversion-13.json", NULL);
	ok(forward_number_parse(t, strlen(t), &num, err, sizeof(err)) == 0 &&
	    strcmp(num, "+14423455") == 0, "diversion-number, hyphenated");
	free(num);
	free(t);
	ok(forward_number_parse("{\"diversionNumber\": 4612}", 25, &num, err,
	    sizeof(err)) == 0 && strcmp(num, "4612") == 0,
	    "diversionNumber, a number as a number");
	free(num);
	ok(forward_number_parse(" +4670\n", 7, &num, err, sizeof(err)) == 0 &&
	    strcmp(num, "+4670") == 0, "the number as plain text");
	free(num);
	ok(forward_number_parse("{\"diversion-number\": null}", 26, &num, err,
	    sizeof(err)) == 0 && *num == '\0', "null: none");
	free(num);
	ok(forward_number_parse("{\"x\": 1}", 8, &num, err, sizeof(err)) == -1 &&
	    num == NULL, "another object is refused");
	ok(forward_number_parse("hello", 5, &num, err, sizeof(err)) == -1,
	    "text that is no number is refused");

	t = tap_read_data("ref/activitydiversion-01.json", NULL);
	ok(forward_mapping_parse(t, strlen(t), &m, err, sizeof(err)) == 0 &&
	    m.n == 3 && strcmp(m.v[1].activity, "lunch") == 0 &&
	    strcmp(m.v[1].number, "+12345679") == 0,
	    "diversion-mapping: the reference's three");
	forward_mapping_free(&m);
	free(t);
	t = tap_read_data("ref/activitydiversion-04.json", NULL);
	ok(forward_mapping_parse(t, strlen(t), &m, err, sizeof(err)) == 0 &&
	    m.n == 1, "diversion-mapping: one alone");
	forward_mapping_free(&m);
	free(t);
	ok(forward_mapping_parse("{\"m\": []}", 9, &m, err, sizeof(err)) == -1,
	    "diversion-mapping: no list is refused");

	is_str(forward_type_name("all"), "CFWD_ALL", "type: short name");
	is_str(forward_type_name("cfwd_no_answer"), "CFWD_NO_ANSWER",
	    "type: any case");
	ok(forward_type_name("NONE") == NULL && forward_type_name("al") == NULL,
	    "type: NONE and the unknown are no type");
	is_str(forward_type_short("CFWD_ON_BUSY"), "busy", "type: its short name");
	ok(forward_line_name("secondary") != NULL &&
	    forward_line_name("TERTIARY") == NULL, "line: PRIMARY, SECONDARY");
	ok(phone_number_valid("+46701234567") && phone_number_valid("*21#") &&
	    !phone_number_valid("+4670abc") && !phone_number_valid("") &&
	    !phone_number_valid("+46 70"), "phone_number_valid");
}

static void
test_userline(void)
{
	struct userline_list	 l, l2;
	struct userline		 a;
	char			 err[256], *t;

	t = tap_read_data("ref/userline-01.json", NULL);
	ok(userline_list_parse(t, strlen(t), &l, err, sizeof(err)) == 0 &&
	    l.n == 1, "userline: the reference's list");
	if (l.n == 1) {
		is_str(l.v[0].type, "OFFICE_FIXED", "type");
		is_int(l.v[0].group, 0, "groupId");
		is_str(l.v[0].name, "office fixed", "name");
		ok(l.v[0].active, "active");
	}
	ok(userline_find(&l, "OFFICE_FIXED", 0) == &l.v[0] &&
	    userline_find(&l, "OFFICE_FIXED", 1) == NULL, "userline_find");
	free(t);
	t = "{\"line\": [{\"type\": \"ACD\", \"groupId\": \"2\", \"active\": "
	    "\"false\"}, {\"type\": \"ACD\", \"groupId\": 2}, {\"name\": \"x\"}]}";
	ok(userline_list_parse(t, strlen(t), &l2, err, sizeof(err)) == 0 &&
	    l2.n == 1 && l2.v[0].group == 2 && !l2.v[0].active,
	    "userline: a quoted groupId, duplicates and typeless lines skipped");
	ok(!userline_list_equal(&l, &l2), "userline_list_equal");
	userline_list_free(&l2);
	userline_list_free(&l);
	ok(userline_list_parse("{\"line\": {\"type\": \"ACD\"}}", 25, &l, err,
	    sizeof(err)) == 0 && l.n == 1, "userline: one line as an object");
	userline_list_free(&l);
	ok(userline_list_parse("{\"lines\": 1}", 12, &l, err, sizeof(err)) == -1,
	    "userline: no list is refused");

	t = tap_read_data("ref/userline-02.json", NULL);
	ok(userline_parse(t, strlen(t), &a, err, sizeof(err)) == 0,
	    "userline: the reference's active line");
	is_str(a.type, "SWITCHBOARD", "type");
	is_str(a.name, "swithboard", "name, as the reference spells it");
	is_str(a.number, "+123400", "number");
	userline_clear(&a);
	free(t);
	ok(userline_parse("{\"userLine\": {\"type\": \"OFFICE_FIXED\", "
	    "\"groupId\": \"1\"}}", 54, &a, err, sizeof(err)) == 0 &&
	    a.group == 1, "userline: wrapped in userLine, a quoted groupId");
	userline_clear(&a);
	ok(userline_parse("[]", 2, &a, err, sizeof(err)) == -1,
	    "userline: a list is no active line");
	is_str(userline_type_name("office_mobile"), "OFFICE_MOBILE",
	    "type: any case");
	ok(userline_type_name("OFFICE") == NULL, "type: unknown");
}

static void
test_voicemail(void)
{
	struct vm_settings	 s, s2;
	struct json_object	*o;
	char			 err[256], *t;

	t = tap_read_data("ref/voicemail-01.json", NULL);
	ok(voicemail_parse(t, strlen(t), &s, err, sizeof(err)) == 0,
	    "voicemail: the reference's settings");
	ok((s.bools >> VM_PLAY_ACTIVITY) & 1 &&
	    !((s.bools >> VM_SMS_NOTIFICATION) & 1) &&
	    (s.bools >> VM_INBOX_FULL_EMAIL) & 1 &&
	    !((s.bools >> VM_CALLBACK_ENABLED) & 1), "the booleans");
	is_int(s.known, (1u << (VM_HUMAN_NUMBER + 1)) - 1, "every key known");
	is_str(s.human_number, "+4676767676", "humanAssistanceNumber");
	o = voicemail_json(&s);
	is_int(json_object_object_length(o), 13, "written back: 13 keys");
	ok(json_object_get_boolean(json_object_object_get(o, "allowVoicemail")),
	    "written back: a boolean");
	json_object_put(o);
	free(t);
	t = "{\"voicemailSettings\": {\"playActivity\": \"false\", "
	    "\"allowDownload\": 1, \"humanAssistanceNumber\": 4676}}";
	ok(voicemail_parse(t, strlen(t), &s2, err, sizeof(err)) == 0 &&
	    s2.known == ((1u << VM_PLAY_ACTIVITY) | (1u << VM_ALLOW_DOWNLOAD) |
	    (1u << VM_HUMAN_NUMBER)) && s2.bools == 1u << VM_ALLOW_DOWNLOAD &&
	    strcmp(s2.human_number, "4676") == 0,
	    "voicemail: wrapped, quoted booleans, a number as a number");
	ok(!voicemail_equal(&s, &s2), "voicemail_equal");
	o = voicemail_json(&s2);
	is_int(json_object_object_length(o), 3, "written back: the known keys only");
	json_object_put(o);
	voicemail_clear(&s2);
	voicemail_clear(&s);
	ok(voicemail_parse("[true]", 6, &s, err, sizeof(err)) == -1,
	    "voicemail: a list is refused");
	is_int(voicemail_key("fileAttached"), VM_FILE_ATTACHED, "key by Core name");
	is_int(voicemail_key("HumanAssistanceNumber"), VM_HUMAN_NUMBER,
	    "key by property name");
	is_int(voicemail_key("volume"), -1, "unknown key");
}

int
main(void)
{
	test_history();
	test_presence();
	test_forward();
	test_userline();
	test_voicemail();
	return tap_done();
}
