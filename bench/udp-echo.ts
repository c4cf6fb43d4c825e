// Node's UDP ceiling for bench/results/dns.md: a node:dgram server that only flips QR and sends
// each packet back (no DNS work). Run pinned like the DNS servers and point dnsperf at it:
//   taskset -c 1 node bench/udp-echo.ts 5631 &
//   taskset -c 0 dnsperf -s 127.0.0.1 -p 5631 -d queries.txt -l 6 -c 10 -q 100
// and divide the queries completed by the process's CPU seconds (/proc/<pid>/stat).
import { createSocket } from 'node:dgram'

const port = Number(process.argv[2] ?? 5631)
const s = createSocket('udp4')
s.on('message', (m: Buffer, r) => {
  m[2] = (m[2] ?? 0) | 0x80
  s.send(m, r.port, r.address)
})
s.bind(port, '127.0.0.1', () => process.stdout.write('ready\n'))
