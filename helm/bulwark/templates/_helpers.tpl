{{/*
Named templates. The ones meant for use outside this chart (sidecar mode) read only `.Values`,
`.Release`, `.Chart` and `.Capabilities` from their context. From your own chart, list bulwark as
a dependency and pass them the subchart's scope, `.Subcharts.bulwark`:

  {{- $bw := .Subcharts.bulwark }}
  spec:
    template:
      metadata:
        annotations: {{- include "bulwark.podAnnotations" $bw | trim | nindent 10 }}
      spec:
        terminationGracePeriodSeconds: {{ include "bulwark.terminationGracePeriodSeconds" $bw }}
        initContainers:            # Kubernetes >= 1.29 (see bulwark.nativeSidecar); else under containers
          {{- include "bulwark.sidecarContainer" $bw | nindent 10 }}
        containers:
          - name: app
            env: {{- include "bulwark.appEnv" $bw | nindent 14 }}
        volumes:
          {{- include "bulwark.sidecarVolumes" $bw | nindent 10 }}

helm/examples/app-with-bulwark is a complete example (checked by helm/check.py), and
templates/example-app.yaml does the same inside this chart.
*/}}

{{- define "bulwark.name" -}}
{{- default "bulwark" .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "bulwark.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := include "bulwark.name" . -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "bulwark.selectorLabels" -}}
app.kubernetes.io/name: {{ include "bulwark.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "bulwark.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "bulwark.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: bulwark
{{- end -}}

{{- define "bulwark.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "bulwark.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "bulwark.configMapName" -}}
{{- printf "%s-config" (include "bulwark.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The Secret read with envFrom: an existing one, the chart-made one, or "" (none). */}}
{{- define "bulwark.secretName" -}}
{{- if .Values.secrets.existingSecret -}}
{{- .Values.secrets.existingSecret -}}
{{- else if .Values.secrets.create -}}
{{- printf "%s-secrets" (include "bulwark.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "bulwark.redisName" -}}
{{- printf "%s-redis" (include "bulwark.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "bulwark.image" -}}
{{- $tag := .Values.image.tag | default (.Chart | default dict).AppVersion | default "latest" -}}
{{- printf "%s:%s" .Values.image.repository (toString $tag) -}}
{{- end -}}

{{- define "bulwark.terminationGracePeriodSeconds" -}}
{{- add (int .Values.drain.preStopSleepSeconds) (int .Values.drain.streamSeconds) (int .Values.drain.marginSeconds) -}}
{{- end -}}

{{/* ---------------------------------------------------------------- proxy.toml */}}

{{/* The effective proxy.toml text. */}}
{{- define "bulwark.configToml" -}}
{{- if .Values.configToml -}}
{{- .Values.configToml -}}
{{- else -}}
{{- $defaults := dict "server" (dict "watch_config" true) -}}
{{- if .Values.otel.enabled -}}
{{- /* Bulwark names its own trace resource and sampler: give them the otel.* values. */ -}}
{{- $tracing := dict "enabled" true "sample_ratio" (float64 (toString .Values.otel.tracesSamplerArg)) -}}
{{- $_ := set $defaults "telemetry" (dict "service_name" (default (include "bulwark.fullname" .) .Values.otel.serviceName) "tracing" $tracing) -}}
{{- end -}}
{{- $cfg := mustMergeOverwrite $defaults (deepCopy (.Values.config | default dict)) -}}
{{- $forced := dict "server" (dict "shutdown_grace_seconds" (int .Values.drain.streamSeconds)) "state" (dict "data_dir" "/var/lib/bulwark") -}}
{{- if ne (toString .Values.redis.mode) "none" -}}
{{- $_ := set $forced.state "backend" "redis" -}}
{{- $_ := set $forced.state "redis_url" "${BULWARK_REDIS_URL}" -}}
{{- end -}}
{{- $cfg = mustMergeOverwrite $cfg $forced -}}
# proxy.toml rendered by the bulwark Helm chart from its `config` value.
{{ include "bulwark.toml.table" (dict "path" "" "map" $cfg) | trim }}
{{- end -}}
{{- end -}}

{{/* A TOML key: bare when it can be, else quoted. */}}
{{- define "bulwark.toml.key" -}}
{{- if regexMatch "^[A-Za-z0-9_-]+$" . -}}{{ . }}{{- else -}}{{ toJson . }}{{- end -}}
{{- end -}}

{{/* "true" when the value is a non-empty list made only of maps (an array of tables). */}}
{{- define "bulwark.toml.isTableArray" -}}
{{- if and (kindIs "slice" .) (gt (len .) 0) -}}
{{- $all := true -}}
{{- range . -}}{{- if not (kindIs "map" .) -}}{{- $all = false -}}{{- end -}}{{- end -}}
{{- if $all -}}true{{- end -}}
{{- end -}}
{{- end -}}

{{/* A TOML value. Helm reads numbers as float64: integral ones are written as integers. */}}
{{- define "bulwark.toml.value" -}}
{{- if kindIs "string" . -}}{{ toJson . }}
{{- else if kindIs "bool" . -}}{{ ternary "true" "false" . }}
{{- else if kindIs "float64" . -}}
{{- if eq (float64 (int64 .)) . -}}{{ int64 . }}{{- else -}}{{ . }}{{- end -}}
{{- else if or (kindIs "int" .) (kindIs "int64" .) (kindIs "int32" .) (kindIs "uint64" .) -}}{{ . }}
{{- else if kindIs "slice" . -}}
[{{- range $i, $e := . -}}{{- if $i }}, {{ end -}}{{ include "bulwark.toml.value" $e }}{{- end -}}]
{{- else if kindIs "map" . -}}
{{ "{" }}{{- range $i, $k := keys . | sortAlpha -}}{{- if $i }}, {{ end -}}{{ include "bulwark.toml.key" $k }} = {{ include "bulwark.toml.value" (get $ $k) }}{{- end -}}{{ "}" }}
{{- else -}}
{{- fail (printf "config: cannot write %v (a %s) as TOML" . (kindOf .)) -}}
{{- end -}}
{{- end -}}

{{/* A table at .path: its plain keys first, then its sub-tables and arrays of tables. */}}
{{- define "bulwark.toml.table" -}}
{{- $path := .path -}}
{{- $m := .map -}}
{{- range $k := keys $m | sortAlpha -}}
{{- $v := get $m $k -}}
{{- if not (or (kindIs "map" $v) (kindIs "invalid" $v) (include "bulwark.toml.isTableArray" $v)) }}
{{ include "bulwark.toml.key" $k }} = {{ include "bulwark.toml.value" $v }}
{{- end -}}
{{- end -}}
{{- range $k := keys $m | sortAlpha -}}
{{- $v := get $m $k -}}
{{- $p := include "bulwark.toml.key" $k -}}
{{- if $path -}}{{- $p = printf "%s.%s" $path $p -}}{{- end -}}
{{- if kindIs "map" $v }}

[{{ $p }}]
{{- include "bulwark.toml.table" (dict "path" $p "map" $v) -}}
{{- else if include "bulwark.toml.isTableArray" $v -}}
{{- range $item := $v }}

[[{{ $p }}]]
{{- include "bulwark.toml.table" (dict "path" $p "map" $item) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* ---------------------------------------------------------------- pod pieces */}}

{{/* Pod annotations: checksums that roll the pods when proxy.toml or a chart-made Secret changes. */}}
{{- define "bulwark.podAnnotations" -}}
{{- if .Values.rolloutOnConfigChange }}
checksum/bulwark-config: {{ include "bulwark.configToml" . | sha256sum }}
{{- if and .Values.secrets.create (not .Values.secrets.existingSecret) }}
checksum/bulwark-secrets: {{ toJson .Values.secrets.values | sha256sum }}
{{- end }}
{{- end }}
{{- with .Values.podAnnotations }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{- define "bulwark.redisUrlEnv" -}}
{{- if eq (toString .Values.redis.mode) "external" }}
{{- if .Values.redis.external.existingSecret }}
- name: BULWARK_REDIS_URL
  valueFrom:
    secretKeyRef:
      name: {{ .Values.redis.external.existingSecret }}
      key: {{ .Values.redis.external.existingSecretKey }}
{{- else }}
- name: BULWARK_REDIS_URL
  value: {{ required "redis.external.url or redis.external.existingSecret is required when redis.mode is external" .Values.redis.external.url | quote }}
{{- end }}
{{- else if eq (toString .Values.redis.mode) "bundled" }}
- name: BULWARK_REDIS_URL
  value: {{ printf "redis://%s:6379/0" (include "bulwark.redisName" .) | quote }}
{{- else if ne (toString .Values.redis.mode) "none" }}
{{- fail (printf "redis.mode must be none, external or bundled (got %q)" (toString .Values.redis.mode)) }}
{{- end }}
{{- end -}}

{{- define "bulwark.otelEnv" -}}
{{- if .Values.otel.enabled }}
- name: OTEL_SERVICE_NAME
  value: {{ default (include "bulwark.fullname" .) .Values.otel.serviceName | quote }}
- name: OTEL_EXPORTER_OTLP_ENDPOINT
  value: {{ required "otel.endpoint is required when otel.enabled" .Values.otel.endpoint | quote }}
- name: OTEL_EXPORTER_OTLP_PROTOCOL
  value: {{ .Values.otel.protocol | quote }}
- name: OTEL_TRACES_SAMPLER
  value: {{ .Values.otel.tracesSampler | quote }}
- name: OTEL_TRACES_SAMPLER_ARG
  value: {{ .Values.otel.tracesSamplerArg | toString | quote }}
- name: K8S_NAMESPACE_NAME
  valueFrom: {fieldRef: {fieldPath: metadata.namespace}}
- name: K8S_POD_NAME
  valueFrom: {fieldRef: {fieldPath: metadata.name}}
- name: K8S_NODE_NAME
  valueFrom: {fieldRef: {fieldPath: spec.nodeName}}
{{- $attrs := list "k8s.namespace.name=$(K8S_NAMESPACE_NAME)" "k8s.pod.name=$(K8S_POD_NAME)" "k8s.node.name=$(K8S_NODE_NAME)" }}
{{- range $k := keys .Values.otel.resourceAttributes | sortAlpha }}
{{- $attrs = append $attrs (printf "%s=%v" $k (get $.Values.otel.resourceAttributes $k)) }}
{{- end }}
- name: OTEL_RESOURCE_ATTRIBUTES
  value: {{ join "," $attrs | quote }}
{{- if and .Values.otel.headersSecret.name .Values.otel.headersSecret.key }}
- name: OTEL_EXPORTER_OTLP_HEADERS
  valueFrom:
    secretKeyRef:
      name: {{ .Values.otel.headersSecret.name }}
      key: {{ .Values.otel.headersSecret.key }}
{{- end }}
{{- end }}
{{- end -}}

{{/* The Bulwark container (a list item). Used by the gateway Deployment and, in sidecar mode,
     by your workload. `.native`: add restartPolicy: Always (native sidecar, initContainers). */}}
{{- define "bulwark.container" -}}
- name: bulwark
  image: {{ include "bulwark.image" . | quote }}
  imagePullPolicy: {{ .Values.image.pullPolicy }}
  {{- if .native }}
  restartPolicy: Always
  {{- end }}
  args:
    - --config
    - /etc/bulwark/proxy.toml
    - --host
    - 0.0.0.0
    - --port
    - {{ .Values.port | int | quote }}
    {{- if gt (int .Values.workers) 1 }}
    - --workers
    - {{ .Values.workers | int | quote }}
    {{- end }}
  ports:
    - name: bulwark-http
      containerPort: {{ .Values.port | int }}
      protocol: TCP
  env:
    - name: BULWARK_CONFIG
      value: /etc/bulwark/proxy.toml
    - name: BULWARK_LOG_LEVEL
      value: {{ .Values.logLevel | quote }}
    - name: TMPDIR
      value: /tmp
    {{- with include "bulwark.redisUrlEnv" . | trim }}
    {{- . | nindent 4 }}
    {{- end }}
    {{- with include "bulwark.otelEnv" . | trim }}
    {{- . | nindent 4 }}
    {{- end }}
    {{- with .Values.extraEnv }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  {{- $secret := include "bulwark.secretName" . }}
  {{- if $secret }}
  envFrom:
    - secretRef:
        name: {{ $secret }}
        optional: false
  {{- end }}
  startupProbe:
    httpGet:
      path: {{ .Values.probes.startup.path }}
      port: bulwark-http
    periodSeconds: {{ .Values.probes.startup.periodSeconds }}
    timeoutSeconds: {{ .Values.probes.startup.timeoutSeconds }}
    failureThreshold: {{ .Values.probes.startup.failureThreshold }}
  livenessProbe:
    httpGet:
      path: {{ .Values.probes.liveness.path }}
      port: bulwark-http
    periodSeconds: {{ .Values.probes.liveness.periodSeconds }}
    timeoutSeconds: {{ .Values.probes.liveness.timeoutSeconds }}
    failureThreshold: {{ .Values.probes.liveness.failureThreshold }}
  readinessProbe:
    httpGet:
      path: {{ .Values.probes.readiness.path }}
      port: bulwark-http
    periodSeconds: {{ .Values.probes.readiness.periodSeconds }}
    timeoutSeconds: {{ .Values.probes.readiness.timeoutSeconds }}
    failureThreshold: {{ .Values.probes.readiness.failureThreshold }}
  lifecycle:
    preStop:
      exec:
        command: ["sleep", {{ .Values.drain.preStopSleepSeconds | int | quote }}]
  resources:
    {{- toYaml .Values.resources | nindent 4 }}
  securityContext:
    {{- toYaml .Values.securityContext | nindent 4 }}
  volumeMounts:
    # A directory mount (no subPath), so ConfigMap updates reach the file in place.
    - name: bulwark-config
      mountPath: /etc/bulwark
      readOnly: true
    - name: bulwark-tmp
      mountPath: /tmp
    - name: bulwark-data
      mountPath: /var/lib/bulwark
{{- end -}}

{{/* Sidecar mode: true when Bulwark should run as a native sidecar (init container). */}}
{{- define "bulwark.nativeSidecar" -}}
{{- $n := toString .Values.sidecar.native -}}
{{- if eq $n "true" -}}true
{{- else if eq $n "auto" -}}
{{- if and .Capabilities (semverCompare ">=1.29.0-0" .Capabilities.KubeVersion.Version) -}}true{{- end -}}
{{- end -}}
{{- end -}}

{{/* The sidecar container to add to an existing workload (under containers, or under
     initContainers when bulwark.nativeSidecar is "true"). */}}
{{- define "bulwark.sidecarContainer" -}}
{{- $ctx := dict "Values" .Values "Release" .Release "Chart" .Chart "Capabilities" .Capabilities "native" (eq (include "bulwark.nativeSidecar" .) "true") -}}
{{- include "bulwark.container" $ctx -}}
{{- end -}}

{{/* The volumes the Bulwark container mounts (list items for the pod's `volumes`). */}}
{{- define "bulwark.sidecarVolumes" -}}
- name: bulwark-config
  configMap:
    name: {{ include "bulwark.configMapName" . }}
    items:
      - key: proxy.toml
        path: proxy.toml
- name: bulwark-tmp
  emptyDir:
    sizeLimit: {{ .Values.volumes.tmpSizeLimit }}
- name: bulwark-data
  emptyDir:
    sizeLimit: {{ .Values.volumes.dataSizeLimit }}
{{- end -}}

{{/* Env for an app container next to a Bulwark sidecar: OPENAI_BASE_URL and OPENAI_API_KEY. */}}
{{- define "bulwark.appEnv" -}}
- name: OPENAI_BASE_URL
  value: {{ printf "http://127.0.0.1:%d/v1" (int .Values.port) | quote }}
{{- $secret := include "bulwark.secretName" . }}
{{- if $secret }}
- name: OPENAI_API_KEY
  valueFrom:
    secretKeyRef:
      name: {{ $secret }}
      key: BULWARK_CLIENT_KEY
{{- end }}
{{- end -}}
