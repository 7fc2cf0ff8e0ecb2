#!/usr/bin/env bash
# The matrix-product floor of one epoch of the reference MLP on this machine (see
# benchmarks/gemm_floor.c): the eight sgemm calls of a training step, timed with one OpenBLAS
# thread, two threads, and two one-thread processes at once; and the FMA peak of one core alone
# and of both cores at once. An epoch is 469 steps (60,000 samples, batch 128), 60.4 GFLOP.
#   bash benchmarks/gemm_floor.sh [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
mkdir -p .build
inc=/usr/include/x86_64-linux-gnu/openblas-pthread
${CC:-cc} -O2 -mavx2 -mfma -I"$inc" benchmarks/gemm_floor.c -lopenblas -o .build/gemm_floor
bin=.build/gemm_floor
flop=128.8  # MFLOP per step
epoch() { awk -v us="$1" 'BEGIN { printf "%.3f", us * 469 / 1e6 }'; }
gflops() { awk -v us="$1" -v f="$flop" 'BEGIN { printf "%.0f", f / us * 1000 }'; }
echo "core: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) CPUs; OpenBLAS $(dpkg-query -W -f '${Version}' libopenblas0-pthread 2>/dev/null || echo '?')"
for r in $(seq "$rounds"); do
  p1=$($bin peak)
  read -r pa pb < <( ($bin peak & $bin peak & wait) | tr '\n' ' '; echo)
  s1=$($bin step 1)
  s2=$($bin step 2)
  read -r ca cb < <( ($bin step 1 & $bin step 1 & wait) | tr '\n' ' '; echo)
  echo "round $r: FMA peak one core ${p1} GFLOPS, both cores at once ${pa} + ${pb}"
  echo "  step GEMMs, 1 thread:            ${s1} us = $(epoch "$s1") s/epoch ($(gflops "$s1") GFLOPS)"
  echo "  step GEMMs, 2 threads:           ${s2} us = $(epoch "$s2") s/epoch ($(gflops "$s2") GFLOPS)"
  echo "  two 1-thread processes at once:  ${ca} us and ${cb} us per step each"
  echo "    (the two cores together: $(awk -v a="$ca" -v b="$cb" -v f="$flop" 'BEGIN { printf "%.0f", f / a * 1000 + f / b * 1000 }') GFLOPS; one core alone: $(gflops "$s1"))"
done
