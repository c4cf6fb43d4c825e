// A publisher for the network-namespace test: a gossip node holding the publisher key that
// publishes each line of stdin (a JSON array of records) as a new version.
//   node test/e2e/publisher.ts LISTEN_HOST:PORT PSK_FILE PUBLISHER_KEY_FILE
import { createInterface } from 'node:readline'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { Registry } from 'prom-client'
import { GOSSIP_LOOPBACK } from '../../lib/gossip/core/index.ts'
import { loadSigner, readPskFile } from '../../lib/gossip/keys.ts'
import { createGossipNode } from '../../lib/gossip/node.ts'
import type { ResolvedRecord } from '../../lib/records/types.ts'
import { systemClock } from '../../lib/util/clock.ts'
import { randomRng } from '../../lib/util/random.ts'
import { parseHostPort } from '../../lib/util/hostport.ts'
import { createLogger } from '../../lib/util/log.ts'

const [listenText = '', pskFile = '', keyFile = ''] = process.argv.slice(2)
const listen = parseHostPort(listenText)
if (typeof listen === 'string') throw new Error(listen)
const signer = loadSigner(keyFile, 'publisher-key-file')
const node = createGossipNode(
  {
    primary: { listen, seeds: [], psk: readPskFile(pskFile, 'gossip-secret-file') },
    privateKey: await generateKeyPair('Ed25519'),
    trustedPublishers: [signer.publicKey],
    signer,
    config: GOSSIP_LOOPBACK,
  },
  { clock: systemClock, rng: randomRng(), log: createLogger({ verbosity: 0 }), registry: new Registry() },
)
await node.start()
process.stdout.write('ready\n')
for await (const line of createInterface({ input: process.stdin })) {
  if (line.trim() === '') continue
  const v = await node.publish(JSON.parse(line) as ResolvedRecord[])
  process.stdout.write(`published ${v.version}\n`)
}
await node.stop()
