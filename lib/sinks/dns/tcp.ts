/**
 * DNS over TCP (RFC 7766): length-prefixed messages, pipelined, answered possibly out of order —
 * and connection limits a slow client cannot starve:
 *
 * - a deadline per message, not per byte: once a message's first byte arrives, the whole message
 *   must arrive within `messageMs`, whatever trickles in meanwhile; between messages a connection
 *   may stay idle for `idleMs`;
 * - at most `maxPerClient` connections per client address;
 * - when a limit is reached, the least recently active connection (of that client, or of all) is
 *   closed to make room, rather than the new one refused, so a real query always gets in.
 *
 * Activity is a connect or a complete message: bytes of a message in progress are not.
 */
import type { Socket } from 'node:net'

export interface TcpLimits {
  /** A connection with no message in progress is closed after this. RFC 7766 §6.2.3. */
  readonly idleMs: number
  /** A message must arrive whole within this of its first byte. */
  readonly messageMs: number
  /** Connections in all. */
  readonly maxConnections: number
  /** Connections per client address. */
  readonly maxPerClient: number
  /** Unread answers a connection may queue before it is closed. */
  readonly maxBacklogBytes: number
}

/** The defaults, in one place (docs/agent.md lists them). */
export const TCP_DEFAULTS: TcpLimits = {
  idleMs: 10_000,
  messageMs: 2_000,
  maxConnections: 1_000,
  maxPerClient: 32,
  maxBacklogBytes: 1 << 20,
}

/** Why a connection was closed by us; a metric label. */
export type TcpCloseReason = 'idle' | 'message-timeout' | 'evicted' | 'client-limit' | 'backlog'

export interface TcpEvents {
  /** One complete message; `send` frames and writes an answer and never throws. */
  message(msg: Buffer, send: (answer: Buffer) => void): void
  closed(reason: TcpCloseReason): void
}

export interface TcpConnections {
  /** The 'connection' handler for a net.Server. */
  accept(sock: Socket): void
  readonly size: number
  destroyAll(): void
}

interface Conn {
  readonly sock: Socket
  readonly client: string
  timer: NodeJS.Timeout | undefined
  /** True while a message is partly received (its deadline is running). */
  receiving: boolean
}

export function tcpConnections(limits: TcpLimits, events: TcpEvents): TcpConnections {
  // Both in order of last activity (a Map iterates in insertion order): the first is the oldest.
  const all = new Map<Socket, Conn>()
  const byClient = new Map<string, Map<Socket, Conn>>()

  const touch = (c: Conn): void => {
    all.delete(c.sock)
    all.set(c.sock, c)
    const mine = byClient.get(c.client)
    mine?.delete(c.sock)
    mine?.set(c.sock, c)
  }
  const close = (c: Conn, reason: TcpCloseReason): void => {
    forget(c)
    events.closed(reason)
    c.sock.destroy()
  }
  const forget = (c: Conn): void => {
    clearTimeout(c.timer)
    all.delete(c.sock)
    const mine = byClient.get(c.client)
    mine?.delete(c.sock)
    if (mine?.size === 0) byClient.delete(c.client)
  }
  const arm = (c: Conn, ms: number, reason: TcpCloseReason): void => {
    clearTimeout(c.timer)
    c.timer = setTimeout(() => close(c, reason), ms)
  }
  const oldest = (m: Map<Socket, Conn> | undefined): Conn | undefined => m?.values().next().value

  return {
    get size() {
      return all.size
    },
    destroyAll() {
      for (const c of [...all.values()]) {
        forget(c)
        c.sock.destroy()
      }
    },
    accept(sock) {
      sock.on('error', () => {})
      const client = sock.remoteAddress
      if (client === undefined) {
        sock.destroy()
        return
      }
      // Make room: first among this client's own connections, then among all.
      const mine = byClient.get(client)
      if (mine !== undefined && mine.size >= limits.maxPerClient) close(oldest(mine)!, 'client-limit')
      else if (all.size >= limits.maxConnections) {
        const victim = oldest(all)
        if (victim !== undefined) close(victim, 'evicted')
      }
      const c: Conn = { sock, client, timer: undefined, receiving: false }
      all.set(sock, c)
      if (mine === undefined || !byClient.has(client)) byClient.set(client, new Map([[sock, c]]))
      else mine.set(sock, c)
      arm(c, limits.idleMs, 'idle')
      sock.on('close', () => forget(c))

      const send = (b: Buffer): void => {
        if (sock.destroyed) return
        // A client that pipelines queries but never reads its answers is cut off, not buffered for.
        if (sock.writableLength > limits.maxBacklogBytes) return close(c, 'backlog')
        const framed = Buffer.allocUnsafe(b.length + 2)
        framed.writeUInt16BE(b.length, 0)
        b.copy(framed, 2)
        sock.write(framed)
      }
      let pending: Buffer | undefined
      sock.on('data', (chunk: Buffer) => {
        let buf = pending === undefined ? chunk : Buffer.concat([pending, chunk])
        let complete = 0
        while (buf.length >= 2) {
          const len = buf.readUInt16BE(0)
          if (buf.length < len + 2) break
          complete++
          events.message(buf.subarray(2, len + 2), send)
          if (sock.destroyed) return
          buf = buf.subarray(len + 2)
        }
        pending = buf.length === 0 ? undefined : Buffer.from(buf)
        if (complete > 0) touch(c)
        if (pending === undefined) {
          if (complete > 0 || c.receiving) arm(c, limits.idleMs, 'idle')
          c.receiving = false
        } else if (complete > 0 || !c.receiving) {
          // A new message began in this chunk: its deadline starts now, and later bytes of it
          // do not move it.
          arm(c, limits.messageMs, 'message-timeout')
          c.receiving = true
        }
      })
    },
  }
}
