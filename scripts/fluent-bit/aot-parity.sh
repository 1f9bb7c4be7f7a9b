#!/usr/bin/env bash
# Checks, in a real Fluent Bit, that the module compiled ahead of time (.aot) writes
# byte-identical records to the interpreted module (.wasm) on every fixture input.
#
#   scripts/fluent-bit/aot-parity.sh [MODULE.wasm [MODULE.aot]]
#
# The records: every fixtures/**/*.json `input` compacted (one record per line), then the
# lines of fixtures/sample-audit.log and bench/pod-create.json (gen-records.py fixtures).
# They go through tail -> wasm filter -> file output (one JSON line per record), with tail's
# JSON parser (the filter sees the event's fields), without a parser (the filter sees
# {"log": "<line>"}) and without a parser with `Key message` ({"message": "<line>"}), for every
# exported k8s_audit_ecs_* function, interpreted and AOT; each pair of outputs must be byte-identical and
# hold one line per input line.
#
# Needs: fluent-bit with the wasm filter (found as lib.sh says; without it: "SKIPPED", exit 0),
# flb-wamrc when no .aot is given (without it: "SKIPPED", exit 0), python3, and the module
# (default target/component/wasm32-wasip1/release/k8s_audit_ecs.wasm, or $K8S_AUDIT_ECS_WASM).
# KEEP_WORK=1 keeps the records, configurations and outputs (the folder is printed).
# Exit status: 0 when every pair matches (or skipped), 1 on a difference, 2 on an error.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

FLB=$(find_fluent_bit) || skip "no fluent-bit (set FLUENT_BIT, or put fluent-bit on PATH)"
if [ $# -ge 1 ]; then module=$1; else
    module=$(find_module) || die "no module (bash scripts/dist.sh builds it, or set K8S_AUDIT_ECS_WASM)"
fi
[ -f "$module" ] || die "no module at $module"

work=$(mktemp -d)
if [ -n "${KEEP_WORK:-}" ]; then say "outputs kept in $work"; else trap 'rm -rf "$work"' EXIT; fi
if [ $# -ge 2 ]; then
    aot=$2
else
    wamrc=$(find_wamrc) || skip "no flb-wamrc to compile the module ahead of time (set FLB_WAMRC, or put flb-wamrc on PATH: it is built with Fluent Bit by -DFLB_WAMRC=On)"
    aot=$work/module.aot
    bash "$FLB_SCRIPTS_DIR/aot.sh" "$module" "$aot" "$wamrc"
fi
[ -f "$aot" ] || die "no .aot file at $aot"

say "fluent-bit: $FLB ($(fluent_bit_build_kind "$FLB"))"
say "module: $module; aot: $aot"
python3 "$FLB_SCRIPTS_DIR/gen-records.py" fixtures >"$work/records.ndjson"
n=$(wc -l <"$work/records.ndjson")

failed=0
printf '%-24s %-12s %8s %8s %8s  %s\n' function input records interp aot result
functions=$(module_functions "$module")
[ -n "$functions" ] || die "$module exports no k8s_audit_ecs_* function"
for fn in $functions; do
    for mode in json raw message; do
        for kind in interp aot; do
            file=$module
            [ "$kind" = aot ] && file=$aot
            run_fluent_bit_file "$work/records.ndjson" "$mode" "$(wasm_filter "$file" "$fn")" "$work/$fn.$mode.$kind.ndjson"
        done
        a=$work/$fn.$mode.interp.ndjson b=$work/$fn.$mode.aot.ndjson
        na=$(wc -l <"$a") nb=$(wc -l <"$b")
        case "$mode" in
            json) label="JSON parser" ;;
            raw) label="no parser" ;;
            message) label="Key message" ;;
        esac
        if cmp -s "$a" "$b" && [ "$na" -eq "$n" ]; then
            result="identical"
        else
            result="DIFFERENT"
            [ "$na" -eq "$n" ] || result="$result (interp wrote $na of $n records)"
            cmp "$a" "$b" >&2 || true
            failed=1
        fi
        printf '%-24s %-12s %8s %8s %8s  %s\n' "$fn" "$label" "$n" "$na" "$nb" "$result"
    done
done
if [ "$failed" -ne 0 ]; then
    say "AOT and interpreted outputs differ"
    exit 1
fi
say "AOT parity: every output byte-identical, one record out per record in"
