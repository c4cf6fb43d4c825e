/**
 * The controller's configuration: built once from flags by cmd/flags/controller.ts (a pure
 * function), validated there, frozen from then on. Every field is set; the flags' defaults live in
 * that file's flag table.
 */
import type { GossipNetworks } from '../gossip/network-config.ts'
import type { LogFormat } from '../util/log.ts'
import type { PipelineOptions } from '../records/pipeline.ts'
import type { ZoneRules } from '../records/zones.ts'
import type { HostPort } from '../util/hostport.ts'

/** Where objects come from: the Kubernetes API, or a manifest file re-read when it changes. */
export type ObjectSource =
  | { readonly kind: 'cluster'; /** Absent: in-cluster config. */ readonly kubeconfig?: string }
  | { readonly kind: 'file'; readonly path: string }

export interface LeaderElectionConfig {
  /** Default true with a cluster, false with `--from`. */
  readonly enabled: boolean
  /** Namespace of the Lease (`--leader-elect-namespace`). */
  readonly namespace: string
  /** Name of the Lease (`--leader-elect-name`). */
  readonly name: string
}

export interface ControllerConfig {
  readonly source: ObjectSource
  /** How objects become records (zones, --internal-ipv4/6, --publish-not-ready, --watch-ingress). */
  readonly records: PipelineOptions
  /** The parsed `--zone` rules (records.zones is what they permit in gossip mode). */
  readonly zoneRules: ZoneRules
  /** `--watch-namespace`; absent = all namespaces. Nodes are always cluster-wide. */
  readonly watchNamespace?: string
  readonly gossip: GossipNetworks
  /** Ed25519 PKCS#8 PEM that signs snapshots (`--publisher-key-file`). */
  readonly publisherKeyFile: string
  readonly leaderElection: LeaderElectionConfig
  /** `/metrics`, `/healthz`, `/readyz`; absent = not served. */
  readonly metricsListen?: HostPort
  /** klog-style `-v`. */
  readonly verbosity: number
  /** `--log-format`. */
  readonly logFormat: LogFormat
  /** Accepted kOps settings that do nothing here; log them at start. */
  readonly warnings: readonly string[]
}
