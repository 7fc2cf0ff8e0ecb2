#!/usr/bin/env bash
# Builds the engine for the generic x86-64 and the AVX2 (haswell) instruction sets, whatever this
# machine has, and runs the tests that check the kernels against their scalar references, the
# layers against finite differences and the split step against the whole one. Each build has its
# own scratch folder (.build-x86-64, .build-haswell). A machine without AVX2 skips haswell.
# OpenBLAS is held to the matching kernel (OPENBLAS_CORETYPE Nehalem, Haswell): the split step's
# one-pass halves rely on how its products add into a gradient (BothHalvesInOnePassTests).
set -euo pipefail
cd "$(dirname "$0")/.."
suites='SmallGEMMTests|PadPlanesTests|ConvolutionKernelOrderTests|SoftmaxKernelTests|DataParallelTests|LayerGradientTests|ConvolutionGradientTests|LayerGradientCheckTests|LossTests|OptimizerTests|BatchNormReLUTests|BothHalvesInOnePassTests|HelperChoiceTests'
targets=(x86-64)
grep -qw avx2 /proc/cpuinfo && targets+=(haswell)
for cpu in "${targets[@]}"; do
  echo "== kernels, layers and split step built for -target-cpu $cpu"
  DNN_TARGET_CPU="$cpu" swift build --build-tests --scratch-path ".build-$cpu"
  coretype=Nehalem
  [ "$cpu" = haswell ] && coretype=Haswell
  OPENBLAS_CORETYPE=$coretype DNN_TARGET_CPU="$cpu" swift test --skip-build --scratch-path ".build-$cpu" --filter "$suites"
done
