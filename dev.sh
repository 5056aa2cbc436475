#!/usr/bin/env bash
# dev.sh: the two commands of the README.
#   ./dev.sh run    install build dependencies, build (build/, -Werror),
#                   run the demo
#   ./dev.sh test   the same setup; the whole suite on that -Werror build and on
#                   an ASan+UBSan build, the unit tests under valgrind, and
#                   each fuzz target for 5 s
set -euo pipefail
cd "$(dirname "$0")"
top=$PWD

# Debian 12 packages the build and the tests need.
DEBS=(build-essential autoconf automake libtool pkg-config
      libevent-dev libcurl4-openssl-dev libjson-c-dev libxml2-dev
      libsystemd-dev libinih-dev libssl-dev dbus openssl ca-certificates
      python3 man-db systemd libglib2.0-bin clang libclang-rt-dev valgrind
      gnome-keyring)

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

# configure_dir DIR [options...]: configure once per option set.
# CC from the environment is honoured (the fuzz build uses clang).
# A directory configured with other options (or by hand) is configured
# again and cleaned: make alone would keep the objects built with the
# old flags, and a -Werror build would not have compiled anything.
configure_dir() {
	local dir=$1; shift
	local opts="$*${CC:+ CC=$CC}"
	[ -x configure ] && [ configure -nt configure.ac ] || {
		say "autoreconf"
		autoreconf -fi >/dev/null 2>&1 || autoreconf -fi
	}
	mkdir -p "$dir"
	if [ ! -f "$dir/Makefile" ] || [ "$(cat "$dir/.dev-opts" 2>/dev/null)" != "$opts" ]; then
		say "configure $opts"
		(cd "$dir" && "$top/configure" -q $* ${CC:+CC=$CC})
		say "make clean in $dir (new options)"
		make -C "$dir" -s clean >/dev/null
		echo "$opts" >"$dir/.dev-opts"
	fi
}

# build DIR [configure options...]: configure, then make.
build() {
	configure_dir "$@"
	say "make in $1"
	make -C "$1" -s -j"$(nproc)"
}

# run and test share build/ and its options, so that going from one to the
# other rebuilds nothing, and the README's build/client/dstnyctl is the
# tested program.
RUN_OPTS=--enable-werror

cmd_run() {
	deps
	build build $RUN_OPTS
	exec "$top/tests/demo.sh" "$top/build"
}

# check DIR: make check there; prints the TAP summary, leaves counts in
# PASS and FAIL (added to), returns make's status.
check() {
	local dir=$1 rc=0 p f
	make -C "$dir" -s -j"$(nproc)" check AM_COLOR_TESTS=no >"$dir/check.out" 2>&1 || rc=$?
	grep -E '^(FAIL|ERROR|XPASS):' "$dir/check.out" || true
	if [ $rc -ne 0 ]; then
		say "make check failed in $dir; the failing logs:"
		grep -l -E '^(not ok|Bail out!)|^(FAIL|ERROR):' "$dir"/tests/*/*.log 2>/dev/null |
			while read -r f; do echo "== $f"; grep -E -B2 -A6 '^(not ok|Bail out!)|^(FAIL|ERROR):' "$f" | head -40; done
		grep -E '^make.*Error|error:' "$dir/check.out" | head -20 || true
	fi
	p=$(awk '/^# PASS:/ {n+=$3} END {print n+0}' "$dir/check.out")
	f=$(awk '/^# (FAIL|ERROR|XPASS):/ {n+=$3} END {print n+0}' "$dir/check.out")
	[ $rc -ne 0 ] && [ "$f" -eq 0 ] && f=1
	say "$dir: $p passed, $f failed"
	PASS=$((PASS + p))
	FAIL=$((FAIL + f))
	return $rc
}

cmd_test() {
	deps
	PASS=0 FAIL=0
	local rc=0
	# 1. the -Werror build and the whole suite
	build build $RUN_OPTS
	check build || rc=1
	# 2. the same suite under AddressSanitizer and UndefinedBehaviorSanitizer
	build build-asan --enable-werror --enable-sanitizers
	check build-asan || rc=1
	# 3. the unit tests under valgrind (make valgrind-check runs everything)
	say "unit tests under valgrind"
	if make -C build -s valgrind-quick AM_COLOR_TESTS=no >build/valgrind.out 2>&1; then
		PASS=$((PASS + $(awk '/^# PASS:/ {n+=$3} END {print n+0}' build/valgrind.out)))
	else
		grep -E '^(FAIL|ERROR):' build/valgrind.out
		FAIL=$((FAIL + 1)); rc=1
	fi
	# 4. every libFuzzer target for a few seconds (clang)
	say "fuzz targets, ${FUZZ_SECONDS:-5} s each"
	if CC=clang configure_dir build-fuzz --enable-fuzzing &&
	    make -C build-fuzz -s -j"$(nproc)" fuzz-smoke FUZZ_SECONDS="${FUZZ_SECONDS:-5}" >build-fuzz/fuzz.out 2>&1; then
		sed 's/^/dev.sh: /' build-fuzz/fuzz.out | grep 'fuzz:' >&2
		PASS=$((PASS + $(grep -c ' ok, ' build-fuzz/fuzz.out)))
	else
		cat build-fuzz/fuzz.out 2>/dev/null | tail -30
		FAIL=$((FAIL + 1)); rc=1
	fi
	# 5. the quick benchmark: fails only on gross regressions (3 x a budget)
	say "make bench-quick (doc/performance.md)"
	if make -C build -s bench-quick >build/bench-quick.out 2>&1; then
		grep -E '^(dstnyd bench|every figure)' build/bench-quick.out | sed 's/^/dev.sh: /' >&2
		PASS=$((PASS + 1))
	else
		tail -45 build/bench-quick.out
		FAIL=$((FAIL + 1)); rc=1
	fi
	echo "$PASS passed, $FAIL failed"
	[ $rc -eq 0 ] && [ "$FAIL" -eq 0 ]
}

case "${1:-}" in
run) cmd_run ;;
test) cmd_test ;;
*) echo "usage: ./dev.sh run | ./dev.sh test" >&2; exit 2 ;;
esac
