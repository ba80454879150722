{{/* What the CPU and GPU worker Deployments share; each variant file adds its image, replicas,
     resources, placement and execution provider. Called with the root context. */}}

{{- define "guardrail.workerEnv" -}}
{{- include "guardrail.redisPasswordEnv" . }}
# ONNX Runtime must never phone home (the 1.31.x native library would try without this).
- name: ORT_DISABLE_TELEMETRY
  value: "1"
- name: POD_IP
  valueFrom:
    fieldRef:
      fieldPath: status.podIP
- name: Guardrail__Worker__Listen
  value: "0.0.0.0:{{ .Values.workers.grpcPort }}"
- name: Guardrail__Worker__OpsListen
  value: "0.0.0.0:{{ .Values.workers.opsPort }}"
# Gateways call the pod directly (they balance and batch per worker), found through Redis.
- name: Guardrail__Worker__AdvertiseAddress
  value: "$(POD_IP):{{ .Values.workers.grpcPort }}"
- name: Guardrail__Worker__Id
  valueFrom:
    fieldRef:
      fieldPath: metadata.name
- name: Guardrail__Worker__Membership
  value: redis
- name: Guardrail__Worker__Redis
  value: {{ include "guardrail.redisAddress" . | quote }}
{{- with .Values.workers.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{- define "guardrail.workerPorts" -}}
- name: grpc
  containerPort: {{ .Values.workers.grpcPort }}
- name: ops
  containerPort: {{ .Values.workers.opsPort }}
{{- end -}}

{{- define "guardrail.workerProbes" -}}
startupProbe:
  httpGet:
    path: /healthz
    port: ops
  periodSeconds: 2
  failureThreshold: 60
livenessProbe:
  httpGet:
    path: /healthz
    port: ops
  periodSeconds: 10
  failureThreshold: 3
readinessProbe:
  httpGet:
    path: /readyz
    port: ops
  periodSeconds: 5
  failureThreshold: 2
volumeMounts:
  - name: tmp
    mountPath: /tmp
  - name: settings
    mountPath: /app/appsettings.Production.json
    subPath: worker.json
    readOnly: true
{{- end -}}

{{- define "guardrail.workerPodCommon" -}}
serviceAccountName: {{ include "guardrail.serviceAccountName" . }}
automountServiceAccountToken: false
securityContext:
  {{- toYaml .Values.podSecurityContext | nindent 2 }}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- range . }}
  - name: {{ . }}
  {{- end }}
{{- end }}
volumes:
  - name: tmp
    emptyDir: {}
  - name: settings
    configMap:
      name: {{ include "guardrail.fullname" . }}
{{- end -}}
