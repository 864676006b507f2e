#!/usr/bin/env bash
# Exits 0 when k6 (>= 0.57, which runs TypeScript directly) is on PATH; else
# prints what to install and exits 1. Used by `make load-test` and
# `make test-failover`. Installs nothing itself.
set -euo pipefail

if command -v k6 >/dev/null 2>&1; then
  version=$(k6 version 2>/dev/null | head -n 1 | grep -oE 'v[0-9]+\.[0-9]+\.[0-9]+' | head -n 1 || true)
  major=$(echo "${version#v}" | cut -d. -f1)
  minor=$(echo "${version#v}" | cut -d. -f2)
  if [[ -n "$version" && ( "${major:-0}" -gt 0 || "${minor:-0}" -ge 57 ) ]]; then
    exit 0
  fi
  echo "error: k6 ${version:-of unknown version} is too old; the scripts are TypeScript and need k6 >= 0.57 (1.x recommended)." >&2
else
  echo "error: k6 is not installed." >&2
fi
cat >&2 <<'HELP'
Install k6 (https://grafana.com/docs/k6/latest/set-up/install-k6/), then re-run:
  Debian/Ubuntu:
    curl -fsSL https://dl.k6.io/key.gpg | sudo gpg --dearmor -o /usr/share/keyrings/k6-archive-keyring.gpg
    echo "deb [signed-by=/usr/share/keyrings/k6-archive-keyring.gpg] https://dl.k6.io/deb stable main" | sudo tee /etc/apt/sources.list.d/k6.list
    sudo apt-get update && sudo apt-get install k6
  Fedora/CentOS:  sudo dnf install https://dl.k6.io/rpm/repo.rpm && sudo dnf install k6
  macOS:          brew install k6
  Windows:        winget install k6 --source winget
  Docker:         docker run --rm -i --network host -v "$PWD:/src" -w /src grafana/k6 run loadtest/load.ts
HELP
exit 1
