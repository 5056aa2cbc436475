/* forward.h: call forwarding as the Core sends it: the Diversion API's rules per line and active number, Activity Diversion Mapping. */
#ifndef DSTNY_FORWARD_H
#define DSTNY_FORWARD_H

#include <stddef.h>

/* A rule that forwards: rules without a phoneNumber are off and not kept. */
struct fwd_rule {
	char	*line;		/* lineOrderType: PRIMARY, SECONDARY */
	char	*type;		/* diversionRoutingRulesType: CFWD_ALL, ... */
	char	*number;	/* phoneNumber, never "" */
};

struct fwd_line {
	char	*order;		/* lineOrderType */
	char	*type;		/* lineType: OFFICE_FIXED, ... */
	char	*number;	/* lineNumber */
};

struct fwd_rules {
	struct fwd_line	*lines;
	size_t		 nlines;
	struct fwd_rule	*rules;
	size_t		 nrules;
};

struct fwd_mapping {
	char	*activity;	/* activityId */
	char	*number;	/* phoneNumber */
};

struct fwd_mappings {
	struct fwd_mapping	*v;
	size_t			 n;
};

/*
 * {userDiversionLineRules: [...]} (or "user-diversion-line-rules"), a bare
 * array of lines, one line, or one rule ({lineOrderType?, phoneNumber,
 * diversionRoutingRulesType}); a line without lineOrderType is PRIMARY.
 * Lines and rules appear once (the first kept). -1 with err set when the
 * text is none of these.
 */
int		 forward_rules_parse(const char *, size_t, struct fwd_rules *,
		    char *err, size_t errlen);
void		 forward_rules_free(struct fwd_rules *);
int		 forward_rules_equal(const struct fwd_rules *,
		    const struct fwd_rules *);
const struct fwd_rule *forward_rules_find(const struct fwd_rules *,
		    const char *line, const char *type);
/* As the Core after a put (number) or a delete (NULL); 1 when it changed. */
int		 forward_rules_set(struct fwd_rules *, const char *line,
		    const char *type, const char *number);
/*
 * The active diversion number: {"diversion-number": n} (or
 * diversionNumber, phoneNumber), a JSON string or number, or the number
 * as plain text; null or "" is none. *out is malloc'd.
 */
int		 forward_number_parse(const char *, size_t, char **out,
		    char *err, size_t errlen);
/* {"diversion-mapping": [...]}, a bare array or one {activityId, phoneNumber}. */
int		 forward_mapping_parse(const char *, size_t,
		    struct fwd_mappings *, char *err, size_t errlen);
void		 forward_mapping_free(struct fwd_mappings *);
int		 forward_mapping_equal(const struct fwd_mappings *,
		    const struct fwd_mappings *);
/*
 * A rule type of the reference by its name or short name (CFWD_ALL or
 * all, CFWD_ON_BUSY or busy, CFWD_NO_ANSWER or no-answer, ...), any
 * case: the reference's name, or NULL.
 */
const char	*forward_type_name(const char *);
/* The short name of a rule type of the reference ("all"), or the type as is. */
const char	*forward_type_short(const char *);
/* PRIMARY or SECONDARY, any case; NULL for anything else. */
const char	*forward_line_name(const char *);
/* A number to divert to: 1 to 32 of digits, + * #. */
int		 phone_number_valid(const char *);

#endif
