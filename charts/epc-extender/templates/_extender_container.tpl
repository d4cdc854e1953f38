{{/*
The epc-extender container and its volumes, the same in both modes: a sidecar of kube-scheduler in
secondScheduler mode, the only container in extenderOnly mode. It listens on 0.0.0.0 so kubelet's probes (and
the Service) reach it on the pod IP; kube-scheduler in the same pod calls it on 127.0.0.1.
*/}}

{{- define "epc-extender.extenderArgs" -}}
- serve
- --listen
- {{ printf "0.0.0.0:%d" (int .Values.extender.port) | quote }}
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
- {{ .Values.extender.maxConnections | quote }}
- --shutdown-grace-period
- {{ .Values.extender.shutdownGracePeriod | quote }}
{{- range .Values.extender.extraArgs }}
- {{ . | quote }}
{{- end }}
{{- end -}}

{{/* mTLS probes cannot present a client certificate, so they fall back to the TCP port. */}}
{{- define "epc-extender.extenderProbe" -}}
{{- if and .root.Values.tls.enabled .root.Values.tls.clientAuth }}
tcpSocket:
  port: http
{{- else }}
httpGet:
  path: {{ .path }}
  port: http
  scheme: {{ ternary "HTTPS" "HTTP" .root.Values.tls.enabled }}
{{- end }}
{{- toYaml .timings | nindent 0 }}
{{- end -}}

{{- define "epc-extender.extenderContainer" -}}
- name: epc-extender
  image: {{ include "epc-extender.image" . | quote }}
  imagePullPolicy: {{ .Values.image.pullPolicy }}
  args:
    {{- include "epc-extender.extenderArgs" . | nindent 4 }}
  {{- with .Values.extender.extraEnv }}
  env:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  ports:
    - name: http
      containerPort: {{ .Values.extender.port }}
      protocol: TCP
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
