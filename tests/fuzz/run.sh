#!/bin/sh
# run.sh BUILDDIR SRCDIR SECONDS: run every libFuzzer target for SECONDS each,
# seeded from the reference's examples and the test data kept in the tree.
set -eu
builddir=$1 srcdir=$2 secs=$3
status=0
for f in "$builddir"/tests/fuzz/fuzz-*; do
	[ -x "$f" ] || continue
	name=$(basename "$f")
	corpus="$builddir/tests/fuzz/corpus-$name"
	mkdir -p "$corpus"
	log="$builddir/tests/fuzz/$name.log"
	if "$f" -max_total_time="$secs" -rss_limit_mb=2048 -max_len=65536 \
		-print_final_stats=1 -artifact_prefix="$builddir/tests/fuzz/$name-" \
		"$corpus" "$srcdir/tests/data" "$srcdir/tests/data/ref" "$srcdir/tests/data/fuzz-seeds" "$srcdir/conf" \
		>"$log" 2>&1; then
		execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
		echo "fuzz: $name ok, $execs executions in ${secs}s"
	else
		echo "fuzz: $name FAILED; see $log"
		tail -30 "$log"
		status=1
	fi
done
exit $status
