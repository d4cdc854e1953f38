{{/*
The epc-extender container and its volumes: a sidecar of kube-scheduler in secondScheduler mode, the only
container in extenderOnly mode. Two listeners:
- the verbs (with /status and /debug/state, which name pods) on extender.port: 127.0.0.1 in secondScheduler mode,
  where only the kube-scheduler in the same pod calls it; 0.0.0.0 in extenderOnly mode, for the Service, behind
  TLS/mTLS and the NetworkPolicy when set;
- the monitoring listener on extender.monitoringPort, 0.0.0.0, always plain HTTP: /healthz, /readyz, /version and
  /metrics only, for kubelet's probes and Prometheus.
*/}}

{{- define "epc-extender.extenderArgs" -}}
- serve
- --listen
- {{ printf "%s:%d" (include "epc-extender.verbsHost" .) (int .Values.extender.port) | quote }}
- --monitoring-listen
- {{ printf "0.0.0.0:%d" (int .Values.extender.monitoringPort) | quote }}
{{- with (include "epc-extender.pathPrefix" .) }}
- --prefix
- {{ . | quote }}
{{- end }}
- --config
- /etc/epc-extender/config/scoring.yaml
- --log-level
- {{ .Values.extender.logLevel | quote }}
- --log-format
- {{ .Values.extender.logFormat | quote }}
{{- if .Values.tls.enabled }}
- --tls-cert-file
- /etc/epc-extender/tls/tls.crt
- --tls-private-key-file
- /etc/epc-extender/tls/tls.key
{{- if .Values.tls.clientAuth }}
- --client-ca-file
- /etc/epc-extender/tls/ca.crt
{{- end }}
{{- end }}
- --read-timeout
- {{ .Values.extender.readTimeout | quote }}
- --idle-timeout
- {{ .Values.extender.idleTimeout | quote }}
- --max-connections
- {{ .Values.extender.maxConnections | int64 | quote }}
- --shutdown-grace-period
- {{ .Values.extender.shutdownGracePeriod | quote }}
- --startup-wait
- {{ .Values.extender.startupWait | quote }}
{{- /* int64: a number from a values file reaches the template as a float64, which would print 1000000 as 1e+06 */}}
- --recheck-reads
- {{ .Values.extender.recheck.reads | int64 | quote }}
- --recheck-timeout
- {{ .Values.extender.recheck.timeout | quote }}
- --recheck-qps
- {{ .Values.extender.recheck.qps | int64 | quote }}
{{- range .Values.extender.extraArgs }}
- {{ . | quote }}
{{- end }}
{{- end -}}

{{/* Probes go to the monitoring listener: plain HTTP whatever TLS the verbs use, so they need no certificate. */}}
{{- define "epc-extender.extenderProbe" -}}
httpGet:
  path: {{ .path }}
  port: monitoring
  scheme: HTTP
{{- toYaml .timings | nindent 0 }}
{{- end -}}

{{/*
As a native sidecar (secondScheduler mode, scheduler.nativeSidecar) the container is an init container with
restartPolicy: Always: kubelet starts kube-scheduler only after its startup probe has seen /readyz (the first
lists of nodes and pods are in), keeps it running beside kube-scheduler, and stops it after kube-scheduler.
*/}}
{{- define "epc-extender.extenderContainer" -}}
{{- $native := and (eq .Values.mode "secondScheduler") (include "epc-extender.nativeSidecar" .) }}
- name: epc-extender
  image: {{ include "epc-extender.image" . | quote }}
  imagePullPolicy: {{ .Values.image.pullPolicy }}
  {{- if $native }}
  restartPolicy: Always
  {{- end }}
  args:
    {{- include "epc-extender.extenderArgs" . | nindent 4 }}
  env:
    {{- /* The consolidation lease names its holder by pod; it lives in the pod's namespace. */}}
    - name: POD_NAME
      valueFrom:
        fieldRef:
          fieldPath: metadata.name
    - name: POD_NAMESPACE
      valueFrom:
        fieldRef:
          fieldPath: metadata.namespace
    {{- with .Values.extender.extraEnv }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  ports:
    {{- if eq .Values.mode "extenderOnly" }}
    - name: http
      containerPort: {{ .Values.extender.port }}
      protocol: TCP
    {{- end }}
    - name: monitoring
      containerPort: {{ .Values.extender.monitoringPort }}
      protocol: TCP
  {{- if $native }}
  startupProbe:
    {{- include "epc-extender.extenderProbe" (dict "root" . "path" "/readyz" "timings" .Values.extender.startupProbe) | trim | nindent 4 }}
  {{- end }}
  livenessProbe:
    {{- include "epc-extender.extenderProbe" (dict "root" . "path" "/healthz" "timings" .Values.extender.livenessProbe) | trim | nindent 4 }}
  readinessProbe:
    {{- include "epc-extender.extenderProbe" (dict "root" . "path" "/readyz" "timings" .Values.extender.readinessProbe) | trim | nindent 4 }}
  resources:
    {{- include "epc-extender.resources" (dict "resources" .Values.extender.resources) | trim | nindent 4 }}
  securityContext:
    {{- toYaml .Values.securityContext | nindent 4 }}
  volumeMounts:
    - name: scoring-config
      mountPath: /etc/epc-extender/config
      readOnly: true
    {{- if .Values.tls.enabled }}
    - name: tls
      mountPath: /etc/epc-extender/tls
      readOnly: true
    {{- end }}
{{- end -}}

{{/* Mounted as a directory, not subPath, so kubelet's ConfigMap updates reach the file for a live reload. */}}
{{- define "epc-extender.extenderVolumes" -}}
- name: scoring-config
  configMap:
    name: {{ include "epc-extender.fullname" . }}-scoring
{{- if .Values.tls.enabled }}
- name: tls
  secret:
    secretName: {{ include "epc-extender.tlsSecretName" . }}
{{- end }}
{{- end -}}

{{/* Pod-level settings shared by both Deployments. */}}
{{- define "epc-extender.podSpecCommon" -}}
serviceAccountName: {{ include "epc-extender.serviceAccountName" . }}
automountServiceAccountToken: true
terminationGracePeriodSeconds: {{ include "epc-extender.terminationGracePeriodSeconds" . }}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.priorityClassName }}
priorityClassName: {{ . }}
{{- end }}
securityContext:
  {{- toYaml .Values.podSecurityContext | nindent 2 }}
{{- with .Values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.topologySpreadConstraints }}
topologySpreadConstraints:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{/* Pod metadata: labels plus the checksums that roll the pods when their config changes. */}}
{{- define "epc-extender.podMetadata" -}}
labels:
  {{- include "epc-extender.labels" . | nindent 2 }}
  {{- with .Values.podLabels }}
  {{- toYaml . | nindent 2 }}
  {{- end }}
annotations:
  {{- if .Values.scoring.restartOnChange }}
  checksum/scoring-config: {{ include (print $.Template.BasePath "/configmap-scoring.yaml") . | sha256sum }}
  {{- end }}
  {{- if eq .Values.mode "secondScheduler" }}
  checksum/scheduler-config: {{ include (print $.Template.BasePath "/configmap-scheduler.yaml") . | sha256sum }}
  {{- end }}
  {{- with .Values.podAnnotations }}
  {{- toYaml . | nindent 2 }}
  {{- end }}
{{- end -}}
