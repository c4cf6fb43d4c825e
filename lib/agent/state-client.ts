/**
 * Reading an agent's `/state` (the `state` command): fetch, validate the JSON shape (docs/kops-compat.md, "CLI contract"), and
 * print it as tables or JSON. Failures are `StateFetchError`s with one clear message.
 */
import type { AgentState } from './status.ts'
import { recordsTable } from '../records/format.ts'
import type { ResolvedRecord } from '../records/types.ts'
import { errorMessage } from '../util/errors.ts'
import type { HostPort } from '../util/hostport.ts'
import { formatHostPort } from '../util/hostport.ts'

export class StateFetchError extends Error {
  override readonly name = 'StateFetchError'
}

function validState(x: unknown): x is AgentState {
  const s = x as Partial<AgentState> | null
  return (
    typeof s === 'object' &&
    s !== null &&
    Array.isArray(s.records) &&
    Array.isArray(s.publishers) &&
    typeof s.peers === 'number' &&
    s.records.every(
      (r) =>
        typeof r?.name === 'string' &&
        typeof r.type === 'string' &&
        Array.isArray(r.values) &&
        typeof r.ttl === 'number',
    ) &&
    s.publishers.every((p) => typeof p?.id === 'string' && typeof p.version === 'string')
  )
}

export async function fetchAgentState(from: HostPort, timeoutMs = 5000): Promise<AgentState> {
  const url = `http://${formatHostPort(from)}/state`
  let res: Response
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) })
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause
    const why = cause?.code ?? cause?.message ?? errorMessage(err)
    throw new StateFetchError(`cannot reach the agent at ${url}: ${why}`, { cause: err })
  }
  if (res.status !== 200)
    throw new StateFetchError(`${url} answered HTTP ${res.status} (is it an agent's --metrics-listen?)`)
  let body: unknown
  try {
    body = await res.json()
  } catch (err) {
    throw new StateFetchError(`${url} did not return JSON`, { cause: err })
  }
  if (!validState(body)) throw new StateFetchError(`${url} returned JSON that is not an agent state`)
  return body
}

/** Records as render prints them, then publishers, the peer count and any sink's last error. */
export function stateTable(s: AgentState): string {
  const records: ResolvedRecord[] = s.records.map((r) => ({
    name: r.name,
    type: r.type as ResolvedRecord['type'],
    values: r.values,
    ttlSeconds: r.ttl,
  }))
  const idWidth = Math.max(9, ...s.publishers.map((p) => p.id.length))
  const pubs = [
    `${'PUBLISHER'.padEnd(idWidth)}  VERSION`,
    ...s.publishers.map((p) => `${p.id.padEnd(idWidth)}  ${p.version}`),
  ]
  const errors = Object.entries(s.sinks ?? {}).flatMap(([name, sink]) =>
    sink?.lastError === undefined ? [] : [`${name.toUpperCase()} ERROR  ${sink.lastError}`],
  )
  const tail = errors.length === 0 ? '' : `\n${errors.join('\n')}\n`
  return `${recordsTable(records)}\n${pubs.join('\n')}\n\nPEERS  ${s.peers}\n${tail}`
}
