#!/usr/bin/env bash
# What a dashboard's watching costs the trainer (release build): `dnn bench` with and without
# --watched (layer health measured every 0.2 s, a model copy per epoch, the epoch's start kept
# for anomalies), interleaved, on the 60k Fashion-MNIST images; prints each pair and the median
# of the per-round ratios (watched time / plain time).
#   bash benchmarks/watch_cost.sh [ROUNDS] [CONFIG...]   (default 3 rounds; the reference MLP,
#                                                          then each CONFIG's first run)
set -euo pipefail
rounds=${1:-3}
shift || true
cd "$(dirname "$0")/.."
swift build -c release >/dev/null
dnn=$PWD/.build/release/dnn
source benchmarks/median.sh
seconds() { "$dnn" bench --json "$@" | python3 -c 'import json,sys; print("%.4f" % json.load(sys.stdin)["medianSecondsPerEpoch"])'; }
for config in "" "$@"; do
  args=(); [ -n "$config" ] && args=(--config "$config")
  echo "${config:-reference MLP}:"
  ratios=()
  for round in $(seq "$rounds"); do
    plain=$(seconds "${args[@]}")
    watched=$(seconds "${args[@]}" --watched)
    ratio=$(echo "scale=4; $watched / $plain" | bc)
    ratios+=("$ratio")
    echo "  round $round: plain $plain s/epoch, watched $watched s/epoch, ratio $ratio"
  done
  echo "  median ratio (watched / plain): $(printf '%s\n' "${ratios[@]}" | median)"
done
