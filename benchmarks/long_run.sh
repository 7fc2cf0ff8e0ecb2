#!/usr/bin/env bash
# Memory and log cost of a long run: trains the default model for EPOCHS (default 2000) epochs on
# the bundled digits with a release build, samples the process's resident memory as the epochs
# go by, and prints the time spent persisting the run (logs, and logs plus checkpoints).
# Usage: bash benchmarks/long_run.sh [EPOCHS]
set -euo pipefail
cd "$(dirname "$0")/.."
epochs=${1:-2000}
swift build -c release --product dnn > /dev/null || { echo "release build failed" >&2; exit 1; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
.build/release/dnn train --epochs "$epochs" --out "$out" --json > "$out/stdout" 2> "$out/stderr" &
pid=$!
echo "epochs_done  rss_MB  steps_csv_MB"
while kill -0 "$pid" 2>/dev/null; do
  rss=$(awk '/VmRSS/ {printf "%.1f", $2 / 1024}' "/proc/$pid/status" 2>/dev/null || true)
  done_epochs=$(($(wc -l < "$out/mlp-256-128/metrics.csv" 2>/dev/null || echo 1) - 1))
  steps=$(du -m "$out/mlp-256-128/steps.csv" 2>/dev/null | cut -f1 || echo 0)
  [ -n "$rss" ] && printf "%11d  %6s  %12s\n" "$done_epochs" "$rss" "$steps"
  sleep 5
done
wait "$pid"
tail -1 "$out/stdout" | python3 -c '
import json, sys
s = json.loads(sys.stdin.read())
total = sum(s["secondsPerEpoch"])
print("epochs %d: training %.1f s, persisting %.2f s (logs %.2f s, %.2f%% of training)"
      % (s["epochs"], total, s["savingSeconds"], s["logSeconds"], 100 * s["logSeconds"] / total))'
