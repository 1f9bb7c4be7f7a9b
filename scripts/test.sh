#!/usr/bin/env bash
# The project's test command (the README's): builds the release into dist/, then runs every
# test — the native core, the component through wasmtime, the command line, the Fluent Bit
# module, the Python and npm packages from dist/ installed as users install them, and the
# Kubernetes manifests against the API schemas.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/dist.sh
cargo test --workspace
