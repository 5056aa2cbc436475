/* fuzz-forward.c: call forwarding documents: the rules per line, the active diversion number, the activity mapping. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "forward.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char		*s = (const char *)data;
	struct fwd_rules	 r, r2;
	struct fwd_mappings	 m, m2;
	char			 err[256], *num;
	size_t			 i;

	if (forward_rules_parse(s, size, &r, err, sizeof(err)) == 0) {
		/* Each kept rule forwards, is found again, and its line is known. */
		for (i = 0; i < r.nrules; i++) {
			if (*r.rules[i].number == '\0' ||
			    forward_rules_find(&r, r.rules[i].line,
			    r.rules[i].type) != &r.rules[i])
				__builtin_trap();
		}
		if (forward_rules_parse(s, size, &r2, err, sizeof(err)) != 0 ||
		    !forward_rules_equal(&r, &r2))
			__builtin_trap();
		/* Setting a rule and clearing it again leaves the rest. */
		if (r.nrules > 0) {
			forward_rules_set(&r2, r.rules[0].line, r.rules[0].type,
			    NULL);
			if (forward_rules_equal(&r, &r2) ||
			    r2.nrules != r.nrules - 1)
				__builtin_trap();
		}
		forward_rules_free(&r2);
		forward_rules_free(&r);
	}
	if (forward_number_parse(s, size, &num, err, sizeof(err)) == 0) {
		if (num == NULL)
			__builtin_trap();
		free(num);
	}
	if (forward_mapping_parse(s, size, &m, err, sizeof(err)) == 0) {
		if (forward_mapping_parse(s, size, &m2, err, sizeof(err)) != 0 ||
		    !forward_mapping_equal(&m, &m2))
			__builtin_trap();
		forward_mapping_free(&m2);
		forward_mapping_free(&m);
	}
	if (size > 0 && size < 64) {
		char buf[64];

		memcpy(buf, s, size);
		buf[size] = '\0';
		(void)forward_type_name(buf);
		(void)forward_line_name(buf);
		(void)phone_number_valid(buf);
	}
	return 0;
}
