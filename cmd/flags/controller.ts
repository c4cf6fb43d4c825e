/**
 * The controller's flags: every flag kOps' dns-controller had (docs/kops-compat.md, "Flags kOps passed") with kOps' defaults,
 * plus our own (docs/flags.md). `controllerConfigFromArgs` is pure (tests call it without a process);
 * `checkControllerFiles` is the one start-time look at the filesystem.
 *
 * Deliberate differences: `--dns` defaults to `gossip` and cloud provider ids are refused (this
 * build only does gossip); `--route53-batch-size` and `--dns-server` are accepted and ignored.
 */
import type { Options } from 'yargs'
import type { ControllerConfig, ObjectSource } from '../../lib/controller/config.ts'
import { ConfigError } from '../../lib/util/errors.ts'
import {
  CONTROLLER_GOSSIP,
  checkGossipFiles,
  fileChecker,
  gossipConfigFromArgs,
  gossipFlags,
} from './gossip.ts'
import { recordConfigFromArgs, recordFlags } from './records.ts'
import { boolFlag, intFlag, stringFlag, textFlag, withDefaults } from './values.ts'
import { logFormatFlag } from './logging.ts'
import { daemonConfigFromArgs } from './daemon.ts'

export const DEFAULT_PUBLISHER_KEY_FILE = '/etc/dns-controller/publisher/publisher.key'
/** kOps' registered provider ids; each gets a clear "gossip only" error. */
export const CLOUD_DNS_PROVIDERS = [
  'aws-route53',
  'google-clouddns',
  'digitalocean',
  'openstack-designate',
  'scaleway',
]

export const controllerFlags = {
  dns: {
    type: 'string',
    default: 'gossip',
    description:
      "DNS provider: gossip (cloud providers are not in this build; kOps' default was aws-route53)",
  },
  ...gossipFlags(CONTROLLER_GOSSIP),
  ...recordFlags,
  'update-interval': {
    type: 'number',
    defaultDescription: 'unset',
    description:
      "accepted for kOps compatibility (kOps' polling period, seconds) and ignored: publishing is event-driven",
  },
  'metrics-listen': {
    type: 'string',
    default: '',
    description: 'HOST:PORT serving /metrics, /healthz and /readyz; empty = off',
  },
  'route53-batch-size': {
    type: 'number',
    default: 900,
    description: 'accepted for kOps compatibility; unused (no Route53 here)',
  },
  'dns-server': {
    type: 'string',
    default: '',
    description: 'accepted for kOps compatibility; unused (as in kOps)',
  },
  kubeconfig: {
    type: 'string',
    description: 'kubeconfig file of the cluster to watch',
    defaultDescription: 'in-cluster config',
  },
  from: {
    type: 'string',
    description:
      'read objects from this YAML/JSON file (as kubectl get -o yaml prints them) instead of a cluster; re-read when it changes',
    defaultDescription: 'none (use the cluster)',
  },
  'publisher-key-file': {
    type: 'string',
    default: DEFAULT_PUBLISHER_KEY_FILE,
    description: 'Ed25519 private key (PKCS#8 PEM) that signs snapshots',
  },
  'leader-elect': {
    type: 'boolean',
    description:
      'elect one leader among replicas with a coordination.k8s.io Lease; only the leader publishes',
    defaultDescription: 'true (false with --from)',
  },
  'leader-elect-namespace': { type: 'string', default: 'kube-system', description: 'namespace of the Lease' },
  'leader-elect-name': { type: 'string', default: 'dns-controller', description: 'name of the Lease' },
  ...logFormatFlag,
  v: {
    type: 'number',
    default: 2,
    description: 'log verbosity (klog style: kOps passes -v=2; 4 and above logs every event)',
  },
} as const satisfies Record<string, Options>

const DNS1123_SUBDOMAIN = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/
const DNS1123_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/

export function controllerConfigFromArgs(given: Readonly<Record<string, unknown>>): ControllerConfig {
  const args = withDefaults(controllerFlags, given)
  const warnings: string[] = []
  const dns = textFlag(args['dns']).trim()
  if (CLOUD_DNS_PROVIDERS.includes(dns))
    throw new ConfigError(
      'dns',
      `"${dns}" is a cloud DNS provider; this build only does gossip DNS (use --dns=gossip)`,
    )
  if (dns !== 'gossip')
    throw new ConfigError('dns', `unknown DNS provider "${dns}" (this build only does gossip: --dns=gossip)`)

  let records = recordConfigFromArgs(args)
  // kOps generated neither flag before 1.25, when every node InternalIP (both families) was
  // internal; such manifests keep that meaning instead of failing (kOps >= 1.25 exits here).
  if (!records.pipeline.internalIPv4 && !records.pipeline.internalIPv6) {
    warnings.push(
      'neither --internal-ipv4 nor --internal-ipv6 is set: using node InternalIPs of both families, as kOps before 1.25 did',
    )
    records = {
      ...records,
      pipeline: Object.freeze({ ...records.pipeline, internalIPv4: true, internalIPv6: true }),
    }
  }
  const gossip = gossipConfigFromArgs(args, CONTROLLER_GOSSIP)
  warnings.push(...gossip.warnings)

  const from = stringFlag(args['from'])
  const kubeconfig = stringFlag(args['kubeconfig'])
  if (from !== undefined && from.trim() === '') throw new ConfigError('from', 'empty path')
  if (from !== undefined && kubeconfig !== undefined)
    throw new ConfigError('from', 'reads objects from a file; it cannot be combined with --kubeconfig')
  const source: ObjectSource =
    from !== undefined
      ? { kind: 'file', path: from }
      : { kind: 'cluster', ...(kubeconfig === undefined ? {} : { kubeconfig }) }

  const electFlag = args['leader-elect']
  const elect = electFlag === undefined ? source.kind === 'cluster' : boolFlag(electFlag, 'leader-elect')
  if (elect && source.kind === 'file')
    throw new ConfigError('leader-elect', 'needs a cluster; with --from there is nothing to elect on')
  const leNamespace = textFlag(args['leader-elect-namespace'])
  if (!DNS1123_LABEL.test(leNamespace))
    throw new ConfigError('leader-elect-namespace', `"${leNamespace}" is not a valid namespace name`)
  const leName = textFlag(args['leader-elect-name'])
  if (leName.length > 253 || !DNS1123_SUBDOMAIN.test(leName))
    throw new ConfigError('leader-elect-name', `"${leName}" is not a valid Lease name`)

  intFlag(args['route53-batch-size'], 'route53-batch-size', 1, 1_000_000)
  // kOps polled every --update-interval seconds; a change here is published within about a second.
  if (args['update-interval'] !== undefined) {
    intFlag(args['update-interval'], 'update-interval', 1, 3600)
    warnings.push('--update-interval is ignored: publishing is event-driven (within about 1 s of a change)')
  }
  const publisherKeyFile = textFlag(args['publisher-key-file'])
  if (publisherKeyFile.trim() === '') throw new ConfigError('publisher-key-file', 'empty path')

  return Object.freeze({
    ...daemonConfigFromArgs(args, gossip, warnings),
    source: Object.freeze(source),
    records: records.pipeline,
    zoneRules: records.zoneRules,
    ...(records.watchNamespace === undefined ? {} : { watchNamespace: records.watchNamespace }),
    publisherKeyFile,
    leaderElection: Object.freeze({ enabled: elect, namespace: leNamespace, name: leName }),
  })
}

/**
 * The start-time file checks: key files must exist (the gossip secret file unless
 * --gossip-insecure), and so must --from and --kubeconfig. `exists` is injected for tests.
 */
export function checkControllerFiles(
  config: ControllerConfig,
  exists: (path: string) => boolean | string,
): void {
  const need = fileChecker(exists)
  checkGossipFiles(config.gossip, need)
  need('publisher-key-file', config.publisherKeyFile, 'run `dns-controller keygen` or mount the Secret')
  if (config.source.kind === 'file') need('from', config.source.path, 'the manifest to read')
  else need('kubeconfig', config.source.kubeconfig, 'the kubeconfig to use')
}
