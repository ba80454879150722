#!/usr/bin/env bash
# Screen throughput on the Redis state store against the in-memory store and the Echo baseline,
# in one run, and the Redis round trips per Screen call. Starts a redis-server and two gateways
# on free loopback ports (quotas opened wide so the benchmark measures the store, not throttling),
# runs guardrailctl bench, and stops them all.
#   scripts/bench-state.sh [guardrailctl bench options, e.g. --duration-s 5 --concurrency 16]
# GATEWAY_ARGS adds settings to both gateways, e.g. GATEWAY_ARGS=--Guardrail:Detection:Enabled=false
set -euo pipefail
cd "$(dirname "$0")/.."
command -v redis-server >/dev/null || { echo "redis-server is missing: apt-get install redis-server" >&2; exit 1; }
source scripts/lib/bench-gateways.sh
REDIS_PORT=$(free_port); MEMORY_PORT=$(free_port); REDIS_GATEWAY_PORT=$(free_port)

redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no --dir "$WORK" >"$WORK/redis.log" 2>&1 & pids+=($!)
WIDE+=(--Guardrail:Audit:Directory=$WORK/audit)
dotnet "$GATEWAY" --Guardrail:Gateway:Listen=127.0.0.1:$MEMORY_PORT "${WIDE[@]}" >"$WORK/memory.log" 2>&1 & pids+=($!)
dotnet "$GATEWAY" --Guardrail:Gateway:Listen=127.0.0.1:$REDIS_GATEWAY_PORT --Guardrail:State:Store=redis \
  --Guardrail:State:Redis=127.0.0.1:$REDIS_PORT "${WIDE[@]}" >"$WORK/redis-gateway.log" 2>&1 & pids+=($!)

wait_for_gateways $MEMORY_PORT $REDIS_GATEWAY_PORT
echo "screen = gateway on the in-memory store; screen --compare = gateway on Redis 127.0.0.1:$REDIS_PORT"
"${CLI[@]}" --address 127.0.0.1:$MEMORY_PORT bench --compare 127.0.0.1:$REDIS_GATEWAY_PORT --redis 127.0.0.1:$REDIS_PORT "$@"
