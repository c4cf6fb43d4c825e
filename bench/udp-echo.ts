// Node's UDP ceiling for bench/dns-perf.ts: a node:dgram server that only flips QR and sends each
// packet back (no DNS work), with the same synchronous literal lookup as our DNS server (Node's
// default lookup costs a tick per reply). Run pinned like the DNS servers, e.g.
//   taskset -c 1 node bench/udp-echo.ts 5631 &
//   taskset -c 0 dnsperf -s 127.0.0.1 -p 5631 -d queries.txt -l 6 -c 10 -q 100
import { createSocket } from 'node:dgram'

const port = Number(process.argv[2] ?? 5631)
const s = createSocket({
  type: 'udp4',
  lookup: (host, _options, cb) => cb(null, host, 4),
})
s.on('message', (m: Buffer, r) => {
  m[2] = (m[2] ?? 0) | 0x80
  s.send(m, r.port, r.address)
})
s.bind(port, '127.0.0.1', () => process.stdout.write('ready\n'))
process.on('SIGTERM', () => s.close(() => process.exit(0)))
