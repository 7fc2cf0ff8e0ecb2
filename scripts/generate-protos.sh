#!/usr/bin/env bash
# Regenerates the Swift code of the schemas in schemas/ (committed under Sources/Interop/Generated/,
# since building swift-protobuf's code generator takes minutes and CI need not do it):
#   schemas/onnx.proto                      from the onnx wheel (pip install onnx==1.23.2: onnx/onnx.proto)
#   schemas/tensorboard/*.proto             from tensorflow/tensorboard, tensorboard/compat/proto
# Needs protoc (apt-get install protobuf-compiler) and protoc-gen-swift of the swift-protobuf
# version Package.swift names (swift build -c release --product protoc-gen-swift in a checkout
# of apple/swift-protobuf at that tag); pass its path as $1.
set -euo pipefail
cd "$(dirname "$0")/.."
plugin=${1:?path to protoc-gen-swift}
out=Sources/Interop/Generated
mkdir -p "$out"
protos=(schemas/onnx.proto)
[ -d schemas/tensorboard ] && protos+=(schemas/tensorboard/*.proto)
protoc --plugin="$plugin" --swift_out="$out" --swift_opt=Visibility=Internal -I schemas "${protos[@]#schemas/}"
ls -l "$out"
