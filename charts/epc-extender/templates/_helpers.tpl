{{/*
Names, labels and the pieces shared by both modes. Everything that derives one value from several (URLs, the
nanosecond timeout, whether leader election is on) lives here so the templates that use it agree.
*/}}

{{- define "epc-extender.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "epc-extender.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "epc-extender.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The component label: what the pods run. */}}
{{- define "epc-extender.component" -}}
{{- if eq .Values.mode "secondScheduler" -}}scheduler{{- else -}}extender{{- end -}}
{{- end -}}

{{/* The labels selecting one component's pods: (dict "root" $ "component" "scheduler"). */}}
{{- define "epc-extender.componentSelectorLabels" -}}
app.kubernetes.io/name: {{ include "epc-extender.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "epc-extender.selectorLabels" -}}
{{- include "epc-extender.componentSelectorLabels" (dict "root" . "component" (include "epc-extender.component" .)) -}}
{{- end -}}

{{- define "epc-extender.labels" -}}
{{- include "epc-extender.componentLabels" (dict "root" . "component" (include "epc-extender.component" .)) -}}
{{- end -}}

{{/* Every recommended label, for an object of the given component: (dict "root" $ "component" "helm-test"). */}}
{{- define "epc-extender.componentLabels" -}}
{{- with .root -}}
helm.sh/chart: {{ include "epc-extender.chart" . }}
{{ include "epc-extender.componentSelectorLabels" (dict "root" . "component" $.component) }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/part-of: epc-extender
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}
{{- end -}}

{{/*
The Deployment's name, different in each mode: its selector holds the component label, which a Deployment
cannot change, so an upgrade that switches mode creates a new Deployment (and Helm deletes the old one) instead of
failing on an immutable selector. The full name is shortened first so the suffix always survives.
*/}}
{{- define "epc-extender.deploymentName" -}}
{{- $suffix := include "epc-extender.component" . -}}
{{- printf "%s-%s" (include "epc-extender.fullname" . | trunc (int (sub 62 (len $suffix))) | trimSuffix "-") $suffix -}}
{{- end -}}

{{/*
A cluster-scoped name (ClusterRole, ClusterRoleBinding; and the RoleBinding in kube-system, shared by every
namespace): the release namespace comes first, so one release name in two namespaces never collides.
*/}}
{{- define "epc-extender.clusterScopedName" -}}
{{- printf "%s-%s-%s" .root.Release.Namespace (include "epc-extender.fullname" .root) .suffix -}}
{{- end -}}

{{- define "epc-extender.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "epc-extender.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* "repository@digest" when a digest is set (it pins the bytes), else "repository:tag". */}}
{{- define "epc-extender.imageRef" -}}
{{- if .image.digest -}}
{{- printf "%s@%s" .image.repository .image.digest -}}
{{- else -}}
{{- printf "%s:%s" .image.repository (default .defaultTag .image.tag) -}}
{{- end -}}
{{- end -}}

{{- define "epc-extender.image" -}}
{{- include "epc-extender.imageRef" (dict "image" .Values.image "defaultTag" .Chart.AppVersion) -}}
{{- end -}}

{{/* kube-scheduler's image: the set tag, or else the cluster's own release. */}}
{{- define "epc-extender.schedulerImage" -}}
{{- include "epc-extender.imageRef" (dict "image" .Values.scheduler.image "defaultTag" (include "epc-extender.clusterRelease" .)) -}}
{{- end -}}

{{/*
The cluster's upstream release as a kube-scheduler image tag, "vMAJOR.MINOR.PATCH": vendor suffixes such as
"+k3s1", "-gke.1217000" or "-eks-4f4795d" are dropped (registry.k8s.io has no such tags).
*/}}
{{- define "epc-extender.clusterRelease" -}}
{{- printf "v%s" (regexFind "[0-9]+\\.[0-9]+\\.[0-9]+" .Capabilities.KubeVersion.Version) -}}
{{- end -}}

{{/*
NOTES: a warning when a set scheduler.image.tag is a newer minor release than the cluster (kube-scheduler must not
be newer than the API server) or more than one minor release behind it; "" when the tag is fine, derived or
replaced by a digest.
*/}}
{{- define "epc-extender.schedulerTagWarning" -}}
{{- $tag := .Values.scheduler.image.tag -}}
{{- if and $tag (not .Values.scheduler.image.digest) -}}
{{- $cluster := include "epc-extender.clusterRelease" . -}}
{{- $minor := regexFind "^v?[0-9]+\\.[0-9]+" $tag -}}
{{- $t := $minor | trimPrefix "v" | splitList "." -}}
{{- $c := $cluster | trimPrefix "v" | splitList "." -}}
{{- if not $minor -}}
WARNING: scheduler.image.tag {{ $tag }} is not a vMAJOR.MINOR.PATCH release, so the chart cannot compare it with the
cluster's {{ $cluster }}. kube-scheduler must be the cluster's minor release or one behind it.
{{- else if or (ne (index $t 0) (index $c 0)) (gt (int (index $t 1)) (int (index $c 1))) -}}
WARNING: scheduler.image.tag {{ $tag }} is newer than the cluster ({{ $cluster }}). kube-scheduler must not be newer
than the API server; unset scheduler.image.tag to run {{ $cluster }}.
{{- else if lt (int (index $t 1)) (sub (int (index $c 1)) 1) -}}
WARNING: scheduler.image.tag {{ $tag }} is more than one minor release behind the cluster ({{ $cluster }}), outside
Kubernetes' version skew policy; unset scheduler.image.tag to run {{ $cluster }}.
{{- end -}}
{{- end -}}
{{- end -}}

{{/*
"true" when the extender runs as a native sidecar (an init container with restartPolicy: Always), so kubelet
starts kube-scheduler only once the extender's startup probe has seen /readyz: forced by the value, else on from
Kubernetes 1.29, where the SidecarContainers feature is on by default. "" otherwise.
*/}}
{{- define "epc-extender.nativeSidecar" -}}
{{- $n := .Values.scheduler.nativeSidecar -}}
{{- if kindIs "bool" $n -}}
{{- if $n }}true{{ end -}}
{{- else if semverCompare ">=1.29.0-0" .Capabilities.KubeVersion.Version -}}
true
{{- end -}}
{{- end -}}

{{/* The verbs listener's address: loopback in secondScheduler mode, where only the kube-scheduler in the same
pod calls it; every address in extenderOnly mode, where kube-scheduler calls through the Service. */}}
{{- define "epc-extender.verbsHost" -}}
{{- ternary "127.0.0.1" "0.0.0.0" (eq .Values.mode "secondScheduler") -}}
{{- end -}}

{{/* The Service's in-cluster DNS name. */}}
{{- define "epc-extender.serviceHost" -}}
{{- printf "%s.%s.svc" (include "epc-extender.fullname" .) .Release.Namespace -}}
{{- end -}}

{{/* The path prefix as the extender normalizes it: leading "/", no trailing "/"; empty stays empty. */}}
{{- define "epc-extender.pathPrefix" -}}
{{- $p := trimSuffix "/" .Values.extender.pathPrefix -}}
{{- if and $p (not (hasPrefix "/" $p)) -}}/{{- end -}}{{ $p }}
{{- end -}}

{{/*
The URL kube-scheduler calls before "/<verb>". secondScheduler: the sidecar on loopback (same pod, so the
leader's scheduler always talks to its own extender). extenderOnly: the Service, by pinned ClusterIP when one is
set, because a control-plane kube-scheduler on the host network usually cannot resolve cluster DNS.
*/}}
{{- define "epc-extender.urlPrefix" -}}
{{- if eq .Values.mode "secondScheduler" -}}
{{- printf "http://127.0.0.1:%d%s" (int .Values.extender.port) (include "epc-extender.pathPrefix" .) -}}
{{- else if .Values.extenderOnly.urlPrefix -}}
{{- .Values.extenderOnly.urlPrefix -}}
{{- else -}}
{{- $scheme := ternary "https" "http" .Values.tls.enabled -}}
{{- $host := default (include "epc-extender.serviceHost" .) .Values.service.clusterIP -}}
{{- printf "%s://%s:%d%s" $scheme $host (int .Values.service.port) (include "epc-extender.pathPrefix" .) -}}
{{- end -}}
{{- end -}}

{{/* A Go duration ("15s", "1m30s", "1.5s", "500ms"; the schema keeps the extender's to Ns, Nms, Nm) in integer
nanoseconds, as Go's time.Duration counts: the legacy Policy's httpTimeout is written so, and every duration check
compares these. */}}
{{- define "epc-extender.nanoseconds" -}}
{{- $units := dict "ns" 1.0 "us" 1000.0 "ms" 1000000.0 "s" 1000000000.0 "m" 60000000000.0 "h" 3600000000000.0 -}}
{{- $total := 0.0 -}}
{{- range regexFindAll "[0-9]+(\\.[0-9]+)?(ns|us|ms|s|m|h)" . -1 -}}
{{- $unit := regexFind "(ns|us|ms|s|m|h)$" . -}}
{{- $total = addf $total (mulf (trimSuffix $unit . | float64) (get $units $unit)) -}}
{{- end -}}
{{- $total | int64 -}}
{{- end -}}

{{/* The pod's terminationGracePeriodSeconds: the extender's shutdown grace period rounded up, plus 5 s for the
process to exit after it, and never below Kubernetes' default 30 s. */}}
{{- define "epc-extender.terminationGracePeriodSeconds" -}}
{{- $grace := include "epc-extender.nanoseconds" .Values.extender.shutdownGracePeriod | int64 -}}
{{- max 30 (add (div (add $grace 999999999) 1000000000) 5) -}}
{{- end -}}

{{/* "true" when the scheduler replicas elect a leader: forced by the value, else on with more than one. */}}
{{- define "epc-extender.leaderElect" -}}
{{- $e := .Values.scheduler.leaderElection.enabled -}}
{{- if kindIs "bool" $e -}}{{ $e }}{{- else -}}{{ gt (int .Values.scheduler.replicas) 1 }}{{- end -}}
{{- end -}}

{{/* The Secret holding the extender's serving certificate. */}}
{{- define "epc-extender.tlsSecretName" -}}
{{- default (printf "%s-tls" (include "epc-extender.fullname" .)) .Values.tls.existingSecret -}}
{{- end -}}

{{/* The Secret holding kube-scheduler's client certificate (mTLS). */}}
{{- define "epc-extender.clientSecretName" -}}
{{- default (printf "%s-scheduler-client" (include "epc-extender.fullname" .)) .Values.tls.existingClientSecret -}}
{{- end -}}

{{- define "epc-extender.tlsServerName" -}}
{{- default (include "epc-extender.serviceHost" .) .Values.tls.serverName -}}
{{- end -}}

{{/*
The fields of one extender entry shared by the v1 configuration and the legacy Policy; the caller adds the TLS
and timeout keys, whose names and formats differ between the two.
*/}}
{{- define "epc-extender.extenderCommon" -}}
urlPrefix: {{ include "epc-extender.urlPrefix" . | quote }}
{{- if .Values.extender.filter }}
filterVerb: filter
{{- end }}
{{- if .Values.extender.prioritize }}
prioritizeVerb: prioritize
{{- end }}
{{- if .Values.extender.preempt }}
preemptVerb: preempt
{{- end }}
{{- if .Values.extender.bind }}
bindVerb: bind
{{- end }}
weight: {{ int64 .Values.extender.weight }}
nodeCacheCapable: {{ .Values.extender.nodeCacheCapable }}
ignorable: {{ .Values.extender.ignorable }}
{{- if not (include "epc-extender.steerNonEpcPods" .) }}
managedResources:
{{- range .Values.extender.resourceNames }}
  - name: {{ . | quote }}
    ignoredByScheduler: {{ $.Values.extender.ignoredByScheduler }}
{{- end }}
{{- end }}
{{- end -}}

{{/* tlsConfig for kube-scheduler: verify the extender against the CA; present a client cert for mTLS. */}}
{{- define "epc-extender.schedulerTlsConfig" -}}
tlsConfig:
  serverName: {{ include "epc-extender.tlsServerName" . | quote }}
  caFile: {{ .Values.tls.schedulerFiles.caFile | quote }}
{{- if .Values.tls.clientAuth }}
  certFile: {{ .Values.tls.schedulerFiles.certFile | quote }}
  keyFile: {{ .Values.tls.schedulerFiles.keyFile | quote }}
{{- end }}
{{- end -}}

{{/* requests/limits without the empty entries (an empty string is "no limit"). */}}
{{- define "epc-extender.resources" -}}
{{- range $kind := list "requests" "limits" }}
{{- $set := dict }}
{{- range $k, $v := (get $.resources $kind | default dict) }}
{{- if $v }}{{ $_ := set $set $k $v }}{{ end }}
{{- end }}
{{- if $set }}
{{ $kind }}:
{{- toYaml $set | nindent 2 }}
{{- end }}
{{- end }}
{{- end -}}

{{/*
Consistency checks that span several values (the schema checks each value alone). Each message names the
values involved and what they were set to.
*/}}
{{- define "epc-extender.validate" -}}
{{- $e := .Values.extender -}}
{{- if and $e.prioritize (le (int64 $e.weight) 0) -}}
{{- fail (printf "extender.weight must be > 0 while extender.prioritize is true (kube-scheduler rejects it); got %v" $e.weight) -}}
{{- end -}}
{{- if not (or $e.filter $e.prioritize $e.preempt $e.bind) -}}
{{- fail "extender: filter, prioritize, preempt and bind are all false, so kube-scheduler would never call it" -}}
{{- end -}}
{{- if and $e.ignoredByScheduler (include "epc-extender.steerNonEpcPods" .) -}}
{{- fail "extender.ignoredByScheduler=true needs extender.steerNonEpcPods=false: ignoredByScheduler belongs to managedResources entries, which steering non-EPC pods leaves out" -}}
{{- end -}}
{{- if ge (include "epc-extender.nanoseconds" $e.startupWait | int64) (include "epc-extender.nanoseconds" $e.httpTimeout | int64) -}}
{{- fail (printf "extender.startupWait (%s) must be shorter than extender.httpTimeout (%s): kube-scheduler would give up on a call the extender is still holding for its first lists" $e.startupWait $e.httpTimeout) -}}
{{- end -}}
{{- if ge (include "epc-extender.nanoseconds" $e.recheck.timeout | int64) (include "epc-extender.nanoseconds" $e.httpTimeout | int64) -}}
{{- fail (printf "extender.recheck.timeout (%s) must be shorter than extender.httpTimeout (%s): a filter call waits for its fresh reads, so kube-scheduler would give up on a filter still waiting for them" $e.recheck.timeout $e.httpTimeout) -}}
{{- end -}}
{{- if eq (int $e.monitoringPort) (int $e.port) -}}
{{- fail (printf "extender.monitoringPort and extender.port are both %v: the monitoring listener (probes, /metrics) needs a port of its own" $e.port) -}}
{{- end -}}
{{- if and (eq .Values.mode "secondScheduler") (has 10259 (list (int $e.port) (int $e.monitoringPort))) -}}
{{- fail "extender.port and extender.monitoringPort must not be 10259: kube-scheduler listens there in the same pod" -}}
{{- end -}}
{{- if and $e.ignoredByScheduler (not $e.acknowledgeNoEpcPreemption) -}}
{{- fail "extender.ignoredByScheduler=true stops EPC preemption: kube-scheduler's preemption dry run then no longer sees the EPC shortage, so a pod whose EPC is held by lower-priority pods stays pending forever and the extender's preempt verb is never asked. Keep ignoredByScheduler=false, or set extender.acknowledgeNoEpcPreemption=true to accept that (docs/kube-scheduler.md)" -}}
{{- end -}}
{{- if le (include "epc-extender.nanoseconds" $e.readTimeout | int64) (include "epc-extender.nanoseconds" $e.httpTimeout | int64) -}}
{{- fail (printf "extender.readTimeout (%s) must be longer than extender.httpTimeout (%s): the extender would close connections kube-scheduler is still waiting on" $e.readTimeout $e.httpTimeout) -}}
{{- end -}}
{{- /* The binary refuses a flag given twice, so a repeat in extraArgs would crash-loop the pod. */ -}}
{{- $fromValues := dict "--listen" "extender.port" "--monitoring-listen" "extender.monitoringPort" "--startup-wait" "extender.startupWait" "--prefix" "extender.pathPrefix" "--config" "scoring.*" "--log-level" "extender.logLevel" "--log-format" "extender.logFormat" "--read-timeout" "extender.readTimeout" "--idle-timeout" "extender.idleTimeout" "--max-connections" "extender.maxConnections" "--shutdown-grace-period" "extender.shutdownGracePeriod" "--recheck-reads" "extender.recheck.reads" "--recheck-timeout" "extender.recheck.timeout" "--recheck-qps" "extender.recheck.qps" -}}
{{- range $e.extraArgs -}}
{{- $flag := regexReplaceAll "=.*$" (toString .) "" -}}
{{- if hasKey $fromValues $flag -}}
{{- fail (printf "extender.extraArgs: %s comes from %s; set that value instead (epc-extender refuses a flag given twice)" $flag (get $fromValues $flag)) -}}
{{- end -}}
{{- end -}}
{{- if and (eq .Values.mode "extenderOnly") $e.bind (gt (int $e.replicas) 1) -}}
{{- fail (printf "extender.bind=true needs extender.replicas=1 (each replica keeps its own EPC ledger); got %v" $e.replicas) -}}
{{- end -}}
{{- if .Values.tls.enabled -}}
{{- if eq .Values.mode "secondScheduler" -}}
{{- fail "tls.enabled applies to mode=extenderOnly; in secondScheduler mode kube-scheduler calls the extender on 127.0.0.1 inside the pod" -}}
{{- end -}}
{{- if not (or .Values.tls.existingSecret .Values.tls.certManager.enabled) -}}
{{- fail "tls.enabled=true needs tls.existingSecret or tls.certManager.enabled=true" -}}
{{- end -}}
{{- if and (not .Values.tls.existingSecret) (not .Values.tls.certManager.issuerRef.name) -}}
{{- fail "tls.certManager.enabled=true needs tls.certManager.issuerRef.name" -}}
{{- end -}}
{{- if and .Values.tls.clientAuth (not .Values.tls.existingClientSecret) (not .Values.tls.certManager.enabled) -}}
{{- fail "tls.clientAuth=true needs tls.existingClientSecret (kube-scheduler's client certificate) or tls.certManager.enabled=true" -}}
{{- end -}}
{{- end -}}
{{- if eq .Values.mode "secondScheduler" -}}
{{- if semverCompare "<1.25.0-0" .Capabilities.KubeVersion.Version -}}
{{- fail (printf "mode=secondScheduler renders kubescheduler.config.k8s.io/v1, which needs Kubernetes 1.25 or newer; this cluster is %s. Use mode=extenderOnly instead: on 1.23 and 1.24 put its extenders: stanza in your kube-scheduler's kubescheduler.config.k8s.io/v1beta3 (or v1beta2) configuration, which takes the same keys; the legacy Policy file works only before 1.23" .Capabilities.KubeVersion.Version) -}}
{{- end -}}
{{- if and (eq (toString .Values.scheduler.nativeSidecar) "true") (semverCompare "<1.28.0-0" .Capabilities.KubeVersion.Version) -}}
{{- fail (printf "scheduler.nativeSidecar=true needs Kubernetes 1.28 or newer (init containers with restartPolicy: Always; on 1.28 behind the SidecarContainers feature gate, on by default from 1.29); this cluster is %s" .Capabilities.KubeVersion.Version) -}}
{{- end -}}
{{- $le := .Values.scheduler.leaderElection -}}
{{- $lease := include "epc-extender.nanoseconds" $le.leaseDuration | float64 -}}
{{- $renew := include "epc-extender.nanoseconds" $le.renewDeadline | float64 -}}
{{- $retry := include "epc-extender.nanoseconds" $le.retryPeriod | float64 -}}
{{- if le $lease $renew -}}
{{- fail (printf "scheduler.leaderElection.leaseDuration (%s) must be longer than renewDeadline (%s): kube-scheduler refuses to start with leader election otherwise" $le.leaseDuration $le.renewDeadline) -}}
{{- end -}}
{{- if le $renew (mulf $retry 1.2) -}}
{{- fail (printf "scheduler.leaderElection.renewDeadline (%s) must be longer than 1.2 x retryPeriod (%s): kube-scheduler refuses to start with leader election otherwise" $le.renewDeadline $le.retryPeriod) -}}
{{- end -}}
{{- end -}}
{{- if and (eq .Values.mode "extenderOnly") (eq .Values.service.type "NodePort") (not .Values.extenderOnly.urlPrefix) -}}
{{- fail (printf "service.type=NodePort needs extenderOnly.urlPrefix, e.g. %s://<a node's address>:<service.nodePort>%s: the chart cannot know a node's address, and without it kube-scheduler would be given the Service's DNS name and port %v, which a host-network kube-scheduler cannot use. Set service.nodePort too, so the port is known before install" (ternary "https" "http" .Values.tls.enabled) (include "epc-extender.pathPrefix" .) .Values.service.port) -}}
{{- end -}}
{{- end -}}

{{/*
"true" when every pod is to reach the extender (managedResources left out), "" otherwise. An unset
extender.steerNonEpcPods follows the mode: a second scheduler only sees pods that opted in, but the
cluster's own scheduler in extenderOnly mode would make every pod depend on the extender.
*/}}
{{- define "epc-extender.steerNonEpcPods" -}}
{{- $steer := .Values.extender.steerNonEpcPods -}}
{{- if kindIs "invalid" $steer -}}
{{- $steer = eq .Values.mode "secondScheduler" -}}
{{- end -}}
{{- if $steer }}true{{ end -}}
{{- end }}
