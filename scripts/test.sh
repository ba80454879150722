#!/usr/bin/env bash
# The README's test command. Installs what the tests need, then runs every test project:
#   - Debian's python3-grpcio, python3-grpc-tools (protoc) and python3-protobuf for the Python interop client;
#   - @grpc/grpc-js and @grpc/proto-loader (npm ci, locked versions) for the Node interop client;
#   - ONNX Runtime's libonnxruntime.so.1 (scripts/setup-onnxruntime.sh) for the ML detectors;
#   - Debian's redis-server (the tests start their own servers and a 3-master cluster on free
#     loopback ports, and stop them; nothing is left running).
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

bash scripts/setup-onnxruntime.sh

echo "== installing the Node interop client's packages (npm ci)"
(cd tests/interop/node && npm ci --no-audit --no-fund --loglevel=error)

echo "== dotnet test"
dotnet test Cluster.sln -c Release
