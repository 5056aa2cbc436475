#!/bin/sh
# test-units.sh: the system unit's sandbox, as systemd-analyze scores it (<= 1.5).
set -u
unit="$TEST_BUILDDIR/systemd/dstnyd-system.service"
if ! command -v systemd-analyze >/dev/null 2>&1; then
	echo "1..0 # SKIP systemd-analyze is not installed"
	exit 0
fi
echo "1..2"
out=$(systemd-analyze security --offline=true --no-pager "$unit" 2>&1)
score=$(echo "$out" | sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
if [ -n "$score" ] && awk "BEGIN { exit !($score <= 1.5) }"; then
	echo "ok 1 - exposure $score <= 1.5"
else
	echo "not ok 1 - exposure ${score:-unknown} <= 1.5"
	echo "$out" | tail -20 | sed 's/^/#   /'
fi
if grep -q '^Type=notify' "$unit" && grep -q '^WatchdogSec=' "$unit" &&
   grep -q '^LoadCredential=' "$unit"; then
	echo "ok 2 - Type=notify, WatchdogSec and LoadCredential"
else
	echo "not ok 2 - Type=notify, WatchdogSec and LoadCredential"
fi
