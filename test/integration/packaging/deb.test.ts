/**
 * `npm run package:deb`: the .deb installs into a throwaway root (dpkg --root, maintainer scripts
 * run outside a chroot with DPKG_ROOT set, so they touch that root only) with the executable,
 * the unit, the environment file as a conffile and the unit enabled, and starts nothing (no state
 * dir: the agent never ran); lintian reports no error; purge takes it all away but the operator's
 * /etc/dns-controller keys.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { packageDeb } from '../../../scripts/package-deb.ts'
import { seaExecutable } from '../../helpers/sea.ts'

const has = (cmd: string): boolean => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0
const skip = has('dpkg') && has('dpkg-deb') ? false : 'needs dpkg'

test(
  'the .deb installs into an empty root, starts nothing, passes lintian and purges',
  { skip, timeout: 600_000 },
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'dnsc-deb-'))
    t.after(() => rmSync(dir, { recursive: true, force: true }))
    const deb = await packageDeb(join(dir, 'out'), await seaExecutable())
    assert.match(deb, /dns-controller_\d+\.\d+\.\d+_amd64\.deb$/)

    if (has('lintian')) {
      const lint = spawnSync('lintian', ['--no-tag-display-limit', deb], { encoding: 'utf8' })
      const errors = lint.stdout.split('\n').filter((l) => l.startsWith('E:'))
      assert.deepEqual(errors, [], lint.stdout)
    } else t.diagnostic('lintian not installed: not run')

    const root = join(dir, 'root')
    for (const d of ['var/lib/dpkg/info', 'var/lib/dpkg/updates', 'etc/dns-controller/gossip'])
      mkdirSync(join(root, d), { recursive: true })
    writeFileSync(join(root, 'var/lib/dpkg/status'), '')
    writeFileSync(join(root, 'var/lib/dpkg/available'), '')
    writeFileSync(join(root, 'etc/dns-controller/gossip/gossip.psk'), 'operator-owned\n')
    // --force-depends: the empty root has no libc6 package; the host's libraries run the binary.
    const dpkg = (...args: string[]): string =>
      execFileSync('dpkg', [`--root=${root}`, '--force-script-chrootless', '--force-depends', ...args], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      })
    dpkg('-i', deb)

    const exe = join(root, 'usr/bin/dns-controller')
    assert.equal(statSync(exe).mode & 0o777, 0o755)
    assert.match(
      execFileSync(exe, ['agent', '--version'], { env: {}, encoding: 'utf8' }),
      /^dns-controller \d/,
    )
    assert.ok(existsSync(join(root, 'lib/systemd/system/dns-controller-agent.service')))
    assert.ok(existsSync(join(root, 'etc/dns-controller/agent.env')))
    assert.match(
      execFileSync(
        'dpkg-query',
        [`--admindir=${join(root, 'var/lib/dpkg')}`, '-W', '-f=${Conffiles}', 'dns-controller'],
        { encoding: 'utf8' },
      ),
      /\/etc\/dns-controller\/agent\.env [0-9a-f]{32}/,
    )
    assert.equal(
      readlinkSync(join(root, 'etc/systemd/system/multi-user.target.wants/dns-controller-agent.service')),
      '/lib/systemd/system/dns-controller-agent.service',
      'enabled for the next boot',
    )
    assert.ok(!existsSync(join(root, 'var/lib/dns-controller')), 'the agent never ran')

    dpkg('--purge', 'dns-controller')
    for (const gone of [
      'usr/bin/dns-controller',
      'lib/systemd/system/dns-controller-agent.service',
      'etc/dns-controller/agent.env',
    ])
      assert.ok(!existsSync(join(root, gone)), `${gone} left after purge`)
    assert.ok(
      !existsSync(join(root, 'etc/systemd/system/multi-user.target.wants/dns-controller-agent.service')),
    )
    assert.ok(existsSync(join(root, 'etc/dns-controller/gossip/gossip.psk')), "the operator's key is kept")
  },
)
