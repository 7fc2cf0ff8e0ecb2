#!/usr/bin/env bash
# Two threads against one, with and without a noisy neighbour: a busy loop pinned to core 1
# (`taskset -c 1`) at 100% or at a 50% duty cycle (busy 50 ms, asleep 50 ms), the way another
# tenant of a shared VM, or the dashboard's own thread, takes part of a core. For each
# configuration and neighbour, interleaved rounds of `dnn bench --threads 2` and `--threads 1`
# (release build), printing seconds per epoch, the share of split steps the helper thread took
# part in (HelperChoice), and the two-thread/one-thread ratio of each round.
# The goal (issue 30): no ratio above 1 with a neighbour; below 1 without one.
#   bash benchmarks/noisy_neighbour.sh [ROUNDS] [CONFIG ...]
# Default configurations: the reference MLP, mnist-best, attention and cnn.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
shift || true
configs=("$@")
[ ${#configs[@]} -gt 0 ] || configs=(reference assets/configs/mnist-best.json assets/configs/attention.json assets/configs/cnn.json)
swift build -c release --product dnn >/dev/null
dnn=.build/release/dnn
echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores; $(date -u +%Y-%m-%dT%H:%MZ)"

neighbour_pid=""
start_neighbour() {  # start_neighbour none|50|100
  case $1 in
    none) neighbour_pid="" ;;
    100) taskset -c 1 bash -c 'while :; do :; done' & neighbour_pid=$! ;;
    50) taskset -c 1 python3 -c '
import time
while True:
    end = time.monotonic() + 0.05
    while time.monotonic() < end: pass
    time.sleep(0.05)' & neighbour_pid=$! ;;
  esac
}
stop_neighbour() { [ -z "$neighbour_pid" ] || { kill "$neighbour_pid" 2>/dev/null; wait "$neighbour_pid" 2>/dev/null || true; }; neighbour_pid=""; }
trap stop_neighbour EXIT

seconds() {  # seconds THREADS CONFIG: "median s/epoch, share of steps with the helper" of one bench
  local args=(bench --threads "$1" --json)
  [ "$2" = reference ] || args+=(--config "$2")
  [[ "$2" == *cnn* ]] && args+=(--epochs 3)
  "$dnn" "${args[@]}" | python3 -c 'import json,sys; j = json.loads(sys.stdin.read().splitlines()[-1]); print(j["medianSecondsPerEpoch"], j.get("helperShare") or 0)'
}

printf '%-28s %-9s %5s %9s %7s %9s %7s\n' configuration neighbour round "2 threads" helper "1 thread" ratio
for config in "${configs[@]}"; do
  for neighbour in none 50 100; do
    start_neighbour "$neighbour"
    for round in $(seq 1 "$rounds"); do
      read -r two share < <(seconds 2 "$config"); read -r one _ < <(seconds 1 "$config")
      ratio=$(python3 -c "print(f'{$two / $one:.2f}')")
      printf '%-28s %-9s %5d %9.3f %6.0f%% %9.3f %7s\n' "$(basename "$config" .json)" "$neighbour" "$round" "$two" "$(python3 -c "print($share * 100)")" "$one" "$ratio"
    done
    stop_neighbour
  done
done
