# Sourced by scripts/lib/bench-gateways.sh and scripts/lib/bench-baseline.sh: what every bench-*.sh
# script uses to start gateways.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
# Quotas opened wide (the benchmarks measure screening, not throttling), warnings only.
WIDE_QUOTAS=(--Guardrail:State:Quota:RequestsPerSecond=100000000 --Guardrail:State:Quota:Burst=100000000
  --Guardrail:State:Quota:DailyChars=1000000000000000 --Logging:LogLevel:Default=Warning)
