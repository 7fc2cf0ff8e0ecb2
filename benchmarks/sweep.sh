#!/usr/bin/env bash
# A sweep's wall time in the dashboard, one run at a time (each splitting its batches across
# the two cores) against two runs at once (one per core), interleaved rounds, release build,
# tmux at 120x40. The wall time is from launch to "Runs (N/N done)" on screen.
#   bash benchmarks/sweep.sh [CONFIG] [ROUNDS] [extra dnn-tui options]
#   default: assets/configs/seed-scan.json, 3 rounds
set -euo pipefail
config=${1:-assets/configs/seed-scan.json}
rounds=${2:-3}
shift $(( $# > 2 ? 2 : $# ))
cd "$(dirname "$0")/.."
swift build -c release >/dev/null
tui=$PWD/.build/release/dnn-tui
runs=$(python3 -c "import json,sys; print(len(json.load(open('$config'))['runs']))")
sock=dnn-sweep-$$
trap 'tmux -L $sock kill-server 2>/dev/null || true' EXIT
grep -m1 "model name" /proc/cpuinfo
echo "$config: $runs runs, $rounds rounds, wall seconds to the end of the sweep"
for round in $(seq "$rounds"); do
  for concurrent in 1 2; do
    out=$(mktemp -d)
    start=$(date +%s.%N)
    tmux -L $sock new-session -d -x 120 -y 40 -s s "TERM=tmux-256color $tui --config $config --concurrent $concurrent --out $out $*; sleep 600"
    until tmux -L $sock capture-pane -p -t s | grep -q "Runs ($runs/$runs done)"; do sleep 0.05; done
    end=$(date +%s.%N)
    tmux -L $sock kill-server; sleep 0.3
    rm -rf "$out"
    times[$concurrent]=$(echo "$end - $start" | bc)
  done
  printf "  round %d: one at a time %.2f s, two at once %.2f s, ratio %.2f\n" "$round" "${times[1]}" "${times[2]}" "$(echo "scale=3; ${times[2]} / ${times[1]}" | bc)"
done
