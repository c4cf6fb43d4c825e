/** The flags of one `dns-controller agent` on loopback, shared by the tests and benchmarks that run
 * the agent as a process. */
import { spawn } from 'node:child_process'
import type { ChildProcess, StdioOptions } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { freePort } from '../../lib/util/ports.ts'
import {
  derivePsk,
  generatePublisherKeyPem,
  generateSecret,
  parsePrivateKeyPem,
  signerFromPrivateKey,
} from '../../lib/gossip/keys.ts'
import type { PublisherSigner } from '../../lib/gossip/keys.ts'

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

/** Writes `gossip.psk` and `publisher.pub` into `dir` as keygen does; returns what an in-process
 * node needs to join that network (the PSK) and to publish to it (the signer). */
export function writeAgentKeys(dir: string): { psk: Uint8Array; signer: PublisherSigner } {
  const secret = generateSecret()
  writeFileSync(join(dir, 'gossip.psk'), `${secret}\n`)
  const pem = generatePublisherKeyPem()
  writeFileSync(join(dir, 'publisher.pub'), pem.publicPem)
  const key = parsePrivateKeyPem(pem.privatePem)
  if (typeof key === 'string') throw new Error(key)
  return { psk: derivePsk(secret, 'test'), signer: signerFromPrivateKey(key) }
}

const NODE = join(import.meta.dirname, '../../node_modules/.bin/node')
const CLI = join(import.meta.dirname, '../../cmd/dns-controller.ts')

/** Starts `dns-controller agent` from the sources on free loopback ports, with its keys (from
 * writeAgentKeys), hosts file and state in `dir`, seeded at `seedPort`, for zone k8s.local. */
export async function spawnAgent(
  dir: string,
  seedPort: number,
  stdio: StdioOptions,
): Promise<{ child: ChildProcess; dnsPort: number; metricsPort: number }> {
  writeFileSync(join(dir, 'hosts'), '127.0.0.1 localhost\n')
  const [gossipPort, dnsPort, metricsPort] = [await freePort(), await freePort(), await freePort()]
  const args = agentArgs({
    keys: dir,
    own: dir,
    gossipPort,
    dnsPort,
    metricsPort,
    seeds: [seedPort],
    zone: 'k8s.local',
  })
  return { child: spawn(NODE, [CLI, ...args], { stdio }), dnsPort, metricsPort }
}
