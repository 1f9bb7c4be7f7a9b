#!/usr/bin/env python3
"""Where a Fluent Bit process spends its CPU, from `perf script --show-mmap-events` output of a
`perf record -e cpu-clock --call-graph dwarf` run (scripts/fluent-bit/profile.sh makes one).

  perf-breakdown.py SCRIPT.txt --events N [--aot MODULE.aot --object MODULE.o [--wasm MODULE.wasm]]

Each sample is put in the first category (in the order of RULES) whose function appears on its
stack; a sample in the AOT module's machine code (which perf cannot unwind: it is anonymous
memory) is "module code". With --aot/--object, those samples are also resolved to the module's
functions: MODULE.o is the same module compiled with the same flags and `--format=object`
(its `aot_func#N` symbols give each function's place in the code), MODULE.aot locates that code
inside the text section WAMR maps, and the wasm file's name section (a module built with
CARGO_PROFILE_RELEASE_STRIP=false) names function N.
Figures: share of samples, and microseconds per event (samples x sample period / N).
Needs: python3 and readelf (binutils) for --object.
"""
import argparse
import bisect
import collections
import re
import struct
import subprocess

RULES = [
    ("wasm call: copy record+tag into the module (malloc in the module, memcpy)", ["wasm_runtime_module_dup_data"]),
    ("wasm call: free record+tag (free in the module)", ["wasm_runtime_module_free"]),
    ("wasm call: validate the result string (strlen)", ["wasm_runtime_validate_app_str_addr"]),
    ("wasm call: strdup of the result", ["flb_strdup", "__strdup"]),
    ("wasm call: call overhead (lookup, call_wasm, exec env, signals)", ["wasm_runtime_call_wasm", "aot_call_function", "wasm_runtime_lookup_function", "wasm_interp_call_wasm"]),
    ("wasm call: rest of flb_wasm_call_function_format_json", ["flb_wasm_call_function_format_json"]),
    ("wasm filter: record msgpack -> JSON text (the module's input)", ["flb_msgpack_to_json_str"]),
    ("wasm filter: result JSON -> msgpack (flb_pack_json)", ["flb_pack_json"]),
    ("filter: log event encoder (the new record)", ["flb_log_event_encoder_commit_record", "flb_log_event_encoder_set_body_from_raw_msgpack", "flb_log_event_encoder_begin_record", "flb_log_event_encoder_set_timestamp", "flb_log_event_encoder_set_metadata_from_msgpack_object", "flb_log_event_encoder_init", "flb_log_event_encoder_destroy", "flb_log_event_encoder_rollback_record", "flb_log_event_encoder_emit_raw_record"]),
    ("filter: log event decoder (the chunk's records)", ["flb_log_event_decoder_next", "flb_log_event_decoder_init"]),
    ("lua filter: msgpack -> Lua table", ["flb_lua_pushmsgpack", "flb_lua_pushmpack"]),
    ("lua filter: Lua table -> msgpack", ["flb_lua_tomsgpack", "flb_lua_tompack"]),
    ("lua filter: pack the result records", ["pack_result"]),
    ("lua filter: the script (LuaJIT)", ["lua_pcall", "lj_vm_pcall", "lua_call", "lj_BC_FUNCC", "lj_cf_string_gsub", "lj_str_new", "lj_tab_len", "lj_gc_step", "lj_vm_exit_interp", "lj_buf_puttab"]),
    ("filter: rest of the filter callback (strlen, loop)", ["cb_wasm_filter", "cb_lua_filter"]),
    ("filter framework (flb_filter_do outside the callback)", ["flb_filter_do"]),
    ("tail: JSON parser (line -> msgpack)", ["flb_parser_json_do", "flb_tail_pack_line_map"]),
    ("tail: reading the file", ["ksys_read", "__GI___libc_read", "read"]),
    ("input: chunk append and storage", ["input_chunk_append_raw", "flb_input_chunk_append_raw", "cio_memfs_write", "input_log_append"]),
    ("tail: rest", ["process_content", "in_tail_collect_static", "flb_tail_file_chunk"]),
    ("output (null) and engine", ["cb_null_flush", "flb_output_flush_create", "output_pre_cb_flush", "flb_engine_dispatch", "flb_task_create", "flb_engine_start"]),
    ("start-up (configuration, module load and relocation)", ["flb_main_run", "aot_load_from_aot_file", "wasm_runtime_load", "flb_wasm_instantiate", "_dl_start", "cb_wasm_init", "cb_lua_init"]),
    ("shutdown", ["flb_engine_shutdown", "flb_destroy", "flb_wasm_destroy"]),
]
MODULE = "module code (the AOT machine code)"
FRAME = re.compile(r"\s*([0-9a-f]+)\s+(\S+?)(\+0x[0-9a-f]+)?\s+\((.*)\)\s*$")
MMAP = re.compile(r"PERF_RECORD_MMAP2? .*\[0x([0-9a-f]+)\(0x([0-9a-f]+)\) @ .*\]: r-xp //anon")
PERIOD = re.compile(r"\s(\d+) cpu-clock")


def leb(b, i):
    r = s = 0
    while True:
        x = b[i]
        i += 1
        r |= (x & 0x7F) << s
        s += 7
        if x < 0x80:
            return r, i


def wasm_names(path):
    """(number of imported functions, {function index: name}) from a wasm module."""
    b = open(path, "rb").read()
    i, imports, names = 8, 0, {}
    while i < len(b):
        sid = b[i]
        size, i = leb(b, i + 1)
        end = i + size
        if sid == 2:
            n, j = leb(b, i)
            for _ in range(n):
                for _ in range(2):
                    ln, j = leb(b, j)
                    j += ln
                kind = b[j]
                j += 1
                if kind == 0:
                    _, j = leb(b, j)
                    imports += 1
                elif kind in (1, 2):
                    if kind == 1:
                        j += 1
                    flags, j = leb(b, j)
                    _, j = leb(b, j)
                    if flags & 1:
                        _, j = leb(b, j)
                elif kind == 3:
                    j += 2
        elif sid == 0:
            ln, j = leb(b, i)
            if b[j:j + ln] == b"name":
                j += ln
                while j < end:
                    sub = b[j]
                    ssz, j = leb(b, j + 1)
                    if sub == 1:
                        n, k = leb(b, j)
                        for _ in range(n):
                            idx, k = leb(b, k)
                            ln2, k = leb(b, k)
                            names[idx] = b[k:k + ln2].decode("utf-8", "replace")
                            k += ln2
                    j += ssz
        i = end
    return imports, names


def code_table(obj, aot, wasm):
    """[(offset in the mapped text section, size, name)] of the module's functions."""
    out = subprocess.run(["readelf", "-SW", obj], capture_output=True, text=True, check=True).stdout
    m = re.search(r"\]\s+\.text\s+PROGBITS\s+[0-9a-f]+\s+([0-9a-f]+)\s+([0-9a-f]+)", out)
    text_off, text_size = int(m.group(1), 16), int(m.group(2), 16)
    o = open(obj, "rb").read()
    a = open(aot, "rb").read()
    code_at = a.find(o[text_off:text_off + min(256, text_size)])
    if code_at < 0:
        raise SystemExit("the object's code is not in the .aot file: compile both with the same flags")
    # WAMR's text section: u32 literal size, the literals, then the code.
    for lit in range(0, code_at - 3):
        if struct.unpack("<I", a[code_at - 4 - lit:code_at - lit])[0] == lit:
            code_offset = 4 + lit
            break
    else:
        raise SystemExit("cannot find the text section's start in the .aot file")
    imports, names = wasm_names(wasm) if wasm else (0, {})
    table = []
    syms = subprocess.run(["readelf", "-sW", obj], capture_output=True, text=True, check=True).stdout
    for line in syms.splitlines():
        f = line.split()
        if len(f) >= 8 and f[3] == "FUNC" and "#" in f[7]:
            kind, idx = f[7].split("#", 1)
            name = names.get(int(idx) + imports, f[7])
            if kind != "aot_func":
                name = f"{kind}: {name}"
            table.append((code_offset + int(f[1], 16), int(f[2], 0), name))
    table.sort()
    return table


def demangle(names):
    try:
        out = subprocess.run(["c++filt"], input="\n".join(names), capture_output=True, text=True, check=True).stdout
        return out.split("\n")[: len(names)]
    except (OSError, subprocess.CalledProcessError):
        return names


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("script")
    ap.add_argument("--events", type=int, required=True)
    ap.add_argument("--aot")
    ap.add_argument("--object")
    ap.add_argument("--wasm")
    ap.add_argument("--top", type=int, default=20)
    args = ap.parse_args()

    table = code_table(args.object, args.aot, args.wasm) if args.object and args.aot else []
    starts = [t[0] for t in table]
    text = open(args.script, errors="replace").read()
    maps = [(int(m.group(1), 16), int(m.group(2), 16)) for m in MMAP.finditer(text)]

    cats, funcs, period, total = collections.Counter(), collections.Counter(), 0, 0
    jit_addrs = []
    for sample in text.split("\n\n"):
        lines = [line for line in sample.split("\n") if line.strip() and "PERF_RECORD" not in line]
        if not lines or "cpu-clock" not in lines[0]:
            continue
        total += 1
        p = PERIOD.search(lines[0])
        period = int(p.group(1)) if p else period
        frames = [(int(m.group(1), 16), m.group(2), m.group(4)) for m in map(FRAME.match, lines[1:]) if m]
        if not frames:
            cats["(no stack)"] += 1
            continue
        addr, name, dso = frames[0]
        if name == "[unknown]" and any(s <= addr < s + n for s, n in maps):
            cats[MODULE] += 1
            jit_addrs.append(addr)
            continue
        if len(frames) > 1 and frames[1][1] == "[unknown]" and any(s <= frames[1][0] < s + n for s, n in maps):
            cats[MODULE + ": libc memcpy/memmove it calls (memory.copy)"] += 1
            continue
        names = [f[1] for f in frames]
        if "aot_memmove" in names or "aot_memset" in names:
            cats[MODULE + ": libc memcpy/memmove it calls (memory.copy)"] += 1
            continue
        for cat, keys in RULES:
            if any(k in names for k in keys):
                cats[cat] += 1
                break
        else:
            cats[f"other: {name} <- " + " <- ".join(names[1:3])] += 1

    if table and jit_addrs:
        # The mapping that holds the most module samples is the module's text section.
        base = collections.Counter(s for a in jit_addrs for s, n in maps if s <= a < s + n).most_common(1)[0][0]
        for a in jit_addrs:
            off = a - base
            i = bisect.bisect_right(starts, off) - 1
            funcs[table[i][2] if i >= 0 and off < table[i][0] + table[i][1] else "(outside any function)"] += 1

    us = lambda n: n * period / 1e3 / args.events  # period is in ns
    print(f"{total} samples of {period / 1e6:.3f} ms = {total * period / 1e9:.2f} CPU s; {args.events} events")
    print(f"| {'where':<78} | {'share':>6} | {'µs/event':>8} |")
    print(f"| {'---':<78} | {'---':>6} | {'---':>8} |")
    small = 0
    for cat, n in cats.most_common():
        if cat.startswith("other:") and n < total * 0.005:
            small += n
            continue
        print(f"| {cat[:78]:<78} | {100 * n / total:5.1f}% | {us(n):8.2f} |")
    if small:
        print(f"| {'other (each < 0.5%)':<78} | {100 * small / total:5.1f}% | {us(small):8.2f} |")
    if funcs:
        print(f"\nmodule code by function ({sum(funcs.values())} samples):")
        top = funcs.most_common(args.top)
        for (name, n), pretty in zip(top, demangle([t[0] for t in top])):
            print(f"| {pretty[:90]:<90} | {100 * n / sum(funcs.values()):5.1f}% | {us(n):6.2f} µs |")


if __name__ == "__main__":
    main()
