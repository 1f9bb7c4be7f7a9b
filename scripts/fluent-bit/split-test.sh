#!/usr/bin/env bash
# Tests examples/fluent-bit/split-documents.lua in a real Fluent Bit: http input (loopback) ->
# lua splitter -> file output, records POSTed with curl. Checks that {"documents": [a, b, c]}
# becomes a, b, c; {"documents": []} is dropped; a plain record and records that only look
# like the shape pass unchanged (empty arrays and objects inside a document survive).
# With a module (argument or K8S_AUDIT_ECS_WASM) it then runs the webhook pipeline, http ->
# wasm filter -> splitter, as the kube-apiserver's webhook backend would feed it: a POST of a
# real-looking EventList of 100 events (fixtures/sample-audit.log's ten events, each ten times
# with its own auditID), one of a bare event, and one of a record that is not an audit event.
# It checks that exactly 102 records came out: the 100 events' documents (each auditID once),
# the bare event's, and the non-audit record's error document. Nothing is dropped.
#
#   scripts/fluent-bit/split-test.sh [MODULE.wasm|MODULE.aot]
#
# Needs: fluent-bit with the http input and the lua filter (as lib.sh finds it; without it
# "SKIPPED", exit 0), curl, python3. Uses 127.0.0.1:$SPLIT_TEST_PORT (default 19880).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

FLB=$(find_fluent_bit) || skip "no fluent-bit (set FLUENT_BIT, or put fluent-bit on PATH)"
command -v curl >/dev/null || skip "no curl"
port=${SPLIT_TEST_PORT:-19880}
splitter=$REPO_ROOT/examples/fluent-bit/split-documents.lua
module=${1:-${K8S_AUDIT_ECS_WASM:-}}
work=$(mktemp -d)
pid=""
cleanup() {
    if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
    [ -n "${KEEP_WORK:-}" ] || rm -rf "$work"
}
trap cleanup EXIT

# Starts Fluent Bit: http input -> FILTERS -> file output $work/$2.
start_flb() {
    local filters=$1 out=$2
    cat >"$work/$out.conf" <<EOF
[SERVICE]
    Flush     0.2
    Grace     1
    Log_Level info
[INPUT]
    Name            http
    Listen          127.0.0.1
    Port            $port
    Tag             kube.audit
    Buffer_Max_Size 64M
$filters
[OUTPUT]
    Name   file
    Match  *
    Path   $work
    File   $out
    Format plain
EOF
    "$FLB" -c "$work/$out.conf" >"$work/$out.log" 2>&1 &
    pid=$!
    for _ in $(seq 1 50); do
        curl -s -o /dev/null "http://127.0.0.1:$port/" && return 0
        kill -0 "$pid" 2>/dev/null || { cat "$work/$out.log" >&2; die "fluent-bit exited"; }
        sleep 0.1
    done
    die "fluent-bit did not listen on 127.0.0.1:$port"
}
stop_flb() {
    sleep 1.5 # two flushes
    kill "$pid"
    wait "$pid" 2>/dev/null || true
    pid=""
}
post() { # post BODY|@FILE
    local code
    code=$(curl -sS -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' --data-binary "$1" \
        "http://127.0.0.1:$port/kube.audit")
    [ "$code" = 201 ] || die "POST answered $code"
}

splitter_filter=$(printf '[FILTER]\n    Name   lua\n    Match  kube.audit\n    Script %s\n    Call   split_documents\n' "$splitter")

start_flb "$splitter_filter" split.ndjson
post '{"documents":[{"message":"a","event":{"code":"1"},"related":{"user":["u1"]}},{"message":"b","http":{"response":{"status_code":201}}},{"message":"c","error":{"type":"not_an_audit_event","message":"x"}}]}'
post '{"documents":[]}'
post '{"message":"plain","event":{"code":"3"}}'
post '{"documents":[{"message":"d"}],"other":1}'
post '{"documents":"not-an-array"}'
post '{"documents":[1,2]}'
post '{"documents":[{"message":"e","tags":[],"labels":{}}]}'
stop_flb

python3 - "$work/split.ndjson" <<'EOF'
import json, sys
got = [json.loads(line) for line in open(sys.argv[1])]
want = [
    {"message": "a", "event": {"code": "1"}, "related": {"user": ["u1"]}},
    {"message": "b", "http": {"response": {"status_code": 201}}},
    {"message": "c", "error": {"type": "not_an_audit_event", "message": "x"}},
    {"message": "plain", "event": {"code": "3"}},
    {"documents": [{"message": "d"}], "other": 1},
    {"documents": "not-an-array"},
    {"documents": [1, 2]},
    {"message": "e", "tags": [], "labels": {}},
]
for line in open(sys.argv[1]):
    print("  out: " + line.rstrip("\n"))
if got != want:
    print("split-test.sh: the splitter's output is not the expected one", file=sys.stderr)
    sys.exit(1)
print(f"split-test.sh: splitter: 7 records posted, {len(got)} out, as expected (3 documents split, [] dropped, 4 unchanged)")
EOF

if [ -n "$module" ]; then
    [ -f "$module" ] || die "no module at $module"
    python3 - "$REPO_ROOT" >"$work/eventlist.json" <<'EOF'
import json, os, sys
events = [json.loads(line) for line in open(os.path.join(sys.argv[1], "fixtures", "sample-audit.log")) if line.strip()]
items = []
for i in range(100):
    event = dict(events[i % len(events)])
    event["auditID"] = f"{event['auditID'][:-4]}{i:04d}"
    items.append(event)
print(json.dumps({"kind": "EventList", "apiVersion": "audit.k8s.io/v1", "metadata": {}, "items": items}, separators=(",", ":")))
EOF
    start_flb "$(wasm_filter "$module" k8s_audit_ecs_baseline)
$splitter_filter" webhook.ndjson
    post "@$work/eventlist.json"
    post "$(head -n 1 "$REPO_ROOT/fixtures/sample-audit.log")"
    post '{"hello":"world"}'
    stop_flb
    python3 - "$work/eventlist.json" "$work/webhook.ndjson" <<'EOF'
import json, sys
posted = [item["auditID"] for item in json.load(open(sys.argv[1]))["items"]]
got = [json.loads(line) for line in open(sys.argv[2])]
codes = [d["event"]["code"] for d in got if "event" in d and "code" in d["event"]]
errors = [d for d in got if isinstance(d.get("error"), dict)]
print(f"split-test.sh: webhook pipeline: 3 POSTs (an EventList of {len(posted)} events, one event, one non-audit record) -> {len(got)} records: {len(codes)} documents, {len(errors)} error documents")
ok = (len(got) == len(posted) + 2 and codes[:len(posted)] == posted and len(codes) == len(posted) + 1
      and len(errors) == 1 and errors[0]["error"]["type"] == "not_an_audit_event" and errors[0]["hello"] == "world")
if not ok:
    print("split-test.sh: the webhook pipeline did not give one document per event and the error document", file=sys.stderr)
    sys.exit(1)
print("split-test.sh: every event of the EventList came out once, in order; the non-audit record as its error document")
EOF
fi
