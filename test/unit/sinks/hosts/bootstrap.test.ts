/**
 * Bootstrap names: the lines a provisioner wrote for a name the agent publishes give way while the
 * agent has addresses for it and come back when it has none. The block shape is nodeup's: kOps'
 * markers, `ADDRESS<TAB>names` with the names of one address sorted and space separated, for
 * api.internal and kops-controller.internal pointing at the control plane (docs/kops-compat.md).
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import {
  applyReplicaKeepingBootstrap as apply,
  SHADOWED_LINE,
} from '../../../../lib/sinks/hosts/bootstrap.ts'
import { BEGIN_MARKER, END_MARKER } from '../../../../lib/sinks/hosts/block.ts'

const API = 'api.internal.c.k8s.local'
const KC = 'kops-controller.internal.c.k8s.local'
const ZONES = ['c.k8s.local']
const NODEUP = ['127.0.0.1 localhost', '', BEGIN_MARKER, `10.0.0.10\t${API} ${KC}`, END_MARKER, ''].join('\n')

/** What a resolver reading the file top to bottom answers first for `name` (glibc's files). */
function firstAddress(text: string, name: string): string | undefined {
  for (const line of text.split('\n')) {
    const [addr, ...names] = line.trim().split(/\s+/)
    if (addr !== undefined && !addr.startsWith('#') && names.includes(name)) return addr
  }
  return undefined
}

const run = (text: string, desired: Record<string, string[]>): string =>
  apply(text, new Map(Object.entries(desired)), ZONES).text

test("the control plane is replaced: api.internal follows the agent, nodeup's seed comes back when the name goes", () => {
  let hosts = apply(NODEUP, new Map(), ZONES).text
  assert.equal(firstAddress(hosts, API), '10.0.0.10', 'nothing published: the seed stands')
  hosts = run(hosts, { [API]: ['10.0.0.11'] })
  assert.equal(firstAddress(hosts, API), '10.0.0.11', "the agent's address wins")
  assert.equal(firstAddress(hosts, KC), '10.0.0.10', 'a name not published keeps its seed')
  // kops#18461: the control plane at 10.0.0.11 is replaced by one at 10.0.0.12.
  hosts = run(hosts, { [API]: ['10.0.0.12'] })
  assert.equal(firstAddress(hosts, API), '10.0.0.12')
  assert.ok(!hosts.includes('10.0.0.11'), 'no dead control-plane address left')
  // The published set for the name goes away: the seed comes back, and stays on later writes.
  hosts = run(hosts, {})
  assert.equal(firstAddress(hosts, API), '10.0.0.10')
  assert.equal(run(hosts, {}), hosts, 'stable once restored')
  assert.ok(!hosts.includes('dns-controller-shadowed'), 'nothing left of the shadowing')
})

test('the block keeps the shadowed seed across writes and is stable', () => {
  const once = run(NODEUP, { [API]: ['10.0.0.11', '10.0.0.12'] })
  assert.equal(run(once, { [API]: ['10.0.0.11', '10.0.0.12'] }), once)
  assert.deepEqual(once.split('\n').slice(2), [
    BEGIN_MARKER,
    `10.0.0.10\t${KC}`,
    `10.0.0.11\t${API}`,
    `10.0.0.12\t${API}`,
    `# dns-controller-shadowed: ${API} 10.0.0.10`,
    `# dns-controller-owned: ${API}`,
    END_MARKER,
    '',
  ])
})

test('nodeup writing its seed again (a reboot) is shadowed again, newest seed kept', () => {
  let hosts = run(NODEUP, { [API]: ['10.0.0.11'] })
  // nodeup at boot: its parser drops our comments and puts its entry back for the name.
  hosts = hosts
    .split('\n')
    .filter((l) => !l.startsWith('#') || l === BEGIN_MARKER || l === END_MARKER)
    .map((l) => (l.endsWith(API) ? `10.0.0.20\t${API}` : l))
    .join('\n')
  hosts = run(hosts, { [API]: ['10.0.0.11'] })
  assert.equal(firstAddress(hosts, API), '10.0.0.11')
  assert.equal(firstAddress(run(hosts, {}), API), '10.0.0.20')
})

test('a line elsewhere in the file (cloud-init, an operator) is commented out in place, then restored as it was', () => {
  const before = [
    '127.0.0.1 localhost',
    `10.0.0.10  ${API}   api-alias`,
    '::1 localhost ip6-localhost',
    '',
  ].join('\n')
  const during = run(before, { [API]: ['10.0.0.11'] })
  assert.equal(firstAddress(during, API), '10.0.0.11')
  assert.equal(during.split('\n')[1], `${SHADOWED_LINE}10.0.0.10  ${API}   api-alias`)
  const after = run(during, {})
  assert.equal(after.split('\n').slice(0, 3).join('\n'), before.split('\n').slice(0, 3).join('\n'))
  assert.equal(firstAddress(after, API), '10.0.0.10')
  // Other lines and comments are never touched.
  assert.equal(
    run('# 10.0.0.10 ' + API + '\n127.0.0.1 localhost\n', { [API]: ['10.0.0.11'] }).split('\n')[0],
    `# 10.0.0.10 ${API}`,
  )
})
