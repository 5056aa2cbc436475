/* fuzz-presence.c: presence, activities and shortcuts documents, and User Information's plain-text answers. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "presence.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char		*s = (const char *)data;
	struct presence		 p;
	struct activity_list	 a, a2;
	struct shortcut_list	 sc, sc2;
	char			 err[256];
	size_t			 i;

	if (presence_parse(s, size, &p, err, sizeof(err)) == 0) {
		if (!presence_equal(&p, &p))
			__builtin_trap();
		presence_clear(&p);
	}
	if (activities_parse(s, size, &a, err, sizeof(err)) == 0) {
		/* Ids are unique and found again; a second parse is equal. */
		for (i = 0; i < a.n; i++)
			if (activities_find(&a, a.v[i].id) != &a.v[i])
				__builtin_trap();
		if (activities_parse(s, size, &a2, err, sizeof(err)) != 0 ||
		    !activities_equal(&a, &a2))
			__builtin_trap();
		activities_free(&a2);
		activities_free(&a);
	}
	if (shortcuts_parse(s, size, &sc, err, sizeof(err)) == 0) {
		for (i = 0; i < sc.n; i++) {
			if (shortcuts_find(&sc, sc.v[i].id) != &sc.v[i])
				__builtin_trap();
			if (i > 0 && sc.v[i - 1].order > sc.v[i].order)
				__builtin_trap();
			(void)shortcut_expiry(&sc.v[i], 1700000000);
		}
		if (shortcuts_parse(s, size, &sc2, err, sizeof(err)) != 0 ||
		    sc2.n != sc.n)
			__builtin_trap();
		shortcuts_free(&sc2);
		shortcuts_free(&sc);
	}
	if (presence_text_expires(s, size) < -1 ||
	    presence_text_bool(s, size) < -1)
		__builtin_trap();
	return 0;
}
