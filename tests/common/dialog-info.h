/*
 * dialog-info.h: RFC 4235 dialog-info read on lib/xml.c's readers. Tests
 * only: dstnyd takes a dialog event as a hint and reads state.user.
 */
#ifndef DSTNY_TESTS_DIALOG_INFO_H
#define DSTNY_TESTS_DIALOG_INFO_H

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

int	dialog_info_parse(const char *, size_t, struct dialog_info *,
	    char *err, size_t errlen);
void	dialog_info_clear(struct dialog_info *);

#endif
