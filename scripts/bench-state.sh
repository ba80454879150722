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
dotnet build Cluster.sln -c Release -v q -nologo >/dev/null

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
REDIS_PORT=$(free_port); MEMORY_PORT=$(free_port); REDIS_GATEWAY_PORT=$(free_port)
WORK=$(mktemp -d)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no --dir "$WORK" >"$WORK/redis.log" 2>&1 & pids+=($!)
WIDE=(--Guardrail:Gateway:OpsListen=127.0.0.1:0 --Guardrail:Audit:Directory=$WORK/audit --Guardrail:State:Quota:RequestsPerSecond=100000000 --Guardrail:State:Quota:Burst=100000000 --Guardrail:State:Quota:DailyChars=1000000000000000 --Logging:LogLevel:Default=Warning ${GATEWAY_ARGS:-})
GATEWAY=src/Guardrail.Gateway/bin/Release/net10.0/Guardrail.Gateway.dll
dotnet "$GATEWAY" --Guardrail:Gateway:Listen=127.0.0.1:$MEMORY_PORT "${WIDE[@]}" >"$WORK/memory.log" 2>&1 & pids+=($!)
dotnet "$GATEWAY" --Guardrail:Gateway:Listen=127.0.0.1:$REDIS_GATEWAY_PORT --Guardrail:State:Store=redis \
  --Guardrail:State:Redis=127.0.0.1:$REDIS_PORT "${WIDE[@]}" >"$WORK/redis-gateway.log" 2>&1 & pids+=($!)

CLI=(dotnet src/Guardrail.Cli/bin/Release/net10.0/guardrailctl.dll)
for port in $MEMORY_PORT $REDIS_GATEWAY_PORT; do
  for _ in $(seq 100); do "${CLI[@]}" --address 127.0.0.1:$port health >/dev/null 2>&1 && break; sleep 0.2; done
done
echo "screen = gateway on the in-memory store; screen --compare = gateway on Redis 127.0.0.1:$REDIS_PORT"
"${CLI[@]}" --address 127.0.0.1:$MEMORY_PORT bench --compare 127.0.0.1:$REDIS_GATEWAY_PORT --redis 127.0.0.1:$REDIS_PORT "$@"
