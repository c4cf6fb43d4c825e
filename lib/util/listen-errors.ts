/**
 * A listen that failed (port in use, not allowed, address not on this host) becomes a ConfigError
 * naming the flag that chose the address, without the stack: libp2p wraps the socket error in an
 * aggregate whose message carries stack frames and advice about its own settings.
 */
import { ConfigError } from './errors.ts'
import type { HostPort } from './hostport.ts'
import { formatHostPort } from './hostport.ts'

export interface ListenFlag {
  readonly flag: string
  readonly listen: HostPort
}

const REASONS: Readonly<Record<string, string>> = {
  EADDRINUSE: 'address already in use (another process listens there)',
  EACCES: 'permission denied (ports below 1024 need root or CAP_NET_BIND_SERVICE)',
  EADDRNOTAVAIL: 'address not available (no interface of this host has it)',
}

/** Every message and code in an error, its `errors` (aggregates) and its `cause` chain. */
function texts(err: unknown, depth = 0): string[] {
  if (depth > 5 || typeof err !== 'object' || err === null) return []
  const e = err as { message?: unknown; code?: unknown; errors?: unknown; cause?: unknown }
  return [
    typeof e.code === 'string' ? e.code : '',
    typeof e.message === 'string' ? e.message : '',
    ...(Array.isArray(e.errors) ? e.errors.flatMap((x) => texts(x, depth + 1)) : []),
    ...texts(e.cause, depth + 1),
  ]
}

/** The ConfigError for a failed listen on one of `flags`' addresses; undefined for other errors. */
export function listenConfigError(err: unknown, flags: readonly ListenFlag[]): ConfigError | undefined {
  const all = texts(err).join('\n')
  const code = Object.keys(REASONS).find((c) => all.includes(c))
  if (code === undefined) return undefined
  // The failing port is in the message ("…EADDRINUSE 127.0.0.1:3999", "/tcp/3999: …").
  const hit =
    flags.find((f) => new RegExp(`[:/]${f.listen.port}(?!\\d)`).test(all)) ??
    (flags.length === 1 ? flags[0] : undefined)
  if (hit === undefined) return undefined
  return new ConfigError(hit.flag, `${formatHostPort(hit.listen)}: ${REASONS[code]}`, { cause: err })
}
