// Child process for the DNS benchmarks: our DNS server (the agent's DNS path) on PORT serving
// NAMES generated records, so it can be pinned to one core with taskset. Prints "ready".
import { Registry } from 'prom-client'
import { buildCache } from '../lib/sinks/dns/cache.ts'
import { startDnsServer } from '../lib/sinks/dns/server.ts'
import { createLogger } from '../lib/util/log.ts'
import { benchRecords, BENCH_ZONE } from './dns-data.ts'
import { RECORDS, ZONES } from '../test/integration/dns/fixture.ts'

const port = Number(process.argv[2] ?? 5353)
// A number of generated names, or `fixture` for the test suite's zones (what the fuzzer aims at).
const names = process.argv[3] ?? '1000'
const t0 = performance.now()
const cache =
  names === 'fixture'
    ? buildCache(RECORDS, { zones: ZONES, serial: 1 })
    : buildCache(benchRecords(Number(names)), { zones: [BENCH_ZONE], serial: 1 })
const buildMs = performance.now() - t0
const server = await startDnsServer({ listen: { host: '127.0.0.1', port }, upstreams: [] }, cache, {
  log: createLogger({ verbosity: 0, sink: { write: () => {} } }),
  registry: new Registry(),
})
process.stdout.write(`ready buildMs=${buildMs.toFixed(0)}\n`)
process.on('SIGTERM', () => void server.close().then(() => process.exit(0)))
