#!/usr/bin/env bash
# The README's performance report, in one run on this machine:
#  1. embedded: one gateway as `dotnet run` starts it (in-memory state, ML detectors in-process),
#     Screen against the Echo baseline (guardrailctl bench);
#  2. cluster: Redis, one detector worker and two gateways on the Redis state store, API keys on,
#     audit to Redis Streams, ML through the worker: Screen against Echo through one gateway, then
#     through both in turn (the Echo baseline spread the same way), so scaling reads as the ratio
#     of the two Screen rates and each row has its own same-run baseline.
# Quotas are opened wide (the report measures screening, not throttling).
#   scripts/bench-cluster.sh [--duration-s 5] [--rounds 2] [--concurrency 16]
set -euo pipefail
cd "$(dirname "$0")/.."
command -v redis-server >/dev/null || { echo "redis-server is missing: apt-get install redis-server" >&2; exit 1; }
source scripts/lib/bench-gateways.sh
WORKER=src/Guardrail.Worker/bin/Release/net10.0/Guardrail.Worker.dll
BENCH=(--duration-s 5 --rounds 2 --concurrency 16)
[ $# -gt 0 ] && BENCH=("$@")

EMBEDDED=$(free_port)
dotnet "$GATEWAY" --Guardrail:Gateway:Listen=127.0.0.1:$EMBEDDED --Guardrail:Audit:Directory=$WORK/audit "${WIDE[@]}" >"$WORK/embedded.log" 2>&1 & embedded_pid=$!
pids+=($embedded_pid)
wait_for_gateways $EMBEDDED
echo "== embedded: one gateway, in-memory state, ML in-process (127.0.0.1:$EMBEDDED)"
"${CLI[@]}" --address 127.0.0.1:$EMBEDDED bench "${BENCH[@]}"
kill $embedded_pid; wait $embedded_pid 2>/dev/null || true

REDIS_PORT=$(free_port); WORKER_PORT=$(free_port); G1=$(free_port); G2=$(free_port)
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no --dir "$WORK" >"$WORK/redis.log" 2>&1 & pids+=($!)
GENERATED=$("${CLI[@]}" keys generate)
KEY=$(echo "$GENERATED" | awk '/^operator key/ {print $NF}')
ENTRY=$(echo "$GENERATED" | awk '/^gateway setting/ {print $NF}')
dotnet "$WORKER" --Guardrail:Worker:Listen=127.0.0.1:$WORKER_PORT --Guardrail:Worker:OpsListen=127.0.0.1:0 --Guardrail:Worker:Membership=redis \
  --Guardrail:Worker:Redis=127.0.0.1:$REDIS_PORT --Logging:LogLevel:Default=Warning >"$WORK/worker.log" 2>&1 & pids+=($!)
for port in $G1 $G2; do
  dotnet "$GATEWAY" --Guardrail:Gateway:Listen=127.0.0.1:$port --Guardrail:State:Store=redis --Guardrail:State:Redis=127.0.0.1:$REDIS_PORT \
    --Guardrail:Workers:Discovery=redis --Guardrail:Audit:Sink=redis --Guardrail:Auth:Enabled=true --Guardrail:Auth:OperatorKeys:0=$ENTRY \
    "${WIDE[@]}" >"$WORK/gateway-$port.log" 2>&1 & pids+=($!)
done
wait_for_gateways $WORKER_PORT $G1 $G2
TENANT_KEY=$("${CLI[@]}" --address 127.0.0.1:$G1 --key "$KEY" keys create --tenant default --scope screen --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["secret"])')
echo "== cluster: Redis 127.0.0.1:$REDIS_PORT, worker 127.0.0.1:$WORKER_PORT, API keys on; one gateway (127.0.0.1:$G1)"
"${CLI[@]}" --address 127.0.0.1:$G1 --key "$TENANT_KEY" bench "${BENCH[@]}"
echo "== cluster: two gateways in turn (127.0.0.1:$G1, 127.0.0.1:$G2)"
"${CLI[@]}" --address 127.0.0.1:$G1 --key "$TENANT_KEY" bench --target 127.0.0.1:$G2 "${BENCH[@]}"
