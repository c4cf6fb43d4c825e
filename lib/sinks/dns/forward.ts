/**
 * Forwarding for names outside our zones (`--upstream`): the query goes to each upstream in turn
 * with a fresh ID until one answers within the timeout; the answer is relayed with the client's
 * ID. UDP queries go over UDP, TCP queries over TCP. No answer → undefined (the caller sends
 * SERVFAIL).
 */
import { createSocket } from 'node:dgram'
import type { Socket } from 'node:dgram'
import { connect, isIPv6 } from 'node:net'
import { randomInt } from 'node:crypto'
import type { HostPort } from '../../util/hostport.ts'
import type { Transport } from './answer.ts'

export interface Forwarder {
  forward(query: Buffer, transport: Transport): Promise<Buffer | undefined>
  close(): void
}

export interface ForwarderInit {
  readonly upstreams: readonly HostPort[]
  /** Per upstream attempt. @default 2000 */
  readonly timeoutMs?: number
}

interface Pending {
  readonly resolve: (b: Buffer | undefined) => void
  readonly upstream: HostPort
}

export function createForwarder(init: ForwarderInit): Forwarder {
  const timeoutMs = init.timeoutMs ?? 2000
  const pending = new Map<number, Pending>()
  const sockets = new Map<'udp4' | 'udp6', Socket>()
  const socketFor = (host: string): Socket => {
    const type = isIPv6(host) ? 'udp6' : 'udp4'
    let s = sockets.get(type)
    if (s === undefined) {
      s = createSocket(type)
      s.on('message', (msg, rinfo) => {
        if (msg.length < 12) return
        const id = msg.readUInt16BE(0)
        const p = pending.get(id)
        // Only the upstream we asked may answer (a cheap guard against spoofed replies).
        if (p === undefined || p.upstream.port !== rinfo.port) return
        pending.delete(id)
        p.resolve(msg)
      })
      s.on('error', () => {})
      s.unref()
      sockets.set(type, s)
    }
    return s
  }
  const udpOnce = (query: Buffer, upstream: HostPort): Promise<Buffer | undefined> =>
    new Promise((resolve) => {
      let id = randomInt(0x10000)
      while (pending.has(id)) id = (id + 1) & 0xffff
      const copy = Buffer.from(query)
      copy.writeUInt16BE(id, 0)
      const timer = setTimeout(() => {
        pending.delete(id)
        resolve(undefined)
      }, timeoutMs)
      pending.set(id, {
        upstream,
        resolve: (b) => {
          clearTimeout(timer)
          resolve(b)
        },
      })
      socketFor(upstream.host).send(copy, upstream.port, upstream.host, (err) => {
        if (err === null || pending.get(id) === undefined) return
        pending.delete(id)
        clearTimeout(timer)
        resolve(undefined)
      })
    })
  const tcpOnce = (query: Buffer, upstream: HostPort): Promise<Buffer | undefined> =>
    new Promise((resolve) => {
      const sock = connect({ host: upstream.host, port: upstream.port })
      let buf = Buffer.alloc(0)
      const done = (b: Buffer | undefined): void => {
        sock.destroy()
        resolve(b)
      }
      sock.setTimeout(timeoutMs, () => done(undefined))
      sock.on('error', () => done(undefined))
      sock.on('connect', () => {
        const len = Buffer.alloc(2)
        len.writeUInt16BE(query.length)
        sock.write(Buffer.concat([len, query]))
      })
      sock.on('data', (chunk: Buffer) => {
        buf = Buffer.concat([buf, chunk])
        if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0))
          done(buf.subarray(2, 2 + buf.readUInt16BE(0)))
      })
      sock.on('end', () => done(undefined))
    })
  return {
    async forward(query, transport) {
      for (const upstream of init.upstreams) {
        const answer = await (transport === 'udp' ? udpOnce(query, upstream) : tcpOnce(query, upstream))
        if (answer !== undefined) {
          const out = Buffer.from(answer)
          out.writeUInt16BE(query.readUInt16BE(0), 0)
          return out
        }
      }
      return undefined
    },
    close() {
      for (const p of pending.values()) p.resolve(undefined)
      pending.clear()
      for (const s of sockets.values()) s.close()
      sockets.clear()
    },
  }
}
