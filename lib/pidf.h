/* pidf.h: RFC 3863 PIDF presence with RFC 4480 activities, read tolerantly. */
#ifndef DSTNY_PIDF_H
#define DSTNY_PIDF_H

#include <stddef.h>

/*
 * What a favourite shows of a presence document. Elements are matched by
 * local name whatever their namespace (pidf, rpid, dm, or none), unknown
 * ones ignored. Strings are set (maybe ""), valid UTF-8, without control
 * characters (spaces instead) and at most 512 bytes, as contacts.h's.
 */
struct pidf {
	int	 has_basic;	/* some tuple has <status><basic> */
	int	 available;	/* some tuple's basic is "open" */
	char	*activity;	/* the first RPID activity's name ("lunch"), or
				   the text of <other>; "" when none */
	char	*note;		/* <presence>'s note, else the person's, else a tuple's */
	char	*entity;
};

/* application/pidf+xml; documents with a DTD are refused. */
int	pidf_parse(const char *, size_t, struct pidf *, char *err,
	    size_t errlen);
void	pidf_clear(struct pidf *);

#endif
