import { test } from 'node:test'
import assert from 'node:assert/strict'
import { decidePublish, sameRecords } from '../../../lib/controller/decide.ts'
import type { PublishDecision, PublishState } from '../../../lib/controller/decide.ts'
import type { ResolvedRecord } from '../../../lib/records/types.ts'

const a: ResolvedRecord = { name: 'a.example.local', type: 'A', values: ['10.0.0.1'], ttlSeconds: 60 }
const a2: ResolvedRecord = { ...a, values: ['10.0.0.2'] }

const cases: { name: string; state: PublishState; want: PublishDecision }[] = [
  {
    name: 'gate closed',
    state: { snapshot: undefined, leader: true, last: undefined },
    want: 'wait-for-sync',
  },
  {
    name: 'follower',
    state: { snapshot: { version: 1, records: [a] }, leader: false, last: undefined },
    want: 'follower',
  },
  {
    name: 'new term',
    state: { snapshot: { version: 1, records: [a] }, leader: true, last: undefined },
    want: 'publish',
  },
  {
    name: 'same version',
    state: { snapshot: { version: 3, records: [a] }, leader: true, last: { version: 3, records: [a] } },
    want: 'unchanged',
  },
  {
    name: 'new version, same records',
    state: { snapshot: { version: 4, records: [a] }, leader: true, last: { version: 3, records: [a] } },
    want: 'unchanged',
  },
  {
    name: 'new version, other records',
    state: { snapshot: { version: 4, records: [a2] }, leader: true, last: { version: 3, records: [a] } },
    want: 'publish',
  },
  {
    name: 'records removed',
    state: { snapshot: { version: 4, records: [] }, leader: true, last: { version: 3, records: [a] } },
    want: 'publish',
  },
]

for (const c of cases)
  test(`decidePublish: ${c.name} → ${c.want}`, () => assert.equal(decidePublish(c.state), c.want))

test('sameRecords compares names, types, TTLs and values', () => {
  assert.equal(sameRecords([a], [{ ...a }]), true)
  assert.equal(sameRecords([a], [a2]), false)
  assert.equal(sameRecords([a], [{ ...a, ttlSeconds: 5 }]), false)
  assert.equal(sameRecords([a], [{ ...a, type: 'AAAA' }]), false)
  assert.equal(sameRecords([a], [a, a2]), false)
})
