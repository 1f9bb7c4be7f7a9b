#!/usr/bin/env bash
# Profiles the AOT-compiled module inside a real Fluent Bit with perf, and prints where the
# CPU goes: the module's own machine code (by function), and each step Fluent Bit takes around
# it (record -> JSON, the call, result JSON -> msgpack, tail's parser, ...), in µs per event.
#
#   scripts/fluent-bit/profile.sh [N]        (N events of the bench mix, default 100,000)
#
# For function names, profile a module that keeps its name section:
#   CARGO_PROFILE_RELEASE_STRIP=false cargo build --release --target wasm32-wasip1 \
#       -p k8s-audit-ecs --target-dir /tmp/names
#   K8S_AUDIT_ECS_WASM=/tmp/names/wasm32-wasip1/release/k8s_audit_ecs.wasm scripts/fluent-bit/profile.sh
# (a stripped module shows aot_func#N instead). The .aot is compiled by aot.sh with the same
# flags as for production ($AOT_EXTRA_FLAGS and the other aot.sh settings apply), once more as an
# object file, whose symbols place each function in the code perf samples.
#
# Needs: perf (Debian: linux-perf; it samples cpu-clock, so a VM without hardware counters is
# fine; kernel.perf_event_paranoid <= 2), fluent-bit and flb-wamrc (as lib.sh finds them;
# without them "SKIPPED", exit 0), python3, readelf. KEEP_WORK=1 keeps perf.data and the rest;
# PROFILE_TAIL=json|message|log chooses how tail makes records (as BENCH_TAIL in bench.sh);
# PROFILE_FUNCTION the exported function; PROFILE_FREQ the sampling rate (default 999 Hz).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

n=${1:-100000}
[[ "$n" =~ ^[0-9]+$ ]] || die "usage: profile.sh [N]"
command -v perf >/dev/null || skip "no perf (Debian: apt-get install linux-perf)"
FLB=$(find_fluent_bit) || skip "no fluent-bit (set FLUENT_BIT, or put fluent-bit on PATH)"
wamrc=$(find_wamrc) || skip "no flb-wamrc (set FLB_WAMRC, or put flb-wamrc on PATH: it is built with Fluent Bit by -DFLB_WAMRC=On)"
module=$(find_module) || die "no module (bash scripts/dist.sh builds it, or set K8S_AUDIT_ECS_WASM)"
work=$(mktemp -d)
if [ -n "${KEEP_WORK:-}" ]; then say "work folder kept: $work"; else trap 'rm -rf "$work"' EXIT; fi

say "fluent-bit: $FLB ($(fluent_bit_build_kind "$FLB")); module: $module"
bash "$FLB_SCRIPTS_DIR/aot.sh" "$module" "$work/module.aot" "$wamrc" >&2
AOT_EXTRA_FLAGS="${AOT_EXTRA_FLAGS:-} --format=object" bash "$FLB_SCRIPTS_DIR/aot.sh" "$module" "$work/module.o" "$wamrc" >&2
python3 "$FLB_SCRIPTS_DIR/gen-records.py" bench "$n" >"$work/events.ndjson"
write_bench_conf "$work/bench.conf" "$work/events.ndjson" \
    "$(wasm_filter "$work/module.aot" "${PROFILE_FUNCTION:-k8s_audit_ecs_baseline}")" "${PROFILE_TAIL:-json}"

perf record -q -e cpu-clock -F "${PROFILE_FREQ:-999}" --call-graph dwarf,16384 -o "$work/perf.data" \
    -- "$FLB" -c "$work/bench.conf" >"$work/fluent-bit.log" 2>&1 || die "perf record failed (see $work/fluent-bit.log)"
perf script -i "$work/perf.data" --show-mmap-events 2>/dev/null >"$work/perf.txt"
python3 "$FLB_SCRIPTS_DIR/perf-breakdown.py" "$work/perf.txt" --events "$n" \
    --aot "$work/module.aot" --object "$work/module.o" --wasm "$module"
