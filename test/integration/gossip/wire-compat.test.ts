/**
 * A node on the packages we moved from (@chainsafe/libp2p-noise 17.0.0, @chainsafe/libp2p-yamux
 * 8.0.1) and one on their maintained successors (@libp2p/noise, @libp2p/yamux) still talk: the
 * same deterministic session (wire-transcript.ts) gives the bytes recorded with the old packages,
 * byte for byte, in both directions. The fixture was recorded by running wire-transcript.ts with
 * the old packages installed, so the check needs nothing but what is installed now.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { noise } from '@libp2p/noise'
import { yamux } from '@libp2p/yamux'
import { transcript } from './wire-transcript.ts'
import type { Transcript } from './wire-transcript.ts'

const recorded = JSON.parse(
  readFileSync(join(import.meta.dirname, 'fixtures/wire-noise17.0.0-yamux8.0.1.json'), 'utf8'),
) as Transcript

test('noise + yamux put the same bytes on the wire as the @chainsafe packages did', async () => {
  const now = await transcript({ noise, yamux })
  assert.equal(now.received, 'digest 1 2 3')
  assert.equal(now.echoed, 'echo:digest 1 2 3')
  // Handshake (XX with the muxer extension), yamux SYN/ACK, data, window updates, FIN, GoAway.
  assert.ok(recorded.outbound.length > 400 && recorded.inbound.length > 400)
  assert.equal(now.outbound, recorded.outbound, 'dialler bytes differ from the old packages')
  assert.equal(now.inbound, recorded.inbound, 'listener bytes differ from the old packages')
})

test('the protocol ids multistream-select negotiates are unchanged', () => {
  assert.equal(
    noise()({ logger: { forComponent: () => Object.assign(() => {}, { enabled: false }) } } as never)
      .protocol,
    '/noise',
  )
  assert.equal(yamux()().protocol, '/yamux/1.0.0')
})
