#!/usr/bin/env bash
# Where a JVM spent its CPU, from a JFR recording's execution samples (jdk.ExecutionSample, e.g. the broker
# recordings of `bench/side-by-side.sh --jfr DIR`): samples per thread (digits folded, so "data-plane-3" counts
# with its siblings), the top frames (self time), and the frames most often on the stack (total time).
# usage: bench/jfr-top.sh FILE.jfr [N [EVENT]]   (N rows per list, default 20; EVENT default jdk.ExecutionSample,
#        jdk.NativeMethodSample shows threads blocked in native code: socket reads, epoll, fsync)
set -euo pipefail
file=$1
n=${2:-20}
event=${3:-jdk.ExecutionSample}
jfr print --events "$event" "$file" | awk -v n="$n" '
  /^jdk\.[A-Za-z]+ \{/ { inStack = 0; depth = 0; next }
  /sampledThread = / {
    match($0, /"[^"]*"/); thread = substr($0, RSTART + 1, RLENGTH - 2); gsub(/[0-9]+/, "N", thread); threads[thread]++; total++
  }
  /stackTrace = \[/ { inStack = 1; depth = 0; delete seen; next }
  inStack && /^[[:space:]]*\]/ { inStack = 0; next }
  inStack {
    frame = $0; sub(/^[[:space:]]+/, "", frame); sub(/[[:space:]]+line:.*/, "", frame)
    if (frame == "...") next
    if (depth == 0) self[frame]++
    if (!(frame in seen)) { seen[frame] = 1; onstack[frame]++ }
    depth++
  }
  END {
    printf "%d samples\n\n== samples per thread\n", total
    for (t in threads) printf "%6d %5.1f%%  %s\n", threads[t], 100 * threads[t] / total, t | "sort -rn | head -" n
    close("sort -rn | head -" n)
    printf "\n== top frames (self)\n"
    for (f in self) printf "%6d %5.1f%%  %s\n", self[f], 100 * self[f] / total, f | "sort -rn | head -" n
    close("sort -rn | head -" n)
    printf "\n== frames on the stack (total)\n"
    for (f in onstack) printf "%6d %5.1f%%  %s\n", onstack[f], 100 * onstack[f] / total, f | "sort -rn | head -" n
    close("sort -rn | head -" n)
  }'
