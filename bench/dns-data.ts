// Shared benchmark data: NAMES A records in one zone, the same set in hosts-file and zone-file
// form for dnsmasq and CoreDNS, and the dnsperf query mix (70 % A hits, 20 % NXDOMAIN, 10 % NODATA).
import type { ResolvedRecord } from '../lib/records/types.ts'

export const BENCH_ZONE = 'bench.k8s.local'

export function address(i: number): string {
  return `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`
}

export function benchRecords(names: number): ResolvedRecord[] {
  return Array.from({ length: names }, (_, i) => ({
    name: `host-${i}.${BENCH_ZONE}`,
    type: 'A' as const,
    values: [address(i)],
    ttlSeconds: 60,
  }))
}

export function hostsFile(names: number): string {
  return benchRecords(names)
    .map((r) => `${r.values[0]} ${r.name}\n`)
    .join('')
}

export function zoneFile(names: number): string {
  const head = `$ORIGIN ${BENCH_ZONE}.\n@ 5 IN SOA localhost. hostmaster.${BENCH_ZONE}. 1 60 10 3600 5\n@ 60 IN NS localhost.\n`
  return (
    head +
    benchRecords(names)
      .map((r, i) => `host-${i} 60 IN A ${r.values[0]}\n`)
      .join('')
  )
}

export function queryFile(names: number, lines = 10_000): string {
  let out = ''
  for (let i = 0; i < lines; i++) {
    const n = (i * 7919) % names
    const kind = i % 10
    if (kind < 7) out += `host-${n}.${BENCH_ZONE} A\n`
    else if (kind < 9) out += `missing-${n}.${BENCH_ZONE} A\n`
    else out += `host-${n}.${BENCH_ZONE} AAAA\n`
  }
  return out
}
