/**
 * Gossip flags shared by the controller and the agent: kOps' names, our protocol.
 *
 * | flag                           | here                                                          |
 * | ------------------------------ | ------------------------------------------------------------- |
 * | --gossip-protocol              | `libp2p` (default); `mesh`/`memberlist` (what kOps generated) |
 * |                                | → our libp2p network on the same listen/seeds, one warning    |
 * | --gossip-protocol-secondary    | ''; `mesh`/`memberlist` → accepted, ignored with a warning;   |
 * |                                | `libp2p` → a second network with its own listen/seeds/secret  |
 * | --gossip-secret                | a secret string (≥ 16 chars), as kOps passed it               |
 * | --gossip-secret-file           | keygen's gossip.psk (default path; must exist unless insecure) |
 * | --gossip-insecure              | explicit opt-out of the pre-shared key                        |
 */
import type { Options } from 'yargs'
import type { GossipNetworkConfig, GossipNetworks } from '../../lib/gossip/network-config.ts'
import { ConfigError } from '../../lib/util/errors.ts'
import { parseHostPort } from '../../lib/util/hostport.ts'
import type { HostPort } from '../../lib/util/hostport.ts'
import { boolFlag, listFlag, stringFlag, textFlag, withDefaults } from './values.ts'

export const DEFAULT_GOSSIP_SECRET_FILE = '/etc/dns-controller/gossip/gossip.psk'
export const MIN_SECRET_CHARS = 16
/** kOps' protocol names: as primary they mean "our gossip"; as secondary they are ignored. */
const KOPS_PROTOCOLS = ['mesh', 'memberlist']

export interface GossipDefaults {
  /** Controller `0.0.0.0:3998`, agent `0.0.0.0:3999` (kOps' ports). */
  readonly listen: string
  /** Controller `0.0.0.0:3993`, agent `0.0.0.0:4000`. */
  readonly listenSecondary: string
}

export const CONTROLLER_GOSSIP: GossipDefaults = { listen: '0.0.0.0:3998', listenSecondary: '0.0.0.0:3993' }
export const AGENT_GOSSIP: GossipDefaults = { listen: '0.0.0.0:3999', listenSecondary: '0.0.0.0:4000' }

export function gossipFlags(d: GossipDefaults) {
  return {
    'gossip-protocol': {
      type: 'string',
      default: 'libp2p',
      description:
        "gossip protocol: libp2p; kOps' mesh or memberlist are accepted and run libp2p (with a warning)",
    },
    'gossip-listen': { type: 'string', default: d.listen, description: 'HOST:PORT to listen on for gossip' },
    'gossip-seed': {
      type: 'string',
      description: 'HOST:PORT of a peer to join; repeatable or comma-separated',
      defaultDescription: 'none',
    },
    'gossip-secret': {
      type: 'string',
      description: `pre-shared gossip secret as a string (at least ${MIN_SECRET_CHARS} characters); instead of --gossip-secret-file`,
      defaultDescription: 'none',
    },
    'gossip-secret-file': {
      type: 'string',
      description: 'file holding the pre-shared gossip secret (keygen writes it)',
      defaultDescription: DEFAULT_GOSSIP_SECRET_FILE,
    },
    'gossip-insecure': {
      type: 'boolean',
      default: false,
      description: 'run the gossip without a pre-shared key (anyone who reaches the port can join)',
    },
    'gossip-protocol-secondary': {
      type: 'string',
      default: '',
      description:
        "second gossip network: libp2p; mesh or memberlist (kOps' migration setting) is accepted and ignored",
    },
    'gossip-listen-secondary': {
      type: 'string',
      default: d.listenSecondary,
      description: 'HOST:PORT for the second network',
    },
    'gossip-seed-secondary': {
      type: 'string',
      description: 'seeds of the second network; repeatable or comma-separated',
      defaultDescription: 'none',
    },
    'gossip-secret-secondary': {
      type: 'string',
      description: 'secret of the second network',
      defaultDescription: "the primary's",
    },
    'gossip-secret-file-secondary': {
      type: 'string',
      description: 'secret file of the second network',
      defaultDescription: "the primary's",
    },
  } as const satisfies Record<string, Options>
}

function hostPort(flag: string, text: string): HostPort {
  const hp = parseHostPort(text)
  if (typeof hp === 'string') throw new ConfigError(flag, hp)
  return hp
}

function secretOf(flag: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined
  if (value.trim().length < MIN_SECRET_CHARS)
    throw new ConfigError(flag, `too short: use at least ${MIN_SECRET_CHARS} characters (keygen makes 64)`)
  return value.trim()
}

export interface GossipFlagConfig extends GossipNetworks {
  /** Things an operator should read in the log (ignored kOps settings). */
  readonly warnings: readonly string[]
}

/** `d`: whose defaults (the controller's or the agent's ports) fill in flags `given` lacks. */
export function gossipConfigFromArgs(
  given: Readonly<Record<string, unknown>>,
  d: GossipDefaults,
): GossipFlagConfig {
  const args = withDefaults(gossipFlags(d), given)
  const warnings: string[] = []
  const protocol = textFlag(args['gossip-protocol']).trim()
  // kOps' manifests name their primary mesh (the default) or memberlist: run ours in its place,
  // so those manifests start unchanged; kOps' own peers cannot join it, hence the warning.
  if (KOPS_PROTOCOLS.includes(protocol))
    warnings.push(
      `--gossip-protocol=${protocol} runs this build's libp2p gossip on --gossip-listen (kOps' ${protocol} peers cannot join it); say --gossip-protocol=libp2p to silence this`,
    )
  else if (protocol !== 'libp2p')
    throw new ConfigError(
      'gossip-protocol',
      `unknown protocol "${protocol}" (libp2p; kOps' mesh or memberlist also run libp2p)`,
    )
  const insecure = boolFlag(args['gossip-insecure'], 'gossip-insecure')
  const secret = secretOf('gossip-secret', stringFlag(args['gossip-secret']))
  const explicitFile = stringFlag(args['gossip-secret-file'])
  if (secret !== undefined && explicitFile !== undefined)
    throw new ConfigError('gossip-secret', 'give either --gossip-secret or --gossip-secret-file, not both')
  if (insecure && (secret !== undefined || explicitFile !== undefined))
    throw new ConfigError('gossip-insecure', 'contradicts the given --gossip-secret/--gossip-secret-file')
  const secretFile =
    insecure || secret !== undefined ? undefined : (explicitFile ?? DEFAULT_GOSSIP_SECRET_FILE)
  const network = (
    listenFlag: string,
    seedFlag: string,
    s: string | undefined,
    f: string | undefined,
  ): GossipNetworkConfig =>
    Object.freeze({
      protocol: 'libp2p',
      listen: hostPort(listenFlag, textFlag(args[listenFlag])),
      seeds: Object.freeze(listFlag(args[seedFlag]).map((t) => hostPort(seedFlag, t))),
      ...(s === undefined ? {} : { secret: s }),
      ...(f === undefined ? {} : { secretFile: f }),
      insecure,
    })
  const primary = network('gossip-listen', 'gossip-seed', secret, secretFile)

  const protocol2 = textFlag(args['gossip-protocol-secondary']).trim()
  // Checked even when ignored, so a typo in kOps-generated args is still caught.
  const listen2 = hostPort('gossip-listen-secondary', textFlag(args['gossip-listen-secondary']))
  const seeds2 = listFlag(args['gossip-seed-secondary']).map((t) => hostPort('gossip-seed-secondary', t))
  if (protocol2 === '') return Object.freeze({ primary, warnings })
  if (KOPS_PROTOCOLS.includes(protocol2)) {
    warnings.push(
      `--gossip-protocol-secondary=${protocol2} is ignored: kOps' ${protocol2} network is gone; only the libp2p network runs`,
    )
    return Object.freeze({ primary, warnings })
  }
  if (protocol2 !== 'libp2p')
    throw new ConfigError(
      'gossip-protocol-secondary',
      `unknown protocol "${protocol2}" (libp2p, or mesh/memberlist to ignore)`,
    )
  const secret2 = secretOf('gossip-secret-secondary', stringFlag(args['gossip-secret-secondary']))
  const file2 = stringFlag(args['gossip-secret-file-secondary'])
  if (secret2 !== undefined && file2 !== undefined)
    throw new ConfigError(
      'gossip-secret-secondary',
      'give either --gossip-secret-secondary or --gossip-secret-file-secondary, not both',
    )
  const own = secret2 !== undefined || file2 !== undefined
  const secondary: GossipNetworkConfig = Object.freeze({
    protocol: 'libp2p',
    listen: listen2,
    seeds: Object.freeze(seeds2),
    ...(own ? (secret2 === undefined ? {} : { secret: secret2 }) : secret === undefined ? {} : { secret }),
    ...(own
      ? file2 === undefined
        ? {}
        : { secretFile: file2 }
      : secretFile === undefined
        ? {}
        : { secretFile }),
    insecure: insecure && !own,
  })
  return Object.freeze({ primary, secondary, warnings })
}

/** A start-time check that a file named by a flag exists; throws ConfigError naming the flag. */
export type NeedFile = (flag: string, path: string | undefined, what: string) => void

/**
 * `probe` says whether a file can be used: true, false (no such file), or the reason it cannot
 * (permission denied, a directory…), so the message names the real problem.
 */
export function fileChecker(probe: (path: string) => boolean | string): NeedFile {
  return (flag, path, what) => {
    if (path === undefined) return
    const r = probe(path)
    if (r === true) return
    throw new ConfigError(flag, r === false ? `${path}: no such file (${what})` : `${path}: ${r}`)
  }
}

/** The gossip secret files of both networks (absent when --gossip-insecure). */
export function checkGossipFiles(gossip: GossipNetworks, need: NeedFile): void {
  need(
    'gossip-secret-file',
    gossip.primary.secretFile,
    'run `dns-controller keygen`, mount the Secret, or pass --gossip-insecure',
  )
  need(
    'gossip-secret-file-secondary',
    gossip.secondary?.secretFile,
    'the second network needs its secret too',
  )
}
