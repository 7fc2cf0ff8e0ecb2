#!/usr/bin/env bash
# Counts heap allocations per training step: builds the malloc-counting shim, then runs
# `dnn bench --count-allocations` under LD_PRELOAD (warm-up steps, then 200 counted steps).
#   bash benchmarks/alloc_check.sh [--config FILE] [--threads 1] [--helper never|always]
# With the batch split, `--helper never` (both halves as one pass where the model allows) and
# `--helper always` each count their own steady state; `auto` may take its first one-pass step
# inside the counted window, where the model's buffers grow once to the whole batch.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .build
cc -O2 -shared -fPIC benchmarks/malloc_count.c -o .build/libmalloc_count.so
swift build -c release --product dnn >/dev/null
LD_PRELOAD=$PWD/.build/libmalloc_count.so .build/release/dnn bench --count-allocations "$@"
