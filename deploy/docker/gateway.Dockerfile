# The gateway image: Screen, Admin, health and metrics; the cheap detectors, and the ML detectors
# in-process when no worker is configured (so it carries ONNX Runtime's CPU library too, from the
# Microsoft.ML.OnnxRuntime package the publish restores).
# Build from the repository root:  docker build -f deploy/docker/gateway.Dockerfile -t guardrail-gateway .
# Runs as user 10001 on a read-only root filesystem: the only writes are /tmp and the audit folder.
ARG DOTNET_VERSION=10.0

FROM mcr.microsoft.com/dotnet/sdk:${DOTNET_VERSION} AS build
WORKDIR /src
COPY global.json NuGet.config Directory.Build.props Directory.Packages.props ./
COPY protos/ protos/
COPY models/ models/
COPY src/ src/
RUN dotnet publish src/Guardrail.Gateway/Guardrail.Gateway.csproj -c Release -o /app -p:UseAppHost=false

FROM mcr.microsoft.com/dotnet/aspnet:${DOTNET_VERSION}
WORKDIR /app
COPY --from=build /app ./
RUN mkdir -p /var/lib/guardrail/audit && chown 10001:10001 /var/lib/guardrail/audit
# ORT_DISABLE_TELEMETRY: ONNX Runtime must never phone home (1.31.x would try without it).
ENV DOTNET_ENVIRONMENT=Production \
    ORT_DISABLE_TELEMETRY=1 \
    Guardrail__Gateway__Listen=0.0.0.0:50051 \
    Guardrail__Gateway__OpsListen=0.0.0.0:9464 \
    Guardrail__Gateway__HttpListen=0.0.0.0:8080 \
    Guardrail__Audit__Directory=/var/lib/guardrail/audit
EXPOSE 50051 9464 8080 11111
USER 10001:10001
ENTRYPOINT ["dotnet", "Guardrail.Gateway.dll"]
