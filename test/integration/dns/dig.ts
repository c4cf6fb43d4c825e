// Runs `dig` against a test server and pulls out what the tests assert on.
import { execFile } from 'node:child_process'

export interface DigResult {
  readonly status: string
  readonly flags: readonly string[]
  readonly question: string
  readonly answer: readonly string[]
  readonly authority: readonly string[]
  /** EDNS line, e.g. { version: 0, flags: ['do'], udp: 1232 }, or undefined without OPT. */
  readonly edns: { version: number; flags: readonly string[]; udp: number } | undefined
  readonly raw: string
}

function section(out: string, title: string): string[] {
  const m = new RegExp(`;; ${title} SECTION:\\n([\\s\\S]*?)(?:\\n\\n|$)`).exec(out)
  return m === null ? [] : (m[1] ?? '').split('\n').map((l) => l.replace(/\s+/g, ' ').trim())
}

export function dig(port: number, ...args: string[]): Promise<DigResult> {
  return new Promise((resolve, reject) => {
    execFile(
      'dig',
      ['@127.0.0.1', '-p', String(port), '+norec', '+tries=1', '+time=2', ...args],
      { timeout: 10_000 },
      (err, stdout) => {
        if (err !== null && stdout === '') return reject(err)
        const status = /status: (\w+)/.exec(stdout)?.[1] ?? 'none'
        const flags = (/;; flags:([^;]*);/.exec(stdout)?.[1] ?? '').trim().split(/\s+/).filter(Boolean)
        const e = /; EDNS: version: (\d+), flags:([^;]*); udp: (\d+)/.exec(stdout)
        resolve({
          status,
          flags,
          question: (section(stdout, 'QUESTION')[0] ?? '').replace(/^;/, ''),
          answer: section(stdout, 'ANSWER'),
          authority: section(stdout, 'AUTHORITY'),
          edns:
            e === null
              ? undefined
              : {
                  version: Number(e[1]),
                  flags: (e[2] ?? '').trim().split(/\s+/).filter(Boolean),
                  udp: Number(e[3]),
                },
          raw: stdout,
        })
      },
    )
  })
}
