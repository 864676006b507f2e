#!/usr/bin/env bash
# `make load-test`: runs loadtest/load.ts against a running platform
# (BASE_URL, default http://127.0.0.1:8080). Settings come from the
# environment (RATE, USERS, RAMP, DURATION, CELLS, ...; see loadtest/README.md).
set -euo pipefail
cd "$(dirname "$0")/.."
bash loadtest/require-k6.sh
RESULTS_DIR=${RESULTS_DIR:-loadtest/results}
export RESULTS_DIR
mkdir -p "$RESULTS_DIR"
set +e
k6 run "$@" loadtest/load.ts
status=$?
set -e
echo "summary: $RESULTS_DIR/load-summary.json, verdict: $RESULTS_DIR/load-verdict.txt"
exit "$status"
