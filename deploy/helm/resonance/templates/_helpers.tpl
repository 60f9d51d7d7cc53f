{{/* Names and labels. */}}
{{- define "resonance.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "resonance.labels" -}}
app.kubernetes.io/part-of: resonance
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{/* Selector of one component: ctx = dict "root" $ "svc" name "component" api|worker|fold|migrations */}}
{{- define "resonance.selector" -}}
app.kubernetes.io/instance: {{ .root.Release.Name }}
{{ include "resonance.component" . }}
{{- end -}}

{{/* What a component adds to resonance.labels (which already names the instance). */}}
{{- define "resonance.component" -}}
app.kubernetes.io/name: {{ .svc }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* The components a service deploys, as a JSON list: api and worker, and fold where
     services.<svc>.fold.enabled (metrics: the share queue's fold in its own Deployment).
     ctx = a service's values */}}
{{- define "resonance.components" -}}
{{- $components := list "api" "worker" -}}
{{- if dig "fold" "enabled" false . -}}
{{- $components = append $components "fold" -}}
{{- end -}}
{{- toJson $components -}}
{{- end -}}

{{- define "resonance.image" -}}
{{- printf "%s/resonance-%s:%s" .root.Values.image.repository .svc (.root.Values.image.tag | default .root.Chart.AppVersion) -}}
{{- end -}}

{{/* The Secret holding a service's database URL, keys and client secrets. */}}
{{- define "resonance.secretName" -}}
{{- printf "%s-%s" (include "resonance.fullname" .root) .svc -}}
{{- end -}}

{{/* Strimzi KafkaUser of a principal; also the name of the Secret holding its password. */}}
{{- define "resonance.kafkaUser" -}}
{{- printf "%s-%s" (include "resonance.fullname" .root) .svc -}}
{{- end -}}

{{/* Environment of a service process, RESONANCE_<SVC>_* as its settings.py reads it.
     ctx = dict "root" $ "svc" name "background" bool */}}
{{- define "resonance.env" -}}
{{- $v := .root.Values -}}
{{- $p := printf "RESONANCE_%s_" (upper .svc) -}}
{{- $secret := include "resonance.secretName" . -}}
{{- $conf := index $v.services .svc -}}
- name: {{ $p }}DATABASE_URL
  valueFrom: {secretKeyRef: {name: {{ $secret }}, key: database-url}}
- name: {{ $p }}SECRET_KEYS
  valueFrom: {secretKeyRef: {name: {{ $secret }}, key: secret-keys, optional: {{ ne .svc "sharing" }}}}
- name: {{ $p }}DATABASE_POOL_SIZE
  value: {{ $v.defaults.databasePoolSize | quote }}
- name: {{ $p }}KAFKA_BOOTSTRAP_SERVERS
  value: {{ $v.kafka.bootstrapServers | quote }}
- name: {{ $p }}KAFKA_SECURITY_PROTOCOL
  value: {{ $v.kafka.securityProtocol | quote }}
- name: {{ $p }}KAFKA_SASL_MECHANISM
  value: {{ $v.kafka.saslMechanism | quote }}
- name: {{ $p }}KAFKA_USERNAME
  value: {{ include "resonance.kafkaUser" . | quote }}
- name: {{ $p }}KAFKA_PASSWORD
  valueFrom: {secretKeyRef: {name: {{ include "resonance.kafkaUser" . }}, key: password}}
- name: {{ $p }}KAFKA_SSL_CAFILE
  value: /etc/resonance/kafka-ca/ca.crt
- name: {{ $p }}OIDC_ISSUER
  value: {{ $v.oidc.issuer | quote }}
- name: {{ $p }}OIDC_AUDIENCE
  value: {{ $v.oidc.audience | quote }}
{{- if or (not $v.oidc.tenants) (has "*" $v.oidc.tenants) }}
{{- fail "oidc.tenants must list the tenants the identity provider speaks for (\"*\" is for the local stack only)" }}
{{- end }}
- name: {{ $p }}OIDC_TENANTS
  value: {{ $v.oidc.tenants | toJson | quote }}
- name: {{ $p }}OIDC_CLIENT_TENANTS
  value: {{ $v.oidc.clientTenants | default dict | toJson | quote }}
- name: {{ $p }}OTEL_EXPORTER
  value: {{ $v.otel.exporter | quote }}
- name: {{ $p }}OTEL_ENDPOINT
  value: {{ $v.otel.endpoint | quote }}
- name: {{ $p }}CORS_ALLOW_ORIGINS
  value: {{ $v.corsAllowOrigins | toJson | quote }}
- name: {{ $p }}LOG_LEVEL
  value: {{ $v.logLevel | quote }}
- name: {{ $p }}RUN_BACKGROUND_WORKERS
  value: {{ .background | quote }}
{{- if eq .svc "sharing" }}
- name: RESONANCE_SHARING_REDIRECT_URI_BASE
  value: {{ printf "%s/sharing" (trimSuffix "/" $v.publicUrl) | quote }}
- name: RESONANCE_SHARING_LINK_BASE_URL
  value: {{ printf "%s/l" (trimSuffix "/" $v.publicUrl) | quote }}
{{- end }}
{{- if eq .svc "metrics" }}
- name: RESONANCE_METRICS_PUBLIC_BASE_URL
  value: {{ printf "%s/metrics" (trimSuffix "/" $v.publicUrl) | quote }}
{{- end }}
{{- range $name, $value := $conf.env }}
- name: {{ $name }}
  value: {{ $value | quote }}
{{- end }}
{{- range $name, $key := $conf.secretEnv }}
- name: {{ $name }}
  valueFrom: {secretKeyRef: {name: {{ $secret }}, key: {{ $key }}}}
{{- end }}
{{- end -}}

{{- define "resonance.podSecurity" -}}
securityContext:
  runAsNonRoot: true
  seccompProfile: {type: RuntimeDefault}
{{- end -}}

{{- define "resonance.containerSecurity" -}}
securityContext:
  allowPrivilegeEscalation: false
  readOnlyRootFilesystem: true
  capabilities: {drop: [ALL]}
{{- end -}}
