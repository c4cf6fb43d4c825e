/**
 * The argument lists kOps generated, by version (docs/kops-compat.md, "Flags kOps passed"), parse
 * unchanged: the controller's from the dns-controller addon, the agent's from protokube's unit.
 * test/integration/kops-args.test.ts starts the controller with them and sees it publish.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { controllerConfigFromArgs, controllerFlags } from '../../../cmd/flags/controller.ts'
import { agentConfigFromArgs, agentFlags } from '../../../cmd/flags/agent.ts'
import { KOPS_AGENT_ARGS, KOPS_CONTROLLER_ARGS } from '../../helpers/kops-args.ts'
import { parseFlags } from './parse.ts'

for (const [version, args] of Object.entries(KOPS_CONTROLLER_ARGS)) {
  test(`controller: kOps ${version} args parse`, async () => {
    const c = controllerConfigFromArgs(await parseFlags(controllerFlags, args))
    assert.equal(c.gossip.primary.protocol, 'libp2p')
    assert.ok(c.records.internalIPv4 || c.records.internalIPv6)
    assert.ok(c.records.zones.includes('local'))
    assert.equal(c.verbosity, 2)
    // kOps' ignored secondary (mesh/memberlist) and kOps' primary names each warn once.
    const protocolWarnings = c.warnings.filter((w) => w.includes('--gossip-protocol'))
    assert.equal(new Set(protocolWarnings).size, protocolWarnings.length)
  })
}

test('controller: mesh or memberlist as primary runs libp2p on the given listen and seeds, one warning', async () => {
  for (const protocol of ['mesh', 'memberlist']) {
    const c = controllerConfigFromArgs(
      await parseFlags(controllerFlags, [
        '--internal-ipv4',
        `--gossip-protocol=${protocol}`,
        '--gossip-listen=0.0.0.0:3993',
        '--gossip-seed=127.0.0.1:4000',
      ]),
    )
    assert.deepEqual(c.gossip.primary.listen, { host: '0.0.0.0', port: 3993 })
    assert.deepEqual(c.gossip.primary.seeds, [{ host: '127.0.0.1', port: 4000 }])
    const w = c.warnings.filter((x) => x.startsWith(`--gossip-protocol=${protocol}`))
    assert.equal(w.length, 1)
    assert.match(w[0] ?? '', /libp2p/)
  }
})

test('controller: kOps before 1.25 passed neither --internal-ipv4 nor --internal-ipv6: both families, with a warning', async () => {
  const c = controllerConfigFromArgs(
    await parseFlags(controllerFlags, KOPS_CONTROLLER_ARGS['1.16-1.24'] ?? []),
  )
  assert.equal(c.records.internalIPv4, true)
  assert.equal(c.records.internalIPv6, true)
  assert.ok(c.warnings.some((w) => /neither --internal-ipv4 nor --internal-ipv6/.test(w)))
})

test('controller: kOps 1.25+ IPv4 args keep IPv4 only, and warn only about memberlist', async () => {
  const c = controllerConfigFromArgs(
    await parseFlags(controllerFlags, KOPS_CONTROLLER_ARGS['1.25-1.36'] ?? []),
  )
  assert.equal(c.records.internalIPv4, true)
  assert.equal(c.records.internalIPv6, false)
  assert.equal(c.warnings.length, 1)
  assert.match(c.warnings[0] ?? '', /gossip-protocol-secondary=memberlist is ignored/)
})

for (const [name, args] of Object.entries(KOPS_AGENT_ARGS)) {
  test(`agent: protokube's gossip flags (${name}) parse`, async () => {
    const c = agentConfigFromArgs(await parseFlags(agentFlags, args))
    assert.equal(c.gossip.primary.protocol, 'libp2p')
    assert.equal(c.gossip.primary.listen.port, 3999)
    assert.equal(c.gossip.secondary, undefined)
  })
}
