{{/* Names, labels and the pieces every Guardrail pod shares. */}}

{{- define "guardrail.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "guardrail.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{/* Selector labels of one component: call with (dict "root" $ "component" "gateway"). */}}
{{- define "guardrail.selector" -}}
app.kubernetes.io/name: {{ .root.Chart.Name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "guardrail.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "guardrail.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* An image reference: call with (dict "root" $ "image" .Values.gateway.image). */}}
{{- define "guardrail.image" -}}
{{- printf "%s%s:%s" .root.Values.imageRegistry .image.repository .image.tag -}}
{{- end -}}

{{/* The Redis address every component uses (StackExchange.Redis syntax, password added from
     the REDIS_PASSWORD variable when a password Secret is named). */}}
{{- define "guardrail.redisAddress" -}}
{{- if .Values.redis.bundled.enabled -}}
{{- printf "%s-redis:6379" (include "guardrail.fullname" .) -}}
{{- else -}}
{{- .Values.redis.external.address -}}
{{- end -}}
{{- if .Values.redis.passwordSecret.name -}},password=$(REDIS_PASSWORD){{- end -}}
{{- end -}}

{{/* Environment shared by gateways and workers: the Redis password and the chart's Secret. */}}
{{- define "guardrail.redisPasswordEnv" -}}
{{- if .Values.redis.passwordSecret.name }}
- name: REDIS_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ .Values.redis.passwordSecret.name }}
      key: {{ .Values.redis.passwordSecret.key }}
{{- end }}
{{- end -}}

{{/* Annotations that roll pods when the chart's ConfigMap or Secret changes. */}}
{{- define "guardrail.checksums" -}}
checksum/config: {{ include (print .Template.BasePath "/configmap.yaml") . | sha256sum }}
checksum/secret: {{ include (print .Template.BasePath "/secret.yaml") . | sha256sum }}
{{- end -}}
