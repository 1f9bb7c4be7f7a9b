#!/usr/bin/env bash
# Sizes WASM_Heap_Size / WASM_Stack_Size in a real Fluent Bit: which events still convert at
# which settings, interpreted (.wasm) and AOT (.aot).
#
#   scripts/fluent-bit/sizing.sh [MODULE.wasm [MODULE.aot]]
#
# Events (gen-records.py): pod creates of about 10 KB, 100 KB, 1 MB, 4 MB and 10 MB (the 19 KB
# bench/pod-create.json grown with containers and managedFields), and the worst case for the
# stack, an event nested 127 levels deep (the deepest serde_json reads) converted with the
# extended profile (which copies the nested pod spec). Each event is one line, through
# tail (JSON parser) -> wasm filter -> file output, at WASM_Heap_Size x WASM_Stack_Size
# ($SIZING_HEAPS, default "8M 64M"; $SIZING_STACKS, default "8K 64K 256K").
# A cell says: ok (converted: event.code set, no error), error:<error.type> (the module
# returned its error document), dropped (Fluent Bit wrote nothing: a trap, a NULL or JSON it
# could not re-pack; the reason from Fluent Bit's log follows), and the peak RSS of the
# Fluent Bit process when /usr/bin/time is there.
#
# Needs: fluent-bit (as lib.sh finds it; without it "SKIPPED", exit 0), flb-wamrc unless an
# .aot is given (without either, the AOT rows are skipped), python3, the module.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

FLB=$(find_fluent_bit) || skip "no fluent-bit (set FLUENT_BIT, or put fluent-bit on PATH)"
if [ $# -ge 1 ]; then module=$1; else
    module=$(find_module) || die "no module (bash scripts/dist.sh builds it, or set K8S_AUDIT_ECS_WASM)"
fi
heaps=${SIZING_HEAPS:-8M 64M}
stacks=${SIZING_STACKS:-8K 64K 256K}
work=$(mktemp -d)
if [ -n "${KEEP_WORK:-}" ]; then say "work folder kept: $work"; else trap 'rm -rf "$work"' EXIT; fi

engines="interp"
aot=""
if [ $# -ge 2 ]; then aot=$2; elif wamrc=$(find_wamrc); then
    aot=$work/module.aot
    bash "$FLB_SCRIPTS_DIR/aot.sh" "$module" "$aot" "$wamrc" >&2
else
    say "no flb-wamrc: the AOT rows are skipped"
fi
[ -n "$aot" ] && engines="interp aot"

say "fluent-bit: $FLB ($(fluent_bit_build_kind "$FLB")); module: $module"
events="10000 100000 1000000 4000000 10000000 deep127"
for e in $events; do
    case "$e" in
        deep*) python3 "$FLB_SCRIPTS_DIR/gen-records.py" deep "${e#deep}" >"$work/$e.ndjson" ;;
        *) python3 "$FLB_SCRIPTS_DIR/gen-records.py" pod "$e" >"$work/$e.ndjson" ;;
    esac
done

timed=0
[ -x /usr/bin/time ] && timed=1

# One event through Fluent Bit; prints "cell" text.
run_cell() {
    local file=$1 fn=$2 heap=$3 stack=$4 input=$5 out result rss=""
    out=$work/out.$(basename "$input" .ndjson).$(basename "$file").$heap.$stack.ndjson
    if [ "$timed" = 1 ]; then
        run_fluent_bit_timed "$input" "$(wasm_filter "$file" "$fn" "$heap" "$stack")" "$out"
        rss=$(tail -1 "$out.time" | awk '{printf "%d MB", $1 / 1024}')
    else
        run_fluent_bit_file "$input" json "$(wasm_filter "$file" "$fn" "$heap" "$stack")" "$out"
    fi
    result=$(python3 - "$out" <<'EOF'
import json, sys
lines = [l for l in open(sys.argv[1]) if l.strip()]
if not lines:
    print("dropped"); sys.exit()
d = json.loads(lines[0])
err = d.get("error")
if isinstance(err, dict):
    print("error:" + str(err.get("type")))
elif isinstance(d.get("event"), dict) and "code" in d["event"]:
    print("ok")
else:
    print("no event.code")
EOF
)
    if [ "$result" = dropped ]; then
        local why
        why=$( { grep -h -E '\[ *(error|warn)\]|terminated by signal' "$out.log" "$out.time" 2>/dev/null || true; } |
            grep -v -e 'service will shutdown' | head -1 | sed 's/^\[[^]]*\] //' | cut -c1-70)
        [ -n "$why" ] && result="dropped ($why)"
    fi
    echo "$result${rss:+, $rss}"
}

# run_fluent_bit_file with the JSON parser, under /usr/bin/time: "PEAK_RSS_KB SECONDS" is the
# last line of OUT.time.
run_fluent_bit_timed() {
    run_fluent_bit_file "$1" json "$2" "$3" "$3.time"
}

printf '| %-20s | %-6s | %-5s |' event engine heap
for s in $stacks; do printf ' %-34s |' "stack $s"; done
echo
printf '| %-20s | %-6s | %-5s |' --- --- ---
for s in $stacks; do printf ' %-34s |' ---; done
echo
for e in $events; do
    fn=k8s_audit_ecs_baseline
    label="pod create $(wc -c <"$work/$e.ndjson" | awk '{ if ($1 >= 1e6) printf "%.1f MB", $1/1e6; else printf "%d KB", $1/1e3 }')"
    case "$e" in deep*) fn=k8s_audit_ecs_extended label="nested ${e#deep} (ext.)" ;; esac
    for engine in $engines; do
        file=$module
        [ "$engine" = aot ] && file=$aot
        for heap in $heaps; do
            printf '| %-20s | %-6s | %-5s |' "$label" "$engine" "$heap"
            for stack in $stacks; do
                printf ' %-34s |' "$(run_cell "$file" "$fn" "$heap" "$stack" "$work/$e.ndjson")"
            done
            echo
        done
    done
done
