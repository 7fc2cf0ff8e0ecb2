#!/usr/bin/env python3
"""Side-by-side speed of `dnn bench` and the reference implementations, interleaved round by
round with the same thread count, on the same data. Prints a table of median seconds per
epoch and the ratio ours / theirs (below 1: we are faster).

    swift build -c release
    python3 benchmarks/compare.py [--rounds 3] [--epochs 4] [--threads 2] [--data-dir DIR] [--config FILE] [--dnn BINARY]
                                  [--isa native|avx2]

`--isa avx2` measures an AVX2 machine on an AVX-512 one: our AVX2 build (-target-cpu haswell,
OpenBLAS's Haswell kernels) against PyTorch held to AVX2 (ATEN_CPU_CAPABILITY, oneDNN's
ONEDNN_MAX_CPU_ISA, MKL_ENABLE_INSTRUCTIONS: its MLP then takes 15% longer) and JAX (XLA's
--xla_cpu_max_isa, which holds the code XLA generates; whether its matrix products follow it
was not seen: the reference MLP took 0.49-0.58 s with it, 0.47-0.49 without); build it first with
`DNN_TARGET_CPU=haswell swift build -c release --scratch-path .build-haswell`.

Peers that are not installed (jax, torch) are skipped with a note. With --config (a
configuration file; its first run), diy-dnn (`dnn bench --config`) is compared with the same
model in PyTorch (`torch_config.py`) and in JAX with the whole epoch in one `lax.scan`
(`jax_config.py`); the other references are written for the reference MLP.
"""
import argparse, importlib.util, json, os, statistics, subprocess, sys

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(here)
p = argparse.ArgumentParser()
p.add_argument("--rounds", type=int, default=3)
p.add_argument("--epochs", type=int, default=4)
p.add_argument("--threads", type=int, default=2)
p.add_argument("--data-dir", default="/usr/share/datasets/fashion-mnist")
p.add_argument("--config", default=None)
p.add_argument("--dnn", default=None,
               help="the dnn binary to time (default .build/release/dnn; .build-haswell/release/dnn with --isa avx2)")
p.add_argument("--isa", choices=["native", "avx2"], default="native",
               help="avx2: every implementation held to AVX2 (see above)")
p.add_argument("--skip", action="append", default=[], metavar="NAME",
               help="leave an implementation out (jax-scan, pytorch, numpy, ...); repeatable")
args = p.parse_args()

env = dict(os.environ, OPENBLAS_NUM_THREADS=str(args.threads), OMP_NUM_THREADS=str(args.threads))
if args.isa == "avx2":
    env.update(OPENBLAS_CORETYPE="Haswell", ATEN_CPU_CAPABILITY="avx2", ONEDNN_MAX_CPU_ISA="AVX2", MKL_ENABLE_INSTRUCTIONS="AVX2",
               XLA_FLAGS=(env.get("XLA_FLAGS", "") + " --xla_cpu_max_isa=AVX2").strip())
args.dnn = args.dnn or os.path.join(root, ".build-haswell/release/dnn" if args.isa == "avx2" else ".build/release/dnn")
if not os.path.exists(args.dnn):
    sys.exit(f"{args.dnn} is missing: build it (" + ("DNN_TARGET_CPU=haswell swift build -c release --scratch-path .build-haswell"
             if args.isa == "avx2" else "swift build -c release") + ")")
print(f"instruction set: {args.isa}" + (" (every implementation held to AVX2)" if args.isa == "avx2" else ""))
common = ["--data-dir", args.data_dir, "--epochs", str(args.epochs), "--threads", str(args.threads)]
dnn = [args.dnn, "bench", "--json"] + common
impls = {"diy-dnn": dnn,
         # The same binary with the batch kept whole (OpenBLAS's own threads split each product).
         "diy-dnn-whole-batch": dnn,
         "numpy": [sys.executable, os.path.join(here, "numpy_reference.py")] + common}
extra_env = {"diy-dnn-whole-batch": {"DNN_SPLIT_BATCH": "0"}}
if args.config:
    impls = {"diy-dnn": dnn + ["--config", args.config]}
    if importlib.util.find_spec("jax"):
        impls["jax-scan"] = [sys.executable, os.path.join(here, "jax_config.py"), "--config", args.config] + common
    else:
        print("jax not installed: skipped (pip install jax)")
    if importlib.util.find_spec("torch"):
        impls["pytorch"] = [sys.executable, os.path.join(here, "torch_config.py"), "--config", args.config] + common
    else:
        print("torch not installed: skipped (pip install 'torch==2.13.0+cpu')")
elif importlib.util.find_spec("jax"):
    impls["jax-scan"] = [sys.executable, os.path.join(here, "jax_reference.py")] + common
else:
    print("jax not installed: skipped (pip install jax)")
if not args.config and importlib.util.find_spec("torch"):
    impls["pytorch"] = [sys.executable, os.path.join(here, "torch_reference.py")] + common
elif not args.config:
    print("torch not installed: skipped (pip install 'torch==2.13.0+cpu')")

for name in args.skip:
    if impls.pop(name, None) is None:
        sys.exit(f"--skip {name}: not one of {', '.join(impls)}")
results = {name: [] for name in impls}
accuracy = {}
for r in range(args.rounds):
    for name, command in list(impls.items()):
        done = subprocess.run(command, env=dict(env, **extra_env.get(name, {})), capture_output=True, text=True)
        if done.returncode != 0:
            # A peer that cannot run this model (a layer it has no equivalent for) is left out.
            print(f"{name} skipped: {(done.stderr.strip().splitlines() or ['exit status %d' % done.returncode])[-1]}", flush=True)
            del impls[name], results[name]
            continue
        out = done.stdout
        record = json.loads(out.strip().splitlines()[-1])
        results[name].append(record["medianSecondsPerEpoch"])
        accuracy[name] = record.get("testAccuracy")
        extra = f", {record['peakRSSMegabytes']:.0f} MB peak RSS, {record['backend']}" if name.startswith("diy-dnn") else ""
        print(f"round {r + 1} {name:19s} {record['medianSecondsPerEpoch']:.3f} s/epoch{extra}", flush=True)

ours = statistics.median(results["diy-dnn"])
print(f"\n{args.threads} thread(s), {args.rounds} interleaved rounds, median of epochs 2..{args.epochs} per round")
print("diy-dnn / it: the ratio of the medians; per round: the median of each round's ratio (the two run")
print("back to back, so it is less exposed to the machine drifting between rounds)")
print(f"| implementation | s/epoch (median) | diy-dnn / it | per round | test accuracy after {args.epochs} epochs |")
print("|---|---|---|---|---|")
for name, values in results.items():
    median = statistics.median(values)
    per_round = statistics.median(a / b for a, b in zip(results["diy-dnn"], values))
    print(f"| {name} | {median:.3f} | {ours / median:.2f} | {per_round:.2f} | {accuracy[name]:.4f} |")
