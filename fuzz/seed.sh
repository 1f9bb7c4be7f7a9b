#!/usr/bin/env bash
# Seeds the fuzz corpus with every fixture input (compact JSON) and every sample-log line.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p fuzz/corpus/transform
python3 - <<'PY'
import glob, json, hashlib, os
out = "fuzz/corpus/transform"
def put(text):
    name = hashlib.sha1(text.encode()).hexdigest()
    with open(os.path.join(out, name), "w") as f:
        f.write(text)
for path in glob.glob("fixtures/**/*.json", recursive=True):
    fixture = json.load(open(path))
    if "input_text" in fixture:
        put(fixture["input_text"])
    else:
        put(json.dumps(fixture["input"], separators=(",", ":")))
for line in open("fixtures/sample-audit.log"):
    put(line.rstrip("\n"))
PY
ls fuzz/corpus/transform | wc -l
