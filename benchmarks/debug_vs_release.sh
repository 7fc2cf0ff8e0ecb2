#!/usr/bin/env bash
# Plain `swift build` (debug) vs `swift build -c release`: the engine is compiled with -O in both,
# so training speed should match. Interleaved rounds, alternating which goes first.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build >/dev/null && swift build -c release >/dev/null
speed() { "$1" bench --epochs 3 --json | python3 -c "import json,sys; print('%.3f' % json.load(sys.stdin)['medianSecondsPerEpoch'])"; }
debug=() release=()
for round in 1 2 3 4 5 6; do
  if [ $((round % 2)) -eq 0 ]; then d=$(speed .build/debug/dnn); r=$(speed .build/release/dnn)
  else r=$(speed .build/release/dnn); d=$(speed .build/debug/dnn); fi
  echo "round $round: debug $d s/epoch, release $r s/epoch"
  debug+=("$d") release+=("$r")
done
python3 - "${debug[@]}" -- "${release[@]}" <<'PY'
import statistics, sys
args = sys.argv[1:]; cut = args.index("--")
d, r = [float(x) for x in args[:cut]], [float(x) for x in args[cut + 1:]]
print(f"median debug {statistics.median(d):.3f}, release {statistics.median(r):.3f}: debug takes {statistics.median(d) / statistics.median(r):.2f}x the release time")
PY
