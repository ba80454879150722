#!/usr/bin/env bash
# What the audit log costs Screen: one gateway with the audit log off ("screen") against one with
# it on ("screen --compare"), and the Echo baseline, in one run (guardrailctl bench). Both use the
# in-memory state store with quotas opened wide. AUDIT_SINK=redis audits to Redis Streams (a
# redis-server is started) instead of JSONL files. Records written are counted at the end.
#   scripts/bench-audit.sh [guardrailctl bench options, e.g. --duration-s 5]
# GATEWAY_ARGS adds settings to both gateways, e.g. GATEWAY_ARGS=--Guardrail:Detection:Enabled=false
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/bench-gateways.sh
OFF_PORT=$(free_port); ON_PORT=$(free_port); REDIS_PORT=$(free_port)

SINK=(--Guardrail:Audit:Sink=file --Guardrail:Audit:Directory=$WORK/audit)
if [ "${AUDIT_SINK:-file}" = redis ]; then
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no --dir "$WORK" >"$WORK/redis.log" 2>&1 & pids+=($!)
  SINK=(--Guardrail:Audit:Sink=redis --Guardrail:Audit:Redis=127.0.0.1:$REDIS_PORT)
fi
dotnet "$GATEWAY" --Guardrail:Gateway:Listen=127.0.0.1:$OFF_PORT --Guardrail:Audit:Enabled=false "${WIDE[@]}" >"$WORK/off.log" 2>&1 & pids+=($!)
dotnet "$GATEWAY" --Guardrail:Gateway:Listen=127.0.0.1:$ON_PORT "${SINK[@]}" "${WIDE[@]}" >"$WORK/on.log" 2>&1 & ON_PID=$!; pids+=($ON_PID)

wait_for_gateways $OFF_PORT $ON_PORT
echo "screen = audit log off; screen --compare = audit log on (${AUDIT_SINK:-file} sink)"
"${CLI[@]}" --address 127.0.0.1:$ON_PORT bench --duration-s 1 --rounds 1 >/dev/null # warm-up, not counted below
"${CLI[@]}" --address 127.0.0.1:$OFF_PORT bench --compare 127.0.0.1:$ON_PORT "$@"
kill -TERM $ON_PID; wait $ON_PID 2>/dev/null || true # a graceful stop writes every queued record
if [ "${AUDIT_SINK:-file}" = redis ]; then
  echo "audit records written: $(redis-cli -p "$REDIS_PORT" XLEN 'gr:{default}:audit:local') (stream trimmed at Guardrail:Audit:StreamMaxLength)"
else
  echo "audit records written: $(cat "$WORK"/audit/*/*/*.jsonl | wc -l) in $(du -sh "$WORK/audit" | cut -f1)"
fi
