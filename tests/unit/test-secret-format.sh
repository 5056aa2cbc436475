#!/bin/sh
# test-secret-format.sh: formatting a secret into a log line does not compile.
set -u
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat >"$tmp/good.c" <<'C'
#include "log.h"
#include "secret.h"
void f(const char *s);
void f(const char *s) { log_info("user %s", s); }
C
cat >"$tmp/bad.c" <<'C'
#include "log.h"
#include "secret.h"
void f(struct secret *s);
void f(struct secret *s) { log_info("token %s", s); }
C
echo "1..2"
if ${CC:-cc} $CPPFLAGS -Wall -Werror=format -fsyntax-only "$tmp/good.c" 2>"$tmp/good.err"; then
	echo "ok 1 - a plain string formats (the check compiles at all)"
else
	echo "not ok 1 - a plain string formats"; sed 's/^/# /' "$tmp/good.err"
fi
if ${CC:-cc} $CPPFLAGS -Wall -Werror=format -fsyntax-only "$tmp/bad.c" 2>"$tmp/bad.err"; then
	echo "not ok 2 - log_info(\"%s\", struct secret *) compiled"
else
	echo "ok 2 - log_info(\"%s\", struct secret *) is a compile error"
fi
