#!/usr/bin/env bash
# Every shipped configuration against JAX (whole epoch in one jitted lax.scan) and PyTorch CPU:
# one `compare.py --rounds R` per configuration, one after the other, with the CPU and the time
# it ran at, so that two runs an hour apart can be set side by side (docs/performance.md).
#   swift build -c release && bash benchmarks/compare_all.sh [ROUNDS] [compare.py options...]
# An AVX2 machine measured on an AVX-512 one (every implementation held to AVX2, compare.py --isa):
#   DNN_TARGET_CPU=haswell swift build -c release --scratch-path .build-haswell
#   bash benchmarks/compare_all.sh 3 --isa avx2
# The convolutional configurations run on the bundled digits (JAX's CPU convolution takes
# seconds a batch on the 60k images); the others on 60k Fashion-MNIST
# (apt-get install dataset-fashion-mnist).
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
shift $(( $# > 0 ? 1 : 0 ))
echo "== $(date -u '+%Y-%m-%d %H:%M UTC') · $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)" \
  "· $(grep -qw avx512f /proc/cpuinfo && echo AVX-512 || (grep -qw avx2 /proc/cpuinfo && echo AVX2 || echo no AVX2))" \
  "· $(nproc) vCPUs"
echo "== reference MLP"
python3 benchmarks/compare.py --rounds "$rounds" --skip diy-dnn-whole-batch --skip numpy "$@"
for config in seed-scan mnist-best attention; do
  echo "== $config.json"
  python3 benchmarks/compare.py --rounds "$rounds" --config "assets/configs/$config.json" "$@"
done
for config in cnn best-accuracy; do
  [ -f "assets/configs/$config.json" ] || continue
  echo "== $config.json, bundled digits"
  python3 benchmarks/compare.py --rounds "$rounds" --config "assets/configs/$config.json" --epochs 3 --data-dir assets/mnist "$@"
done
