#!/usr/bin/env bash
# Compiles the Fluent Bit module ahead of time: MODULE.wasm -> OUT.aot with Fluent Bit's
# flb-wamrc (WAMR's wamrc), for `WASM_Path OUT.aot` in the wasm filter.
#
#   scripts/fluent-bit/aot.sh MODULE.wasm OUT.aot [FLB_WAMRC]
#
# Needs: flb-wamrc (the third argument, else $FLB_WAMRC, else flb-wamrc/wamrc on PATH; Fluent
# Bit builds it with -DFLB_WAMRC=On). Without one it prints "SKIPPED: ..." and exits 0.
#
# The flags are for a fleet, not for this machine:
#   --target=x86_64|aarch64  pinned from `uname -m` (or $AOT_TARGET): an .aot file holds
#                            native code for one architecture; build one per architecture.
#   --cpu=x86-64 / generic   the baseline CPU, so the code runs on every node of that
#                            architecture (wamrc's default is the build machine's CPU, whose
#                            AVX2/AVX-512 instructions fault with SIGILL on older nodes).
#   --disable-simd           Fluent Bit builds WAMR without SIMD (WAMR_BUILD_SIMD 0), so an
#                            .aot file flagged SIMD would not load; with this flag a module
#                            that ever used WebAssembly SIMD fails here, at compile time,
#                            instead of on the nodes.
#   --opt-level=3            (wamrc's default, stated) LLVM's full optimisation.
#   --bounds-checks=0        (the 64-bit default, stated) linear-memory bounds are checked by
#                            the MMU (guard pages), as Fluent Bit's WAMR does on Linux x86_64
#                            and aarch64; software checks cost speed (see the README figures).
#                            A Fluent Bit built with WAMR_DISABLE_HW_BOUND_CHECK (Windows)
#                            needs --bounds-checks=1: set AOT_BOUNDS_CHECKS=1.
# $AOT_EXTRA_FLAGS is appended (for experiments such as --enable-segue).
# The .aot format is versioned with WAMR: compile with the flb-wamrc of the Fluent Bit
# version the fleet runs (Fluent Bit 5.1 bundles WAMR 2.4.1).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

if [ $# -lt 2 ] || [ $# -gt 3 ]; then die "usage: aot.sh MODULE.wasm OUT.aot [FLB_WAMRC]"; fi
module=$1 out=$2
[ -f "$module" ] || die "no module at $module (build it: cargo build --release --target wasm32-wasip1 -p k8s-audit-ecs)"
if [ $# -eq 3 ]; then
    [ -x "$3" ] || skip "flb-wamrc not found at $3: no .aot file written (it is built with Fluent Bit by -DFLB_WAMRC=On)"
    wamrc=$3
else
    wamrc=$(find_wamrc) || skip "no flb-wamrc (set FLB_WAMRC, or put flb-wamrc on PATH: it is built with Fluent Bit by -DFLB_WAMRC=On): no .aot file written"
fi

arch=${AOT_TARGET:-$(uname -m)}
case "$arch" in
    x86_64 | amd64) target=x86_64 cpu=${AOT_CPU:-x86-64} ;;
    aarch64 | arm64) target=aarch64v8 cpu=${AOT_CPU:-generic} ;;
    *) die "no pinned flags for architecture $arch (set AOT_TARGET to x86_64 or aarch64)" ;;
esac

flags=(--target="$target" --cpu="$cpu" --disable-simd --opt-level=3 --bounds-checks="${AOT_BOUNDS_CHECKS:-0}")
# shellcheck disable=SC2206 # word splitting is the point: a list of flags
[ -n "${AOT_EXTRA_FLAGS:-}" ] && flags+=($AOT_EXTRA_FLAGS)

mkdir -p "$(dirname "$out")"
say "$wamrc ${flags[*]} -o $out $module"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! "$wamrc" "${flags[@]}" -o "$out" "$module" >"$log" 2>&1; then
    cat "$log" >&2
    die "flb-wamrc failed"
fi
# wamrc warns that a module without _initialize is neither a command nor a reactor; the
# module needs no initialisation (README, Fluent Bit), so only real errors are shown.
grep -v -e 'should be either a command or a reactor' "$log" | grep -i -e error -e fail >&2 || true
say "wrote $out ($(wc -c <"$out") bytes, from $(wc -c <"$module") bytes of wasm)"
