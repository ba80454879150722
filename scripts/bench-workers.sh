#!/usr/bin/env bash
# Detector workers, in one run:
#  1. worker throughput with the dynamic batcher at MaxBatchItems=1 (the baseline) and 64, for
#     200- and 2,000-character texts (guardrailctl bench-detect: texts/s, p50, p99, ratio);
#  2. Screen end to end with the ML detectors in-process ("screen") against a gateway that sends
#     them to a worker ("screen --compare"), next to the Echo baseline (guardrailctl bench).
#   scripts/bench-workers.sh [--duration-s 3] [--rounds 2]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/bench-gateways.sh
WORKER=src/Guardrail.Worker/bin/Release/net10.0/Guardrail.Worker.dll
DURATION=3; ROUNDS=2
while [ $# -gt 0 ]; do case "$1" in --duration-s) DURATION=$2; shift 2;; --rounds) ROUNDS=$2; shift 2;; *) echo "unknown option $1" >&2; exit 64;; esac; done

B1=$(free_port); B64=$(free_port); LOCAL=$(free_port); REMOTE=$(free_port)
start_worker() { dotnet "$WORKER" --Guardrail:Worker:Listen=127.0.0.1:$1 --Guardrail:Worker:OpsListen=127.0.0.1:0 --Logging:LogLevel:Default=Warning "${@:2}" >"$WORK/worker-$1.log" 2>&1 & pids+=($!); }
start_worker $B1 --Guardrail:Detection:Batching:MaxBatchItems=1
start_worker $B64 --Guardrail:Detection:Batching:MaxBatchItems=64
wait_for_gateways $B1 $B64
echo "== worker throughput: MaxBatchItems=1 at 127.0.0.1:$B1 (baseline), 64 at 127.0.0.1:$B64"
"${CLI[@]}" bench-detect --worker 127.0.0.1:$B1 --worker 127.0.0.1:$B64 --chars 200 --chars 2000 --duration-s "$DURATION" --rounds "$ROUNDS"

# Enforced (not shadow) so both gateways do the same work on every text.
dotnet "$GATEWAY" --Guardrail:Gateway:Listen=127.0.0.1:$LOCAL --Guardrail:Audit:Enabled=false --Guardrail:Detection:Shadow= "${WIDE[@]}" >"$WORK/local.log" 2>&1 & pids+=($!)
dotnet "$GATEWAY" --Guardrail:Gateway:Listen=127.0.0.1:$REMOTE --Guardrail:Audit:Enabled=false --Guardrail:Detection:Shadow= \
  --Guardrail:Workers:Discovery=static --Guardrail:Workers:Addresses=127.0.0.1:$B64 "${WIDE[@]}" >"$WORK/remote.log" 2>&1 & pids+=($!)
wait_for_gateways $LOCAL $REMOTE
echo "== Screen end to end: screen = ML detectors in-process; screen --compare = through the worker at 127.0.0.1:$B64"
"${CLI[@]}" --address 127.0.0.1:$REMOTE bench --duration-s 1 --rounds 1 >/dev/null # warm-up, not counted below
"${CLI[@]}" --address 127.0.0.1:$LOCAL bench --compare 127.0.0.1:$REMOTE --duration-s "$DURATION" --rounds "$ROUNDS"
