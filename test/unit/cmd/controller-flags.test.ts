import { test } from 'node:test'
import assert from 'node:assert/strict'
import {
  checkControllerFiles,
  controllerConfigFromArgs,
  controllerFlags,
} from '../../../cmd/flags/controller.ts'
import { ConfigError } from '../../../lib/util/errors.ts'
import type { ControllerConfig } from '../../../lib/controller/config.ts'
import { parseFlags } from './parse.ts'
import { tidyUsageMessage } from '../../../cmd/cli.ts'

async function config(argv: string[]): Promise<ControllerConfig> {
  return controllerConfigFromArgs(await parseFlags(controllerFlags, argv))
}

/** kOps' DNSControllerArgv for a gossip cluster (spec a.3), verbatim. */
const KOPS_GOSSIP_ARGS = [
  '--watch-ingress=false',
  '--dns=gossip',
  '--gossip-seed=127.0.0.1:3999',
  '--gossip-protocol-secondary=memberlist',
  '--gossip-listen-secondary=0.0.0.0:3993',
  '--gossip-seed-secondary=127.0.0.1:4000',
  '--zone=*/*',
  '--internal-ipv4',
  '-v=2',
]

test("kOps' generated gossip args parse unchanged", async () => {
  const c = await config(KOPS_GOSSIP_ARGS)
  assert.equal(c.records.watchIngress, false)
  assert.deepEqual(c.records.zones, ['local'])
  assert.equal(c.records.internalIPv4, true)
  assert.equal(c.records.internalIPv6, false)
  assert.equal(c.records.publishNotReady, false)
  assert.deepEqual(c.gossip.primary, {
    protocol: 'libp2p',
    listen: { host: '0.0.0.0', port: 3998 },
    seeds: [{ host: '127.0.0.1', port: 3999 }],
    secretFile: '/etc/dns-controller/gossip/gossip.psk',
    insecure: false,
  })
  assert.equal(c.gossip.secondary, undefined)
  assert.equal(c.warnings.length, 1)
  assert.match(c.warnings[0] ?? '', /memberlist is ignored/)
  assert.equal(c.verbosity, 2)
  assert.deepEqual(c.source, { kind: 'cluster' })
  assert.deepEqual(c.leaderElection, { enabled: true, namespace: 'kube-system', name: 'dns-controller' })
  assert.equal(c.metricsListen, undefined)
  assert.ok(Object.isFrozen(c) && Object.isFrozen(c.records) && Object.isFrozen(c.gossip.primary))
})

test('kOps args with a DNS zone, IPv6-only, and extra kOps flags', async () => {
  const c = await config([
    '--watch-ingress=true',
    '--watch-namespace=kube-system',
    '--dns=gossip',
    '--zone=example.com',
    '--internal-ipv6',
    '--zone=*/*',
    '--update-interval=10',
    '--metrics-listen=0.0.0.0:3990',
    '--route53-batch-size=100',
    '--dns-server=',
    '--v=4',
  ])
  assert.deepEqual(c.records.zones, ['example.com', 'local'])
  assert.equal(c.watchNamespace, 'kube-system')
  assert.equal(c.records.internalIPv6, true)
  assert.ok(c.warnings.some((w) => /--update-interval is ignored/.test(w)))
  assert.deepEqual(c.metricsListen, { host: '0.0.0.0', port: 3990 })
  assert.equal(c.verbosity, 4)
})

test('list flags take repeats and commas; -z is --zone', async () => {
  const c = await config([
    '--internal-ipv4',
    '-z',
    'a.com',
    '--zone=b.com,c.com',
    '-z=d.com',
    '--gossip-seed',
    '10.0.0.1:3999',
    '--gossip-seed=10.0.0.2:3999,[fd00::1]:3999',
  ])
  assert.deepEqual(c.records.zones, ['a.com', 'b.com', 'c.com', 'd.com'])
  assert.deepEqual(c.gossip.primary.seeds, [
    { host: '10.0.0.1', port: 3999 },
    { host: '10.0.0.2', port: 3999 },
    { host: 'fd00::1', port: 3999 },
  ])
})

test('--from turns leader election off by default and is a file source', async () => {
  const c = await config(['--internal-ipv4', '--from', 'objects.yaml', '--gossip-insecure'])
  assert.deepEqual(c.source, { kind: 'file', path: 'objects.yaml' })
  assert.equal(c.leaderElection.enabled, false)
  assert.equal(c.gossip.primary.insecure, true)
  assert.equal(c.gossip.primary.secretFile, undefined)
})

test('--gossip-secret and a libp2p secondary network with its own settings', async () => {
  const c = await config([
    '--internal-ipv4',
    '--gossip-secret=0123456789abcdef0123',
    '--gossip-protocol-secondary=libp2p',
    '--gossip-seed-secondary=10.0.0.9:4000',
  ])
  assert.equal(c.gossip.primary.secret, '0123456789abcdef0123')
  assert.equal(c.gossip.primary.secretFile, undefined)
  assert.deepEqual(c.gossip.secondary, {
    protocol: 'libp2p',
    listen: { host: '0.0.0.0', port: 3993 },
    seeds: [{ host: '10.0.0.9', port: 4000 }],
    secret: '0123456789abcdef0123',
    insecure: false,
  })
})

const bad = [
  {
    name: 'cloud provider',
    argv: ['--internal-ipv4', '--dns=aws-route53'],
    flag: 'dns',
    message: /only does gossip/,
  },
  {
    name: 'unknown provider',
    argv: ['--internal-ipv4', '--dns=bind'],
    flag: 'dns',
    message: /unknown DNS provider/,
  },
  {
    name: 'unknown secondary',
    argv: ['--internal-ipv4', '--gossip-protocol-secondary=weave'],
    flag: 'gossip-protocol-secondary',
    message: /unknown protocol/,
  },
  {
    name: 'bad listen',
    argv: ['--internal-ipv4', '--gossip-listen=0.0.0.0'],
    flag: 'gossip-listen',
    message: /HOST:PORT/,
  },
  {
    name: 'bad ignored secondary listen',
    argv: ['--internal-ipv4', '--gossip-protocol-secondary=memberlist', '--gossip-listen-secondary=x:99999'],
    flag: 'gossip-listen-secondary',
    message: /port/,
  },
  {
    name: 'bad seed',
    argv: ['--internal-ipv4', '--gossip-seed=10.0.0.1'],
    flag: 'gossip-seed',
    message: /HOST:PORT/,
  },
  {
    name: 'bad metrics listen',
    argv: ['--internal-ipv4', '--metrics-listen=:80'],
    flag: 'metrics-listen',
    message: /empty host/,
  },
  { name: 'bad zone', argv: ['--internal-ipv4', '--zone=a/b/c'], flag: 'zone', message: /more than one/ },
  {
    name: 'zone that permits nothing',
    argv: ['--internal-ipv4', '--zone=*/Z123'],
    flag: 'zone',
    message: /permit no zone/,
  },
  {
    name: 'short secret',
    argv: ['--internal-ipv4', '--gossip-secret=short'],
    flag: 'gossip-secret',
    message: /at least 16/,
  },
  {
    name: 'secret and file',
    argv: ['--internal-ipv4', '--gossip-secret=0123456789abcdef', '--gossip-secret-file=/x'],
    flag: 'gossip-secret',
    message: /either/,
  },
  {
    name: 'insecure and secret',
    argv: ['--internal-ipv4', '--gossip-insecure', '--gossip-secret=0123456789abcdef'],
    flag: 'gossip-insecure',
    message: /contradicts/,
  },
  {
    name: 'from and kubeconfig',
    argv: ['--internal-ipv4', '--from=x', '--kubeconfig=y'],
    flag: 'from',
    message: /cannot be combined/,
  },
  {
    name: 'from and leader-elect',
    argv: ['--internal-ipv4', '--from=x', '--leader-elect'],
    flag: 'leader-elect',
    message: /needs a cluster/,
  },
  {
    name: 'bad lease namespace',
    argv: ['--internal-ipv4', '--leader-elect-namespace=Kube_System'],
    flag: 'leader-elect-namespace',
    message: /namespace/,
  },
  {
    name: 'bad update interval',
    argv: ['--internal-ipv4', '--update-interval=0'],
    flag: 'update-interval',
    message: /integer/,
  },
  { name: 'bad verbosity', argv: ['--internal-ipv4', '-v=loud'], flag: 'v', message: /integer/ },
  {
    name: 'bad watch namespace',
    argv: ['--internal-ipv4', '--watch-namespace=A B'],
    flag: 'watch-namespace',
    message: /namespace/,
  },
  {
    name: 'cluster name outside the zones',
    argv: ['--internal-ipv4', '--zone=example.com', '--cluster-name=c.k8s.local'],
    flag: 'cluster-name',
    message: /api\.c\.k8s\.local is outside the permitted zones/,
  },
  {
    name: 'invalid cluster name',
    argv: ['--internal-ipv4', '--cluster-name=a_b.local'],
    flag: 'cluster-name',
    message: /valid DNS name/,
  },
  {
    name: 'external address without cluster name',
    argv: ['--internal-ipv4', '--api-external-address=1.2.3.4'],
    flag: 'api-external-address',
    message: /needs --cluster-name/,
  },
  {
    name: 'external hostname with an IP',
    argv: ['--internal-ipv4', '--cluster-name=c.k8s.local', '--api-external-address=lb.example.net,1.2.3.4'],
    flag: 'api-external-address',
    message: /only value/,
  },
]
for (const c of bad) {
  test(`controller flags: ${c.name} → ConfigError naming --${c.flag}`, async () => {
    await assert.rejects(
      config(c.argv),
      (err: unknown) =>
        err instanceof ConfigError &&
        err.flag === c.flag &&
        c.message.test(err.message) &&
        err.message.startsWith(`--${c.flag}: `),
    )
  })
}

test('--cluster-name and --api-external-address become the pipeline apiserver options', async () => {
  const off = await config(['--internal-ipv4'])
  assert.equal(off.records.apiserver, undefined)
  const on = await config([
    '--internal-ipv4',
    '--cluster-name=My.K8s.Local.',
    '--api-external-address=203.0.113.1',
    '--api-external-address=2001:db8::1',
  ])
  assert.deepEqual(on.records.apiserver, {
    clusterName: 'my.k8s.local',
    externalAddresses: ['203.0.113.1', '2001:db8::1'],
  })
})

test('unknown flags are refused by the parser', async () => {
  await assert.rejects(
    parseFlags(controllerFlags, ['--internal-ipv4', '--gossip-sed=1.2.3.4:1']),
    /Unknown arguments: gossip-sed/,
  )
})

test('checkControllerFiles: missing default key files are errors naming the flag, unless insecure for the secret', async () => {
  const none = (): boolean => false
  const all = (): boolean => true
  assert.throws(
    () => checkControllerFiles(controllerConfigFromArgs({ 'internal-ipv4': true }), none),
    /^ConfigError: --gossip-secret-file: \/etc\/dns-controller\/gossip\/gossip.psk: no such file/,
  )
  const insecure = await config(['--internal-ipv4', '--gossip-insecure'])
  assert.throws(
    () => checkControllerFiles(insecure, none),
    (e: unknown) => e instanceof ConfigError && e.flag === 'publisher-key-file',
  )
  assert.doesNotThrow(() => checkControllerFiles(insecure, all))
  const from = await config(['--internal-ipv4', '--gossip-insecure', '--from=/m.yaml'])
  assert.throws(
    () => checkControllerFiles(from, (p) => p !== '/m.yaml'),
    (e: unknown) => e instanceof ConfigError && e.flag === 'from',
  )
})

test('tidyUsageMessage names unknown flags once, with dashes', () => {
  assert.equal(tidyUsageMessage('Unknown arguments: gossip-sed, gossipSed'), 'unknown flag: --gossip-sed')
  assert.equal(tidyUsageMessage('Unknown argument: x'), 'unknown flag: -x')
  assert.equal(tidyUsageMessage('Unknown arguments: a-b, aB, cD'), 'unknown flags: --a-b, --cD')
  assert.equal(tidyUsageMessage('Missing required argument: filename'), 'Missing required argument: filename')
})
