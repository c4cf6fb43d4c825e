// Which flag chose each address a process listens on, for the "port in use" errors.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { listenFlags } from '../../../lib/gossip/from-flags.ts'
import type { GossipNetworkConfig } from '../../../lib/gossip/network-config.ts'

const net = (port: number) => ({ listen: { host: '0.0.0.0', port } }) as unknown as GossipNetworkConfig

test('listenFlags: the gossip networks, then the others given; absent ones left out', () => {
  assert.deepEqual(
    listenFlags(
      { primary: net(3999) },
      { 'dns-listen': undefined, 'metrics-listen': { host: '127.0.0.1', port: 3991 } },
    ),
    [
      { flag: 'gossip-listen', listen: { host: '0.0.0.0', port: 3999 } },
      { flag: 'metrics-listen', listen: { host: '127.0.0.1', port: 3991 } },
    ],
  )
  assert.deepEqual(
    listenFlags({ primary: net(3998), secondary: net(3993) }, {}).map((f) => f.flag),
    ['gossip-listen', 'gossip-listen-secondary'],
  )
})
