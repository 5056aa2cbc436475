#!/bin/sh
# test-units.sh: both units' sandboxes as systemd-analyze scores them (the
# system unit <= 1.5, the user unit <= 4.0 in a user manager), and both pass
# systemd-analyze verify (with ExecStart= pointed at the built daemon).
set -u
if ! command -v systemd-analyze >/dev/null 2>&1; then
	echo "1..0 # SKIP systemd-analyze is not installed"
	exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# A user manager's view needs a runtime directory, even offline.
mkdir -m 0700 "$tmp/run"
export XDG_RUNTIME_DIR="$tmp/run"
echo "1..7"
n=0

# score UNIT MAX [--user]
score() {
	set -- "$1" "$2" "${3-}"
	n=$((n + 1))
	out=$(systemd-analyze security ${3-} --offline=true --no-pager "$1" 2>&1)
	s=$(echo "$out" | sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
	if [ -n "$s" ] && awk "BEGIN { exit !($s <= $2) }"; then
		echo "ok $n - $(basename "$1")${3:+ ($3)}: exposure $s <= $2"
	else
		echo "not ok $n - $(basename "$1")${3:+ ($3)}: exposure ${s:-unknown} <= $2"
		echo "$out" | grep -E '✗|Overall|Failed' | sed 's/^/#   /'
	fi
}

# verify UNIT [--user]
verify() {
	set -- "$1" "${2-}"
	n=$((n + 1))
	mkdir -p "$tmp/v$n"
	sed "s|^ExecStart=[^ ]*|ExecStart=$TEST_BUILDDIR/daemon/dstnyd|" "$1" \
	    >"$tmp/v$n/$(basename "$1")"
	if out=$(systemd-analyze verify ${2-} --man=no "$tmp/v$n/$(basename "$1")" 2>&1) &&
	    [ -z "$out" ]; then
		echo "ok $n - systemd-analyze verify${2:+ $2} $(basename "$1")"
	else
		echo "not ok $n - systemd-analyze verify${2:+ $2} $(basename "$1")"
		echo "$out" | sed 's/^/#   /'
	fi
}

system="$TEST_BUILDDIR/systemd/dstnyd-system.service"
user="$TEST_BUILDDIR/systemd/dstnyd.service"
score "$system" 1.5
score "$user" 4.0 --user
verify "$system"
verify "$user" --user
n=$((n + 1))
if grep -q '^Type=notify' "$system" && grep -q '^WatchdogSec=' "$system" &&
   grep -q '^LoadCredential=' "$system" && grep -q '^LimitCORE=0' "$system" &&
   grep -q '^LimitCORE=0' "$user"; then
	echo "ok $n - Type=notify, WatchdogSec, LoadCredential; LimitCORE=0 in both"
else
	echo "not ok $n - Type=notify, WatchdogSec, LoadCredential; LimitCORE=0 in both"
fi

# dstny-desktop: a user unit of the graphical session; dstnyd by activation.
desk="$TEST_BUILDDIR/systemd/dstny-desktop.service"
n=$((n + 1))
mkdir -p "$tmp/d"
sed "s|^ExecStart=.*|ExecStart=$TEST_BUILDDIR/desktop/dstny-desktop|" "$desk" >"$tmp/d/dstny-desktop.service"
if out=$(systemd-analyze verify --user --man=no "$tmp/d/dstny-desktop.service" 2>&1) &&
    [ -z "$out" ]; then
	echo "ok $n - systemd-analyze verify --user dstny-desktop.service"
else
	echo "not ok $n - systemd-analyze verify --user dstny-desktop.service"
	echo "$out" | sed 's/^/#   /'
fi
n=$((n + 1))
act="$TEST_BUILDDIR/systemd/org.dstnyd.Cti1.service"
if grep -q '^PartOf=graphical-session.target' "$desk" &&
   grep -q '^WantedBy=graphical-session.target' "$desk" &&
   grep -q '^Name=org.dstnyd.Cti1$' "$act" &&
   grep -q '^SystemdService=dstnyd.service$' "$act"; then
	echo "ok $n - dstny-desktop bound to graphical-session.target; dstnyd activated by D-Bus"
else
	echo "not ok $n - dstny-desktop bound to graphical-session.target; dstnyd activated by D-Bus"
fi
