#!/usr/bin/env bash
# The project's test command (the README's): formatting, then the release into dist/, then every
# test — the native core, the component through wasmtime, the command line, the Fluent Bit
# module, the Python and npm packages from dist/ installed as users install them, Spark and
# Beam, and the Kubernetes manifests against the API schemas — the OCI round trip where its
# tools are installed, then clippy with warnings as errors.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo fmt --check
bash scripts/dist.sh
cargo test --workspace
# The OCI round trip through a registry on 127.0.0.1: says SKIPPED where wkg or docker-registry
# is not installed (CI does not install them).
bash scripts/oci.sh round-trip
cargo clippy --quiet --workspace --all-targets -- -D warnings
