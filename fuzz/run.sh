#!/usr/bin/env bash
# Builds the libFuzzer harnesses (the DNN engine sources + one harness each, with
# -sanitize=fuzzer,address) and runs each for SECONDS (default 600) on a copy of its seed corpus.
# Crashes land in fuzz/crashes/<harness>/; keep each as a regression test in Tests/DNNTests.
#   fuzz/run.sh [SECONDS] [idx|safetensors|config|state|logs ...]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-600}
shift || true
harnesses=("${@:-idx safetensors config state logs}")
build=.build-fuzz
mkdir -p "$build" fuzz/crashes
sources=$(find Sources/DNN -name '*.swift')
for name in ${harnesses[@]}; do
  case $name in
    idx) file=IDXFuzz ;; safetensors) file=SafetensorsFuzz ;; config) file=ConfigFuzz ;;
    state) file=StateFuzz ;; logs) file=LogsFuzz ;;
    *) echo "unknown harness $name" >&2; exit 2 ;;
  esac
  echo "== building $name"
  swiftc -O -sanitize=fuzzer,address -parse-as-library -module-name DNN \
    -I Sources/CBLAS -I Sources/CZlib -I Sources/CCPU -lopenblas -lz \
    $sources "fuzz/harnesses/$file.swift" -o "$build/fuzz-$name"
  work="$build/corpus-$name"
  rm -rf "$work"; mkdir -p "$work" "fuzz/crashes/$name"
  cp fuzz/corpus/$name/* "$work"/ 2>/dev/null || true
  echo "== fuzzing $name for $seconds s"
  "$build/fuzz-$name" -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=2048 \
    -artifact_prefix="fuzz/crashes/$name/" -print_final_stats=1 "$work" 2>&1 | tail -n 12
done
