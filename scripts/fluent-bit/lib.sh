# Shared helpers for scripts/fluent-bit/*.sh (sourced, not run).
#
# Finds the tools:
#   fluent-bit  $FLUENT_BIT, else `fluent-bit` on PATH.
#   flb-wamrc   $FLB_WAMRC, else `flb-wamrc` or `wamrc` on PATH (Fluent Bit builds it with
#               -DFLB_WAMRC=On; WAMR loads only AOT files of its own version).
#   the module  $K8S_AUDIT_ECS_WASM, else target/component/wasm32-wasip1/release/k8s_audit_ecs.wasm
#               (cargo build --release --target wasm32-wasip1 -p k8s-audit-ecs).
# Needs: bash, python3 (for the record generators beside this file).

FLB_SCRIPTS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$FLB_SCRIPTS_DIR/../.." && pwd)

# A line on stderr, prefixed with the script's name.
say() { printf '%s: %s\n' "$(basename "$0")" "$*" >&2; }
die() { say "error: $*"; exit 2; }
# Prints a clear "skipped" line and ends the script with status 0.
skip() { printf '%s: SKIPPED: %s\n' "$(basename "$0")" "$*"; exit 0; }

# Prints the first of its arguments that is an executable file.
first_executable() {
    local c
    for c in "$@"; do
        if [ -n "$c" ] && [ -x "$c" ]; then printf '%s\n' "$c"; return 0; fi
    done
    return 1
}

find_fluent_bit() {
    first_executable "${FLUENT_BIT:-}" "$(command -v fluent-bit 2>/dev/null || true)"
}

find_wamrc() {
    first_executable "${FLB_WAMRC:-}" "$(command -v flb-wamrc 2>/dev/null || true)" \
        "$(command -v wamrc 2>/dev/null || true)"
}

find_module() {
    local m=${K8S_AUDIT_ECS_WASM:-$REPO_ROOT/target/component/wasm32-wasip1/release/k8s_audit_ecs.wasm}
    [ -f "$m" ] || return 1
    printf '%s\n' "$m"
}

# The filter functions a module exports (k8s_audit_ecs_*), one per line, from its export section.
module_functions() {
    python3 - "$1" <<'EOF'
import sys
b = open(sys.argv[1], "rb").read()
def leb(i):
    r = s = 0
    while True:
        x = b[i]; i += 1; r |= (x & 0x7F) << s; s += 7
        if x < 0x80:
            return r, i
i = 8
while i < len(b):
    sid = b[i]
    size, i = leb(i + 1)
    if sid == 7:
        n, j = leb(i)
        for _ in range(n):
            ln, j = leb(j)
            name = b[j:j + ln].decode()
            kind = b[j + ln]
            _, j = leb(j + ln + 1)
            if kind == 0 and name.startswith("k8s_audit_ecs_"):
                print(name)
    i += size
EOF
}

# How a Fluent Bit binary was compiled, from its DWARF producer strings: "-O2", or "-O0" when
# the C files carry no -O flag (the default of a plain cmake build). "unknown" without DWARF.
fluent_bit_build_kind() {
    local line
    line=$(readelf --debug-dump=info --dwarf-depth=1 "$1" 2>/dev/null |
        awk '/DW_AT_producer/ { p = $0 } /DW_AT_name/ && /src\/flb_pack\.c/ { print p; exit }') || true
    case "$line" in
        '') echo unknown ;;
        *' -O3'*) echo -O3 ;;
        *' -O2'*) echo -O2 ;;
        *' -Os'*) echo -Os ;;
        *' -O1'*) echo -O1 ;;
        *) echo '-O0 (unoptimised: no -O flag)' ;;
    esac
}

# Writes a Fluent Bit [PARSER] file with the plain JSON parser the examples use.
write_parsers_conf() {
    cat >"$1" <<'EOF'
[PARSER]
    Name   k8s_audit_json
    Format json
EOF
}

# Runs a Fluent Bit that reads FILE with tail (JSON parser when $2 = json, none when raw, none
# with `Key message` when message),
# applies the [FILTER] section text given in $3 (may be empty), and writes every record as one
# JSON line to OUT ($4) with the file output (Format plain). Exit_On_Eof ends the process once
# tail reaches the end of the file; filters run as tail appends, so every record is filtered
# by then. Fluent Bit's log goes to $4.log. With TIME_FILE ($5), Fluent Bit runs under
# /usr/bin/time, which writes "PEAK_RSS_KB SECONDS" there, and a failure is left for the
# caller to read in the log (sizing.sh) instead of ending the run.
#   run_fluent_bit_file FILE json|raw|message FILTER_TEXT OUT [TIME_FILE]
run_fluent_bit_file() {
    local input=$1 mode=$2 filter=$3 out=$4 timed=${5:-} dir conf parser_line=""
    dir=$(dirname "$out")
    conf="$out.conf"
    write_parsers_conf "$dir/parsers.conf"
    [ "$mode" = json ] && parser_line="    Parser            k8s_audit_json"
    [ "$mode" = message ] && parser_line="    Key               message"
    cat >"$conf" <<EOF
[SERVICE]
    Flush        1
    Grace        5
    Log_Level    info
    Parsers_File $dir/parsers.conf
[INPUT]
    Name              tail
    Path              $input
    Tag               kube.audit
$parser_line
    Read_from_Head    true
    Exit_On_Eof       true
    Buffer_Chunk_Size 256k
    Buffer_Max_Size   64M
$filter
[OUTPUT]
    Name   file
    Match  *
    Path   $dir
    File   $(basename "$out")
    Format plain
EOF
    rm -f "$out"
    if [ -n "$timed" ]; then
        /usr/bin/time -f '%M %e' -o "$timed" "$FLB" -c "$conf" >"$out.log" 2>&1 || true
    else
        "$FLB" -c "$conf" >"$out.log" 2>&1 || { say "fluent-bit failed, see $out.log"; tail -5 "$out.log" >&2; return 1; }
    fi
    [ -f "$out" ] || : >"$out"
}

# Writes the benchmark's configuration: tail (Read_from_Head, Exit_On_Eof) on EVENTS -> the
# [FILTER] text given (may be empty) -> null. Fluent Bit then exits once tail has read, parsed
# and filtered every line. TAIL_MODE: json (tail's JSON parser: the event's fields), message
# (no parser, `Key message`: {"message": "<the line>"}), or log (no parser: {"log": "<line>"}).
#   write_bench_conf CONF EVENTS FILTER_TEXT [TAIL_MODE]
write_bench_conf() {
    local conf=$1 events=$2 filter=$3 mode=${4:-json} dir tail_lines
    dir=$(dirname "$conf")
    write_parsers_conf "$dir/parsers.conf"
    case "$mode" in
        json) tail_lines="    Parser            k8s_audit_json" ;;
        message) tail_lines="    Key               message" ;;
        log) tail_lines="" ;;
        *) die "unknown tail mode $mode (json, message or log)" ;;
    esac
    cat >"$conf" <<EOF
[SERVICE]
    Flush        1
    Grace        5
    Log_Level    info
    Parsers_File $dir/parsers.conf
[INPUT]
    Name              tail
    Path              $events
    Tag               kube.audit
$tail_lines
    Read_from_Head    true
    Exit_On_Eof       true
    Buffer_Chunk_Size 256k
    Buffer_Max_Size   4M
$filter
[OUTPUT]
    Name  null
    Match *
EOF
}

# The [FILTER] text for the wasm filter.
#   wasm_filter MODULE FUNCTION [HEAP] [STACK]
wasm_filter() {
    cat <<EOF
[FILTER]
    Name             wasm
    Match            kube.audit
    WASM_Path        $1
    Function_Name    $2
    Event_Format     json
    Accessible_Paths $(dirname "$1")
    WASM_Heap_Size   ${3:-8M}
    WASM_Stack_Size  ${4:-256K}
EOF
}
