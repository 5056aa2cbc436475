/* callstate-ref.h: the slow-path normalised CallState, for comparing (tests only). */
#ifndef DSTNY_TESTS_CALLSTATE_REF_H
#define DSTNY_TESTS_CALLSTATE_REF_H

struct json_object;

/* The normalised text of a parsed CallState object; the caller frees it. */
char	*call_state_json_reference(struct json_object *);

#endif
