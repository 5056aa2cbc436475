/*
 * dialog-info.h: RFC 4235 dialog-info read on lib/xml.c's readers. The
 * user's own dialog stream is only a hint (dstnyd reads state.user); a
 * favourite's line-state stream says whether that contact is in a call.
 */
#ifndef DSTNY_DIALOG_INFO_H
#define DSTNY_DIALOG_INFO_H

#include <stddef.h>

struct dialog {
	char	*id;
	char	*call_id;
	char	*local_tag;
	char	*remote_tag;
	char	*direction;	/* "initiator", "recipient" or "" */
	char	*state;		/* trying, proceeding, early, confirmed, terminated */
	char	*event;		/* the state's event attribute, e.g. "rejected" */
	int	 code;
	char	*remote_identity;
};

struct dialog_info {
	long		 version;
	int		 full;		/* state="full"; else partial */
	char		*entity;
	struct dialog	*v;
	size_t		 n;
};

/* Documents with a DTD are refused (xml_read). */
int	dialog_info_parse(const char *, size_t, struct dialog_info *,
	    char *err, size_t errlen);
void	dialog_info_clear(struct dialog_info *);
/*
 * Does the dialog hold the line: any state but terminated (trying,
 * proceeding, early, confirmed, and states RFC 4235 does not name)? A
 * dialog without a state element holds it too.
 */
int	dialog_is_live(const struct dialog *);

#endif
