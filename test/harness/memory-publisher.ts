/**
 * A Publisher that keeps what it was given, for controller tests and benchmarks: each publish with
 * its wall-clock time, and a way to wait (with a deadline) for a publish that satisfies a check.
 */
import type { Publisher, PublisherVersion } from '../../lib/gossip/api.ts'
import type { ResolvedRecord } from '../../lib/records/types.ts'

export interface Publication {
  readonly atMs: number
  readonly records: readonly ResolvedRecord[]
}

export class MemoryPublisher implements Publisher {
  readonly publications: Publication[] = []
  /** Set to make the next publishes fail (tests of retry). */
  failNext = 0
  private waiters: (() => void)[] = []

  publish(records: readonly ResolvedRecord[]): Promise<PublisherVersion> {
    if (this.failNext > 0) {
      this.failNext--
      return Promise.reject(new Error('injected publish failure'))
    }
    this.publications.push({ atMs: Date.now(), records })
    for (const w of this.waiters.splice(0)) w()
    return Promise.resolve({ id: 'memory', version: String(this.publications.length) })
  }

  get last(): Publication | undefined {
    return this.publications.at(-1)
  }

  /** `name type value…` lines of the last publish, sorted: easy to assert on. */
  lines(): string[] {
    return (this.last?.records ?? []).map((r) => `${r.name} ${r.type} ${r.values.join(',')}`).sort()
  }

  /** Resolves with the first publication (from index `from` on) that passes `check`. */
  async waitFor(check: (p: Publication) => boolean, timeoutMs: number, from = 0): Promise<Publication> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const hit = this.publications.slice(from).find(check)
      if (hit !== undefined) return hit
      const left = deadline - Date.now()
      if (left <= 0)
        throw new Error(`no matching publish within ${timeoutMs} ms; last: ${JSON.stringify(this.lines())}`)
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left)
        this.waiters.push(() => {
          clearTimeout(t)
          resolve()
        })
      })
    }
  }
}
