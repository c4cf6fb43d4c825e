/**
 * The agent's configuration: built once from flags by cmd/flags/agent.ts (a pure function),
 * validated there, frozen from then on. The defaults live with the flags (docs/flags.md).
 */
import type { GossipNetworks } from '../gossip/network-config.ts'
import type { HostPort } from '../util/hostport.ts'
import type { LogFormat } from '../util/log.ts'

export interface AgentConfig {
  readonly gossip: GossipNetworks
  /** `--gossip-seed-service NAMESPACE/NAME`: seeds from that Service's EndpointSlices. */
  readonly seedService?: { readonly namespace: string; readonly name: string }
  readonly trustedPublisherKeyFiles: readonly string[]
  /** The node identity and the persisted snapshots (persist.ts). */
  readonly stateDir: string
  /** Zones served and written (lower-case, no trailing dot). */
  readonly zones: readonly string[]
  /** Write the managed block here; absent disables the hosts sink. */
  readonly hostsFile?: string
  /** Answer DNS here (UDP and TCP); absent disables the DNS sink. */
  readonly dnsListen?: HostPort
  /** Where names outside our zones are forwarded; empty answers them REFUSED. */
  readonly upstreams: readonly HostPort[]
  /** `/metrics`, `/healthz`, `/readyz`, `/state`; absent = not served. */
  readonly metricsListen?: HostPort
  /**
   * `/readyz` fails when no live snapshot of a trusted publisher has arrived this long after
   * start (a wrong key or trust file, no controller); a persisted view alone is not enough then.
   * 0: never.
   */
  readonly publisherTimeoutSeconds: number
  /** klog-style `-v`. */
  readonly verbosity: number
  readonly logFormat: LogFormat
  /** Flag combinations that do less than they seem to; logged at start. */
  readonly warnings: readonly string[]
}

/** What the replica → sinks wiring (agent.ts) reads. */
export type AgentSinksConfig = Pick<
  AgentConfig,
  'zones' | 'hostsFile' | 'dnsListen' | 'upstreams' | 'metricsListen' | 'publisherTimeoutSeconds'
>
