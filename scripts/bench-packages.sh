#!/usr/bin/env bash
# The installed command lines side by side (docs/performance.md, "The packages"): the same
# 100,000 realistic audit events (scripts/fluent-bit/gen-records.py bench: the documented
# samples, the sample log, a 19 KB pod create every 50th) through `host-test transform`
# (release), the Python package's `k8s-audit-ecs transform` and the npm package's, for each
# profile, in interleaved rounds; whole processes timed, start-up included. Prints events/s
# (median of the rounds) and each package's ratio to host-test.
#
#   bash scripts/dist.sh && bash scripts/bench-packages.sh [EVENTS] [ROUNDS]
#
# Installs the wheel and the npm tarball from dist/ under target/bench-packages/ (as users
# install them) and checks every run's output is byte-identical to host-test's.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
events=${1:-100000}
rounds=${2:-3}
version=$(sed -n '/^\[workspace.package\]/,/^\[/s/^version = "\(.*\)"$/\1/p' Cargo.toml)
work=target/bench-packages
mkdir -p "$work"

[ -f "dist/k8s_audit_ecs-$version-py3-none-any.whl" ] || { echo "bench-packages.sh: run bash scripts/dist.sh first" >&2; exit 2; }
cargo build --quiet --release -p host-test
if [ ! -x "$work/venv/bin/k8s-audit-ecs" ] || [ dist/SHA256SUMS -nt "$work/venv/bin/k8s-audit-ecs" ]; then
    python3 -m venv "$work/venv"
    "$work/venv/bin/pip" install --quiet --disable-pip-version-check --force-reinstall "dist/k8s_audit_ecs-$version-py3-none-any.whl"
    rm -rf "$work/npm" && mkdir -p "$work/npm"
    (cd "$work/npm" && npm install --no-audit --no-fund --loglevel=error "$root/dist/k8s-audit-ecs-$version.tgz" >/dev/null)
fi
input=$work/events-$events.ndjson
[ -f "$input" ] || python3 scripts/fluent-bit/gen-records.py bench "$events" >"$input"

export K8S_AUDIT_ECS_CACHE_DIR=$root/$work/cache
declare -A program=(
    [host-test]="target/release/host-test transform"
    [python]="$work/venv/bin/k8s-audit-ecs transform"
    [node]="$work/npm/node_modules/.bin/k8s-audit-ecs transform"
)
# One warm-up run each (the caches: compiled machine code, the page cache).
for host in host-test python node; do ${program[$host]} "$input" >/dev/null 2>&1; done

printf 'events: %s (%s MB), rounds: %s, %s\n' "$events" "$(( $(stat -c %s "$input") / 1000000 ))" "$rounds" "$(date -u +%Y-%m-%d)"
printf '| profile | host-test transform | Python | Node | Python / host-test | Node / host-test |\n|---|---|---|---|---|---|\n'
for profile in baseline extended ecs; do
    declare -A times=()
    for round in $(seq "$rounds"); do
        for host in host-test python node; do
            out=$work/out-$host.ndjson
            start=$EPOCHREALTIME
            ${program[$host]} --profile "$profile" "$input" >"$out" 2>/dev/null
            end=$EPOCHREALTIME
            times[$host]+="$start:$end "
        done
        cmp -s "$work/out-host-test.ndjson" "$work/out-python.ndjson" || { echo "python output differs ($profile)" >&2; exit 1; }
        cmp -s "$work/out-host-test.ndjson" "$work/out-node.ndjson" || { echo "node output differs ($profile)" >&2; exit 1; }
    done
    python3 - "$profile" "$events" "${times[host-test]}" "${times[python]}" "${times[node]}" <<'PY'
import statistics, sys
profile, events = sys.argv[1], int(sys.argv[2])
rate = [events / statistics.median(float(t.split(":")[1]) - float(t.split(":")[0]) for t in arg.split()) for arg in sys.argv[3:]]
print(f"| {profile} | {rate[0]:,.0f} | {rate[1]:,.0f} | {rate[2]:,.0f} | {rate[1]/rate[0]:.2f} | {rate[2]/rate[0]:.2f} |")
PY
done
