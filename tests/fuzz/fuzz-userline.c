/* fuzz-userline.c: User Line answers: the list of lines and the active caller ID. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>

#include "userline.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char		*s = (const char *)data;
	struct userline_list	 l, l2;
	struct userline		 a;
	char			 err[256];
	size_t			 i;

	if (userline_list_parse(s, size, &l, err, sizeof(err)) == 0) {
		/* Pairs are unique, each has a type, and is found again. */
		for (i = 0; i < l.n; i++)
			if (*l.v[i].type == '\0' || userline_find(&l,
			    l.v[i].type, l.v[i].group) != &l.v[i])
				__builtin_trap();
		if (userline_list_parse(s, size, &l2, err, sizeof(err)) != 0 ||
		    !userline_list_equal(&l, &l2))
			__builtin_trap();
		userline_list_free(&l2);
		userline_list_free(&l);
	}
	if (userline_parse(s, size, &a, err, sizeof(err)) == 0) {
		if (!userline_equal(&a, &a) || a.type == NULL)
			__builtin_trap();
		(void)userline_type_name(a.type);
		userline_clear(&a);
	}
	return 0;
}
