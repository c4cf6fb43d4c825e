/**
 * UDP and TCP on one port. With port 0 the kernel picks the UDP port, and that port may be taken
 * for TCP: then a fresh UDP socket picks again, a bounded number of times.
 */
import type { Socket as UdpSocket } from 'node:dgram'
import type { Server } from 'node:net'
import type { HostPort } from '../../util/hostport.ts'

/** Fresh picks after the first, with port 0. */
const MAX_RETRIES = 20

/** Runs `start` and resolves once it calls back, or rejects on the emitter's first error. */
function listenOnce(emitter: UdpSocket | Server, start: (done: () => void) => void): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    emitter.once('error', reject)
    start(() => {
      emitter.off('error', reject)
      resolve()
    })
  })
}

/**
 * Binds a socket from `udp()` and `tcp` to `listen`, both on the same port; resolves with the
 * bound UDP socket. A failure on a fixed port (in use, not allowed) is thrown as it is.
 */
export async function bindSamePort(listen: HostPort, udp: () => UdpSocket, tcp: Server): Promise<UdpSocket> {
  for (let attempt = 1; ; attempt++) {
    const u = udp()
    try {
      await listenOnce(u, (done) => u.bind(listen.port, listen.host, done))
      await listenOnce(tcp, (done) => tcp.listen(u.address().port, listen.host, done))
      return u
    } catch (err) {
      u.close()
      const retry = listen.port === 0 && attempt <= MAX_RETRIES
      if (!retry || (err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err
    }
  }
}
