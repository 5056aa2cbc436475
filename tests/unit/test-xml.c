/* test-xml.c: queue statistics, dialog-info and PIDF XML, and hostile documents. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "directory.h"
#include "tap.h"
#include "utf8.h"
#include "dialog-info.h"
#include "pidf.h"
#include "xml.h"

#define FFFD	"\xef\xbf\xbd"

/* The name of the only queue in doc, or NULL (refused, or not one queue). */
static char *
queue_name(const char *doc)
{
	struct queue_list	 q;
	char			 err[256], *name = NULL;

	if (queue_stats_parse_xml(doc, strlen(doc), &q, err, sizeof(err)) == -1) {
		printf("# %s\n", err);
		return NULL;
	}
	if (q.n == 1)
		name = strdup(q.v[0].name);
	queue_list_free(&q);
	return name;
}

/*
 * What libxml2 refuses (bytes that are not UTF-8, &#xD800;, &#xFFFF;) and
 * what it takes that sd-bus refuses (&#xFDD0;, &#x1FFFF;): every name
 * read is valid UTF-8 (utf8.h); a document in another encoding is read in
 * it.
 */
static void
utf8_names(void)
{
	static const struct {
		const char	*doc, *name, *what;
	} cases[] = {
		{ "<q><queue id=\"1\" name=\"Sales \xff\xfe\"/></q>",
		  "Sales " FFFD FFFD, "raw \\xff\\xfe in an attribute" },
		{ "<?xml version=\"1.0\" encoding=\"UTF-8\"?><q><queue id=\"1\">"
		  "<name>a\xe2\x82</name></queue></q>", "a" FFFD,
		  "a truncated sequence in element text, UTF-8 declared" },
		{ "<q><queue id=\"1\" name=\"\xed\xa0\x80\"/></q>",
		  FFFD FFFD FFFD, "a surrogate in raw bytes" },
		{ "<q><queue id=\"1\" name=\"&#xFDD0;x\"/></q>", FFFD "x",
		  "&#xFDD0;, a noncharacter libxml2 takes" },
		{ "<q><queue id=\"1\"><name>&#x1FFFF;</name></queue></q>", FFFD,
		  "&#x1FFFF;, the same in another plane" },
		{ "<q><queue id=\"1\" name=\"\xef\xbf\xbe\"/></q>", FFFD,
		  "U+FFFE as raw bytes" },
		{ "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><q><queue "
		  "id=\"1\" name=\"J\xf6rg\"/></q>", "J\xc3\xb6rg",
		  "Latin-1 declared: read as Latin-1, not repaired" },
		{ "<q><queue id=\"1\" name=\"J\xc3\xb6rg &#x1F600;\"/></q>",
		  "J\xc3\xb6rg \xf0\x9f\x98\x80", "valid text passes untouched" },
	};
	struct dialog_info	 di;
	char			 err[256], *name;
	const char		*doc;
	size_t			 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		name = queue_name(cases[i].doc);
		is_str(name, cases[i].name, cases[i].what);
		free(name);
	}
	name = queue_name("<q><queue id=\"1\" name=\"&#xD800;\"/></q>");
	ok(name == NULL, "&#xD800; is still refused: it is not XML");
	free(name);
	name = queue_name("<?xml version=\"1.0\" encoding=\"bogus\"?><q/>");
	ok(name == NULL, "an unknown encoding is still refused");
	free(name);

	doc = "<dialog-info version=\"1\" state=\"full\" entity=\"sip:a\xff\">"
	    "<dialog id=\"d\xfe\" call-id=\"c\xc3\"><state>confirmed</state>"
	    "<remote><identity>sip:&#xFDEF;@x</identity></remote></dialog>"
	    "</dialog-info>";
	ok(dialog_info_parse(doc, strlen(doc), &di, err, sizeof(err)) == 0 &&
	    di.n == 1 && strcmp(di.entity, "sip:a" FFFD) == 0 &&
	    strcmp(di.v[0].id, "d" FFFD) == 0 &&
	    strcmp(di.v[0].call_id, "c" FFFD) == 0 &&
	    strcmp(di.v[0].remote_identity, "sip:" FFFD "@x") == 0,
	    "dialog-info: entity, ids and identity repaired");
	if (di.n == 1)
		dialog_info_clear(&di);
}

/*
 * PIDF (a favourite's presence stream). The reference has no PIDF
 * example: RFC 3863's and RFC 4480's stand in, and the simulator's shape.
 */
static void
pidf_tests(void)
{
	struct pidf	 p;
	struct dialog_info di;
	char		 err[256], *text;
	size_t		 len;
	const char	*doc;

	text = tap_read_data("pidf-rfc3863.xml", &len);
	ok(pidf_parse(text, len, &p, err, sizeof(err)) == 0, "pidf: RFC 3863 example");
	free(text);
	ok(p.has_basic && p.available, "pidf: basic open is available");
	is_str(p.entity, "pres:someone@example.com", "pidf: entity, prefixed namespace");
	is_str(p.activity, "", "pidf: no activity");
	is_str(p.note, "", "pidf: no note");
	pidf_clear(&p);

	text = tap_read_data("pidf-rfc4480.xml", &len);
	ok(pidf_parse(text, len, &p, err, sizeof(err)) == 0, "pidf: RFC 4480 example");
	free(text);
	ok(p.has_basic && !p.available, "pidf: basic closed is away");
	is_str(p.activity, "meal", "pidf: the RPID activity, its note skipped");
	is_str(p.note, "Lunch with the team", "pidf: the person's note before a tuple's");
	pidf_clear(&p);

	doc = "<presence xmlns='urn:ietf:params:xml:ns:pidf' "
	    "xmlns:r='urn:ietf:params:xml:ns:pidf:rpid'><tuple id='a'><status>"
	    "<basic>closed</basic></status></tuple><tuple id='b'><status><basic>"
	    "open</basic></status></tuple><r:person><r:activities><r:other>"
	    "in a\tmeeting</r:other></r:activities></r:person>"
	    "<note>Back\n[ok] rm -rf \xff</note></presence>";
	ok(pidf_parse(doc, strlen(doc), &p, err, sizeof(err)) == 0, "pidf: two tuples");
	ok(p.available, "pidf: any open tuple is available");
	is_str(p.activity, "in a meeting", "pidf: <other> gives its text, a tab a space");
	is_str(p.note, "Back [ok] rm -rf " FFFD, "pidf: a note's new line and bad byte made inert");
	pidf_clear(&p);

	doc = "<presence><tuple id='a'/></presence>";
	ok(pidf_parse(doc, strlen(doc), &p, err, sizeof(err)) == 0 && !p.has_basic &&
	    !p.available, "pidf: no basic: nothing known");
	pidf_clear(&p);

	doc = "<?xml version='1.0'?><!DOCTYPE presence [<!ENTITY n 'x'>]>"
	    "<presence><note>&n;</note></presence>";
	ok(pidf_parse(doc, strlen(doc), &p, err, sizeof(err)) == -1, "pidf: a DTD is refused");
	is_str(err, "presence: documents with a DTD are refused", "pidf: DTD message");
	ok(pidf_parse("<dialog-info/>", 14, &p, err, sizeof(err)) == -1,
	    "pidf: wrong root refused");
	ok(pidf_parse("<presence>", 10, &p, err, sizeof(err)) == -1,
	    "pidf: not well-formed refused");

	/* A favourite's line state: any dialog not terminated holds the line. */
	text = tap_read_data("dialog-full.xml", &len);
	ok(dialog_info_parse(text, len, &di, err, sizeof(err)) == 0 &&
	    dialog_is_live(&di.v[0]) && dialog_is_live(&di.v[1]),
	    "dialog: confirmed and early are live");
	free(text);
	dialog_info_clear(&di);
	text = tap_read_data("dialog-partial.xml", &len);
	ok(dialog_info_parse(text, len, &di, err, sizeof(err)) == 0 &&
	    !dialog_is_live(&di.v[0]), "dialog: terminated is not");
	free(text);
	dialog_info_clear(&di);
}

int
main(void)
{
	struct queue_list	 q;
	struct dialog_info	 di;
	char			 err[256] = "", *text;
	size_t			 len;

	text = tap_read_data("queue-stats.xml", &len);
	ok(queue_stats_parse_xml(text, len, &q, err, sizeof(err)) == 0,
	    "queue statistics XML parses (%s)", err);
	free(text);
	is_int(q.n, 2, "two queues, namespaces ignored");
	ok(q.v[0].id == 67899 && strcmp(q.v[0].name, "ACD_Taxi") == 0 &&
	    strcmp(q.v[0].domain, "test.com") == 0 &&
	    strcmp(q.v[0].number, "+123415") == 0, "identity from elements");
	ok(q.v[0].calls_waiting == 3 && q.v[0].free_agents == 2 &&
	    q.v[0].logged_in_agents == 5 && q.v[0].longest_waiting == 20 &&
	    q.v[0].last_wait == 15 && q.v[0].average_wait == 14 &&
	    q.v[0].total_24h == 50 && q.v[0].dropped_24h == 4 &&
	    q.v[0].answered_24h == 38, "counters from elements (the JSON example's values)");
	ok(q.v[0].npresence == 2 && strcmp(q.v[0].presence[1].name, "Lunch") == 0 &&
	    q.v[0].presence[1].count == 2, "repeated current-agent-presence");
	ok(q.v[1].id == 35 && strcmp(q.v[1].name, "customer_acd") == 0 &&
	    q.v[1].calls_waiting == 7 && q.v[1].free_agents == 0 &&
	    q.v[1].logged_in_agents == 4 && q.v[1].longest_waiting == 95,
	    "attributes with hyphenated names");
	ok(q.v[1].npresence == 2 && strcmp(q.v[1].presence[1].name, "Busy") == 0 &&
	    q.v[1].presence[1].count == 4, "nested presence elements");
	queue_list_free(&q);

	ok(queue_stats_parse_xml("<queues/>", 9, &q, err, sizeof(err)) == 0 &&
	    q.n == 0, "no queues");
	ok(queue_stats_parse_xml("<queues><queue>", 15, &q, err, sizeof(err)) == -1,
	    "truncated refused");
	ok(strncmp(err, "queue statistics: not well-formed XML (line 1", 45) == 0,
	    "error names the line: %s", err);
	ok(queue_stats_parse_xml("", 0, &q, err, sizeof(err)) == -1, "empty refused");
	ok(queue_stats_parse_xml("<a>\0</a>", 8, &q, err, sizeof(err)) == -1, "NUL refused");

	text = tap_read_data("laughs.xml", &len);
	ok(queue_stats_parse_xml(text, len, &q, err, sizeof(err)) == -1,
	    "entity expansion bomb refused");
	free(text);
	ok(queue_stats_parse_xml("<!DOCTYPE q><queues/>", 21, &q, err, sizeof(err)) == -1,
	    "a harmless DTD is refused too");
	is_str(err, "queue statistics: documents with a DTD are refused", "DTD message");
	text = tap_read_data("xxe.xml", &len);
	ok(dialog_info_parse(text, len, &di, err, sizeof(err)) == -1,
	    "external entity refused");
	free(text);

	text = tap_read_data("dialog-full.xml", &len);
	ok(dialog_info_parse(text, len, &di, err, sizeof(err)) == 0,
	    "full dialog-info parses (%s)", err);
	free(text);
	ok(di.version == 3 && di.full && strcmp(di.entity, "sip:alice@example.com") == 0,
	    "version, state, entity");
	is_int(di.n, 2, "two dialogs");
	is_str(di.v[0].id, "as7d900as8", "dialog id");
	is_str(di.v[0].call_id, "a84b4c76e66710", "call-id");
	is_str(di.v[0].local_tag, "1928301774", "local-tag");
	is_str(di.v[0].remote_tag, "456887766", "remote-tag");
	is_str(di.v[0].direction, "recipient", "direction");
	is_str(di.v[0].state, "confirmed", "state");
	is_str(di.v[0].event, "replaced", "state event");
	is_str(di.v[0].remote_identity, "sip:bob@example.org", "remote identity");
	is_str(di.v[1].state, "early", "second dialog state");
	is_str(di.v[1].local_tag, "", "absent attribute is empty");
	dialog_info_clear(&di);

	text = tap_read_data("dialog-partial.xml", &len);
	ok(dialog_info_parse(text, len, &di, err, sizeof(err)) == 0, "partial dialog-info");
	free(text);
	ok(!di.full && di.version == 4 && di.n == 1, "partial, prefixed namespace");
	ok(strcmp(di.v[0].state, "terminated") == 0 && strcmp(di.v[0].event, "rejected") == 0 &&
	    di.v[0].code == 486, "terminated with code");
	dialog_info_clear(&di);

	/* The dialog stream of test-sse carries the same shape. */
	ok(dialog_info_parse("<queue/>", 8, &di, err, sizeof(err)) == -1,
	    "wrong root refused");
	is_str(err, "dialog-info: root element is <queue>", "root message");
	utf8_names();
	pidf_tests();
	return tap_done();
}
