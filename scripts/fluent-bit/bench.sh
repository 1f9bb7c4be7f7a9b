#!/usr/bin/env bash
# Measures the module inside a real Fluent Bit: tail (JSON parser by default, see BENCH_TAIL;
# Read_from_Head, Exit_On_Eof) -> filter -> null, on N bare audit events (default 100,000),
# for four rows:
#   no filter | the module, interpreted (.wasm) | the module, AOT (.aot) | the Lua peer
#   (bench/fluent-bit/baseline.lua, the baseline mapping by hand, without user agents)
#
#   scripts/fluent-bit/bench.sh [N]
#
# The events (gen-records.py bench N): the three documented samples (fixtures/baseline/*.json
# `message` texts), the ten lines of fixtures/sample-audit.log, and every 50th line the 19 KB
# pod create of bench/pod-create.json; one bare JSON event per line, 1.4 KB on average.
#
# What is measured, per row, in one run of Fluent Bit each:
#   - processing: from Fluent Bit's "stream processor started" log line (inputs start next)
#     to tail's "file ... ended, stop" line (Exit_On_Eof). Filters run synchronously as tail
#     appends records, so at that line every record has been read, parsed and filtered.
#     events/s = N / processing. (Log timestamps have millisecond resolution.)
#   - start -> last record: from launching the process to that line (start-up included).
#   - CPU s: user + system time of the whole process (bash's `time`), start-up and shutdown
#     included; "filter µs/event" is (CPU s - CPU s of the no-filter row) / N.
# Before timing, each filter runs on the first 2,000 events with the file output, and the
# script checks that as many records came out as went in (the null output cannot count).
#
# Needs: fluent-bit built with the wasm and lua filters and the tail, file and null plugins
# (found as lib.sh says; without it: "SKIPPED", exit 0); flb-wamrc for the AOT row (without it
# that row says skipped) unless $BENCH_AOT names a ready .aot file; python3; the module
# (target/component/wasm32-wasip1/release/k8s_audit_ecs.wasm or $K8S_AUDIT_ECS_WASM).
# Options (environment): BENCH_ROWS="none interp aot lua" (a subset; "aotsplit" adds the AOT
# module followed by examples/fluent-bit/split-documents.lua, the webhook pipeline's cost), BENCH_AOT=FILE,
# BENCH_FUNCTION (default k8s_audit_ecs_baseline), BENCH_TAIL=json|message|log (how tail makes
# records: its JSON parser, the default; no parser with `Key message`, so the filter gets
# {"message": "<the line>"} and keeps the line's exact text; or no parser, {"log": "<line>"}), KEEP_WORK=1 (keep the folder of events,
# configurations and logs; it is printed).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

n=${1:-100000}
if ! [[ "$n" =~ ^[0-9]+$ ]] || [ "$n" -lt 2000 ]; then die "usage: bench.sh [N >= 2000]"; fi
FLB=$(find_fluent_bit) || skip "no fluent-bit (set FLUENT_BIT, or put fluent-bit on PATH): nothing measured"
module=$(find_module) || die "no module (bash scripts/dist.sh builds it, or set K8S_AUDIT_ECS_WASM)"
rows=${BENCH_ROWS:-none interp aot lua}
tail_mode=${BENCH_TAIL:-json}
case "$tail_mode" in json | message | log) ;; *) die "BENCH_TAIL is json, message or log" ;; esac
if [ "$tail_mode" != json ] && [[ " $rows " == *" lua "* ]]; then
    say "the Lua peer reads the JSON parser's fields: no lua row with BENCH_TAIL=$tail_mode"
    rows=${rows//lua/}
fi
fn=${BENCH_FUNCTION:-k8s_audit_ecs_baseline}
lua=$REPO_ROOT/bench/fluent-bit/baseline.lua

work=$(mktemp -d)
if [ -n "${KEEP_WORK:-}" ]; then say "work folder kept: $work"; else trap 'rm -rf "$work"' EXIT; fi

say "fluent-bit: $FLB ($("$FLB" --version 2>/dev/null | head -1); C code built $(fluent_bit_build_kind "$FLB"))"
say "module: $module ($(wc -c <"$module") bytes)"

aot=""
aot_note=""
if [[ " $rows " == *" aot"* ]]; then
    if [ -n "${BENCH_AOT:-}" ]; then
        aot=$BENCH_AOT
        [ -f "$aot" ] || die "BENCH_AOT=$aot: no such file"
    elif wamrc=$(find_wamrc); then
        aot=$work/module.aot
        bash "$FLB_SCRIPTS_DIR/aot.sh" "$module" "$aot" "$wamrc" >&2
    else
        aot_note="skipped: no flb-wamrc (set FLB_WAMRC or BENCH_AOT)"
        say "AOT row $aot_note"
    fi
fi

python3 "$FLB_SCRIPTS_DIR/gen-records.py" bench "$n" >"$work/events.ndjson"
head -n 2000 "$work/events.ndjson" >"$work/check.ndjson"
say "$n events, $(wc -c <"$work/events.ndjson") bytes"

filter_for() {
    case "$1" in
        none) ;;
        interp) wasm_filter "$module" "$fn" ;;
        aot) wasm_filter "$aot" "$fn" ;;
        lua) printf '[FILTER]\n    Name   lua\n    Match  kube.audit\n    Script %s\n    Call   ecs_baseline\n' "$lua" ;;
        aotsplit)
            wasm_filter "$aot" "$fn"
            printf '[FILTER]\n    Name   lua\n    Match  kube.audit\n    Script %s\n    Call   split_documents\n' \
                "$REPO_ROOT/examples/fluent-bit/split-documents.lua" ;;
    esac
}
label_for() {
    case "$1" in
        none) echo "no filter" ;;
        interp) echo "module, interpreted" ;;
        aot) echo "module, AOT" ;;
        lua) echo "Lua peer (no UA parsing)" ;;
        aotsplit) echo "module, AOT + Lua splitter" ;;
    esac
}

# Seconds since the epoch of a Fluent Bit log line's "[YYYY/MM/DD HH:MM:SS.mmm]" stamp.
log_time() {
    python3 - "$1" "$2" <<'EOF'
import datetime, re, sys
for line in open(sys.argv[1], errors="replace"):
    if sys.argv[2] in line:
        m = re.match(r"\[(\d{4}/\d\d/\d\d \d\d:\d\d:\d\d\.\d+)\]", line)
        if m:
            print(datetime.datetime.strptime(m.group(1), "%Y/%m/%d %H:%M:%S.%f").timestamp())
            sys.exit(0)
sys.exit(1)
EOF
}

declare -A eps cpu wall proc
for row in $rows; do
    if [[ "$row" == aot* ]] && [ -z "$aot" ]; then continue; fi
    # Correctness first: as many records out as in, with the file output.
    check_mode=$tail_mode
    [ "$check_mode" = log ] && check_mode=raw
    run_fluent_bit_file "$work/check.ndjson" "$check_mode" "$(filter_for "$row")" "$work/check.$row.ndjson"
    got=$(wc -l <"$work/check.$row.ndjson")
    [ "$got" -eq 2000 ] || die "$(label_for "$row"): 2000 records in, $got out (see $work/check.$row.ndjson.log)"

    conf=$work/bench.$row.conf log=$work/bench.$row.log
    write_bench_conf "$conf" "$work/events.ndjson" "$(filter_for "$row")" "$tail_mode"
    sync
    start=$(date +%s.%N)
    TIMEFORMAT='%R %U %S'
    { time "$FLB" -c "$conf" >"$log" 2>&1; } 2>"$work/time.$row" || die "$(label_for "$row"): fluent-bit failed (see $log)"
    read -r real user sys <"$work/time.$row"
    ready=$(log_time "$log" "stream processor started") || die "no start line in $log"
    eof=$(log_time "$log" "ended, stop") || die "no end-of-file line in $log"
    if grep -q -E '\[ *error\]' "$log"; then
        say "$(label_for "$row"): errors in the log:"; grep -E '\[ *error\]' "$log" | head -5 >&2
    fi
    proc[$row]=$(python3 -c "print(f'{$eof - $ready:.3f}')")
    wall[$row]=$(python3 -c "print(f'{$eof - $start:.3f}')")
    cpu[$row]=$(python3 -c "print(f'{$user + $sys:.2f}')")
    eps[$row]=$(python3 -c "print(round($n / max($eof - $ready, 0.001)))")
    say "$(label_for "$row"): processing ${proc[$row]} s, start->last record ${wall[$row]} s, process ${real} s, CPU ${cpu[$row]} s"
done

echo
case "$tail_mode" in
    json) tail_label="tail (JSON parser)" ;;
    message) tail_label='tail (no parser, Key message: {"message": line})' ;;
    log) tail_label='tail (no parser: {"log": line})' ;;
esac
echo "Fluent Bit $("$FLB" --version 2>/dev/null | head -1 | sed 's/^Fluent Bit //') ($(fluent_bit_build_kind "$FLB")), $tail_label -> filter -> null, $n events ($(wc -c <"$work/events.ndjson") bytes), function $fn"
printf '| %-26s | %10s | %12s | %16s | %7s | %16s |\n' row events/s "processing s" "start->last s" "CPU s" "filter µs/event"
printf '| %-26s | %10s | %12s | %16s | %7s | %16s |\n' --- --- --- --- --- ---
for row in none interp aot lua aotsplit; do
    if [ "$row" = aot ] && [ -n "$aot_note" ]; then
        printf '| %-26s | %s |\n' "$(label_for aot)" "$aot_note"; continue
    fi
    [ -n "${eps[$row]:-}" ] || continue
    per="n/a"
    [ -n "${cpu[none]:-}" ] && [ "$row" != none ] && per=$(python3 -c "print(f'{(${cpu[$row]} - ${cpu[none]}) / $n * 1e6:.1f}')")
    printf '| %-26s | %10s | %12s | %16s | %7s | %16s |\n' "$(label_for "$row")" "${eps[$row]}" "${proc[$row]}" "${wall[$row]}" "${cpu[$row]}" "$per"
done
ratio() { # ratio NAME A B: events/s A/B and CPU B/A
    [ -n "${eps[$2]:-}" ] && [ -n "${eps[$3]:-}" ] || return 0
    python3 -c "print(f'$1: {${eps[$2]} / ${eps[$3]}:.2f}x the events/s, {${cpu[$2]} / ${cpu[$3]}:.2f}x the CPU s')"
}
echo
ratio "AOT / interpreted" aot interp
ratio "AOT / Lua peer" aot lua
ratio "AOT / no filter" aot none
