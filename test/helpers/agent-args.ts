/** The flags of one `dns-controller agent` on loopback, shared by the tests and benchmarks that run
 * the agent as a process. */
import { join } from 'node:path'

export interface AgentArgsInit {
  /** Holds `gossip.psk` and `publisher.pub` (as keygen writes them). */
  readonly keys: string
  /** The agent's own directory: `hosts` (written by the caller) and `state`. */
  readonly own: string
  readonly gossipPort: number
  readonly dnsPort: number
  readonly metricsPort: number
  /** Gossip ports on 127.0.0.1. */
  readonly seeds: readonly number[]
  readonly zone: string
}

export function agentArgs(a: AgentArgsInit): string[] {
  return [
    'agent',
    `--gossip-listen=127.0.0.1:${a.gossipPort}`,
    `--gossip-seed=${a.seeds.map((p) => `127.0.0.1:${p}`).join(',')}`,
    `--gossip-secret-file=${join(a.keys, 'gossip.psk')}`,
    `--trusted-publisher-key-file=${join(a.keys, 'publisher.pub')}`,
    `--state-dir=${join(a.own, 'state')}`,
    `--hosts-file=${join(a.own, 'hosts')}`,
    `--dns-listen=127.0.0.1:${a.dnsPort}`,
    `--metrics-listen=127.0.0.1:${a.metricsPort}`,
    `--zone=${a.zone}`,
  ]
}
