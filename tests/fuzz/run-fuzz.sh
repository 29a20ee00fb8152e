#!/bin/sh
# run-fuzz.sh SECONDS [BUILD_DIR] [TARGET...] [-- LIBFUZZER_ARGS...]
#
# Fuzz each TARGET (default: all of them: frame pdu config scenario netlink ctl) for
# SECONDS, FUZZ_JOBS targets at a time (default 2). BUILD_DIR (default: build-fuzz in
# the source tree; a relative path is taken from the current directory) is configured
# with clang and -DLSOE_FUZZ=ON if it has no CMake cache yet; the fuzzers and their seed
# corpora are built. The first argument after SECONDS is BUILD_DIR unless it is a
# target's name.
#
# Per target, in BUILD_DIR/fuzz-work/TARGET/:
#   corpus/     the work corpus: the seeds are copied in, and it keeps what every run
#               found (tests/fuzz/regressions/TARGET is read as a second corpus)
#   artifacts/  crash-*, leak-*, timeout-*, oom-* (and slow-unit-*, not a failure)
#   fuzz.log    libFuzzer's output of the last run
# Each fuzzer runs with -rss_limit_mb=512, -timeout=25 (seconds per input), a -max_len
# fit for its inputs (below) and tests/fuzz/dict/TARGET.dict if there is one (config,
# scenario, ctl); LIBFUZZER_ARGS come last and override them.
# One line per target is printed: target, seconds, CPU seconds (user + system, if
# /usr/bin/time is installed, else ?), executions, corpus size, result.
#
# Exit status: 0 if no target found a crash, leak, timeout or OOM; 1 if one did (the
# input is in its artifacts directory: reproduce with BUILD_DIR/tests/fuzz/fuzz_TARGET
# FILE, and once fixed, add it to tests/fuzz/regressions/TARGET/ under a name that says
# what it tests; see tests/fuzz/README.md); 2 on bad usage or a failed build.
set -eu

ALL_TARGETS="frame pdu config scenario netlink ctl bgp"

usage() {
	echo "usage: $0 SECONDS [BUILD_DIR] [TARGET...] [-- LIBFUZZER_ARGS...]" >&2
	echo "       TARGET: $ALL_TARGETS" >&2
	exit 2
}

is_target() {
	for t in $ALL_TARGETS; do
		[ "$t" = "$1" ] && return 0
	done
	return 1
}

# -max_len per target: room for its largest seeds and then some.
max_len() {
	case $1 in
	frame) echo 16384 ;;    # several frames of records
	pdu) echo 8192 ;;       # the captures' largest PDU is 2219 octets
	config) echo 8192 ;;    # lsoed.conf.example is under 4 KiB
	scenario) echo 16384 ;; # the largest library scenario is under 5 KiB
	netlink) echo 16384 ;;  # a captured dump of 3 links and their addresses is 8 KiB
	ctl) echo 4096 ;;       # a request line is at most 1024 octets; the rest is the stub's
	bgp) echo 16384 ;;      # a stream of several 4096-octet messages
	esac
}

[ $# -ge 1 ] || usage
secs=$1
shift
case $secs in
'' | *[!0-9]*) usage ;;
esac
[ "$secs" -gt 0 ] || usage
jobs=${FUZZ_JOBS:-2}
case $jobs in
'' | *[!0-9]* | 0) echo "run-fuzz.sh: FUZZ_JOBS must be a positive number" >&2; exit 2 ;;
esac

src=$(cd "$(dirname "$0")/../.." && pwd)
build=$src/build-fuzz
if [ $# -ge 1 ] && [ "$1" != "--" ] && ! is_target "$1"; then
	build=$1
	shift
fi
targets=""
while [ $# -ge 1 ] && [ "$1" != "--" ]; do
	is_target "$1" || { echo "run-fuzz.sh: unknown target '$1'" >&2; usage; }
	targets="$targets $1"
	shift
done
[ -n "$targets" ] || targets=" $ALL_TARGETS"
if [ $# -ge 1 ]; then
	shift # the "--"
fi
mkdir -p "$build"
build=$(cd "$build" && pwd)

if [ ! -f "$build/CMakeCache.txt" ]; then
	echo "run-fuzz.sh: configuring $build (clang, LSOE_FUZZ=ON)"
	CC=${CC:-clang} cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLSOE_FUZZ=ON || exit 2
elif ! grep -q '^LSOE_FUZZ:BOOL=ON' "$build/CMakeCache.txt"; then
	echo "run-fuzz.sh: turning LSOE_FUZZ on in $build"
	cmake "$build" -DLSOE_FUZZ=ON || exit 2
fi
build_targets=""
for t in $targets; do
	build_targets="$build_targets fuzz_$t fuzz_corpus_$t"
done
# shellcheck disable=SC2086 # word splitting intended
cmake --build "$build" -j "$jobs" --target $build_targets || exit 2

# UBSan is recoverable in LSOE_FUZZ builds: make every report a crash. ASan's quarantine of
# freed memory (256 MiB by default) would count against -rss_limit_mb: keep it at 64 MiB.
export UBSAN_OPTIONS="halt_on_error=1:abort_on_error=1:print_stacktrace=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
export ASAN_OPTIONS="abort_on_error=1:detect_leaks=1:quarantine_size_mb=64${ASAN_OPTIONS:+:$ASAN_OPTIONS}"

count() { find "$1" -type f | wc -l | tr -d ' '; }
failures() { find "$1" -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) | wc -l | tr -d ' '; }

# Prepare every target's work directory: seeds in, the artifact count noted.
for t in $targets; do
	w=$build/fuzz-work/$t
	mkdir -p "$w/corpus" "$w/artifacts"
	# The work corpus of the earlier layout (fuzz_frame only) is kept.
	if [ "$t" = frame ] && [ -d "$build/fuzz-work/frame-corpus" ]; then
		cp "$build/fuzz-work/frame-corpus"/* "$w/corpus/" 2>/dev/null || true
		rm -rf "$build/fuzz-work/frame-corpus"
	fi
	cp "$build/tests/fuzz/corpus/$t"/* "$w/corpus/"
	failures "$w/artifacts" >"$w/artifacts.before"
done

# run TARGET LIBFUZZER_ARGS...: one fuzzer, its output in its fuzz.log, its status in fuzz.rc.
run() {
	t=$1
	shift
	w=$build/fuzz-work/$t
	regressions=$src/tests/fuzz/regressions/$t
	[ -d "$regressions" ] || regressions=
	dict=$src/tests/fuzz/dict/$t.dict
	if [ -f "$dict" ]; then dict=-dict=$dict; else dict=; fi
	rc=0
	# CPU seconds too, where GNU time is installed: a run that shared its core is seen as such.
	rm -f "$w/fuzz.cpu"
	timer=
	[ -x /usr/bin/time ] && timer="/usr/bin/time -o $w/fuzz.cpu -f %U+%S"
	# shellcheck disable=SC2086 # $timer, $dict, $regressions: empty or words without spaces
	$timer "$build/tests/fuzz/fuzz_$t" -max_total_time="$secs" -print_final_stats=1 -timeout=25 \
		-rss_limit_mb=512 -max_len="$(max_len "$t")" $dict -artifact_prefix="$w/artifacts/" "$@" \
		"$w/corpus" $regressions >"$w/fuzz.log" 2>&1 || rc=$?
	echo "$rc" >"$w/fuzz.rc"
}

echo "run-fuzz.sh: fuzzing$targets, $secs s each, $jobs at a time; logs in $build/fuzz-work/TARGET/fuzz.log"
pids=""
for t in $targets; do
	while [ "$(echo "$pids" | wc -w)" -ge "$jobs" ]; do
		first=${pids%% *}
		wait "$first" || true
		pids=${pids#"$first"}
		pids=${pids# }
	done
	run "$t" "$@" &
	pids="${pids:+$pids }$!"
done
for p in $pids; do
	wait "$p" || true
done

status=0
printf '%-9s %8s %8s %14s %8s  %s\n' target seconds cpu_s executions corpus result
for t in $targets; do
	w=$build/fuzz-work/$t
	rc=$(cat "$w/fuzz.rc")
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$w/fuzz.log" | tail -n 1)
	before=$(cat "$w/artifacts.before")
	after=$(failures "$w/artifacts")
	if [ "$rc" -eq 0 ] && [ "$after" -eq "$before" ]; then
		result=ok
	else
		status=1
		# shellcheck disable=SC2010,SC2012 # artifact names are hex digests
		newest=$(ls -t "$w/artifacts" | grep -E '^(crash|leak|timeout|oom)-' | head -n 1 || true)
		if [ "$after" -gt "$before" ] && [ -n "$newest" ]; then
			result="FAILED: ${newest%%-*} ($w/artifacts/$newest)"
		else
			result="FAILED: fuzzer exit status $rc (see $w/fuzz.log)"
		fi
	fi
	cpu=?
	if [ -s "$w/fuzz.cpu" ]; then
		cpu=$(tail -n 1 "$w/fuzz.cpu" | awk -F+ 'NF == 2 { printf "%.0f", $1 + $2 }')
	fi
	printf '%-9s %8s %8s %14s %8s  %s\n' "$t" "$secs" "${cpu:-?}" "${execs:-?}" "$(count "$w/corpus")" "$result"
done

if [ "$status" -ne 0 ]; then
	for t in $targets; do
		w=$build/fuzz-work/$t
		if [ "$(cat "$w/fuzz.rc")" -ne 0 ]; then
			echo "" >&2
			echo "==== fuzz_$t: the end of $w/fuzz.log" >&2
			tail -n 60 "$w/fuzz.log" >&2
		fi
	done
	echo "run-fuzz.sh: FAILED; see tests/fuzz/README.md to turn an artifact into a regression" >&2
	exit 1
fi
echo "run-fuzz.sh: no crash, leak, timeout or OOM:$targets"
