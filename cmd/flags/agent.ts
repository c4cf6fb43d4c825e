/**
 * The agent's flags (docs/flags.md): the shared gossip flags with the agent's ports, plus the
 * sinks. `agentConfigFromArgs` is pure; `checkAgentFiles` is the one start-time filesystem look.
 */
import type { Options } from 'yargs'
import { normaliseZone } from '../../lib/sinks/zones.ts'
import type { AgentConfig } from '../../lib/agent/config.ts'
import { ConfigError } from '../../lib/util/errors.ts'
import { parseHostPort } from '../../lib/util/hostport.ts'
import { AGENT_GOSSIP, checkGossipFiles, fileChecker, gossipConfigFromArgs, gossipFlags } from './gossip.ts'
import { intFlag, listFlag, textFlag, withDefaults } from './values.ts'
import { logFormatFlag } from './logging.ts'
import { daemonConfigFromArgs, optionalHostPort } from './daemon.ts'

export const DEFAULT_TRUSTED_PUBLISHER_KEY_FILE = '/etc/dns-controller/trust/publisher.pub'
export const DEFAULT_STATE_DIR = '/var/lib/dns-controller'

export const agentFlags = {
  ...gossipFlags(AGENT_GOSSIP),
  'gossip-seed-service': {
    type: 'string',
    description: "NAMESPACE/NAME: seeds from that Service's ready EndpointSlice addresses",
    defaultDescription: 'none',
  },
  'trusted-publisher-key-file': {
    type: 'string',
    default: DEFAULT_TRUSTED_PUBLISHER_KEY_FILE,
    description: 'public keys (SPKI PEM or X.509 certificate PEM) whose snapshots are accepted; repeatable',
  },
  'state-dir': {
    type: 'string',
    default: DEFAULT_STATE_DIR,
    description: 'node identity and the last verified replica (served at once after a restart)',
  },
  'hosts-file': {
    type: 'string',
    default: '',
    description: "write kOps' managed block into this file (it must exist); empty = off",
  },
  'dns-listen': {
    type: 'string',
    default: '',
    description: 'answer DNS on this HOST:PORT (UDP and TCP); empty = off',
  },
  zone: {
    alias: 'z',
    type: 'string',
    default: 'local',
    description: 'zones this agent serves and writes; repeatable or comma-separated',
  },
  upstream: {
    type: 'string',
    description: 'HOST:PORT servers for names outside our zones; repeatable or comma-separated',
    defaultDescription: 'none (REFUSED)',
  },
  'metrics-listen': {
    type: 'string',
    default: '',
    description: 'HOST:PORT serving /metrics, /healthz, /readyz and /state; empty = off',
  },
  'publisher-timeout': {
    type: 'number',
    default: 300,
    description:
      'seconds after start without a live snapshot from a trusted publisher before /readyz fails (wrong key or trust file, no controller); 0 = never',
  },
  ...logFormatFlag,
  v: { type: 'number', default: 2, description: 'log verbosity (4 and above logs every event)' },
} as const satisfies Record<string, Options>

const ZONE = /^[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*$/
const K8S_NAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/

export function agentConfigFromArgs(given: Readonly<Record<string, unknown>>): AgentConfig {
  const args = withDefaults(agentFlags, given)
  const gossip = gossipConfigFromArgs(args, AGENT_GOSSIP)
  const warnings = [...gossip.warnings]
  const zones = listFlag(args['zone']).map(normaliseZone)
  if (zones.length === 0) throw new ConfigError('zone', 'give at least one zone')
  for (const z of zones)
    if (z.length > 253 || !ZONE.test(z)) throw new ConfigError('zone', `"${z}" is not a valid DNS zone name`)
  const upstreams = listFlag(args['upstream']).map((t) => {
    const hp = parseHostPort(t)
    if (typeof hp === 'string') throw new ConfigError('upstream', hp)
    return hp
  })
  let seedService: AgentConfig['seedService']
  const svc = textFlag(args['gossip-seed-service']).trim()
  if (svc !== '') {
    const [namespace = '', name = '', ...rest] = svc.split('/')
    if (rest.length > 0 || !K8S_NAME.test(namespace) || !K8S_NAME.test(name))
      throw new ConfigError('gossip-seed-service', `"${svc}" is not NAMESPACE/NAME`)
    seedService = { namespace, name }
  }
  const trusted = listFlag(args['trusted-publisher-key-file'])
  if (trusted.length === 0)
    throw new ConfigError('trusted-publisher-key-file', 'give at least one public key file')
  const stateDir = textFlag(args['state-dir']).trim()
  if (stateDir === '') throw new ConfigError('state-dir', 'empty path')
  const hostsFile = textFlag(args['hosts-file']).trim()
  const dnsListen = optionalHostPort(args, 'dns-listen')
  if (hostsFile === '' && dnsListen === undefined)
    warnings.push('neither --hosts-file nor --dns-listen is set: this agent only relays the gossip')
  if (upstreams.length > 0 && dnsListen === undefined)
    warnings.push('--upstream has no effect without --dns-listen')
  return Object.freeze({
    ...daemonConfigFromArgs(args, gossip, warnings),
    ...(seedService === undefined ? {} : { seedService }),
    trustedPublisherKeyFiles: Object.freeze(trusted),
    stateDir,
    ...(hostsFile === '' ? {} : { hostsFile }),
    ...(dnsListen === undefined ? {} : { dnsListen }),
    zones: Object.freeze(zones),
    upstreams: Object.freeze(upstreams),
    publisherTimeoutSeconds: intFlag(args['publisher-timeout'], 'publisher-timeout', 0, 86_400),
  })
}

/**
 * Start-time checks: key files must be readable; the hosts file must exist and be writable (we
 * never create /etc/hosts). A missing and an unwritable hosts file are the same mistake: exit 2.
 */
export function checkAgentFiles(
  config: AgentConfig,
  readable: (path: string) => boolean | string,
  writable: (path: string) => boolean | string = readable,
): void {
  const need = fileChecker(readable)
  checkGossipFiles(config.gossip, need)
  for (const f of config.trustedPublisherKeyFiles)
    need('trusted-publisher-key-file', f, "the controller's publisher.pub or certificate")
  fileChecker(writable)(
    'hosts-file',
    config.hostsFile,
    'the agent edits an existing file in place and never creates it',
  )
}
