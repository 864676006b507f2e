#!/usr/bin/env bash
# `make load-test`: runs loadtest/load.ts against a running platform
# (BASE_URL, default http://127.0.0.1:8080). Settings come from the
# environment (RATE, USERS, RAMP, DURATION, CELLS, ...; see loadtest/README.md).
set -euo pipefail
cd "$(dirname "$0")/.."
bash loadtest/require-k6.sh
mkdir -p loadtest/results
set +e
k6 run "$@" loadtest/load.ts
status=$?
set -e
echo "summary: loadtest/results/load-summary.json, verdict: loadtest/results/load-verdict.txt"
exit "$status"
