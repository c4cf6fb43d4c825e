// The hosts block never carries a line the replica did not mean: names and addresses are checked
// again at the last step, ownership is a comment, and an older version's injected lines go away.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import {
  applyReplica,
  BEGIN_MARKER as B,
  END_MARKER as E,
  OWNER_ADDRESS,
  OWNER_COMMENT,
} from '../../../../lib/sinks/hosts/block.ts'

const ZONES = ['k8s.local']
const USER = '127.0.0.1 localhost\n10.9.9.9 seeded.example\n'

/** Every line a hosts parser would read as an entry: `ADDRESS NAME...`, comments stripped. */
function entries(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.replace(/#.*/, '').trim())
    .filter((l) => l !== '')
}

const control = ['\n', '\r', '\t', '\u0000', '\u000b', '\u000c', '\u0085', '\u2028', ' ']

for (const c of control) {
  const inject = `${c}6.6.6.7 api.openai.com${c}`
  const cases: { name: string; desired: [string, string[]][] }[] = [
    { name: 'name', desired: [[`x.k8s.local${inject}`, ['10.0.0.1']]] },
    { name: 'name prefix', desired: [[`${inject}x.k8s.local`, ['10.0.0.1']]] },
    { name: 'address', desired: [['x.k8s.local', [`10.0.0.1${inject}`]]] },
  ]
  for (const k of cases)
    test(`hosts block: ${JSON.stringify(c)} in a ${k.name} never reaches the file`, () => {
      const desired = new Map([...k.desired, ['ok.k8s.local', ['10.0.0.2']]])
      const r = applyReplica(USER, desired, ZONES)
      assert.deepEqual(entries(r.text), [
        '127.0.0.1 localhost',
        '10.9.9.9 seeded.example',
        '10.0.0.2\tok.k8s.local',
      ])
      assert.ok(!r.text.includes('6.6.6.7'), r.text)
      assert.deepEqual(
        r.problems.map((p) => p.kind),
        ['invalid-name'],
      )
      assert.ok(r.text.includes(`${OWNER_COMMENT} ok.k8s.local\n${E}\n`))
    })
}

test('hosts block: ownership is a comment line, last in the block', () => {
  const r = applyReplica(
    USER,
    new Map([
      ['b.k8s.local', ['10.0.0.2']],
      ['a.k8s.local', ['10.0.0.1']],
    ]),
    ZONES,
  )
  assert.equal(
    r.text,
    [
      '127.0.0.1 localhost',
      '10.9.9.9 seeded.example',
      '',
      B,
      '10.0.0.1\ta.k8s.local',
      '10.0.0.2\tb.k8s.local',
      `${OWNER_COMMENT} a.k8s.local b.k8s.local`,
      E,
      '',
    ].join('\n'),
  )
  assert.deepEqual(r.problems, [])
  assert.equal(applyReplica(r.text, new Map(), ZONES).text, `${USER}\n${B}\n${E}\n`, 'all ours removed')
})

test('hosts block: the older ownership entry is still read, and replaced by the comment', () => {
  const old = [
    USER,
    B,
    '10.0.0.1\told.k8s.local',
    '10.0.0.5\tseed.k8s.local',
    `${OWNER_ADDRESS}\told.k8s.local`,
    E,
    '',
  ].join('\n')
  const r = applyReplica(old, new Map([['new.k8s.local', ['10.0.0.2']]]), ZONES)
  assert.equal(
    r.text,
    [
      USER,
      B,
      '10.0.0.2\tnew.k8s.local',
      '10.0.0.5\tseed.k8s.local',
      `${OWNER_COMMENT} new.k8s.local`,
      E,
      '',
    ].join('\n'),
  )
  assert.deepEqual(r.problems, [])
})

test('hosts block: lines an older version injected are cleaned on the next write', () => {
  // What the previous release wrote for a name and for a value with a newline in them: the name
  // line split the ownership entry, the value line became an entry outside our zone.
  const old = [
    USER,
    B,
    '10.0.0.1\t6.6.6.7 api.openai.com',
    'x.k8s.local',
    '10.0.0.1',
    '6.6.6.7 api.openai.com\ty.k8s.local',
    '10.0.0.3\tgood.k8s.local',
    'not-an-ip\tz.k8s.local',
    `${OWNER_ADDRESS}\t6.6.6.7 api.openai.com`,
    'x.k8s.local good.k8s.local y.k8s.local',
    E,
    '',
  ].join('\n')
  const r = applyReplica(old, new Map([['good.k8s.local', ['10.0.0.3']]]), ZONES)
  assert.equal(
    r.text,
    [USER, B, '10.0.0.3\tgood.k8s.local', `${OWNER_COMMENT} good.k8s.local`, E, ''].join('\n'),
  )
  assert.ok(r.problems.some((p) => p.kind === 'invalid-entry'))
  assert.equal(applyReplica(r.text, new Map([['good.k8s.local', ['10.0.0.3']]]), ZONES).text, r.text)
})

test('hosts block: a seeded name inside our zones is kept; entries outside them are removed', () => {
  const old = [USER, B, '10.0.0.5\tapi.internal.k8s.local', '10.0.0.6\tother.example.org', E, ''].join('\n')
  const r = applyReplica(old, new Map(), ZONES)
  assert.equal(r.text, [USER, B, '10.0.0.5\tapi.internal.k8s.local', E, ''].join('\n'))
  assert.deepEqual(r.problems, [{ kind: 'invalid-entry', address: '10.0.0.6', name: 'other.example.org' }])
})
