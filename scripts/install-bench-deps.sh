#!/usr/bin/env bash
# Installs what `host-test bench` compares against and nothing else: jq (Debian package).
set -euo pipefail
if command -v jq >/dev/null 2>&1; then
  echo "jq is installed: $(jq --version)"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq jq
jq --version
