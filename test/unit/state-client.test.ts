import { test } from 'node:test'
import assert from 'node:assert/strict'
import { stateTable } from '../../lib/agent/state-client.ts'

const base = {
  records: [{ name: 'a.k8s.local', type: 'A', values: ['10.0.0.1'], ttl: 60 }],
  publishers: [{ id: 'ab', version: '1.0' }],
  peers: 2,
}

test('state table: a sink error is shown under the peers; none when sinks work', () => {
  assert.doesNotMatch(stateTable({ ...base, sinks: { hosts: { path: '/etc/hosts' } } }), /ERROR/)
  const t = stateTable({ ...base, sinks: { hosts: { path: '/etc/hosts', lastError: 'EROFS: read-only' } } })
  assert.match(t, /PEERS {2}2\n\nHOSTS ERROR {2}EROFS: read-only\n$/)
})
