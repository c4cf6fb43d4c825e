import { test } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { demoPlan, layoutPorts, portCount } from '../../../lib/demo/plan.ts'

const files = {
  dir: '/d',
  psk: '/d/keys/gossip.psk',
  publisherKey: '/d/keys/publisher.key',
  publisherPub: '/d/keys/publisher.pub',
}

test('ports: two for the controller, then gossip, DNS, metrics per agent, in order', () => {
  assert.equal(portCount(3), 11)
  const p = layoutPorts([100, 101, 102, 103, 104, 105, 106, 107], 2)
  assert.deepEqual(p, {
    controllerGossip: 100,
    controllerMetrics: 101,
    agents: [
      { gossip: 102, dns: 103, metrics: 104 },
      { gossip: 105, dns: 106, metrics: 107 },
    ],
  })
  assert.throws(() => layoutPorts([1, 2, 3], 1))
})

test('plan: the PSK is on everywhere, agents seed from the controller (and agent-1), each has its own files', () => {
  const plan = demoPlan({
    from: '/x/cluster.yaml',
    ports: layoutPorts([10, 11, 12, 13, 14, 15, 16, 17], 2),
    files,
    join,
    clusterName: 'demo.k8s.local',
  })
  const all = [plan.controller.args, ...plan.agents.map((a) => a.args)].flat()
  assert.ok(!all.some((a) => a.includes('insecure')))
  assert.ok(plan.controller.args.includes('--gossip-secret-file=/d/keys/gossip.psk'))
  assert.ok(plan.controller.args.includes('--publisher-key-file=/d/keys/publisher.key'))
  assert.ok(plan.controller.args.includes('--cluster-name=demo.k8s.local'))
  assert.ok(plan.controller.args.includes('--from=/x/cluster.yaml'))
  const [a1, a2] = plan.agents
  assert.ok(a1 !== undefined && a2 !== undefined)
  assert.deepEqual(
    a1.args.filter((a) => a.startsWith('--gossip-seed=')),
    ['--gossip-seed=127.0.0.1:10'],
  )
  assert.deepEqual(
    a2.args.filter((a) => a.startsWith('--gossip-seed=')),
    ['--gossip-seed=127.0.0.1:10,127.0.0.1:12'],
  )
  assert.equal(a2.hostsFile, '/d/agent-2/hosts')
  assert.ok(a2.args.includes('--hosts-file=/d/agent-2/hosts'))
  assert.ok(a2.args.includes('--dns-listen=127.0.0.1:16'))
  assert.ok(a2.args.includes('--trusted-publisher-key-file=/d/keys/publisher.pub'))
  assert.equal(a2.args[0], 'agent')
})

test('plan: no --cluster-name unless asked', () => {
  const plan = demoPlan({ from: 'f', ports: layoutPorts([1, 2, 3, 4, 5], 1), files, join })
  assert.ok(!plan.controller.args.some((a) => a.startsWith('--cluster-name')))
})

test('the summary counts one agent as "1 agent"', async () => {
  const { summary, everyAgent } = await import('../../../lib/demo/report.ts')
  const plan = demoPlan({ from: '/x/cluster.yaml', ports: layoutPorts([10, 11, 12, 13, 14], 1), files, join })
  assert.match(summary(plan, '/x/cluster.yaml', '/d'), /a controller and 1 agent on 127\.0\.0\.1/)
  const three = demoPlan({
    from: '/x/cluster.yaml',
    ports: layoutPorts([...Array(11).keys()], 3),
    files,
    join,
  })
  assert.match(summary(three, '/x/cluster.yaml', '/d'), /a controller and 3 agents on/)
  assert.equal(everyAgent(1), 'the agent')
  assert.equal(everyAgent(3), 'all 3 agents')
})
