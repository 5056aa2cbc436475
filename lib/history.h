/* history.h: the Communication Log (call history, voicemails) as the Core sends it. */
#ifndef DSTNY_HISTORY_H
#define DSTNY_HISTORY_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct json_object;

struct history_item {
	int64_t		 id;		/* itemId: a number or a string holding one */
	char		*kind;		/* the wrapper key without its dot: "CallDTO"; "" when bare */
	char		*type;		/* itemType, as sent */
	time_t		 start;		/* startTime; 0 when absent or unreadable */
	char		*number;	/* remoteParty.number */
	char		*name;		/* remoteParty.displayName */
	char		*inbox;		/* inboxName (group inbox items), or "" */
	int		 seen;
	int		 played;
	uint32_t	 duration;	/* seconds */
};

struct history_list {
	struct history_item	*v;
	size_t			 n;
	int64_t			 newest;	/* the largest itemId, 0 when none */
};

/*
 * {historyItems: [...]} (or a bare array). Each item is an object wrapped
 * in one key that names its class (".CallDTO", ".GroupInboxVoiceMailDTO")
 * or bare; items without a positive itemId are skipped. -1 with err set
 * when the document is not such a list.
 */
int		 history_parse(const char *, size_t, struct history_list *,
		    char *err, size_t errlen);
void		 history_free(struct history_list *);
/* Is s an itemType of the reference (OUTGOING_CALL ... FAX)? */
int		 history_type_valid(const char *s);
/* The socket's view of an item: itemId, itemType, startTime, ... */
struct json_object *history_item_json(const struct history_item *);

#endif
