#!/bin/sh
# test-man.sh: every manual page renders without a warning.
set -u
pages=$(ls "$TEST_SRCDIR"/doc/*.[1-8] 2>/dev/null)
n=0
for p in $pages; do n=$((n + 1)); done
if ! command -v man >/dev/null 2>&1; then
	echo "1..0 # SKIP man is not installed"
	exit 0
fi
echo "1..$n"
i=0
for p in $pages; do
	i=$((i + 1))
	out=$(MANWIDTH=80 man --warnings -l "$p" 2>&1 >/dev/null)
	if [ -z "$out" ]; then
		echo "ok $i - $(basename "$p") renders without warnings"
	else
		echo "not ok $i - $(basename "$p") renders without warnings"
		echo "$out" | sed 's/^/#   /'
	fi
done
