#!/usr/bin/env bash
# Regenerates the Swift code of the protobuf schemas diy-dnn writes (committed under
# Sources/Interop/Generated/: building swift-protobuf's code generator takes minutes, and CI
# need not). The schemas themselves are not committed; they come from:
#   onnx.proto: the onnx wheel in .venv (scripts/install-deps.sh puts it there), onnx/onnx.proto
#   tensorboard/compat/proto/{event,summary,histogram,tensor,resource_handle,tensor_shape,types}.proto:
#     tensorflow/tensorboard's tensorboard/compat/proto/, placed under schemas/ by hand
# Needs protoc (apt-get install protobuf-compiler) and protoc-gen-swift of the swift-protobuf
# version Package.swift names (`swift build -c release --product protoc-gen-swift` in a checkout
# of apple/swift-protobuf at that tag); pass its path:
#   bash scripts/generate-protos.sh /path/to/protoc-gen-swift
set -euo pipefail
cd "$(dirname "$0")/.."
plugin=${1:?path to protoc-gen-swift}
out=Sources/Interop/Generated
mkdir -p "$out" schemas
cp .venv/lib/python3*/site-packages/onnx/onnx.proto schemas/onnx.proto
protos=(onnx.proto)
for p in event summary histogram tensor resource_handle tensor_shape types; do
  protos+=("tensorboard/compat/proto/$p.proto")
done
protoc --plugin="$plugin" --swift_out="$out" --swift_opt=Visibility=Internal -I schemas "${protos[@]}"
find "$out" -name '*.pb.swift' | sort
