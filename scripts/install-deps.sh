#!/usr/bin/env bash
# Installs the system packages diy-dnn builds and tests with (Debian/Ubuntu), only those missing:
# OpenBLAS, ncursesw, zlib, tmux (end-to-end test), strace (kill-at-every-save test), python3 with
# numpy (checkpoint interop test).
set -euo pipefail
packages=(libopenblas-dev libncurses-dev zlib1g-dev tmux strace python3)
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
as_root=()
[ "$(id -u)" -eq 0 ] || as_root=(sudo)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  "${as_root[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
fi
if ! python3 -c "import numpy" 2>/dev/null; then
  python3 -m pip install --quiet numpy 2>/dev/null \
    || DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq python3-numpy >/dev/null
fi
