{{- define "ipa-federation.fullname" -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 50 | trimSuffix "-" -}}
{{- end -}}

{{- define "ipa-federation.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "ipa-federation.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "ipa-federation.headless" -}}
{{- printf "%s-peers" (include "ipa-federation.fullname" .) -}}
{{- end -}}

{{- define "ipa-federation.adminSecret" -}}
{{- default (printf "%s-admin" (include "ipa-federation.fullname" .)) .Values.admin.existingSecret -}}
{{- end -}}
