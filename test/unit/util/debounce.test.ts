import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Debouncer } from '../../../lib/util/debounce.ts'

test('debounce: runs quietMs after the last poke, bounded by maxWaitMs after the first', () => {
  const cases = [
    { name: 'nothing pending', pokes: [], deadline: undefined },
    { name: 'one poke', pokes: [1000], deadline: 1100 },
    { name: 'a burst waits for quiet', pokes: [1000, 1050, 1090], deadline: 1190 },
    { name: 'a steady stream is bounded', pokes: [1000, 1090, 1180, 1270, 1360, 1450, 1540], deadline: 1500 },
  ]
  for (const c of cases) {
    const d = new Debouncer(100, 500)
    for (const at of c.pokes) d.poke(at)
    assert.equal(d.deadline(), c.deadline, c.name)
  }
})

test('debounce: taken() starts a new round', () => {
  const d = new Debouncer(100, 500)
  d.poke(0)
  assert.equal(d.due(99), false)
  assert.equal(d.due(100), true)
  d.taken()
  assert.equal(d.deadline(), undefined)
  d.poke(2000)
  assert.equal(d.deadline(), 2100)
})

test('debounce: rejects a bound below the quiet time', () => {
  assert.throws(() => new Debouncer(100, 50))
})
