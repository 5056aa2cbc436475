/* pidf.c: RFC 3863 PIDF presence documents with RFC 4480 (RPID) activities. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "contacts.h"
#include "pidf.h"
#include "utf8.h"
#include "xmalloc.h"
#include "xml.h"

/* xml_field, made a contact's text (contacts.h): inert anywhere. */
static char *
pidf_text(xmlNodePtr node, const char *key)
{
	char	*raw = xml_field(node, key), *s;

	s = contact_text(raw);
	free(raw);
	return s;
}

/* <activities>: the first activity element; <other> gives its text. */
static char *
pidf_activity(xmlNodePtr acts)
{
	xmlNodePtr	 a;
	char		*raw, *s;

	for (a = acts->children; a != NULL; a = a->next) {
		/* RPID lets a note precede the activity: not one. */
		if (a->type != XML_ELEMENT_NODE || xml_name_is(a->name, "note"))
			continue;
		/* Names are UTF-8 from libxml2; text is made valid by xml_field. */
		if (xml_name_is(a->name, "other"))
			raw = xml_field(acts, "other");
		else
			raw = utf8_sanitize((const char *)a->name,
			    strlen((const char *)a->name), NULL);
		s = contact_text(raw);
		free(raw);
		if (*s != '\0')
			return s;
		free(s);
	}
	return NULL;
}

/* A <person> (RFC 4479 data model, or RPID's own): activities and note. */
static void
pidf_person(struct pidf *p, xmlNodePtr person, char **note)
{
	xmlNodePtr	acts;

	if (p->activity == NULL &&
	    (acts = xml_child(person, "activities")) != NULL)
		p->activity = pidf_activity(acts);
	if (*note == NULL && xml_child(person, "note") != NULL)
		*note = pidf_text(person, "note");
}

static void
pidf_tuple(struct pidf *p, xmlNodePtr tuple, char **note)
{
	xmlNodePtr	 st;
	char		*basic;

	if ((st = xml_child(tuple, "status")) != NULL &&
	    xml_child(st, "basic") != NULL) {
		basic = xml_field(st, "basic");
		p->has_basic = 1;
		if (strcasecmp(basic, "open") == 0)
			p->available = 1;
		free(basic);
	}
	if (*note == NULL && xml_child(tuple, "note") != NULL)
		*note = pidf_text(tuple, "note");
}

int
pidf_parse(const char *text, size_t len, struct pidf *p, char *err,
    size_t errlen)
{
	xmlDocPtr	 doc;
	xmlNodePtr	 root, c;
	char		*person_note = NULL, *tuple_note = NULL;

	memset(p, 0, sizeof(*p));
	if ((doc = xml_read(text, len, "presence", err, errlen)) == NULL)
		return -1;
	root = xmlDocGetRootElement(doc);
	if (!xml_name_is(root->name, "presence")) {
		snprintf(err, errlen, "presence: root element is not <presence>");
		xmlFreeDoc(doc);
		return -1;
	}
	p->entity = pidf_text(root, "entity");
	for (c = root->children; c != NULL; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (xml_name_is(c->name, "tuple"))
			pidf_tuple(p, c, &tuple_note);
		else if (xml_name_is(c->name, "person"))
			pidf_person(p, c, &person_note);
		else if (xml_name_is(c->name, "note") && p->note == NULL)
			p->note = pidf_text(root, "note");
	}
	if (p->note == NULL) {
		p->note = person_note != NULL ? person_note : tuple_note != NULL ?
		    tuple_note : xstrdup("");
		if (p->note == person_note)
			person_note = NULL;
		else if (p->note == tuple_note)
			tuple_note = NULL;
	}
	free(person_note);
	free(tuple_note);
	if (p->activity == NULL)
		p->activity = xstrdup("");
	xmlFreeDoc(doc);
	return 0;
}

void
pidf_clear(struct pidf *p)
{
	free(p->activity);
	free(p->note);
	free(p->entity);
	memset(p, 0, sizeof(*p));
}
