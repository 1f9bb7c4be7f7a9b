#!/usr/bin/env bash
# The benchmark as the README quotes it: installs jq if missing, then runs `host-test bench`
# from a release build.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-bench-deps.sh
cargo run --release -q -p host-test -- bench
