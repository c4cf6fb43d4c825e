/**
 * Free loopback ports (the demo, tests and benchmarks). A port is taken only if TCP and UDP are both free on
 * 127.0.0.1 (the DNS server binds both). All probes stay open until every port is chosen, so the
 * list has no duplicates; there is a small window before the children bind them.
 */
import { createSocket } from 'node:dgram'
import type { Socket } from 'node:dgram'
import { createServer } from 'node:net'
import type { Server } from 'node:net'

const HOST = '127.0.0.1'

function listenTcp(port: number): Promise<Server | undefined> {
  return new Promise((resolve) => {
    const s = createServer()
    s.once('error', () => resolve(undefined))
    s.listen({ host: HOST, port, exclusive: true }, () => resolve(s))
  })
}

function bindUdp(port: number): Promise<Socket | undefined> {
  return new Promise((resolve) => {
    const s = createSocket('udp4')
    s.once('error', () => {
      s.close()
      resolve(undefined)
    })
    s.bind({ address: HOST, port, exclusive: true }, () => resolve(s))
  })
}

interface Held {
  readonly tcp: Server
  readonly udp: Socket
}

async function hold(port: number): Promise<Held | undefined> {
  const tcp = await listenTcp(port)
  if (tcp === undefined) return undefined
  const bound = (tcp.address() as { port: number }).port
  const udp = await bindUdp(bound)
  if (udp === undefined) {
    await new Promise<void>((r) => tcp.close(() => r()))
    return undefined
  }
  return { tcp, udp }
}

async function release(held: readonly Held[]): Promise<void> {
  await Promise.all(
    held.map(
      (h) =>
        new Promise<void>((r) => {
          h.udp.close()
          h.tcp.close(() => r())
        }),
    ),
  )
}

/** `count` ports the system picks, each free for TCP and UDP. */
export async function freePorts(count: number): Promise<number[]> {
  const held: Held[] = []
  try {
    for (let tries = 0; held.length < count; tries++) {
      if (tries > count * 20) throw new Error(`could not find ${count} free loopback ports`)
      const h = await hold(0)
      if (h !== undefined) held.push(h)
    }
    return held.map((h) => (h.tcp.address() as { port: number }).port)
  } finally {
    await release(held)
  }
}

/** `count` consecutive ports from `base`; returns the first busy one instead when there is one. */
export async function portsFrom(base: number, count: number): Promise<number[] | { busy: number }> {
  const held: Held[] = []
  try {
    for (let p = base; p < base + count; p++) {
      const h = await hold(p)
      if (h === undefined) return { busy: p }
      held.push(h)
    }
    return held.map((h) => (h.tcp.address() as { port: number }).port)
  } finally {
    await release(held)
  }
}

/** One port free for TCP and UDP on 127.0.0.1 (tests and benchmarks). */
export async function freePort(): Promise<number> {
  const [port] = await freePorts(1)
  if (port === undefined) throw new Error('no free loopback port')
  return port
}
