#!/bin/sh
# core/ must include no OS or libc-runtime header: time, I/O, randomness and memory
# are injected, which is what lets the simulator run the same code as the daemon.
# Allowed: <stdint.h> <stddef.h> <stdbool.h> <stdarg.h> <string.h> and our own headers.
set -eu
core=$(cd "$(dirname "$0")/../../core" && pwd)
bad=$(grep -rnE '^[[:space:]]*#[[:space:]]*include[[:space:]]*<' "$core" |
	grep -vE '<(stdint|stddef|stdbool|stdarg|string)\.h>' || true)
if [ -n "$bad" ]; then
	echo "core/ includes headers outside its allowed set:"
	echo "$bad"
	exit 1
fi
echo "core/: $(find "$core" -name '*.[ch]' | wc -l) files, only portable headers"
