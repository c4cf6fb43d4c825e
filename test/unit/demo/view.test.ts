import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { AgentState } from '../../../lib/agent/status.ts'
import { converged, diffRecords, sampleName } from '../../../lib/demo/view.ts'

const rec = (name: string, values: string[], type = 'A') => ({ name, type, values, ttl: 60 })
const state = (version: string, records = [rec('a.local', ['10.0.0.1'])]): AgentState => ({
  records,
  publishers: version === '' ? [] : [{ id: 'p', version }],
  peers: 1,
})

test('converged: only when every agent holds the same publisher version and records', () => {
  const cases = [
    { name: 'all the same', states: [state('5'), state('5')], want: 'p@5' },
    { name: 'one unreachable', states: [state('5'), undefined], want: undefined },
    { name: 'one without a publisher', states: [state('5'), state('')], want: undefined },
    { name: 'versions differ', states: [state('5'), state('6')], want: undefined },
    { name: 'records differ', states: [state('5'), state('5', [])], want: undefined },
  ]
  for (const c of cases) assert.equal(converged(c.states), c.want, c.name)
})

test('diffRecords: removed, added and changed sets, by name, removal first', () => {
  const before = [rec('a.local', ['1.1.1.1']), rec('b.local', ['2.2.2.2']), rec('c.local', ['3.3.3.3'])]
  const after = [rec('a.local', ['1.1.1.1']), rec('b.local', ['2.2.2.3']), rec('d.local', ['4.4.4.4'])]
  assert.deepEqual(diffRecords(before, after), [
    '- b.local A 2.2.2.2',
    '+ b.local A 2.2.2.3',
    '- c.local A 3.3.3.3',
    '+ d.local A 4.4.4.4',
  ])
  assert.deepEqual(diffRecords(before, before), [])
})

test('sampleName: api.internal first, else an A record', () => {
  assert.equal(
    sampleName([
      rec('x.local', ['h'], 'CNAME'),
      rec('web.local', ['1.1.1.1']),
      rec('api.internal.c.local', ['1.1.1.1']),
    ]),
    'api.internal.c.local',
  )
  assert.equal(sampleName([rec('x.local', ['h'], 'CNAME'), rec('web.local', ['1.1.1.1'])]), 'web.local')
  assert.equal(sampleName([]), undefined)
})
