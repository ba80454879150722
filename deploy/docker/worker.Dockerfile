# The detector worker image: Detect over the ONNX models, CPU or CUDA.
#   CPU:  docker build -f deploy/docker/worker.Dockerfile -t guardrail-worker .
#   CUDA: docker build -f deploy/docker/worker.Dockerfile --build-arg VARIANT=cuda -t guardrail-worker:cuda .
# The CUDA variant runs on NVIDIA's CUDA + cuDNN runtime image with the .NET runtime copied in,
# and is published with -p:OnnxRuntimeGpu=true: ONNX Runtime's GPU build (NuGet package
# Microsoft.ML.OnnxRuntime.Gpu.Linux, the same version as the CPU build). Runs as user 10001 on a
# read-only root filesystem.
ARG DOTNET_VERSION=10.0
ARG VARIANT=cpu
ARG CUDA_IMAGE=nvidia/cuda:12.8.1-cudnn-runtime-ubuntu24.04

FROM mcr.microsoft.com/dotnet/sdk:${DOTNET_VERSION} AS build
ARG VARIANT
WORKDIR /src
COPY global.json NuGet.config Directory.Build.props Directory.Packages.props ./
COPY protos/ protos/
COPY models/ models/
COPY src/ src/
RUN dotnet publish src/Guardrail.Worker/Guardrail.Worker.csproj -c Release -o /app -p:UseAppHost=false \
      -p:OnnxRuntimeGpu=$([ "$VARIANT" = cuda ] && echo true || echo false)

FROM mcr.microsoft.com/dotnet/aspnet:${DOTNET_VERSION} AS runtime-cpu

FROM ${CUDA_IMAGE} AS runtime-cuda
COPY --from=runtime-cpu /usr/share/dotnet /usr/share/dotnet
RUN apt-get update && apt-get install -y --no-install-recommends libicu74 ca-certificates \
 && rm -rf /var/lib/apt/lists/* && ln -s /usr/share/dotnet/dotnet /usr/bin/dotnet

FROM runtime-${VARIANT}
ARG VARIANT
WORKDIR /app
COPY --from=build /app ./
# ORT_DISABLE_TELEMETRY: ONNX Runtime must never phone home (1.31.x would try without it).
ENV DOTNET_ENVIRONMENT=Production \
    ORT_DISABLE_TELEMETRY=1 \
    Guardrail__Worker__Listen=0.0.0.0:50061 \
    Guardrail__Worker__OpsListen=0.0.0.0:9465 \
    Guardrail__Onnx__ExecutionProvider=${VARIANT}
EXPOSE 50061 9465
USER 10001:10001
ENTRYPOINT ["dotnet", "Guardrail.Worker.dll"]
