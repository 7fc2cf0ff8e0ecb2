#!/usr/bin/env bash
# diy-dnn built for each instruction set, timed on this machine side by side in interleaved
# rounds: the native build (AVX-512 where the CPU has it), the AVX2 build (-target-cpu haswell,
# OpenBLAS held to its Haswell kernels) and the generic x86-64 build (OpenBLAS's Prescott
# kernels), so the AVX2 and generic paths are measured wherever the session runs.
#   bash benchmarks/instruction_sets.sh [ROUNDS] [CONFIG...]
#   default: 3 rounds; the reference MLP, mnist-best and attention on 60k Fashion-MNIST
#   (apt-get install dataset-fashion-mnist), cnn on the bundled digits.
# Each build has its own scratch folder (.build, .build-haswell, .build-x86-64).
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
shift $(( $# > 0 ? 1 : 0 ))
configs=("$@")
[ ${#configs[@]} -gt 0 ] || configs=(default mnist-best attention cnn)
swift build -c release >/dev/null
builds=(native)
grep -qw avx2 /proc/cpuinfo && builds+=(haswell)
builds+=(x86-64)
for cpu in "${builds[@]}"; do
  [ "$cpu" = native ] && continue
  DNN_TARGET_CPU="$cpu" swift build -c release --scratch-path ".build-$cpu" >/dev/null 2>&1 \
    || { echo "the $cpu build failed: DNN_TARGET_CPU=$cpu swift build -c release --scratch-path .build-$cpu"; exit 1; }
done
binary() { [ "$1" = native ] && echo .build/release/dnn || echo ".build-$1/release/dnn"; }
coretype() { case "$1" in haswell) echo Haswell ;; x86-64) echo Prescott ;; *) echo "" ;; esac; }
echo "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) vCPUs, $(date -u '+%Y-%m-%d %H:%M UTC')"
for config in "${configs[@]}"; do
  data=/usr/share/datasets/fashion-mnist epochs=3
  [ "$config" = cnn ] && data=assets/mnist
  declare -A times=()
  for round in $(seq "$rounds"); do
    for cpu in "${builds[@]}"; do
      core=$(coretype "$cpu")
      t=$(env ${core:+OPENBLAS_CORETYPE=$core} "$(binary "$cpu")" bench --json \
            --config "assets/configs/$config.json" --data-dir "$data" --epochs "$epochs" \
          | tail -n 1 | python3 -c 'import json,sys; print(json.load(sys.stdin)["medianSecondsPerEpoch"])')
      times[$cpu]="${times[$cpu]:-} $t"
      echo "round $round $config $cpu: $t s/epoch"
    done
  done
  echo "| configuration | build | s/epoch (median) | over native (median of rounds) |"
  echo "|---|---|---|---|"
  for cpu in "${builds[@]}"; do
    python3 - "$config" "$cpu" ${times[native]} -- ${times[$cpu]} <<'PY'
import statistics, sys
config, cpu = sys.argv[1], sys.argv[2]
rest = sys.argv[3:]; cut = rest.index("--")
native, mine = [float(x) for x in rest[:cut]], [float(x) for x in rest[cut + 1:]]
ratios = [m / n for m, n in zip(mine, native)]
print(f"| {config} | {cpu} | {statistics.median(mine):.3f} | {statistics.median(ratios):.2f} |")
PY
  done
  unset times
done
