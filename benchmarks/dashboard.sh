#!/usr/bin/env bash
# The dashboard's own numbers, release build, in tmux at 120x40:
#  1. time from launch to the first complete frame on the bundled digits (5 tries);
#  2. training speed with the dashboard vs headless `dnn train`, same run, interleaved rounds
#     (Fashion-MNIST when installed, else the bundled digits with more epochs), and the median
#     of the rounds' ratios.
#   bash benchmarks/dashboard.sh [ROUNDS]   (default 3)
set -euo pipefail
rounds=${1:-3}
cd "$(dirname "$0")/.."
swift build -c release >/dev/null
tui=$PWD/.build/release/dnn-tui dnn=$PWD/.build/release/dnn
sock=dnn-bench-$$
trap 'tmux -L $sock kill-server 2>/dev/null || true' EXIT
echo "first frame (launch to every panel on screen):"
for i in 1 2 3 4 5; do
  start=$(date +%s.%N)
  tmux -L $sock new-session -d -x 120 -y 40 -s b "TERM=tmux-256color $tui --epochs 50; sleep 5"
  until tmux -L $sock capture-pane -p -t b 2>/dev/null | grep -q "Confusion matrix"; do sleep 0.01; done
  end=$(date +%s.%N)
  printf "  try %d: %.3f s\n" $i "$(echo "$end - $start" | bc)"
  tmux -L $sock kill-server; sleep 0.3
done
if [ -d /usr/share/datasets/fashion-mnist ]; then data=(--data-dir /usr/share/datasets/fashion-mnist); epochs=4; else data=(); epochs=40; fi
echo "training speed, ${epochs} epochs, median s/epoch:"
ratios=()
for round in $(seq "$rounds"); do
  out=$(mktemp -d)
  headless=$($dnn train "${data[@]}" --epochs $epochs --out "$out" --json | tail -1 | python3 -c 'import json,sys,statistics; print("%.3f" % statistics.median(json.load(sys.stdin)["secondsPerEpoch"]))')
  rm -rf "$out"
  # dnn-tui needs the terminal as stdout: its closing line is read from the pane after q.
  tmux -L $sock new-session -d -x 120 -y 40 -s b "TERM=tmux-256color $tui ${data[*]} --epochs $epochs; sleep 600"
  until tmux -L $sock capture-pane -p -t b | grep -q "s/epoch (median)"; do
    sleep 0.5
    tmux -L $sock capture-pane -p -t b | grep -q FINISHED && tmux -L $sock send-keys -t b q
  done
  dashboard=$(tmux -L $sock capture-pane -p -J -t b | grep -o '[0-9.]* s/epoch (median)' | cut -d' ' -f1)
  tmux -L $sock kill-server; sleep 0.3
  ratio=$(echo "scale=3; $headless / $dashboard" | bc)
  ratios+=("$ratio")
  echo "  round $round: headless $headless, dashboard $dashboard, dashboard throughput = $ratio of headless"
done
echo "median dashboard throughput: $(printf '%s\n' "${ratios[@]}" | sort -n | awk '{v[NR]=$1} END {print (NR%2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2)}') of headless ($rounds rounds)"
