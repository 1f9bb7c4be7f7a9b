#!/usr/bin/env bash
# Builds a release into dist/ (docs/release.md):
#   k8s-audit-ecs-<version>.wasm              the component (wasm32-wasip2), with its metadata
#   k8s-audit-ecs-fluent-bit-<version>.wasm   the Fluent Bit filter module (wasm32-wasip1)
#   k8s_audit_ecs-<version>-py3-none-any.whl  the Python package (the component inside)
#   k8s-audit-ecs-<version>.tgz               the npm package (the component, transpiled by jco)
#   SHA256SUMS                                over every file above
# The version is the workspace's (Cargo.toml, [workspace.package]); the packages repeat it and
# this script refuses to build when they disagree.
#
# Needs: the Rust toolchain of rust-toolchain.toml, python3 with venv, Node.js >= 18 with npm.
# Installs into target/ (never elsewhere): wasm-tools (crates.io) unless WASM_TOOLS or PATH has
# one, the Python build tools (PyPI) and jco (npm), all at pinned versions.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

say() { printf 'dist.sh: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

version=$(sed -n '/^\[workspace.package\]/,/^\[/s/^version = "\(.*\)"$/\1/p' Cargo.toml)
[ -n "$version" ] || die "no version in Cargo.toml's [workspace.package]"
python_version=$(sed -n 's/^version = "\(.*\)"$/\1/p' packages/python/pyproject.toml)
npm_version=$(sed -n 's/^  "version": "\(.*\)",$/\1/p' packages/npm/package.json)
[ "$python_version" = "$version" ] || die "packages/python/pyproject.toml has version $python_version, Cargo.toml $version"
[ "$npm_version" = "$version" ] || die "packages/npm/package.json has version $npm_version, Cargo.toml $version"
for tool in python3 node npm; do
    command -v "$tool" >/dev/null || die "$tool is needed (see docs/release.md)"
done

tools=$root/target/dist-tools
staging=$root/target/dist-staging
mkdir -p "$tools"
rm -rf "$staging" dist && mkdir -p "$staging" dist

say "building the component and the Fluent Bit module (release) ..."
# The same build, into the same folder, as host-test's build script: one build serves both.
cargo build --quiet --release --target wasm32-wasip2 --target wasm32-wasip1 -p k8s-audit-ecs \
    --target-dir target/component
component_built=target/component/wasm32-wasip2/release/k8s_audit_ecs.wasm
module_built=target/component/wasm32-wasip1/release/k8s_audit_ecs.wasm

wasm_tools=${WASM_TOOLS:-$(command -v wasm-tools || true)}
if [ -z "$wasm_tools" ]; then
    wasm_tools=$tools/bin/wasm-tools
    if [ ! -x "$wasm_tools" ]; then
        say "installing wasm-tools 1.263.0 (metadata only) into target/dist-tools ..."
        cargo install --quiet --locked wasm-tools --version 1.263.0 --no-default-features \
            --features metadata --root "$tools"
    fi
fi

revision=$(git rev-parse HEAD 2>/dev/null || true)
description=$(sed -n '/^\[package\]/,/^\[/s/^description = "\(.*\)"$/\1/p' Cargo.toml)
metadata=(--version "$version" --licenses Apache-2.0 --description "$description")
if [ -n "$revision" ]; then metadata+=(--revision "$revision"); fi
component=dist/k8s-audit-ecs-$version.wasm
module=dist/k8s-audit-ecs-fluent-bit-$version.wasm
"$wasm_tools" metadata add --name k8s-audit-ecs "${metadata[@]}" "$component_built" -o "$component"
"$wasm_tools" metadata add --name k8s-audit-ecs-fluent-bit "${metadata[@]}" "$module_built" -o "$module"

say "building the Python wheel ..."
cp -r packages/python "$staging/python"
cp "$component" "$staging/python/src/k8s_audit_ecs/k8s_audit_ecs.wasm"
cp LICENSE CHANGELOG.md "$staging/python/"
if [ ! -x "$tools/venv/bin/python" ]; then
    python3 -m venv "$tools/venv"
fi
"$tools/venv/bin/python" -m pip install --quiet --disable-pip-version-check build==1.6.1
(cd "$staging/python" && "$tools/venv/bin/python" -m build --wheel --outdir "$root/dist" >"$staging/python-build.log" 2>&1) \
    || { cat "$staging/python-build.log" >&2; die "the wheel did not build"; }

say "building the npm package ..."
cp -r packages/npm "$staging/npm"
cp LICENSE CHANGELOG.md "$staging/npm/"
(
    cd "$staging/npm"
    npm ci --no-audit --no-fund --loglevel=error >/dev/null
    # The component to JavaScript and core modules, with TypeScript declarations (jco 1.35.0).
    npx --no-install jco transpile "$root/$component" --name k8s_audit_ecs --out-dir generated >/dev/null
    npm pack --pack-destination "$root/dist" --loglevel=error >/dev/null
)

(cd dist && sha256sum -- * >SHA256SUMS && sha256sum --quiet -c SHA256SUMS)
say "dist/ holds k8s-audit-ecs $version:"
(cd dist && ls -l | tail -n +2) >&2
