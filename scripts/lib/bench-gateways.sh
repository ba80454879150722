# Sourced by the bench-*.sh scripts: builds Release, gives a work folder and process list that are
# cleaned up on exit, and the pieces to start gateways on free loopback ports and wait for them.
dotnet build Cluster.sln -c Release -v q -nologo >/dev/null

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
WORK=$(mktemp -d)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

GATEWAY=src/Guardrail.Gateway/bin/Release/net10.0/Guardrail.Gateway.dll
CLI=(dotnet src/Guardrail.Cli/bin/Release/net10.0/guardrailctl.dll)
# Quotas opened wide (the benchmarks measure screening, not throttling), ops port picked freely,
# warnings only, plus GATEWAY_ARGS.
WIDE=(--Guardrail:Gateway:OpsListen=127.0.0.1:0 --Guardrail:Gateway:HttpListen=127.0.0.1:0 --Guardrail:State:Quota:RequestsPerSecond=100000000 --Guardrail:State:Quota:Burst=100000000 --Guardrail:State:Quota:DailyChars=1000000000000000 --Logging:LogLevel:Default=Warning ${GATEWAY_ARGS:-})

# wait_for_gateways PORT...: until each answers gRPC health (20 s at most each).
wait_for_gateways() {
  for port in "$@"; do
    for _ in $(seq 100); do "${CLI[@]}" --address 127.0.0.1:$port health >/dev/null 2>&1 && break; sleep 0.2; done
  done
}
