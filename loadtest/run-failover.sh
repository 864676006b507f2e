#!/usr/bin/env bash
# `make test-failover CELL=k PART=api|worker|postgres|redis`: runs
# loadtest/failover.ts against the local platform (`make dev-cells`), kills
# PART of cell k after WARMUP seconds of traffic, restarts it after
# FAULT_WINDOW seconds, lets traffic run RECOVERY more seconds, then prints
# the verdict and exits with k6's status (0 pass, 99 thresholds failed).
#
# Settings (environment): WARMUP=20 FAULT_WINDOW=20 RECOVERY=20 (seconds),
# CELLS (default: the running platform's cell count), RATE, USERS, BASE_URL,
# K6_ADDRESS=127.0.0.1:6565 (k6's REST API, used to see when setup is over),
# SETUP_TIMEOUT=300 (seconds), RESULTS_DIR=loadtest/results, ORCH_CMD (the
# command that kills and starts parts; default the local orchestrator CLI).
set -euo pipefail
cd "$(dirname "$0")/.."

CELL=${1:-${CELL:-}}
PART=${2:-${PART:-}}
if ! [[ "$CELL" =~ ^[0-9]+$ ]] || [[ ! "$PART" =~ ^(api|worker|postgres|redis)$ ]]; then
  echo "usage: make test-failover CELL=k PART=api|worker|postgres|redis" >&2
  exit 2
fi
WARMUP=${WARMUP:-20}
FAULT_WINDOW=${FAULT_WINDOW:-20}
RECOVERY=${RECOVERY:-20}
SETUP_TIMEOUT=${SETUP_TIMEOUT:-300}
K6_ADDRESS=${K6_ADDRESS:-127.0.0.1:6565}
read -r -a ORCH <<<"${ORCH_CMD:-node --import tsx deploy/local/cli.ts}"
RESULTS_DIR=${RESULTS_DIR:-loadtest/results}
export RESULTS_DIR
for value in "$WARMUP" "$FAULT_WINDOW" "$RECOVERY" "$SETUP_TIMEOUT"; do
  [[ "$value" =~ ^[0-9]+$ ]] || { echo "WARMUP, FAULT_WINDOW, RECOVERY and SETUP_TIMEOUT are whole seconds" >&2; exit 2; }
done

bash loadtest/require-k6.sh

if [[ -z "${CELLS:-}" ]]; then
  registry="${DEV_DIR:-.dev}/cells.json"
  if [[ -f "$registry" ]]; then
    CELLS=$(node -e 'const r=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8"));console.log(r.cells.length)' "$registry")
  else
    CELLS=3
  fi
fi
export CELLS
if (( CELL < 1 || CELL > CELLS )); then
  echo "CELL=$CELL is not one of the platform's $CELLS cells" >&2
  exit 2
fi

mkdir -p "$RESULTS_DIR"
log=$RESULTS_DIR/failover-k6.log
duration=$((WARMUP + FAULT_WINDOW + RECOVERY))
echo "failover drill: cell-$CELL $PART; warm-up ${WARMUP}s, fault ${FAULT_WINDOW}s, recovery ${RECOVERY}s; k6 log in $log"

k6 run --address "$K6_ADDRESS" \
  -e FAULT_CELL="cell-$CELL" -e FAULT_PART="$PART" -e CELLS="$CELLS" -e DURATION="${duration}s" \
  loadtest/failover.ts >"$log" 2>&1 &
k6_pid=$!
killed=0
cleanup() {
  # Never leave the part down, nor k6 running, whatever happened.
  if (( killed == 1 )); then "${ORCH[@]}" start --cell "$CELL" || true; fi
  if kill -0 "$k6_pid" 2>/dev/null; then kill "$k6_pid" 2>/dev/null || true; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Setup (signing users up) is not part of the scenario clock: wait until the
# first iteration completed before starting the warm-up.
started=$SECONDS
until node -e '
  fetch(`http://${process.argv[1]}/v1/metrics/iterations`)
    .then((r) => (r.ok ? r.json() : undefined))
    .then((m) => process.exit((m?.data?.attributes?.sample?.count ?? 0) > 0 ? 0 : 1))
    .catch(() => process.exit(1));' "$K6_ADDRESS"; do
  if ! kill -0 "$k6_pid" 2>/dev/null; then
    echo "k6 ended before the scenarios started:" >&2
    tail -n 30 "$log" >&2
    wait "$k6_pid" || exit $?
    exit 1
  fi
  if (( SECONDS - started > SETUP_TIMEOUT )); then
    echo "setup did not finish within ${SETUP_TIMEOUT}s; see $log" >&2
    exit 1
  fi
  sleep 0.5
done
echo "traffic running (setup took $((SECONDS - started))s); warming up ${WARMUP}s"

sleep "$WARMUP"
"${ORCH[@]}" kill --cell "$CELL" --part "$PART"
killed=1
sleep "$FAULT_WINDOW"
echo "restarting cell-$CELL"
"${ORCH[@]}" start --cell "$CELL"
killed=0

set +e
wait "$k6_pid"
status=$?
set -e
echo
cat "$RESULTS_DIR/failover-verdict.txt" 2>/dev/null || tail -n 30 "$log"
exit "$status"
