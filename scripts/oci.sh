#!/usr/bin/env bash
# The component (and the Fluent Bit module) in an OCI registry, with wkg, the Bytecode
# Alliance's package tool (docs/release.md, "OCI"):
#
#   bash scripts/oci.sh push REFERENCE          dist/'s component      -> REFERENCE
#   bash scripts/oci.sh push-module REFERENCE   dist/'s Fluent Bit module -> REFERENCE
#   bash scripts/oci.sh round-trip              both through a registry on 127.0.0.1 and back
#
# REFERENCE is registry/repository:tag (k8s-audit-ecs's version is a good tag). wkg takes
# credentials from your docker config, or -u/-p through WKG_OCI_USERNAME/WKG_OCI_PASSWORD; a
# registry served over plain HTTP must be named in WKG_OCI_INSECURE.
#
# round-trip: starts Debian's docker-registry on a free loopback port with its storage in a
# temporary folder, pushes both files, pulls them into another folder, checks they are
# byte-identical to dist/'s, and converts every fixture with the pulled component
# (host-test check --component). Needs wkg (WKG or PATH; `cargo install --locked wkg`) and
# docker-registry (`apt-get install docker-registry`); without them it says SKIPPED and exits 0.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf 'oci.sh: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 2; }
skip() { printf 'oci.sh: SKIPPED: %s\n' "$*"; exit 0; }

version=$(sed -n '/^\[workspace.package\]/,/^\[/s/^version = "\(.*\)"$/\1/p' Cargo.toml)
component=dist/k8s-audit-ecs-$version.wasm
module=dist/k8s-audit-ecs-fluent-bit-$version.wasm
wkg=${WKG:-$(command -v wkg || true)}
annotations=(
    --annotation "org.opencontainers.image.version=$version"
    --annotation "org.opencontainers.image.licenses=Apache-2.0"
    --annotation "org.opencontainers.image.title=k8s-audit-ecs"
    --annotation "org.opencontainers.image.description=Kubernetes API-server audit events to ECS documents"
)

need_dist() { [ -f "$1" ] || die "$1 is missing: run bash scripts/dist.sh first"; }

push() { # FILE REFERENCE
    [ -n "$wkg" ] || die "wkg is not installed (cargo install --locked wkg)"
    need_dist "$1"
    "$wkg" oci push "${annotations[@]}" "$2" "$1"
}

round_trip() {
    [ -n "$wkg" ] || skip "wkg is not installed (cargo install --locked wkg, or set WKG)"
    command -v docker-registry >/dev/null || skip "docker-registry is not installed (apt-get install docker-registry)"
    need_dist "$component"
    need_dist "$module"
    # Globals, not locals: the EXIT trap reads them after this function returns.
    work=$(mktemp -d)
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    registry=127.0.0.1:$port
    cat >"$work/config.yml" <<YAML
version: 0.1
storage:
  filesystem:
    rootdirectory: $work/storage
http:
  addr: $registry
log:
  level: error
YAML
    docker-registry serve "$work/config.yml" >"$work/registry.log" 2>&1 &
    pid=$!
    trap 'kill $pid 2>/dev/null; rm -rf "$work"' EXIT
    for _ in $(seq 50); do
        if python3 -c "import urllib.request; urllib.request.urlopen('http://$registry/v2/')" 2>/dev/null; then break; fi
        sleep 0.1
    done
    export WKG_OCI_INSECURE=$registry
    say "pushing to the registry at $registry ..."
    push "$component" "$registry/k8s-audit-ecs:$version"
    push "$module" "$registry/k8s-audit-ecs-fluent-bit:$version"
    mkdir -p "$work/pulled"
    "$wkg" oci pull "$registry/k8s-audit-ecs:$version" -o "$work/pulled/component.wasm"
    "$wkg" oci pull "$registry/k8s-audit-ecs-fluent-bit:$version" -o "$work/pulled/module.wasm"
    cmp "$component" "$work/pulled/component.wasm" || die "the pulled component differs from $component"
    cmp "$module" "$work/pulled/module.wasm" || die "the pulled module differs from $module"
    say "pulled back byte-identical; converting every fixture with the pulled component ..."
    cargo run --quiet --release -p host-test -- check --component "$work/pulled/component.wasm" fixtures
}

case ${1:-} in
    push) push "$component" "${2:?usage: oci.sh push REFERENCE}" ;;
    push-module) push "$module" "${2:?usage: oci.sh push-module REFERENCE}" ;;
    round-trip) round_trip ;;
    *) die "usage: oci.sh push REFERENCE | push-module REFERENCE | round-trip" ;;
esac
