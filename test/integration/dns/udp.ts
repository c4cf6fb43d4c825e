// One UDP query to a test server and its answer (undefined when none comes in time).
import { createSocket } from 'node:dgram'

export function udpExchange(port: number, packet: Buffer, timeoutMs = 300): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const s = createSocket('udp4')
    const timer = setTimeout(() => {
      s.close()
      resolve(undefined)
    }, timeoutMs)
    s.on('message', (m) => {
      clearTimeout(timer)
      s.close()
      resolve(m)
    })
    s.send(packet, port, '127.0.0.1')
  })
}
