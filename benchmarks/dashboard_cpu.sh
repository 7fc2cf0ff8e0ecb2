#!/usr/bin/env bash
# What the dashboard's own thread costs while a run trains, in CPU time rather than in epochs:
# the wall-clock comparison (benchmarks/dashboard.sh) moves by more from round to round on a
# shared VM than the dashboard could cost. For each view, `dnn-tui` (release build, tmux
# 120x40) trains the default MLP on Fashion-MNIST (or the bundled digits), and the kernel's
# account of its main thread (/proc/PID/task/PID/stat, 10 ms ticks) is read when the first
# epoch is in metrics.csv and when the run has finished: the UI thread's (the main thread's)
# CPU seconds over those seconds (the rest of training, its last evaluation and saving) is its
# share of one core, the most it can take from the two training threads. Nothing polls the pane meanwhile (a tmux client a few times a
# second would be a competitor of its own): the run's files are checked once a second.
#   bash benchmarks/dashboard_cpu.sh [EPOCHS]   (default 8; VIEWS="single health" for some)
set -euo pipefail
epochs=${1:-8}
cd "$(dirname "$0")/.."
swift build -c release --product dnn-tui >/dev/null
tui=$PWD/.build/release/dnn-tui
if [ -d /usr/share/datasets/fashion-mnist ]; then data="--data-dir /usr/share/datasets/fashion-mnist"; else data=""; epochs=$((epochs * 10)); fi
sock=dnn-cpu-$$
trap 'tmux -L $sock kill-server 2>/dev/null || true' EXIT
ticks=$(getconf CLK_TCK)
echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores; $(date -u +%Y-%m-%dT%H:%MZ); $epochs epochs"
printf "%-14s %10s %10s %10s\n" view "seconds" "UI cpu s" "UI share"
# ui_ticks PID: the CPU ticks (user + system) of a process's main thread, the dashboard's.
ui_ticks() {
  local s rest
  s=$(cat "/proc/$1/task/$1/stat")
  rest=${s##*) }
  set -- $rest
  echo $(( ${12} + ${13} ))
}
for view in ${VIEWS:-single health inside distributions}; do
  out=$(mktemp -d)
  tmux -L $sock new-session -d -x 120 -y 40 -s b \
    "TERM=tmux-256color $tui --config assets/configs/default.json --out $out $data --epochs $epochs; sleep 600"
  until pid=$(pgrep -n -x dnn-tui); do sleep 0.1; done
  key=$(case $view in health) echo i ;; inside) echo v ;; distributions) echo u ;; *) echo "" ;; esac)
  # The first epoch's line: data loaded, the run under way, the view open.
  until [ "$(cat $out/*/metrics.csv 2>/dev/null | wc -l)" -ge 2 ]; do sleep 0.2; done
  [ -z "$key" ] || tmux -L $sock send-keys -t b "$key"
  ui0=$(ui_ticks "$pid")
  start=$(date +%s.%N)
  until grep -qs '"status" : "finished"' $out/*/run.json; do sleep 1; done
  end=$(date +%s.%N)
  ui1=$(ui_ticks "$pid")
  tmux -L $sock kill-server
  python3 - "$view" "$start" "$end" "$ui0" "$ui1" "$ticks" <<'PY'
import sys
view, start, end, u0, u1, hz = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), *map(int, sys.argv[4:])
seconds, ui = end - start, (u1 - u0) / hz
print(f"{view:<14} {seconds:10.2f} {ui:10.2f} {100 * ui / seconds:9.1f}%")
PY
  rm -rf "$out"
done
