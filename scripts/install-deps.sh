#!/usr/bin/env bash
# Installs the system packages diy-dnn builds and tests with (Debian/Ubuntu), only those missing:
# OpenBLAS, ncursesw, zlib, tmux (end-to-end test), strace (kill-at-every-save test), python3 with
# numpy (checkpoint interop test); and the project's own Python environment, .venv, with the
# real tools the export tests open our files with (onnx's checker, onnxruntime, TensorBoard's
# reader through tbparse), from PyPI.
set -euo pipefail
cd "$(dirname "$0")/.."
packages=(libopenblas-dev libncurses-dev zlib1g-dev tmux strace python3 python3-venv)
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
# Pinned: the versions the tests were written against (onnx 1.23's checker, opset 20;
# TensorBoard's own event reader under tbparse).
venv_packages=(onnx==1.23.2 onnxruntime==1.32.0 tensorboard==2.21.0 tbparse==0.0.9 numpy)
if ! .venv/bin/python -c "import onnx, onnxruntime, tensorboard, tbparse" 2>/dev/null; then
  echo "making .venv: ${venv_packages[*]}"
  python3 -m venv .venv
  .venv/bin/pip install --quiet "${venv_packages[@]}"
fi
