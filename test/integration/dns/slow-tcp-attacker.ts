// Child process for slow-tcp.test.ts: the attack, in its own process so its own work does not
// delay the server's event loop. 1,000 slow connections from 40 loopback addresses, 200 from one
// address, each sending one byte every 4 s and reconnecting 0.5-1.5 s after being cut off, plus
// 20 connections sending frames of noise every 50 ms. Prints "ready" once all are opened.
import { connect } from 'node:net'

const port = Number(process.argv[2])
const SLOW_SPREAD = 1000
const SPREAD_ADDRESSES = 40
const SLOW_ONE_ADDRESS = 200
const JUNK = 20

function framed(b: Buffer): Buffer {
  const len = Buffer.alloc(2)
  len.writeUInt16BE(b.length)
  return Buffer.concat([len, b])
}

let opened = 0
const total = SLOW_SPREAD + SLOW_ONE_ADDRESS + JUNK
const counted = (): void => {
  if (++opened === total) process.stdout.write('ready\n')
}

function slow(localAddress: string, n: number, first: boolean): void {
  const sock = connect({ port, host: '127.0.0.1', localAddress })
  let timer: NodeJS.Timeout | undefined
  const drip = (): void => {
    if (!sock.destroyed) sock.write(Buffer.from([0]))
    timer = setTimeout(drip, 4000)
  }
  sock.on('connect', () => {
    if (first) counted()
    drip()
  })
  sock.on('error', () => {})
  sock.on('close', () => {
    clearTimeout(timer)
    setTimeout(() => slow(localAddress, n, false), 500 + ((n * 37) % 1000))
  })
}

function junk(localAddress: string, n: number, first: boolean): void {
  const sock = connect({ port, host: '127.0.0.1', localAddress })
  const noise = Buffer.from(Array.from({ length: 40 }, (_, i) => (i * 97 + n * 13) & 0xff))
  let timer: NodeJS.Timeout | undefined
  sock.on('connect', () => {
    if (first) counted()
    timer = setInterval(() => sock.write(framed(noise)), 50)
  })
  sock.on('error', () => {})
  sock.on('data', () => {})
  sock.on('close', () => {
    clearInterval(timer)
    setTimeout(() => junk(localAddress, n, false), 100)
  })
}

for (let i = 0; i < SLOW_SPREAD; i++) slow(`127.0.0.${2 + (i % SPREAD_ADDRESSES)}`, i, true)
for (let i = 0; i < SLOW_ONE_ADDRESS; i++) slow('127.0.0.100', i, true)
for (let i = 0; i < JUNK; i++) junk(`127.0.0.${150 + i}`, i, true)
