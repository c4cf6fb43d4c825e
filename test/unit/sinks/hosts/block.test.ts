import { test } from 'node:test'
import assert from 'node:assert/strict'
import {
  applyReplica,
  BEGIN_MARKER as B,
  END_MARKER as E,
  OWNER_ADDRESS,
  readBlock,
  replaceName,
  rewriteHosts,
} from '../../../../lib/sinks/hosts/block.ts'
import { hostEntries } from '../../../../lib/sinks/hosts/entries.ts'
import type { ResolvedRecord } from '../../../../lib/records/types.ts'

const EB = '# Begin host entries managed by etcd-manager[etcd] - do not edit'
const EE = '# End host entries managed by etcd-manager[etcd]'

// kOps' own hosts test mutator: parse the block (no bad lines), then a → 2 addresses, b → 1, c removed.
function f9(text: string): string {
  const r = rewriteHosts(text, (hosts) => {
    replaceName(hosts, 'a', ['10.0.1.2', '10.0.1.1'])
    replaceName(hosts, 'b', ['10.0.2.1'])
    replaceName(hosts, 'c', [])
  })
  assert.deepEqual(
    r.problems.filter((p) => p.kind === 'bad-line'),
    [],
  )
  return r.text
}

const KOPS_BLOCK = [B, '10.0.1.1\ta', '10.0.1.2\ta', '10.0.2.1\tb', E, '']

const f9Cases = [
  {
    name: 'F9a removes duplicate guarded blocks',
    input: ['', '10.2.3.4 foo', '', EB, EE, EB, EE, ...Array.from({ length: 8 }, () => [B, E]).flat(), ''],
    expected: ['', '10.2.3.4 foo', '', EB, EE, EB, EE, '', ...KOPS_BLOCK],
  },
  {
    name: 'F9b recovers from bad nesting',
    input: [
      '',
      '10.2.3.4 foo',
      '',
      E,
      B,
      B,
      E,
      E,
      E,
      B,
      E,
      B,
      E,
      B,
      E,
      B,
      B,
      B,
      B,
      E,
      B,
      E,
      '',
      '10.1.2.3 bar',
      '',
    ],
    expected: ['', '10.2.3.4 foo', '', '', '10.1.2.3 bar', '', ...KOPS_BLOCK],
  },
]

for (const c of f9Cases) {
  test(`${c.name} (100 runs, identical output)`, () => {
    let text = c.input.join('\n')
    const expected = c.expected.join('\n')
    for (let i = 0; i < 100; i++) {
      text = f9(text)
      assert.equal(text, expected, `run ${i}`)
    }
  })
}

test('stray and unterminated markers are reported', () => {
  const r = rewriteHosts(['x', E, B, '1.2.3.4 a'].join('\n'), () => {})
  assert.deepEqual(
    r.problems.map((p) => p.kind),
    ['stray-end', 'unterminated-begin'],
  )
  assert.equal(r.text, ['x', '', B, '1.2.3.4\ta', E, ''].join('\n'))
})

test('bad lines inside the block are dropped and reported', () => {
  const r = rewriteHosts([B, '# a comment', 'lonely', '10.0.0.1 ok', E].join('\n'), () => {})
  assert.deepEqual(
    r.problems.map((p) => p.kind),
    ['bad-line', 'bad-line'],
  )
  assert.equal(r.text, ['', B, '10.0.0.1\tok', E, ''].join('\n'))
})

const seeded = [
  '127.0.0.1 localhost',
  '',
  B,
  '10.9.9.9\tapi.internal.c.local',
  '10.9.9.8\tboot.local',
  E,
  '',
].join('\n')

const ownershipCases = [
  {
    name: 'replica replaces a seeded name and keeps the others',
    steps: [{ 'api.internal.c.local': ['10.0.0.1', '10.0.0.2'] }],
    expected: {
      '10.0.0.1': 'api.internal.c.local',
      '10.0.0.2': 'api.internal.c.local',
      '10.9.9.8': 'boot.local',
      [OWNER_ADDRESS]: 'api.internal.c.local',
    },
  },
  {
    name: 'a name we wrote and that left the replica is removed; a seeded one stays',
    steps: [{ 'api.internal.c.local': ['10.0.0.1'], 'x.local': ['10.0.0.3'] }, { 'x.local': ['10.0.0.4'] }],
    expected: { '10.0.0.4': 'x.local', '10.9.9.8': 'boot.local', [OWNER_ADDRESS]: 'x.local' },
  },
  {
    name: 'an empty replica removes every name we wrote and the ownership line',
    steps: [{ 'x.local': ['10.0.0.3'] }, {}],
    expected: { '10.9.9.8': 'boot.local', '10.9.9.9': 'api.internal.c.local' },
  },
]

for (const c of ownershipCases) {
  test(c.name, () => {
    let text = seeded
    for (const step of c.steps) text = applyReplica(text, new Map(Object.entries(step))).text
    const { hosts, problems } = readBlock(text)
    assert.deepEqual(problems, [])
    assert.deepEqual(Object.fromEntries([...hosts].map(([a, n]) => [a, [...n].sort().join(' ')])), c.expected)
    assert.ok(text.startsWith('127.0.0.1 localhost\n\n' + B), text)
    assert.equal(applyReplica(text, new Map(Object.entries(c.steps.at(-1) ?? {}))).text, text, 'idempotent')
  })
}

const rec = (name: string, type: ResolvedRecord['type'], ...values: string[]): ResolvedRecord => ({
  name,
  type,
  values,
  ttlSeconds: 60,
})

test('desired hosts: zones, A+AAAA combined, CNAMEs flattened through our data', () => {
  const d = hostEntries(
    [
      rec('api.c.local', 'A', '10.0.0.1'),
      rec('api.c.local', 'AAAA', 'fd00::1'),
      rec('alias.c.local', 'CNAME', 'api.c.local'),
      rec('twice.c.local', 'CNAME', 'alias.c.local'),
      rec('away.c.local', 'CNAME', 'example.com'),
      rec('loop1.c.local', 'CNAME', 'loop2.c.local'),
      rec('loop2.c.local', 'CNAME', 'loop1.c.local'),
      rec('other.example.org', 'A', '10.0.0.9'),
    ],
    ['local'],
  )
  assert.deepEqual(Object.fromEntries(d.hosts), {
    'alias.c.local': ['10.0.0.1', 'fd00::1'],
    'api.c.local': ['10.0.0.1', 'fd00::1'],
    'twice.c.local': ['10.0.0.1', 'fd00::1'],
  })
  assert.deepEqual(d.unresolved, ['away.c.local', 'loop1.c.local', 'loop2.c.local'])
})
