#!/usr/bin/env bash
# Two or more builds of the dashboard against headless training, interleaved in each round:
# `dnn train` (this checkout's release build), then each given dnn-tui binary, the same run
# (default.json, EPOCHS epochs of Fashion-MNIST, single view, tmux at 120x40); prints each
# round's s/epoch and the dashboard's throughput as a fraction of headless.
#   bash benchmarks/dashboard_builds.sh ROUNDS /tmp/a/dnn-tui /tmp/b/dnn-tui   (EPOCHS=12 default)
# For an A/B of a dashboard change: build, copy .build/release/dnn-tui aside, change, build, copy.
set -euo pipefail
rounds=$1; shift
[ -d /usr/share/datasets/fashion-mnist ] || { echo "needs Fashion-MNIST: apt-get install dataset-fashion-mnist" >&2; exit 1; }
cd "$(dirname "$0")/.."
swift build -c release --product dnn >/dev/null
dnn=$PWD/.build/release/dnn epochs=${EPOCHS:-12}
data=(--data-dir /usr/share/datasets/fashion-mnist)
sock=dnn-builds-$$
trap 'tmux -L $sock kill-server 2>/dev/null || true' EXIT
for round in $(seq "$rounds"); do
  out=$(mktemp -d)
  headless=$($dnn train "${data[@]}" --epochs "$epochs" --out "$out" --json | tail -1 | python3 -c 'import json,sys,statistics; print("%.3f" % statistics.median(json.load(sys.stdin)["secondsPerEpoch"]))')
  rm -rf "$out"
  line="round $round: headless $headless"
  for tui in "$@"; do
    out=$(mktemp -d)
    tmux -L $sock new-session -d -x 120 -y 40 -s b "TERM=tmux-256color $tui --config assets/configs/default.json --concurrent 1 --out $out ${data[*]} --epochs $epochs; sleep 600"
    until tmux -L $sock capture-pane -p -J -t b | grep -q "s/epoch (median)"; do
      sleep 0.5
      if tmux -L $sock capture-pane -p -t b | grep -q FINISHED; then tmux -L $sock send-keys -t b q; fi
    done
    seconds=$(tmux -L $sock capture-pane -p -J -t b | grep -o '[0-9.]* s/epoch (median)' | head -1 | cut -d' ' -f1)
    tmux -L $sock kill-server; sleep 0.3
    rm -rf "$out"
    line="$line | $tui $seconds ($(echo "scale=3; $headless / $seconds" | bc))"
  done
  echo "$line"
done
