/**
 * A real Kubernetes API for tests: etcd + kube-apiserver (built by scripts/testbin.sh) on 127.0.0.1
 * with free ports, a fresh CA and serving certificate, static bearer tokens and RBAC authorization.
 * No controller-manager runs: objects are stored and watched, nothing reconciles them (Pods need no
 * node, status is whatever the test writes). One cluster per test file; `stop()` kills both processes
 * and removes the temp dir.
 *
 *   const kube = await startKube({ users: [{ name: 'ctl', groups: ['dns'] }] })
 *   t.after(() => kube.stop())
 *   await kube.request('POST', '/api/v1/namespaces/default/services', svc)
 *   const kc = kube.kubeconfigPath           // system:masters; kube.kubeconfigFor('ctl') is restricted
 */
import { execFile, spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, openSync, closeSync } from 'node:fs'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { request as httpsRequest } from 'node:https'
import { request as httpRequest } from 'node:http'
import { homedir, tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { freePort } from '../../lib/util/ports.ts'

const run = promisify(execFile)

export function testbinDir(): string {
  return join(process.env.DNSC_TESTBIN ?? join(homedir(), '.cache/dns-controller/testbin'), 'bin')
}

/** Undefined when every tool is built, else a reason for `t.skip` / `describe({ skip })`. */
export function missingTestbin(...tools: string[]): string | undefined {
  const missing = tools.filter((t) => !existsSync(join(testbinDir(), t)))
  return missing.length === 0
    ? undefined
    : `missing ${missing.join(', ')} in ${testbinDir()}: run npm run testbin`
}

export interface KubeUser {
  readonly name: string
  readonly groups: readonly string[]
}

export interface KubeInit {
  /** Extra token users (RBAC subjects: User `name`, Groups `groups`). */
  readonly users?: readonly KubeUser[]
  /** Deadline for etcd and kube-apiserver to become ready. @default 90000 */
  readonly startTimeoutMs?: number
  /**
   * kube-apiserver's `--endpoint-reconciler-type`. `lease` keeps the default/kubernetes
   * EndpointSlice listing each running apiserver's advertised address (--cluster-name tests).
   * @default 'none'
   */
  readonly endpointReconciler?: 'none' | 'lease'
}

export interface ApiserverStart {
  /** `--advertise-address` (not loopback: the API refuses loopback endpoints); default: the host's address. */
  readonly advertiseAddress?: string
}

export interface ApiResponse {
  readonly status: number
  readonly body: unknown
}

export interface KubeCluster {
  /** `https://127.0.0.1:PORT` */
  readonly server: string
  readonly dir: string
  readonly caFile: string
  /** A kubeconfig for the admin user (group system:masters). */
  readonly kubeconfigPath: string
  /** A kubeconfig for one of `init.users`. */
  kubeconfigFor(user: string): string
  /** One API call as admin (or as `user`); never throws on HTTP status. */
  request(method: string, path: string, body?: unknown, user?: string): Promise<ApiResponse>
  /** Kills kube-apiserver only (etcd keeps the data); `startApiserver` brings it back on the same port. */
  stopApiserver(): Promise<void>
  startApiserver(opts?: ApiserverStart): Promise<void>
  stop(): Promise<void>
}

async function openssl(dir: string, args: string[]): Promise<void> {
  await run('openssl', args, { cwd: dir })
}

/** CA, serving certificate for 127.0.0.1/localhost, and the service-account signing key. */
async function makePki(dir: string): Promise<void> {
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes']
  await openssl(dir, [
    'req',
    '-x509',
    ...ec,
    '-keyout',
    'ca.key',
    '-out',
    'ca.crt',
    '-days',
    '2',
    '-subj',
    '/CN=test-ca',
  ])
  await openssl(dir, [
    'req',
    ...ec,
    '-keyout',
    'server.key',
    '-out',
    'server.csr',
    '-subj',
    '/CN=kube-apiserver',
  ])
  await writeFile(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n')
  await openssl(dir, [
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.crt',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'server.crt',
    '-days',
    '2',
    '-extfile',
    'san.ext',
  ])
  await openssl(dir, ['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'sa.key'])
}

function startProcess(bin: string, args: string[], logPath: string): ChildProcess {
  const fd = openSync(logPath, 'a')
  const child = spawn(join(testbinDir(), bin), args, { stdio: ['ignore', fd, fd] })
  closeSync(fd)
  // If the test process dies without stop(), do not leave servers behind.
  const onExit = (): void => {
    child.kill('SIGKILL')
  }
  process.once('exit', onExit)
  child.once('exit', () => process.off('exit', onExit))
  return child
}

async function killProcess(child: ChildProcess | undefined): Promise<void> {
  if (child === undefined || child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
  await exited
  clearTimeout(timer)
}

async function waitUntil(
  what: string,
  deadline: number,
  logPath: string,
  probe: () => Promise<boolean>,
  alive: () => boolean,
) {
  for (;;) {
    if (await probe().catch(() => false)) return
    if (!alive()) throw new Error(`${what} exited during startup; log:\n${await tail(logPath)}`)
    if (Date.now() > deadline) throw new Error(`${what} not ready in time; log:\n${await tail(logPath)}`)
    await new Promise((r) => setTimeout(r, 200))
  }
}

async function tail(path: string): Promise<string> {
  const text = await readFile(path, 'utf8').catch(() => '')
  return text.split('\n').slice(-30).join('\n')
}

function kubeconfigYaml(server: string, caFile: string, user: string, token: string): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    `clusters: [{name: test, cluster: {server: "${server}", certificate-authority: "${caFile}"}}]`,
    `users: [{name: ${user}, user: {token: "${token}"}}]`,
    `contexts: [{name: test, context: {cluster: test, user: ${user}}}]`,
    'current-context: test',
    '',
  ].join('\n')
}

export async function startKube(init: KubeInit = {}): Promise<KubeCluster> {
  const missing = missingTestbin('etcd', 'kube-apiserver')
  if (missing !== undefined) throw new Error(missing)
  const dir = await mkdtemp(join(tmpdir(), 'dnsc-kube-'))
  const timeoutMs = init.startTimeoutMs ?? 90_000
  let etcd: ChildProcess | undefined
  let apiserver: ChildProcess | undefined
  try {
    await makePki(dir)
    const users: { name: string; groups: readonly string[]; token: string }[] = [
      { name: 'admin', groups: ['system:masters'], token: randomBytes(16).toString('hex') },
      ...(init.users ?? []).map((u) => ({ ...u, token: randomBytes(16).toString('hex') })),
    ]
    await writeFile(
      join(dir, 'tokens.csv'),
      users.map((u, i) => `${u.token},${u.name},uid-${i},"${u.groups.join(',')}"`).join('\n') + '\n',
    )
    const [clientPort, peerPort, securePort] = [await freePort(), await freePort(), await freePort()]
    const etcdUrl = `http://127.0.0.1:${clientPort}`
    const peerUrl = `http://127.0.0.1:${peerPort}`
    const etcdLog = join(dir, 'etcd.log')
    etcd = startProcess(
      'etcd',
      [
        '--name=t0',
        `--data-dir=${join(dir, 'etcd')}`,
        `--listen-client-urls=${etcdUrl}`,
        `--advertise-client-urls=${etcdUrl}`,
        `--listen-peer-urls=${peerUrl}`,
        `--initial-advertise-peer-urls=${peerUrl}`,
        `--initial-cluster=t0=${peerUrl}`,
        '--unsafe-no-fsync',
        '--log-level=warn',
        '--quota-backend-bytes=4294967296',
      ],
      etcdLog,
    )
    const etcdProc = etcd
    const deadline = Date.now() + timeoutMs
    await waitUntil(
      'etcd',
      deadline,
      etcdLog,
      async () => {
        const res = await plainGet(`${etcdUrl}/health`)
        return res.includes('"health":"true"')
      },
      () => etcdProc.exitCode === null,
    )

    const server = `https://127.0.0.1:${securePort}`
    const ca = await readFile(join(dir, 'ca.crt'))
    const tokenOf = (user: string): string => {
      const u = users.find((x) => x.name === user)
      if (u === undefined) throw new Error(`unknown test user ${user}`)
      return u.token
    }
    const apiLog = join(dir, 'kube-apiserver.log')
    const apiArgs = [
      `--etcd-servers=${etcdUrl}`,
      `--etcd-prefix=/dnsc-${randomBytes(4).toString('hex')}`,
      '--bind-address=127.0.0.1',
      `--secure-port=${securePort}`,
      `--cert-dir=${join(dir, 'certs')}`,
      `--tls-cert-file=${join(dir, 'server.crt')}`,
      `--tls-private-key-file=${join(dir, 'server.key')}`,
      '--service-cluster-ip-range=10.0.0.0/16',
      '--allow-privileged=true',
      `--service-account-issuer=${server}`,
      `--service-account-key-file=${join(dir, 'sa.key')}`,
      `--service-account-signing-key-file=${join(dir, 'sa.key')}`,
      `--token-auth-file=${join(dir, 'tokens.csv')}`,
      '--authorization-mode=RBAC',
      '--disable-admission-plugins=ServiceAccount',
      `--endpoint-reconciler-type=${init.endpointReconciler ?? 'none'}`,
      '--enable-priority-and-fairness=false',
      '--profiling=false',
      '--v=1',
    ]
    const startApiserver = async (opts: ApiserverStart = {}): Promise<void> => {
      const args =
        opts.advertiseAddress === undefined
          ? apiArgs
          : [...apiArgs, `--advertise-address=${opts.advertiseAddress}`]
      const proc = startProcess('kube-apiserver', args, apiLog)
      apiserver = proc
      await waitUntil(
        'kube-apiserver',
        Date.now() + timeoutMs,
        apiLog,
        async () => {
          const res = await call('GET', '/readyz', undefined, 'admin')
          return res.status === 200
        },
        () => proc.exitCode === null,
      )
    }
    const call = (method: string, path: string, body: unknown, user: string): Promise<ApiResponse> =>
      new Promise((resolve, reject) => {
        const data = body === undefined ? undefined : JSON.stringify(body)
        const req = httpsRequest(
          `${server}${path}`,
          {
            method,
            ca,
            headers: {
              authorization: `Bearer ${tokenOf(user)}`,
              accept: 'application/json',
              ...(data === undefined
                ? {}
                : {
                    'content-type': method === 'PATCH' ? 'application/merge-patch+json' : 'application/json',
                  }),
            },
            timeout: 30_000,
          },
          (res) => {
            const chunks: Buffer[] = []
            res.on('data', (c: Buffer) => chunks.push(c))
            res.on('end', () => {
              const text = Buffer.concat(chunks).toString('utf8')
              let parsed: unknown = text
              try {
                parsed = JSON.parse(text)
              } catch {
                // plain text (e.g. /readyz)
              }
              resolve({ status: res.statusCode ?? 0, body: parsed })
            })
          },
        )
        req.on('timeout', () => req.destroy(new Error(`${method} ${path}: timeout`)))
        req.on('error', reject)
        req.end(data)
      })
    await startApiserver()

    const paths = new Map<string, string>()
    const writeKubeconfig = (user: string): string => {
      const p = join(dir, `kubeconfig-${user}.yaml`)
      paths.set(user, p)
      return p
    }
    for (const u of users)
      await writeFile(writeKubeconfig(u.name), kubeconfigYaml(server, join(dir, 'ca.crt'), u.name, u.token))

    let stopped = false
    return {
      server,
      dir,
      caFile: join(dir, 'ca.crt'),
      kubeconfigPath: paths.get('admin') ?? '',
      kubeconfigFor: (user) => {
        const p = paths.get(user)
        if (p === undefined) throw new Error(`unknown test user ${user}`)
        return p
      },
      request: (method, path, body, user) => call(method, path, body, user ?? 'admin'),
      stopApiserver: () => killProcess(apiserver),
      startApiserver,
      async stop() {
        if (stopped) return
        stopped = true
        await killProcess(apiserver)
        await killProcess(etcd)
        await rm(dir, { recursive: true, force: true })
      },
    }
  } catch (err) {
    await killProcess(apiserver)
    await killProcess(etcd)
    await rm(dir, { recursive: true, force: true })
    throw err
  }
}

function plainGet(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { timeout: 2000 }, (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (c: string) => (text += c))
      res.on('end', () => resolve(text))
    })
    req.on('timeout', () => req.destroy(new Error('timeout')))
    req.on('error', reject)
    req.end()
  })
}
