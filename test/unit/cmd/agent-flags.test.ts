// Agent flags → frozen AgentConfig (pure), and the start-time file checks.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { agentConfigFromArgs, agentFlags, checkAgentFiles } from '../../../cmd/flags/agent.ts'
import { ConfigError } from '../../../lib/util/errors.ts'
import { parseFlags } from './parse.ts'

const config = async (argv: string[]) => agentConfigFromArgs(await parseFlags(agentFlags, argv))

test('defaults: kOps agent ports, zone local, sinks off, the contract paths', async () => {
  const c = await config([])
  assert.deepEqual(c.gossip.primary.listen, { host: '0.0.0.0', port: 3999 })
  assert.equal(c.gossip.primary.secretFile, '/etc/dns-controller/gossip/gossip.psk')
  assert.deepEqual(c.zones, ['local'])
  assert.equal(c.stateDir, '/var/lib/dns-controller')
  assert.deepEqual(c.trustedPublisherKeyFiles, ['/etc/dns-controller/trust/publisher.pub'])
  assert.equal(c.hostsFile, undefined)
  assert.equal(c.dnsListen, undefined)
  assert.deepEqual(c.warnings, [
    'neither --hosts-file nor --dns-listen is set: this agent only relays the gossip',
  ])
  assert.ok(Object.isFrozen(c))
})

test('sinks, zones and upstreams', async () => {
  const c = await config([
    '--hosts-file=/etc/hosts',
    '--dns-listen=169.254.20.10:53',
    '--zone=MyCluster.k8s.local.,example.com',
    '--upstream=10.96.0.10:53',
    '--upstream=[fd00::10]:53',
    '--metrics-listen=0.0.0.0:3991',
    '--gossip-seed-service=kube-system/dns-controller-gossip',
  ])
  assert.equal(c.hostsFile, '/etc/hosts')
  assert.deepEqual(c.dnsListen, { host: '169.254.20.10', port: 53 })
  assert.deepEqual(c.zones, ['mycluster.k8s.local', 'example.com'])
  assert.deepEqual(c.upstreams, [
    { host: '10.96.0.10', port: 53 },
    { host: 'fd00::10', port: 53 },
  ])
  assert.deepEqual(c.metricsListen, { host: '0.0.0.0', port: 3991 })
  assert.deepEqual(c.seedService, { namespace: 'kube-system', name: 'dns-controller-gossip' })
  assert.deepEqual(c.warnings, [])
})

const bad = [
  { name: 'bad dns-listen', argv: ['--dns-listen=53'], flag: 'dns-listen' },
  { name: 'bad upstream', argv: ['--upstream=10.0.0.1'], flag: 'upstream' },
  { name: 'bad zone', argv: ['--zone=bad_zone!'], flag: 'zone' },
  { name: 'bad seed service', argv: ['--gossip-seed-service=just-a-name'], flag: 'gossip-seed-service' },
  { name: 'unknown protocol', argv: ['--gossip-protocol=weave'], flag: 'gossip-protocol' },
  { name: 'empty state dir', argv: ['--state-dir='], flag: 'state-dir' },
]
for (const c of bad) {
  test(`rejected: ${c.name}`, async () => {
    await assert.rejects(config(c.argv), (err: unknown) => err instanceof ConfigError && err.flag === c.flag)
  })
}

test('file checks: the hosts file must exist (never created), key files too', async () => {
  const c = await config(['--hosts-file=/nope/hosts', '--gossip-insecure'])
  assert.throws(
    () => checkAgentFiles(c, (p) => p !== '/nope/hosts'),
    (err: unknown) => err instanceof ConfigError && err.flag === 'hosts-file',
  )
  assert.throws(
    () => checkAgentFiles(c, (p) => !p.endsWith('publisher.pub')),
    (err: unknown) => err instanceof ConfigError && err.flag === 'trusted-publisher-key-file',
  )
  checkAgentFiles(c, () => true)
})
