{{/* Names and labels. */}}
{{- define "dns-controller.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "dns-controller.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else if contains (include "dns-controller.name" .) .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name (include "dns-controller.name" .) | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}

{{- define "dns-controller.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: {{ include "dns-controller.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* Selector labels of one component: call with (dict "root" $ "component" "controller"). */}}
{{- define "dns-controller.selectorLabels" -}}
app.kubernetes.io/name: {{ include "dns-controller.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{- define "dns-controller.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/* The wildcard bind address of the cluster's family. */}}
{{- define "dns-controller.bindAll" -}}
{{- if eq .Values.ipFamily "ipv6" }}[::]{{ else }}0.0.0.0{{ end }}
{{- end }}

{{/* HOST:PORT on the pod's own address (the node's address under hostNetwork); expanded by the
kubelet from the POD_IP variable. Call with (list $ port). */}}
{{- define "dns-controller.podListen" -}}
{{- $root := index . 0 }}
{{- if eq $root.Values.ipFamily "ipv6" }}[$(POD_IP)]:{{ index . 1 }}{{ else }}$(POD_IP):{{ index . 1 }}{{ end }}
{{- end }}

{{- define "dns-controller.hostListen" -}}
{{- $root := index . 0 }}
{{- if eq $root.Values.ipFamily "ipv6" }}[$(HOST_IP)]:{{ index . 1 }}{{ else }}$(HOST_IP):{{ index . 1 }}{{ end }}
{{- end }}

{{- define "dns-controller.gossipSecretName" -}}
{{- default (printf "%s-gossip" (include "dns-controller.fullname" .)) .Values.gossip.existingSecret }}
{{- end }}

{{- define "dns-controller.gossipSecondarySecretName" -}}
{{- default (printf "%s-gossip-secondary" (include "dns-controller.fullname" .)) .Values.gossip.secondary.existingSecret }}
{{- end }}

{{- define "dns-controller.publisherSecretName" -}}
{{- default (printf "%s-publisher" (include "dns-controller.fullname" .)) .Values.publisher.existingSecret }}
{{- end }}

{{- define "dns-controller.trustName" -}}
{{- printf "%s-trust" (include "dns-controller.fullname" .) }}
{{- end }}

{{- define "dns-controller.seedServiceName" -}}
{{- printf "%s-seeds" (include "dns-controller.fullname" .) }}
{{- end }}

{{- define "dns-controller.dnsServiceName" -}}
{{- printf "%s-dns" (include "dns-controller.fullname" .) }}
{{- end }}

{{/* Reads a key of an existing Secret in the release namespace (empty outside a cluster). */}}
{{- define "dns-controller.existingSecretKey" -}}
{{- $s := lookup "v1" "Secret" .root.Release.Namespace .name }}
{{- if and $s $s.data }}{{ index $s.data .key | default "" | b64dec }}{{ end }}
{{- end }}

{{/*
Key material, worked out once per render and cached in .Values.__material so that every template
(Secrets, ConfigMap, pod checksums) sees the same values:
  psk, pskSecondary  gossip pre-shared keys the chart manages ("" when an existing Secret is used)
  key, cert          publisher private key and certificate the chart manages
  trust              PEM agents trust for the publisher (the certificate, or publisher.publicKey)
Generated values are reused from the release's Secrets when they exist, so upgrades keep them.
*/}}
{{- define "dns-controller.material" -}}
{{- if not (hasKey .Values "__material") }}
{{- $m := dict "psk" "" "pskSecondary" "" "key" "" "cert" "" "trust" "" }}
{{- $full := include "dns-controller.fullname" . }}
{{- if and (not .Values.gossip.existingSecret) (not .Values.gossip.insecure) }}
{{- $old := include "dns-controller.existingSecretKey" (dict "root" . "name" (printf "%s-gossip" $full) "key" "gossip.psk") }}
{{- $_ := set $m "psk" (.Values.gossip.secret | default $old | default (randAlphaNum 64)) }}
{{- end }}
{{- if and .Values.gossip.secondary.enabled (not .Values.gossip.secondary.existingSecret) }}
{{- $old := include "dns-controller.existingSecretKey" (dict "root" . "name" (printf "%s-gossip-secondary" $full) "key" "gossip.psk") }}
{{- $_ := set $m "pskSecondary" (.Values.gossip.secondary.secret | default $old | default (randAlphaNum 64)) }}
{{- end }}
{{- if .Values.publisher.existingSecret }}
{{- if not .Values.publisher.publicKey }}
{{- fail "publisher.existingSecret needs publisher.publicKey (the matching public key or certificate PEM): agents must not mount the private key's Secret" }}
{{- end }}
{{- $_ := set $m "trust" .Values.publisher.publicKey }}
{{- else }}
{{- $oldKey := include "dns-controller.existingSecretKey" (dict "root" . "name" (printf "%s-publisher" $full) "key" "publisher.key") }}
{{- $oldCert := include "dns-controller.existingSecretKey" (dict "root" . "name" (printf "%s-publisher" $full) "key" "publisher.crt") }}
{{- $key := .Values.publisher.privateKey | default $oldKey | default (genPrivateKey "ed25519") }}
{{- $cert := "" }}
{{- if and $oldCert (eq $key $oldKey) }}
{{- $cert = $oldCert }}
{{- else }}
{{- $cert = (genSelfSignedCertWithKey "dns-controller publisher" nil nil 36500 $key).Cert }}
{{- end }}
{{- $_ := set $m "key" $key }}
{{- $_ := set $m "cert" $cert }}
{{- $_ := set $m "trust" (.Values.publisher.publicKey | default $cert) }}
{{- end }}
{{- $_ := set .Values "__material" $m }}
{{- end }}
{{- end }}

{{/* One field of the material: (list $ "psk"). */}}
{{- define "dns-controller.materialField" -}}
{{- $root := index . 0 }}
{{- include "dns-controller.material" $root }}
{{- index $root.Values.__material (index . 1) }}
{{- end }}

{{/* Files agents pass to --trusted-publisher-key-file. */}}
{{- define "dns-controller.trustFiles" -}}
{{- $files := list "/etc/dns-controller/trust/publisher.pub" }}
{{- range $i, $k := .Values.trust.extraKeys }}
{{- $files = append $files (printf "/etc/dns-controller/trust/extra-%d.pub" $i) }}
{{- end }}
{{- join "," $files }}
{{- end }}

{{/* Refuses CoreDNS zones that would capture the cluster's own names. */}}
{{- define "dns-controller.checkCorednsZones" -}}
{{- range .Values.coredns.zones }}
{{- $z := . | lower | trimSuffix "." }}
{{- if or (eq $z "local") (eq $z "cluster.local") (hasSuffix ".cluster.local" $z) }}
{{- fail (printf "coredns.zones: %q would send the cluster's own names (cluster.local) to the agents; use the cluster's gossip zone, e.g. k8s.local" .) }}
{{- end }}
{{- end }}
{{- end }}

{{/* Address CoreDNS forwards to: the fixed ClusterIP, else the existing Service's. */}}
{{- define "dns-controller.dnsServiceIP" -}}
{{- if .Values.agent.dns.service.clusterIP }}
{{- .Values.agent.dns.service.clusterIP }}
{{- else }}
{{- $svc := lookup "v1" "Service" .Release.Namespace (include "dns-controller.dnsServiceName" .) }}
{{- if and $svc $svc.spec }}{{ $svc.spec.clusterIP | default "" }}{{ end }}
{{- end }}
{{- end }}

{{/* The CoreDNS server block; call with (list $ "<address>"). */}}
{{- define "dns-controller.corednsBlock" -}}
{{- $root := index . 0 }}
{{- $addr := index . 1 }}
{{- range $root.Values.coredns.zones }}
{{ . | trimSuffix "." }}:53 {
    errors
    {{- with $root.Values.coredns.cache }}
    {{- if gt (int .ttl) 0 }}
    cache {{ int .ttl }}{{ if .serveStale }} {
        serve_stale {{ .serveStale }}
    }{{ end }}
    {{- end }}
    {{- end }}
    forward . {{ $addr }}
}
{{- end }}
{{- end }}
