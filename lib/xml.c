/* xml.c: namespace-blind readers on libxml2, with DTDs and the network refused. */
#include "config.h"

#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "directory.h"
#include "utf8.h"
#include "xmalloc.h"
#include "xml.h"

#define XML_MAX_DOC	(4 * 1024 * 1024)

/* Parse without entities, DTD loading or network; refuse any DTD at all. */
xmlDocPtr
xml_read(const char *text, size_t len, const char *what, char *err,
    size_t errlen)
{
	const xmlError	*e;
	const char	*msg;
	xmlDocPtr	 doc;
	char		*fixed;
	size_t		 flen;

	if (len > XML_MAX_DOC || len > INT_MAX) {
		snprintf(err, errlen, "%s: document larger than 4 MiB", what);
		return NULL;
	}
	doc = xmlReadMemory(text, (int)len, NULL, NULL, XML_PARSE_NONET |
	    XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NOCDATA);
	if (doc == NULL && !utf8_valid(text, len)) {
		/*
		 * libxml2 refuses a whole document for one byte that is not
		 * UTF-8, and one queue's name would freeze every queue's
		 * figures: repair the bytes as JSON's are (utf8.h) and read
		 * it once more. A document in another encoding that was
		 * refused stays refused.
		 */
		fixed = utf8_sanitize(text, len, &flen);
		doc = xmlReadMemory(fixed, (int)flen, NULL, NULL, XML_PARSE_NONET |
		    XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NOCDATA);
		free(fixed);
	}
	if (doc == NULL) {
		e = xmlGetLastError();
		msg = e != NULL && e->message != NULL ? e->message :
		    "unknown error";
		snprintf(err, errlen, "%s: not well-formed XML (line %d: %.*s)",
		    what, e != NULL ? e->line : 0, (int)strcspn(msg, "\n"), msg);
		return NULL;
	}
	if (doc->intSubset != NULL || doc->extSubset != NULL) {
		snprintf(err, errlen, "%s: documents with a DTD are refused", what);
		xmlFreeDoc(doc);
		return NULL;
	}
	if (xmlDocGetRootElement(doc) == NULL) {
		snprintf(err, errlen, "%s: no root element", what);
		xmlFreeDoc(doc);
		return NULL;
	}
	return doc;
}

/* Compare a local name with key, ignoring case, '-' and '_'. */
int
xml_name_is(const xmlChar *name, const char *key)
{
	const char	*n = (const char *)name;

	for (;;) {
		while (*n == '-' || *n == '_')
			n++;
		while (*key == '-' || *key == '_')
			key++;
		if (*n == '\0' || *key == '\0')
			return *n == *key;
		if (tolower((unsigned char)*n) != tolower((unsigned char)*key))
			return 0;
		n++;
		key++;
	}
}

xmlNodePtr
xml_child(xmlNodePtr node, const char *key)
{
	xmlNodePtr	c;

	for (c = node->children; c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE && xml_name_is(c->name, key))
			return c;
	return NULL;
}

/* The text of an attribute or child element named key; "" when neither. */
char *
xml_field(xmlNodePtr node, const char *key)
{
	xmlAttrPtr	 a;
	xmlNodePtr	 c;
	xmlChar		*v = NULL;
	char		*s;

	for (a = node->properties; a != NULL && v == NULL; a = a->next)
		if (xml_name_is(a->name, key))
			v = xmlNodeGetContent((xmlNodePtr)a);
	if (v == NULL && (c = xml_child(node, key)) != NULL)
		v = xmlNodeGetContent(c);
	if (v == NULL)
		return xstrdup("");
	/*
	 * Trim the white space around element text. libxml2 gives UTF-8,
	 * but takes noncharacters (&#xFDD0;, &#x1FFFF;) that sd-bus refuses.
	 */
	s = (char *)v;
	while (isspace((unsigned char)*s))
		s++;
	s = utf8_sanitize(s, strlen(s), NULL);
	xmlFree(v);
	for (size_t n = strlen(s); n > 0 && isspace((unsigned char)s[n - 1]); n--)
		s[n - 1] = '\0';
	return s;
}

static int
xml_has_field(xmlNodePtr node, const char *key)
{
	xmlAttrPtr	a;

	for (a = node->properties; a != NULL; a = a->next)
		if (xml_name_is(a->name, key))
			return 1;
	return xml_child(node, key) != NULL;
}

long long
xml_num(xmlNodePtr node, const char *key)
{
	char		*s = xml_field(node, key), *end;
	long long	 n;

	n = strtoll(s, &end, 10);
	if (*s == '\0' || *end != '\0')
		n = 0;
	free(s);
	return n;
}

static uint32_t
xml_uint(xmlNodePtr node, const char *key)
{
	long long	n = xml_num(node, key);

	return n < 0 ? 0 : n > UINT32_MAX ? UINT32_MAX : (uint32_t)n;
}

static void
xml_presence_add(struct queue_info *q, xmlNodePtr node)
{
	q->presence = xreallocarray(q->presence, q->npresence + 1,
	    sizeof(*q->presence));
	q->presence[q->npresence].name = xml_field(node, "name");
	q->presence[q->npresence++].count = xml_uint(node, "count");
}

static void
xml_queue(struct queue_list *out, xmlNodePtr node)
{
	struct queue_info	*q;
	xmlNodePtr		 c, p;

	out->v = xreallocarray(out->v, out->n + 1, sizeof(*out->v));
	q = &out->v[out->n++];
	memset(q, 0, sizeof(*q));
	q->id = xml_num(node, "id");
	q->domain = xml_field(node, "domain");
	q->name = xml_field(node, "name");
	q->type = xml_field(node, "type");
	q->number = xml_field(node, "number");
	q->calls_waiting = xml_uint(node, "queueLength");
	q->free_agents = xml_uint(node, "availableAgents");
	q->logged_in_agents = xml_uint(node, "loggedInAgents");
	q->longest_waiting = xml_uint(node, "longestWaiting");
	q->last_wait = xml_uint(node, "lastWait");
	q->average_wait = xml_uint(node, "averageWait");
	q->answered_24h = xml_uint(node, "answeredCallsLast24h");
	q->dropped_24h = xml_uint(node, "droppedCallsLast24h");
	q->total_24h = xml_uint(node, "totalCallsLast24h");
	for (c = node->children; c != NULL; c = c->next) {
		if (c->type != XML_ELEMENT_NODE ||
		    !xml_name_is(c->name, "current-agent-presence"))
			continue;
		if (xml_has_field(c, "name"))
			xml_presence_add(q, c);
		else
			for (p = c->children; p != NULL; p = p->next)
				if (p->type == XML_ELEMENT_NODE)
					xml_presence_add(q, p);
	}
}

static void
xml_find_queues(struct queue_list *out, xmlNodePtr node, int depth)
{
	xmlNodePtr	c;

	if (depth > 16)
		return;
	for (c = node; c != NULL; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (xml_name_is(c->name, "queue") && xml_has_field(c, "id"))
			xml_queue(out, c);
		else
			xml_find_queues(out, c->children, depth + 1);
	}
}

int
queue_stats_parse_xml(const char *text, size_t len, struct queue_list *out,
    char *err, size_t errlen)
{
	xmlDocPtr	doc;

	memset(out, 0, sizeof(*out));
	if ((doc = xml_read(text, len, "queue statistics", err, errlen)) == NULL)
		return -1;
	xml_find_queues(out, xmlDocGetRootElement(doc), 0);
	xmlFreeDoc(doc);
	return 0;
}
