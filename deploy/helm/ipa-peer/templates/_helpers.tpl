{{- define "ipa-peer.fullname" -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "ipa-peer.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
ipa.dev/peer-id: {{ .Values.peerId | quote }}
{{- end -}}

{{- define "ipa-peer.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "ipa-peer.tlsSecret" -}}
{{- default (printf "%s-tls" (include "ipa-peer.fullname" .)) .Values.tls.existingSecret -}}
{{- end -}}

{{- define "ipa-peer.adminSecret" -}}
{{- default (printf "%s-admin" (include "ipa-peer.fullname" .)) .Values.admin.existingSecret -}}
{{- end -}}
