// How the Helm chart runs the agent by default (charts/dns-controller/values.yaml), so that the
// benchmarks measure the agent as deployed: node flags and the libuv thread pool size.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse as parseYaml } from 'yaml'

export interface ChartAgent {
  readonly nodeFlags: readonly string[]
  /** UV_THREADPOOL_SIZE, or undefined for Node's default. */
  readonly threadpoolSize: number | undefined
}

export function chartAgent(): ChartAgent {
  const values = parseYaml(
    readFileSync(join(import.meta.dirname, '../charts/dns-controller/values.yaml'), 'utf8'),
  ) as { agent: { nodeFlags?: string[]; threadpoolSize?: number | null } }
  return {
    nodeFlags: values.agent.nodeFlags ?? [],
    threadpoolSize: values.agent.threadpoolSize ?? undefined,
  }
}
