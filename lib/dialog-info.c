/* dialog-info.c: RFC 4235 dialog-info documents (a favourite's line state). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "dialog-info.h"
#include "xmalloc.h"
#include "xml.h"

static void
dialog_parse(struct dialog *d, xmlNodePtr node)
{
	xmlNodePtr	st, remote;
	char		*code;

	d->id = xml_field(node, "id");
	d->call_id = xml_field(node, "call-id");
	d->local_tag = xml_field(node, "local-tag");
	d->remote_tag = xml_field(node, "remote-tag");
	d->direction = xml_field(node, "direction");
	if ((st = xml_child(node, "state")) != NULL) {
		d->state = xml_field(node, "state");
		d->event = xml_field(st, "event");
		code = xml_field(st, "code");
		d->code = atoi(code);
		free(code);
	} else {
		d->state = xstrdup("");
		d->event = xstrdup("");
	}
	if ((remote = xml_child(node, "remote")) != NULL)
		d->remote_identity = xml_field(remote, "identity");
	else
		d->remote_identity = xstrdup("");
}

int
dialog_info_parse(const char *text, size_t len, struct dialog_info *di,
    char *err, size_t errlen)
{
	xmlDocPtr	 doc;
	xmlNodePtr	 root, c;
	char		*s;

	memset(di, 0, sizeof(*di));
	if ((doc = xml_read(text, len, "dialog-info", err, errlen)) == NULL)
		return -1;
	root = xmlDocGetRootElement(doc);
	if (!xml_name_is(root->name, "dialog-info")) {
		snprintf(err, errlen, "dialog-info: root element is <%s>",
		    (const char *)root->name);
		xmlFreeDoc(doc);
		return -1;
	}
	di->version = (long)xml_num(root, "version");
	s = xml_field(root, "state");
	di->full = strcmp(s, "partial") != 0;
	free(s);
	di->entity = xml_field(root, "entity");
	for (c = root->children; c != NULL; c = c->next) {
		if (c->type != XML_ELEMENT_NODE || !xml_name_is(c->name, "dialog"))
			continue;
		di->v = xreallocarray(di->v, di->n + 1, sizeof(*di->v));
		dialog_parse(&di->v[di->n++], c);
	}
	xmlFreeDoc(doc);
	return 0;
}

void
dialog_info_clear(struct dialog_info *di)
{
	size_t	i;

	for (i = 0; i < di->n; i++) {
		free(di->v[i].id);
		free(di->v[i].call_id);
		free(di->v[i].local_tag);
		free(di->v[i].remote_tag);
		free(di->v[i].direction);
		free(di->v[i].state);
		free(di->v[i].event);
		free(di->v[i].remote_identity);
	}
	free(di->v);
	free(di->entity);
	memset(di, 0, sizeof(*di));
}

int
dialog_is_live(const struct dialog *d)
{
	return strcasecmp(d->state, "terminated") != 0;
}
