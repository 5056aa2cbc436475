#!/usr/bin/env bash
# dev.sh: the two commands of the README.
#   ./dev.sh run    install build dependencies, build, run the demo
#   ./dev.sh test   the same setup, a -Werror build, and the whole test suite
set -euo pipefail
cd "$(dirname "$0")"
top=$PWD

# Debian 12 packages the build and the tests need.
DEBS=(build-essential autoconf automake libtool pkg-config
      libevent-dev libcurl4-openssl-dev libjson-c-dev libxml2-dev
      libsystemd-dev libinih-dev libssl-dev dbus openssl ca-certificates
      python3 man-db systemd libglib2.0-bin)

say() { printf 'dev.sh: %s\n' "$*" >&2; }

deps() {
	local missing=() p
	for p in "${DEBS[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
			missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	if [ "$(id -u)" -ne 0 ]; then
		say "missing build dependencies; as root, run:"
		echo "apt-get update && apt-get install -y --no-install-recommends ${missing[*]}"
		exit 1
	fi
	say "installing ${missing[*]}"
	apt-get update -q >/dev/null
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
		--no-install-recommends "${missing[@]}" >/dev/null
}

# build DIR [configure options...]: configure once per option set, then make.
build() {
	local dir=$1; shift
	local opts="$*"
	[ -x configure ] && [ configure -nt configure.ac ] || {
		say "autoreconf"
		autoreconf -fi >/dev/null 2>&1 || autoreconf -fi
	}
	mkdir -p "$dir"
	if [ ! -f "$dir/Makefile" ] || [ "$(cat "$dir/.dev-opts" 2>/dev/null)" != "$opts" ]; then
		say "configure $opts"
		(cd "$dir" && "$top/configure" -q $opts)
		echo "$opts" >"$dir/.dev-opts"
	fi
	say "make in $dir"
	make -C "$dir" -s -j"$(nproc)"
}

cmd_run() {
	deps
	build build
	exec "$top/tests/demo.sh" "$top/build"
}

cmd_test() {
	deps
	build build --enable-werror
	local rc=0
	make -C build -s -j"$(nproc)" check AM_COLOR_TESTS=no >build/check.out 2>&1 || rc=$?
	grep -E '^(PASS|FAIL|ERROR|XPASS|SKIP|XFAIL):|^# ' build/check.out | grep -v '^PASS:' || true
	if [ $rc -ne 0 ]; then
		say "make check failed; the failing logs:"
		find build -name '*.log' ! -name 'test-suite.log' ! -name 'config.log' \
			-newer build/.dev-opts -exec grep -l -E '^(not ok|Bail out!)|^# (FAIL|ERROR)' {} + 2>/dev/null |
			while read -r f; do echo "== $f"; grep -E -B2 -A4 '^(not ok|Bail out!)' "$f" | head -40; done
		grep -E '^make.*Error|error:' build/check.out | head -20 || true
	fi
	local pass fail
	pass=$(awk '/^# PASS:/ {n+=$3} END {print n+0}' build/check.out)
	fail=$(awk '/^# (FAIL|ERROR|XPASS):/ {n+=$3} END {print n+0}' build/check.out)
	if [ $rc -ne 0 ] && [ "$fail" -eq 0 ]; then fail=1; fi
	echo "$pass passed, $fail failed"
	[ $rc -eq 0 ] && [ "$fail" -eq 0 ]
}

case "${1:-}" in
run) cmd_run ;;
test) cmd_test ;;
*) echo "usage: ./dev.sh run | ./dev.sh test" >&2; exit 2 ;;
esac
