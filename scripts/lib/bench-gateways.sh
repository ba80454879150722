# Sourced by the bench-*.sh scripts: builds Release, gives a work folder and process list that are
# cleaned up on exit, and the pieces to start gateways on free loopback ports and wait for them.
dotnet build Cluster.sln -c Release -v q -nologo >/dev/null

source scripts/lib/bench-common.sh
WORK=$(mktemp -d)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

GATEWAY=src/Guardrail.Gateway/bin/Release/net10.0/Guardrail.Gateway.dll
CLI=(dotnet src/Guardrail.Cli/bin/Release/net10.0/guardrailctl.dll)
# Quotas opened wide, ops and HTTP ports picked freely, plus GATEWAY_ARGS.
WIDE=(--Guardrail:Gateway:OpsListen=127.0.0.1:0 --Guardrail:Gateway:HttpListen=127.0.0.1:0 "${WIDE_QUOTAS[@]}" ${GATEWAY_ARGS:-})

# wait_for_gateways PORT...: until each answers gRPC health (20 s at most each).
wait_for_gateways() {
  for port in "$@"; do
    for _ in $(seq 100); do "${CLI[@]}" --address 127.0.0.1:$port health >/dev/null 2>&1 && break; sleep 0.2; done
  done
}
