/**
 * The agent's systemd unit: `systemd-analyze verify` finds nothing to say about it (offline, in a
 * throwaway root holding the system's own units and an executable at the unit's path), its
 * hardening scores as `systemd-analyze security` "OK", and it keeps the promises the docs make:
 * up before the kubelet, after the network, always restarted, writing only the hosts file and
 * its state dir, no capability, and its command lines read the environment file it ships with.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync, spawnSync } from 'node:child_process'
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parse as parseYaml } from 'yaml'
import { execArgv, parseEnvFile, parseUnit, unitEnvironment, unitValues } from '../../helpers/unit-file.ts'

const ROOT = join(import.meta.dirname, '../../..')
const UNIT_NAME = 'dns-controller-agent.service'
const unitText = readFileSync(join(ROOT, 'packaging/systemd', UNIT_NAME), 'utf8')
const unit = parseUnit(unitText)
// What systemd gives the command lines: the unit's Environment=, then the file's (which wins).
const env = {
  ...unitEnvironment(unit),
  ...parseEnvFile(readFileSync(join(ROOT, 'packaging/systemd/agent.env'), 'utf8')),
}
const one = (section: string, key: string): string | undefined => unitValues(unit, section, key).at(-1)

function analyzeRoot(t: { after: (fn: () => void) => void }): string {
  const root = mkdtempSync(join(tmpdir(), 'dnsc-systemd-'))
  t.after(() => rmSync(root, { recursive: true, force: true }))
  mkdirSync(join(root, 'usr/bin'), { recursive: true })
  writeFileSync(join(root, 'usr/bin/dns-controller'), '#!/bin/sh\n')
  chmodSync(join(root, 'usr/bin/dns-controller'), 0o755)
  // The targets the unit names (network-online, multi-user, sysinit) must exist in the root.
  mkdirSync(join(root, 'lib/systemd'), { recursive: true })
  cpSync('/lib/systemd/system', join(root, 'lib/systemd/system'), { recursive: true, verbatimSymlinks: true })
  mkdirSync(join(root, 'etc/systemd/system', `${UNIT_NAME}.d`), { recursive: true })
  writeFileSync(join(root, 'etc/systemd/system', UNIT_NAME), unitText)
  return root
}

const skip =
  existsSync('/lib/systemd/system') && spawnSync('systemd-analyze', ['--version']).status === 0
    ? false
    : 'needs systemd-analyze'

test(
  'systemd-analyze verify has nothing to say about the unit, with or without the DNS-port drop-in',
  { skip },
  (t) => {
    const root = analyzeRoot(t)
    const verify = (): string => {
      const r = spawnSync(
        'systemd-analyze',
        ['verify', `--root=${root}`, `/etc/systemd/system/${UNIT_NAME}`],
        { encoding: 'utf8' },
      )
      assert.equal(r.status, 0, r.stderr)
      return r.stderr + r.stdout
    }
    assert.equal(verify(), '')
    writeFileSync(
      join(root, 'etc/systemd/system', `${UNIT_NAME}.d`, 'dns-port.conf'),
      readFileSync(join(ROOT, 'packaging/systemd/dns-port.conf')),
    )
    assert.equal(verify(), '')
    // A bad value is reported, so an empty report means something.
    writeFileSync(
      join(root, 'etc/systemd/system', UNIT_NAME),
      unitText.replace('ProtectHome=yes', 'ProtectHome=bogus'),
    )
    assert.match(verify(), /ProtectHome|protect home/i)
  },
)

test('its hardening scores OK in systemd-analyze security', { skip }, (t) => {
  const root = analyzeRoot(t)
  const out = execFileSync(
    'systemd-analyze',
    ['security', '--offline=yes', `--root=${root}`, `/etc/systemd/system/${UNIT_NAME}`],
    { encoding: 'utf8' },
  )
  const score = Number(/Overall exposure level for \S+: ([\d.]+)/.exec(out)?.[1])
  assert.ok(score <= 2.5, `exposure ${score}:\n${out}`)
})

test('the unit keeps its promises', () => {
  assert.deepEqual(unitValues(unit, 'Unit', 'Before'), ['kubelet.service'])
  assert.deepEqual(unitValues(unit, 'Unit', 'Wants'), ['network-online.target'])
  assert.deepEqual(unitValues(unit, 'Unit', 'After'), ['network-online.target'])
  assert.equal(one('Service', 'Restart'), 'always')
  assert.equal(one('Service', 'ProtectSystem'), 'strict')
  assert.deepEqual(unitValues(unit, 'Service', 'ReadWritePaths'), ['/etc/hosts'])
  assert.equal(one('Service', 'StateDirectory'), 'dns-controller')
  for (const [k, v] of [
    ['NoNewPrivileges', 'yes'],
    ['PrivateTmp', 'yes'],
    ['ProtectHome', 'yes'],
    ['CapabilityBoundingSet', ''],
  ] as const)
    assert.equal(one('Service', k), v, k)
  assert.equal(one('Service', 'EnvironmentFile'), '/etc/dns-controller/agent.env')
  // Not started before it is configured: the keys must be there.
  assert.deepEqual(unitValues(unit, 'Unit', 'ConditionPathExists'), [
    '/etc/dns-controller/gossip/gossip.psk',
    '/etc/dns-controller/trust/publisher.pub',
  ])
})

test('its command lines, expanded with the shipped environment file, are valid commands', () => {
  const start = execArgv(one('Service', 'ExecStart') ?? '', env)
  assert.equal(start[0], '/usr/bin/dns-controller')
  // Node's flags, as the chart gives the agent container (agent.nodeFlags), one word for Node.
  const values = parseYaml(readFileSync(join(ROOT, 'charts/dns-controller/values.yaml'), 'utf8')) as {
    agent: { nodeFlags: string[]; threadpoolSize: number }
  }
  assert.equal(start[1], `--node-options=${values.agent.nodeFlags.join(' ')}`)
  assert.equal(env['UV_THREADPOOL_SIZE'], String(values.agent.threadpoolSize))
  assert.equal(start[2], 'agent')
  assert.ok(start.includes('--metrics-listen=127.0.0.1:3991'), start.join(' '))
  assert.ok(start.includes('--hosts-file=/etc/hosts'))
  // The state dir systemd creates is the one the agent is told to use.
  assert.ok(start.includes(`--state-dir=/var/lib/${one('Service', 'StateDirectory') ?? ''}`), start.join(' '))
  const post = execArgv(one('Service', 'ExecStartPost') ?? '', env)
  assert.deepEqual(post, ['/usr/bin/dns-controller', 'ready', '--from=127.0.0.1:3991', '--timeout=60'])
  assert.ok(
    (one('Service', 'ExecStartPost') ?? '').startsWith('-'),
    'a readiness timeout does not fail the unit',
  )
})
