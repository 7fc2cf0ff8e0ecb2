#!/usr/bin/env bash
# The house rules that the README states, checked (run by .ci/run). Each rule lives here once;
# change the rule or the code, never neither.
#
#   1. No function (func, init, deinit, subscript) in Sources is over 60 lines, except the
#      named ones below, each with its reason.
#   2. No Swift file in Sources is over 400 lines.
#   3. A run folder's file names are spelled in Sources/DNN/Checkpoint/RunFiles.swift only.
#   4. A layer kind of the activation family (Sources/DNN/Layers/Activations/) is named in at
#      most 3 Swift files of Sources: its own file, the vocabulary table, and one more.
#   5. Keys are spelled in Sources/Dashboard/KeyMap.swift only: elsewhere in the dashboard and
#      dnn-tui, no key literal (.character("x")) and no key named in a string ("Esc", "q quits").
#   6. A trainer is assembled in Sources/DNN/Training/Trainer+Start.swift only (Trainer.make).
#   7. Per-layer-kind code lives in the layers' files (Sources/DNN/Layers/) and the vocabulary
#      table (Sources/DNN/Config/LayerKind.swift): nothing else matches on a layer kind.
#   Generated code (Sources/*/Generated/, from schemas/ by scripts/generate-protos.sh) is exempt.
#
# Usage: scripts/check-house-rules.sh [TREE]   (default: this checkout)
#        scripts/check-house-rules.sh --self-test   (shows that each rule can fail)
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"

if [ "${1:-}" = "--self-test" ]; then
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  fails() {  # fails NAME: the copy in $work/tree must be refused
    if bash "$here/scripts/check-house-rules.sh" "$work/tree" >"$work/out" 2>&1; then
      echo "self-test FAILED: $1 was not caught"; exit 1
    fi
    echo "self-test: $1 caught: $(grep -m1 'house rule' "$work/out")"
  }
  fresh() { rm -rf "$work/tree"; mkdir -p "$work/tree"; cp -r "$here/Sources" "$work/tree/"; }
  fresh
  bash "$here/scripts/check-house-rules.sh" "$work/tree" >/dev/null || { echo "self-test FAILED: the tree itself breaks a rule"; exit 1; }
  fresh
  { echo "func seventyLines() {"; for i in $(seq 1 68); do echo "  _ = $i"; done; echo "}"; } >> "$work/tree/Sources/DNN/Model/Sequential.swift"
  fails "a 70-line function"
  fresh
  echo 'let strayConfig = "config.json"' >> "$work/tree/Sources/dnn/Console.swift"
  fails "a stray \"config.json\""
  fresh
  for i in $(seq 1 401); do echo "// line $i"; done >> "$work/tree/Sources/dnn/Console.swift"
  fails "a file over 400 lines"
  fresh
  for f in Sources/Dashboard/Format.swift Sources/dnn/Console.swift; do echo '// gelu' >> "$work/tree/$f"; done
  fails "an activation named in a fourth file"
  fresh
  echo 'let strayKeyHint = "Esc closes"' >> "$work/tree/Sources/Dashboard/Format.swift"
  fails "a key named outside KeyMap"
  fresh
  echo 'func strayKind(_ s: LayerSpec) -> Bool { if case .dense = s { return true }; return false }' >> "$work/tree/Sources/Dashboard/Format.swift"
  fails "a layer kind decided outside the layers and the vocabulary"
  echo "self-test passed"
  exit 0
fi

tree="${1:-$here}"
python3 - "$tree" <<'PY'
import os, re, sys
tree = sys.argv[1]
sources = os.path.join(tree, "Sources")
problems = []

# Rule 1's named exceptions: "file:function" -> reason.
long_function_exceptions = {
    # None today; a new entry says why: "Sources/File.swift:function": "reason".
}
# Layer forward and backward passes may be long: each is the equations of its layer, in order.
layer_passes = re.compile(r"^Sources/DNN/Layers/.*:(forward|backward)$")

decl = re.compile(r"^\s*(?:@\w+(?:\([^)]*\))?\s+)*(?:(?:public|private|fileprivate|internal|open|static|class|override|"
                  r"mutating|nonmutating|final|nonisolated|convenience|required|package)(?:\([^)]*\))?\s+)*"
                  r"(?:func\s+([^\s(<]+)|(init)[?!]?|(deinit)|(subscript))\b")

def code(line):
    """The line without string literals and // comments (enough to count braces)."""
    out, i, quoted = [], 0, False
    while i < len(line):
        c = line[i]
        if quoted:
            if c == "\\": i += 2; continue
            if c == '"': quoted = False
        elif c == '"': quoted = True
        elif line.startswith("//", i): break
        else: out.append(c)
        i += 1
    return "".join(out)

# Code generated from a schema (protoc-gen-swift, Sources/*/Generated/, made by
# scripts/generate-protos.sh) is the generator's, not ours: no rule reads it.
swift_files = []
for root, _, files in os.walk(sources):
    if os.sep + "Generated" in root: continue
    for f in files:
        if f.endswith(".swift"):
            swift_files.append(os.path.join(root, f))
swift_files.sort()

for path in swift_files:
    rel = os.path.relpath(path, tree)
    lines = open(path, encoding="utf-8").read().split("\n")
    if len(lines) - 1 > 400:
        problems.append(f"house rule 2: {rel} has {len(lines) - 1} lines (at most 400: move a concern to Type+Concern.swift)")
    for i, line in enumerate(lines):
        m = decl.match(line)
        if not m: continue
        name = next(g for g in m.groups() if g)
        depth, started, j = 0, False, i
        while j < len(lines):
            c = code(lines[j]); depth += c.count("{") - c.count("}")
            started = started or "{" in c
            if (started and depth <= 0) or (not started and j > i + 8): break
            j += 1
        length = j - i + 1
        key = f"{rel}:{name}"
        if started and length > 60 and key not in long_function_exceptions and not layer_passes.match(key):
            problems.append(f"house rule 1: {rel}:{i + 1} {name} is {length} lines (at most 60)")

# Rule 3: the run folder's file names, spelled only by their owner.
owner = "Sources/DNN/Checkpoint/RunFiles.swift"
names = re.compile(r'"(config\.json|run\.json|metrics\.csv|steps\.csv|events\.csv|\.lock|curves\.svg|digits\.svg|'
                   r'summary\.csv|summary\.md|report\.html|(?:best|last|optimizer)\.safetensors)"')
for path in swift_files:
    rel = os.path.relpath(path, tree)
    if rel == owner: continue
    for n, line in enumerate(open(path, encoding="utf-8"), 1):
        if line.lstrip().startswith("///") or line.lstrip().startswith("//"): continue
        for m in names.finditer(line):
            problems.append(f"house rule 3: {rel}:{n} spells {m.group(0)}; ask RunFiles (or CheckpointKind) for it")

# Rule 4: an activation kind lives in its own file, the vocabulary table and at most one more.
activations = os.path.join(sources, "DNN", "Layers", "Activations")
kinds = []
if os.path.isdir(activations):
    for f in sorted(os.listdir(activations)):
        text = open(os.path.join(activations, f), encoding="utf-8").read()
        m = re.search(r'configName\s*=\s*"([a-z0-9]+)"', text)
        if m: kinds.append(m.group(1))
for kind in kinds:
    word = re.compile(r"\b" + kind + r"\b", re.IGNORECASE)
    files = [os.path.relpath(p, tree) for p in swift_files if word.search(open(p, encoding="utf-8").read())]
    if len(files) > 3:
        problems.append(f"house rule 4: the layer kind '{kind}' is named in {len(files)} files (at most 3): {', '.join(files)}")

# Rule 5: keys are spelled in KeyMap only (the dashboard and its executable ask it).
key_owner = "Sources/Dashboard/KeyMap.swift"
key_construct = re.compile(r'\.character\("')
key_words = re.compile(r'\b(Esc|Enter|PgUp|PgDn|S-Tab|Tab)\b|←→|↑↓|[←→↑↓]/|/[←→↑↓]|(^|\s)[←↑↓](\s|$)|\b[a-z?+\-] (quits|skips|opens|shows|closes|again|browses|draws|checks|focus(es)?)\b')
literal = re.compile(r'"((?:[^"\\]|\\.)*)"')
for path in swift_files:
    rel = os.path.relpath(path, tree)
    if rel == key_owner or not (rel.startswith("Sources/Dashboard/") or rel.startswith("Sources/dnn-tui/")): continue
    for n, line in enumerate(open(path, encoding="utf-8"), 1):
        if line.lstrip().startswith("//"): continue
        if key_construct.search(line):
            problems.append(f"house rule 5: {rel}:{n} spells a key (.character); ask KeyMap")
            continue
        for m in literal.finditer(line):
            hit = key_words.search(m.group(1))
            if hit:
                problems.append(f"house rule 5: {rel}:{n} names a key in text ('{hit.group(0)}'); compose it from KeyMap")
                break

# Rule 6: a trainer is assembled in one place (Trainer.make), from any of the ways a run begins.
for path in swift_files:
    rel = os.path.relpath(path, tree)
    if rel == "Sources/DNN/Training/Trainer+Start.swift": continue
    for n, line in enumerate(open(path, encoding="utf-8"), 1):
        if "Trainer(plan:" in line and not line.lstrip().startswith("//"):
            problems.append(f"house rule 6: {rel}:{n} assembles a trainer; use Trainer.make")

# Rule 7: what differs between layer kinds lives with the layers (Sources/DNN/Layers/) and in
# the vocabulary table (Sources/DNN/Config/LayerKind.swift); nowhere else matches on a kind.
kinds_pattern = re.compile(r'(case|==|!=)\s*\.(dense|relu|leakyReLU|leakyrelu|softmax|batchNorm2D|batchnorm2d|batchNorm|batchnorm|'
                           r'dropout|attention|conv2d|maxPool|maxpool|avgPool|avgpool|activation)\b')
vocabulary = "Sources/DNN/Config/LayerKind.swift"
for path in swift_files:
    rel = os.path.relpath(path, tree)
    if rel == vocabulary or rel.startswith("Sources/DNN/Layers/"): continue
    for n, line in enumerate(open(path, encoding="utf-8"), 1):
        if line.lstrip().startswith("//"): continue
        m = kinds_pattern.search(line)
        if m:
            problems.append(f"house rule 7: {rel}:{n} decides by layer kind ('{m.group(0)}'); ask the layer or the vocabulary table")

for p in problems: print(p)
if problems:
    print(f"{len(problems)} house rule(s) broken"); sys.exit(1)
print("house rules: all kept")
PY
