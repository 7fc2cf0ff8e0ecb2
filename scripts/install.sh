#!/usr/bin/env bash
# Installs dnn and dnn-tui into PREFIX/bin and the bundled digits and configurations into
# PREFIX/share/diy-dnn, where the programs find them from any folder.
#   scripts/install.sh [PREFIX]      (default: ~/.local; PREFIX/bin should be on the PATH)
set -euo pipefail
cd "$(dirname "$0")/.."
prefix=${1:-$HOME/.local}
swift build -c release --product dnn
swift build -c release --product dnn-tui
mkdir -p "$prefix/bin" "$prefix/share/diy-dnn"
install -m 755 .build/release/dnn .build/release/dnn-tui "$prefix/bin/"
rm -rf "$prefix/share/diy-dnn/mnist" "$prefix/share/diy-dnn/configs"
cp -R assets/mnist assets/configs "$prefix/share/diy-dnn/"
echo "installed $prefix/bin/dnn, $prefix/bin/dnn-tui and $prefix/share/diy-dnn"
case ":$PATH:" in *":$prefix/bin:"*) ;; *) echo "add $prefix/bin to your PATH" ;; esac
