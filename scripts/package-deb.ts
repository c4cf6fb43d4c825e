/**
 * `npm run package:deb`: dns-controller_<version>_amd64.deb from the single executable
 * (dist/dns-controller-linux-x64, built first if missing), the agent's systemd unit and its
 * environment file (a conffile: an upgrade keeps the operator's edits), with dpkg-deb alone.
 * The maintainer scripts (packaging/deb) never start the agent before it is configured.
 *
 *   node scripts/package-deb.ts [OUTDIR] [EXECUTABLE]
 */
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, relative, resolve } from 'node:path'
import { gzipSync } from 'node:zlib'
import { buildSea, SEA_NAME } from './build-sea.ts'

const ROOT = resolve(import.meta.dirname, '..')
const PKG = 'dns-controller'
const UNIT = 'dns-controller-agent.service'

const DESCRIPTION = `gossip DNS for Kubernetes nodes (node agent)
 dns-controller turns kOps' DNS annotations on Services, Pods, Nodes and
 Ingresses into records and publishes them as signed snapshots over an
 authenticated gossip network. This package installs the node agent as a
 systemd service that starts before the kubelet: it keeps the records in
 kOps' managed block of /etc/hosts and can answer DNS for them.`

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)],
  )
}

function put(root: string, path: string, data: Buffer | string, mode: number): void {
  const to = join(root, path)
  mkdirSync(dirname(to), { recursive: true, mode: 0o755 })
  writeFileSync(to, data)
  chmodSync(to, mode)
}

export async function packageDeb(outDir: string, executable: string): Promise<string> {
  const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }
  if (!existsSync(executable)) await buildSea(executable)
  const root = mkdtempSync(join(tmpdir(), 'dnsc-deb-'))
  try {
    const doc = `usr/share/doc/${PKG}`
    const sd = join(ROOT, 'packaging/systemd')
    put(root, 'usr/bin/dns-controller', readFileSync(executable), 0o755)
    put(root, `lib/systemd/system/${UNIT}`, readFileSync(join(sd, UNIT)), 0o644)
    put(root, 'etc/dns-controller/agent.env', readFileSync(join(sd, 'agent.env')), 0o644)
    put(root, `${doc}/copyright`, readFileSync(join(ROOT, 'packaging/deb/copyright')), 0o644)
    put(root, `${doc}/examples/dns-port.conf`, readFileSync(join(sd, 'dns-port.conf')), 0o644)
    put(
      root,
      `${doc}/operations.md.gz`,
      gzipSync(readFileSync(join(ROOT, 'docs/operations.md')), { level: 9 }),
      0o644,
    )
    // Overrides, with the reason: Node's binary links its own copies of these libraries statically.
    put(
      root,
      `usr/share/lintian/overrides/${PKG}`,
      ['zlib', 'mbedtls']
        .map(
          (l) =>
            `# Node.js builds its own ${l} into its binary, which is this executable.\n${PKG}: embedded-library ${l} [usr/bin/dns-controller]\n`,
        )
        .join(''),
      0o644,
    )
    const changelog = `${PKG} (${version}) unstable; urgency=medium\n\n  * Release ${version}.\n\n -- dns-controller maintainers <maintainers@dns-controller.invalid>  Thu, 01 Jan 2026 00:00:00 +0000\n`
    put(root, `${doc}/changelog.gz`, gzipSync(changelog, { level: 9 }), 0o644)

    const payload = files(root)
    const md5sums = payload
      .map((f) => `${createHash('md5').update(readFileSync(f)).digest('hex')}  ${relative(root, f)}\n`)
      .join('')
    const installedKb = Math.ceil(payload.reduce((n, f) => n + statSync(f).size, 0) / 1024)
    const control = [
      `Package: ${PKG}`,
      `Version: ${version}`,
      'Architecture: amd64',
      'Maintainer: dns-controller maintainers <maintainers@dns-controller.invalid>',
      `Installed-Size: ${installedKb}`,
      // The executable is Node's binary: glibc 2.28+, libstdc++, libgcc, libatomic.
      'Depends: libc6 (>= 2.28), libstdc++6 (>= 10), libgcc-s1, libatomic1',
      'Section: net',
      'Priority: optional',
      `Description: ${DESCRIPTION}`,
      '',
    ].join('\n')
    put(root, 'DEBIAN/control', control, 0o644)
    put(root, 'DEBIAN/md5sums', md5sums, 0o644)
    put(root, 'DEBIAN/conffiles', '/etc/dns-controller/agent.env\n', 0o644)
    for (const s of ['postinst', 'prerm', 'postrm'])
      put(root, `DEBIAN/${s}`, readFileSync(join(ROOT, 'packaging/deb', s)), 0o755)
    for (const d of files(root).map((f) => dirname(f))) chmodSync(d, 0o755)
    chmodSync(root, 0o755)

    mkdirSync(outDir, { recursive: true })
    const deb = join(outDir, `${PKG}_${version}_amd64.deb`)
    execFileSync('dpkg-deb', ['--root-owner-group', '-Zgzip', '--build', root, deb], {
      stdio: ['ignore', 'ignore', 'inherit'],
    })
    return deb
  } finally {
    rmSync(root, { recursive: true, force: true })
  }
}

if (import.meta.main) {
  const out = resolve(process.argv[2] ?? join(ROOT, 'dist'))
  const deb = await packageDeb(out, resolve(process.argv[3] ?? join(ROOT, 'dist', SEA_NAME)))
  process.stdout.write(`built ${deb}\n`)
}
