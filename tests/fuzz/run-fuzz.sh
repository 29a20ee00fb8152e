#!/bin/sh
# run-fuzz.sh SECONDS [BUILD_DIR] [-- LIBFUZZER_ARGS...]
#
# Fuzz fuzz_frame for SECONDS. BUILD_DIR (default: build-fuzz in the source tree;
# a relative path is taken from the current directory) is configured with clang and
# -DLSOE_FUZZ=ON if it has no CMake cache yet; fuzz_frame and its seed corpus are
# built; the seeds are copied into BUILD_DIR/fuzz-work/frame-corpus, the work corpus,
# which keeps what earlier runs found. tests/fuzz/regressions is read as a second
# corpus. Crash inputs are written to BUILD_DIR/fuzz-work/artifacts/.
#
# Exit status: 0 if the run ended without a crash, leak, timeout or OOM; 1 if it
# found one (the input is in the artifacts directory: reproduce with
# BUILD_DIR/tests/fuzz/fuzz_frame FILE, and once fixed, add it to
# tests/fuzz/regressions/ under a name that says what it tests); 2 on bad usage or a
# failed build.
set -eu

usage() {
	echo "usage: $0 SECONDS [BUILD_DIR] [-- LIBFUZZER_ARGS...]" >&2
	exit 2
}

[ $# -ge 1 ] || usage
secs=$1
shift
case $secs in
'' | *[!0-9]*) usage ;;
esac
[ "$secs" -gt 0 ] || usage

src=$(cd "$(dirname "$0")/../.." && pwd)
build=$src/build-fuzz
if [ $# -ge 1 ] && [ "$1" != "--" ]; then
	build=$1
	shift
fi
if [ $# -ge 1 ]; then
	[ "$1" = "--" ] || usage
	shift
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
cmake --build "$build" --target fuzz_frame fuzz_corpus || exit 2

fuzzer=$build/tests/fuzz/fuzz_frame
seeds=$build/tests/fuzz/corpus/frame
work=$build/fuzz-work/frame-corpus
artifacts=$build/fuzz-work/artifacts
mkdir -p "$work" "$artifacts" "$src/tests/fuzz/regressions"
cp "$seeds"/*.bin "$work"/

# UBSan is recoverable in LSOE_FUZZ builds: make every report a crash.
export UBSAN_OPTIONS="halt_on_error=1:abort_on_error=1:print_stacktrace=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
export ASAN_OPTIONS="abort_on_error=1:detect_leaks=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"

count() { find "$1" -type f | wc -l; }
before=$(count "$artifacts")
echo "run-fuzz.sh: fuzzing for $secs s: corpus $work ($(count "$work") inputs)"
rc=0
"$fuzzer" -max_total_time="$secs" -print_final_stats=1 -timeout=25 \
	-artifact_prefix="$artifacts/" "$@" "$work" "$src/tests/fuzz/regressions" || rc=$?
after=$(count "$artifacts")

if [ "$rc" -ne 0 ] || [ "$after" -ne "$before" ]; then
	echo "run-fuzz.sh: FAILED (fuzzer exit status $rc); new artifacts in $artifacts:" >&2
	# shellcheck disable=SC2012 # artifact names are hex digests
	ls -t "$artifacts" | head -n $((after - before > 0 ? after - before : 1)) >&2
	exit 1
fi
echo "run-fuzz.sh: no crash in $secs s; corpus now $(count "$work") inputs"
