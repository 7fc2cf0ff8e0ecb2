#!/usr/bin/env bash
# The dashboard's own numbers, release build, in tmux at 120x40:
#  1. time from launch to the first complete frame of `dnn-tui` (the default sweep) on the
#     bundled digits (5 tries);
#  2. training speed with the dashboard vs headless `dnn train`, same run, interleaved rounds
#     (Fashion-MNIST when installed, else the bundled digits with more epochs), and the median
#     of the rounds' ratios: one run alone (single view), and the same run as the first of a
#     two-run sweep trained one at a time (sweep view: runs panel and overlaid curves on screen),
#     and one run with the layer-health panel on screen (health view: `i` pressed at the start;
#     every view measures layer health a few times a second, this one also draws it), and one
#     run with the inside view on screen (inside view: `v` pressed at the start; the saliency,
#     nudges and layer outputs of the browsed digit are computed again with every epoch's model),
#     and one with the distributions view (`u`: every epoch's histograms drawn as heat maps).
#   bash benchmarks/dashboard.sh [ROUNDS]   (default 3; VIEWS="single inside" measures those only;
#   EPOCHS=N trains N epochs a run instead of 4, for rounds that drift less)
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
  tmux -L $sock new-session -d -x 120 -y 40 -s b "TERM=tmux-256color $tui --no-save; sleep 5"
  until tmux -L $sock capture-pane -p -t b 2>/dev/null | grep -q "Confusion matrix"; do sleep 0.01; done
  end=$(date +%s.%N)
  printf "  try %d: %.3f s\n" $i "$(echo "$end - $start" | bc)"
  tmux -L $sock kill-server; sleep 0.3
done
if [ -d /usr/share/datasets/fashion-mnist ]; then data=(--data-dir /usr/share/datasets/fashion-mnist); epochs=${EPOCHS:-4}; else data=(); epochs=${EPOCHS:-40}; fi
# The sweep view: the same run twice, one at a time (both cores each, as headless), so the
# runs panel and the overlaid curves are on screen while the first run trains.
sweep=$(mktemp --suffix=.json)
python3 - "$sweep" <<'PY'
import json, sys
run = json.load(open("assets/configs/default.json"))["runs"][0]
json.dump({"runs": [dict(run, name="first"), dict(run, name="second")]}, open(sys.argv[1], "w"))
PY
source benchmarks/median.sh
for view in ${VIEWS:-single sweep health inside distributions}; do
  echo "training speed, ${epochs} epochs, median s/epoch, $view view:"
  ratios=()
  for round in $(seq "$rounds"); do
    out=$(mktemp -d)
    headless=$($dnn train "${data[@]}" --epochs $epochs --out "$out" --json | tail -1 | python3 -c 'import json,sys,statistics; print("%.3f" % statistics.median(json.load(sys.stdin)["secondsPerEpoch"]))')
    rm -rf "$out"
    if [ $view = sweep ]; then config=$sweep; else config=assets/configs/default.json; fi
    out=$(mktemp -d)
    # dnn-tui needs the terminal as stdout: its closing lines are read from the pane after q.
    tmux -L $sock new-session -d -x 120 -y 40 -s b "TERM=tmux-256color $tui --config $config --concurrent 1 --out $out ${data[*]} --epochs $epochs; sleep 600"
    # The views opened by a key at the start: i health, v inside, u distributions.
    key=$(case $view in health) echo i ;; inside) echo v ;; distributions) echo u ;; *) echo "" ;; esac)
    if [ -n "$key" ]; then
      until tmux -L $sock capture-pane -p -t b | grep -q RUNNING; do sleep 0.05; done
      tmux -L $sock send-keys -t b "$key"
    fi
    until tmux -L $sock capture-pane -p -J -t b | grep -q "s/epoch (median)"; do
      sleep 0.5
      tmux -L $sock capture-pane -p -t b | grep -q -E "FINISHED|Runs \(2/2 done\)" && ! tmux -L $sock capture-pane -p -t b | grep -q QUEUED && tmux -L $sock send-keys -t b q
    done
    dashboard=$(tmux -L $sock capture-pane -p -J -t b | grep -o '[0-9.]* s/epoch (median)' | head -1 | cut -d' ' -f1)
    tmux -L $sock kill-server; sleep 0.3
    rm -rf "$out"
    ratio=$(echo "scale=3; $headless / $dashboard" | bc)
    ratios+=("$ratio")
    echo "  round $round: headless $headless, dashboard $dashboard, dashboard throughput = $ratio of headless"
  done
  echo "median dashboard throughput, $view view: $(printf '%s\n' "${ratios[@]}" | median) of headless ($rounds rounds)"
done
rm -f "$sweep"
