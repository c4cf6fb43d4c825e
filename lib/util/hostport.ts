/** `HOST:PORT` parsing shared by every listen/seed flag. IPv6 hosts are written `[::1]:53`. */
import { isIP } from 'node:net'

export interface HostPort {
  readonly host: string
  readonly port: number
}

/** Returns an error message (for a ConfigError naming the flag) or the parsed value. */
export function parseHostPort(text: string, opts: { allowPortZero?: boolean } = {}): HostPort | string {
  const s = text.trim()
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(s) ?? /^([^:[\]]*):(\d+)$/.exec(s)
  if (m === null) return `"${text}" is not HOST:PORT (write IPv6 hosts as [::1]:PORT)`
  const host = m[1] ?? ''
  const port = Number(m[2])
  if (!Number.isInteger(port) || port > 65535 || (port === 0 && opts.allowPortZero !== true))
    return `"${text}" has an invalid port (1-65535)`
  if (host === '') return `"${text}" has an empty host (use 0.0.0.0 to listen on every address)`
  if (s.startsWith('[') && isIP(host) !== 6) return `"${text}" has an invalid IPv6 address`
  if (!s.startsWith('[') && !isIP(host) && !/^[a-zA-Z0-9]([a-zA-Z0-9.-]*[a-zA-Z0-9])?$/.test(host))
    return `"${text}" has an invalid host`
  return { host, port }
}

export function formatHostPort(hp: HostPort): string {
  return isIP(hp.host) === 6 ? `[${hp.host}]:${hp.port}` : `${hp.host}:${hp.port}`
}
