#!/usr/bin/env bash
# Runs the whole test suite under AddressSanitizer and ThreadSanitizer (the trainer and the
# dashboard share data across threads), each in its own build folder.
#   scripts/sanitize.sh [address|thread ...]
# OpenBLAS is not instrumented, so it runs single-threaded here (its own thread pool would only
# add reports about code we cannot see); our Dispatch queue, channel and UI thread are covered.
set -uo pipefail
cd "$(dirname "$0")/.."
status=0
for sanitizer in "${@:-address thread}"; do
  for s in $sanitizer; do
    echo "== swift test --sanitize=$s"
    OPENBLAS_NUM_THREADS=1 TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" ASAN_OPTIONS="detect_leaks=0" \
      swift test --sanitize="$s" --scratch-path ".build-$s" > "/tmp/sanitize-$s.log" 2>&1
    code=$?
    grep -E "Test run with|WARNING: ThreadSanitizer|ERROR: AddressSanitizer" "/tmp/sanitize-$s.log" | head -5
    if [ $code -ne 0 ] || grep -qE "WARNING: ThreadSanitizer|ERROR: AddressSanitizer" "/tmp/sanitize-$s.log" \
      || ! grep -qE "✔ Test run with [0-9]+ tests" "/tmp/sanitize-$s.log"; then
      echo "== $s: FAILED (full log: /tmp/sanitize-$s.log)"
      status=1
    else
      echo "== $s: clean"
    fi
  done
done
exit $status
