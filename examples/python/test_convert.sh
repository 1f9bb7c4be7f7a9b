#!/usr/bin/env bash
# Checks examples/python/convert.py (the component run by the PyPI `wasmtime` package)
# against the Rust host: `cargo run -q -p host-test -- transform`, line by line, comparing
# each output line as JSON (semantic equality). Exits 0 only when every line matches.
#
#   examples/python/test_convert.sh [COMPONENT.wasm]
#
# COMPONENT defaults to target/component/wasm32-wasip2/release/k8s_audit_ecs.wasm (built by
# `cargo build -p host-test`, which the reference run below does anyway). Set VENV to reuse a
# virtual environment that has requirements.txt installed (e.g. offline); otherwise one is
# created in a temporary directory. Without Python, venv or pip: prints `skipped: ...`, exit 0.
#
# Cases: fixtures/sample-audit.log with the baseline profile; then, with the extended profile,
# the same file plus records that fail (each kind of transform-error) and one with a browser
# user agent (the only path on which the component calls its wasi:random/insecure-seed import).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
component="${1:-$root/target/component/wasm32-wasip2/release/k8s_audit_ecs.wasm}"

skip() { echo "skipped: $*"; exit 0; }
command -v python3 >/dev/null 2>&1 || skip "python3 is not installed"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

venv="${VENV:-$work/venv}"
if [[ ! -x "$venv/bin/python" ]]; then
    python3 -m venv "$venv" >"$work/venv.log" 2>&1 \
        || skip "python3 cannot create a virtual environment ($(tail -n 1 "$work/venv.log"))"
fi
"$venv/bin/python" -m pip --version >/dev/null 2>&1 || skip "pip is not available in $venv"
if ! "$venv/bin/python" -m pip install -q --disable-pip-version-check -r "$here/requirements.txt" \
        >"$work/pip.log" 2>&1; then
    cat "$work/pip.log" >&2
    echo "error: pip could not install $here/requirements.txt (offline? set VENV to a prepared venv)" >&2
    exit 1
fi
echo "wasmtime $("$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("wasmtime"))') in $venv"

# Extra records: the three transform-error cases, an empty line, CRLF, an empty EventList,
# a configured-field-less `log` record, and a browser user agent.
cp "$root/fixtures/sample-audit.log" "$work/edge.ndjson"
cat >>"$work/edge.ndjson" <<'EOF'
{"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":"py-ua","verb":"get","requestURI":"/api/v1/namespaces/default/pods","userAgent":"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36","objectRef":{"resource":"pods","namespace":"default","apiVersion":"v1"},"responseStatus":{"code":200}}
{"log":"{\"kind\":\"Event\",\"auditID\":\"py-log\",\"verb\":\"list\"}"}
{"kind":"EventList","apiVersion":"audit.k8s.io/v1","items":[]}
{not json

[1,2,3]
"just a string"
{"kind":"Pod","metadata":{"name":"x"}}
{"auditID":"py-crlf","verb":"delete"}
EOF
printf '{"auditID":"py-crlf2","verb":"watch"}\r\n' >>"$work/edge.ndjson"

cd "$root"
passed=0
failed=0
run_case() { # NAME PROFILE INPUT
    local name="$1" profile="$2" input="$3"
    if ! cargo run -q -p host-test -- transform --profile "$profile" "$input" \
            >"$work/$name.expected" 2>"$work/$name.host.err"; then
        cat "$work/$name.host.err" >&2
        echo "error: the reference run (cargo run -p host-test -- transform) failed" >&2
        exit 1
    fi
    [[ -f "$component" ]] || { echo "error: no component at $component" >&2; exit 1; }
    if ! "$venv/bin/python" "$here/convert.py" --profile "$profile" "$component" "$input" \
            >"$work/$name.actual" 2>"$work/$name.py.err"; then
        cat "$work/$name.py.err" >&2
        echo "error: convert.py failed on $input" >&2
        exit 1
    fi
    echo "$name ($profile): host: $(cat "$work/$name.host.err")"
    echo "$name ($profile): python: $(cat "$work/$name.py.err")"
    local counts
    counts="$(python3 -c '
import json, sys

def parse(line):
    try:
        return json.loads(line)
    except ValueError:
        return ("not JSON", line)

expected = open(sys.argv[1], encoding="utf-8").read().splitlines()
actual = open(sys.argv[2], encoding="utf-8").read().splitlines()
passed = failed = 0
for i in range(max(len(expected), len(actual))):
    e = expected[i] if i < len(expected) else None
    a = actual[i] if i < len(actual) else None
    if e is not None and a is not None and parse(e) == parse(a):
        passed += 1
    else:
        failed += 1
        print(f"{sys.argv[3]}: line {i + 1} differs", file=sys.stderr)
        print("  host:  ", "<missing>" if e is None else e, file=sys.stderr)
        print("  python:", "<missing>" if a is None else a, file=sys.stderr)
print(passed, failed)
' "$work/$name.expected" "$work/$name.actual" "$name")"
    passed=$((passed + ${counts% *}))
    failed=$((failed + ${counts#* }))
}

run_case sample baseline "$root/fixtures/sample-audit.log"
run_case edge extended "$work/edge.ndjson"

echo "$passed passed, $failed failed"
[[ $failed -eq 0 && $passed -gt 0 ]]
