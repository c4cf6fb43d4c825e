/**
 * The answer cache: every answer this server can give from its data, encoded once with dns2 when
 * the replica changes, so the query path only copies bytes (build, compare, swap).
 *
 * | query                                        | answer                                        |
 * | -------------------------------------------- | --------------------------------------------- |
 * | name has the type                            | NOERROR, the RRset                            |
 * | name is a CNAME, other type                  | the chain inside our zones, then the RRset;   |
 * |                                              | NXDOMAIN/NODATA + SOA if it ends in our zones |
 * | SOA / NS at a zone apex                      | NOERROR, the SOA / NS record                  |
 * | ANY                                          | one RRset only (RFC 8482)                     |
 * | name exists (or has names below it), no type | NODATA: NOERROR, SOA in authority             |
 * | name does not exist, inside a zone           | NXDOMAIN, SOA in authority                    |
 * | ... but `*.<closest encloser>` exists        | the wildcard's answer, owned by the query name |
 *
 * Wildcards follow RFC 4592: a wildcard answers only names below its parent that do not exist
 * (an existing name, or an empty non-terminal, is never covered), and the closest encloser is
 * the nearest existing ancestor of the query name. Its answers are owned by the question
 * (compression pointer 12), so one encoded tail serves every name it covers. A CNAME found
 * through a wildcard is answered alone; the resolver follows it.
 *
 * Tails (the sections after the question) of positive answers are encoded after a question with
 * the same name, so dns2's compression pointers into the question (offset 12) hold for any query
 * of that name. SOA tails (NXDOMAIN, NODATA) are shared per zone and encoded without compression,
 * since the question in front of them varies.
 */
import dns2 from 'dns2'
import type { ResolvedRecord } from '../../records/types.ts'
import { MAX_CNAME_CHAIN, zoneOf } from '../zones.ts'
import { addressTail } from './rdata.ts'
import { CLASS_IN, HEADER_BYTES, labelOffsets, nameKey, RCODE, TYPE } from './wire.ts'
import type { Tail } from './wire.ts'

const { Packet } = dns2
type Resource = dns2.Packet.Resource

export interface CacheInit {
  readonly zones: readonly string[]
  /** SOA serial; the agent passes the rebuild time in seconds, so it only grows. */
  readonly serial: number
  /** SOA TTL and minimum: how long resolvers may cache a negative answer. @default 5 */
  readonly negativeTtlSeconds?: number
  /** False for the placeholder cache served before the first replica. @default true */
  readonly serving?: boolean
}

export interface NameEntry {
  readonly tails: ReadonlyMap<number, Tail>
  /** The answer for any type not in `tails`. */
  readonly other: Tail
}

export interface AnswerCache {
  readonly names: ReadonlyMap<string, NameEntry>
  /** Wire key of a wildcard's parent (`apps.zone` for `*.apps.zone`) → its synthesized answers. */
  readonly wildcards: ReadonlyMap<string, NameEntry>
  /** Zone key → NXDOMAIN tail. */
  readonly nxdomain: ReadonlyMap<string, Tail>
  /** The records the cache was built from, in a canonical form, to skip identical rebuilds. */
  readonly fingerprint: string
  readonly serial: number
  /** False until the agent holds a verified replica: names in our zones get SERVFAIL, not NXDOMAIN. */
  readonly serving: boolean
  /** Records that could not be encoded (invalid names or addresses), with the reason. */
  readonly skipped: readonly { readonly name: string; readonly reason: string }[]
}

export const NEGATIVE_TTL_SECONDS = 5
/** SOA MNAME and the apex NS: each agent is the local server for its node. */
export const NAMESERVER = 'localhost'

interface Data {
  readonly a?: ResolvedRecord
  readonly aaaa?: ResolvedRecord
  readonly cname?: ResolvedRecord
}

const TYPE_BY_NAME = { A: TYPE.A, AAAA: TYPE.AAAA, CNAME: TYPE.CNAME } as const

export function fingerprintOf(records: readonly ResolvedRecord[], zones: readonly string[]): string {
  return records
    .filter((r) => zoneOf(r.name, zones) !== undefined)
    .map((r) => `${r.name} ${r.type} ${r.ttlSeconds} ${r.values.join(',')}`)
    .sort()
    .join('\n')
}

function rrset(owner: string, r: ResolvedRecord): Resource[] {
  const type = TYPE_BY_NAME[r.type]
  return r.values.map((v) => {
    const base = { name: owner, type, class: CLASS_IN, ttl: r.ttlSeconds }
    return (r.type === 'CNAME' ? { ...base, domain: v } : { ...base, address: v }) as Resource
  })
}

/** Encodes answers+authorities after a question for `name`, or without compression if name is undefined. */
function encodeTail(
  name: string | undefined,
  rcode: number,
  answers: Resource[],
  authorities: Resource[],
): Tail {
  const p = new Packet()
  p.questions = name === undefined ? [] : [{ name, type: TYPE.A, class: CLASS_IN } as dns2.Packet.Question]
  p.answers = answers
  p.authorities = authorities
  // dns2 compresses whenever the writer has a `names` Map; any other truthy value turns it off.
  const writer = new Packet.Writer() as dns2.Packet.Writer & { names?: unknown }
  if (name === undefined) writer.names = {}
  const buf = (p.toBuffer as (w: dns2.Packet.Writer) => Buffer).call(p, writer)
  const skip = HEADER_BYTES + (name === undefined ? 0 : nameKey(name).length + 4)
  return {
    rcode,
    ancount: answers.length,
    nscount: authorities.length,
    bytes: Uint8Array.from(buf.subarray(skip)),
  }
}

/** A CNAME RR owned by the question name (pointer 12), its target written in full. */
function cnameTail(r: ResolvedRecord): Tail {
  const target = Buffer.from(nameKey(r.values[0] ?? ''), 'latin1')
  const ttl = Math.min(r.ttlSeconds >>> 0, 0x7fffffff)
  const head = [0xc0, 0x0c, 0, TYPE.CNAME, CLASS_IN >> 8, CLASS_IN & 0xff]
  const rest = [ttl >>> 24, (ttl >>> 16) & 0xff, (ttl >>> 8) & 0xff, ttl & 0xff, target.length >> 8]
  const bytes = Uint8Array.from([...head, ...rest, target.length & 0xff, ...target])
  return { rcode: RCODE.NOERROR, ancount: 1, nscount: 0, bytes }
}

/** The answers a wildcard gives for names it covers, by type. */
function wildcardEntry(d: Data, nodata: Tail): NameEntry {
  const cname =
    d.a === undefined && d.aaaa === undefined && d.cname !== undefined ? cnameTail(d.cname) : undefined
  const tails = new Map<number, Tail>()
  if (d.a !== undefined) tails.set(TYPE.A, addressTail(d.a))
  if (d.aaaa !== undefined) tails.set(TYPE.AAAA, addressTail(d.aaaa))
  if (cname !== undefined) tails.set(TYPE.CNAME, cname)
  return { tails, other: cname ?? nodata }
}

/** A zone's own answers: its SOA and NS records, and the negative answers that carry the SOA. */
interface ZoneAnswers {
  readonly zone: string
  readonly soa: Resource
  readonly ns: Resource
  readonly nxdomain: Tail
  readonly nodata: Tail
}

/** What the answers are built from: the data by name, and each zone's own answers. */
interface Source {
  readonly data: ReadonlyMap<string, Data>
  readonly zones: readonly string[]
  readonly byZone: ReadonlyMap<string, ZoneAnswers>
  /** Every existing name (and empty non-terminal, and apex) → its zone's answers. */
  readonly existing: ReadonlyMap<string, ZoneAnswers>
}

/** Phase 1: the records in our zones, by name and type. */
function groupByName(records: readonly ResolvedRecord[], zones: readonly string[]): Map<string, Data> {
  const data = new Map<string, Data>()
  for (const r of records) {
    if (zoneOf(r.name, zones) === undefined || r.values.length === 0) continue
    const d = data.get(r.name) ?? {}
    data.set(
      r.name,
      r.type === 'A' ? { ...d, a: r } : r.type === 'AAAA' ? { ...d, aaaa: r } : { ...d, cname: r },
    )
  }
  return data
}

/** Phase 2: each zone's SOA, NS and negative answers. */
function zoneAnswers(zone: string, serial: number, negTtl: number): ZoneAnswers {
  const soa = {
    name: zone,
    type: TYPE.SOA,
    class: CLASS_IN,
    ttl: negTtl,
    primary: NAMESERVER,
    admin: `hostmaster.${zone}`,
    serial: serial >>> 0,
    refresh: 60,
    retry: 10,
    expiration: 3600,
    minimum: negTtl,
  } as Resource
  return {
    zone,
    soa,
    ns: { name: zone, type: TYPE.NS, class: CLASS_IN, ttl: 60, ns: NAMESERVER } as Resource,
    nxdomain: encodeTail(undefined, RCODE.NXDOMAIN, [], [soa]),
    nodata: encodeTail(undefined, RCODE.NOERROR, [], [soa]),
  }
}

/** Phase 3: every name with data, its ancestors inside its zone (empty non-terminals answer NODATA) and the apexes. */
function existingNames(data: ReadonlyMap<string, Data>, byZone: ReadonlyMap<string, ZoneAnswers>) {
  const zones = [...byZone.keys()]
  const existing = new Map<string, ZoneAnswers>()
  for (const z of byZone.values()) existing.set(z.zone, z)
  for (const name of data.keys()) {
    const z = byZone.get(zoneOf(name, zones) ?? '')
    if (z === undefined) continue
    // Ancestors between a name and its zone are in that zone too (no longer zone can hold them).
    for (let n = name; n !== z.zone && !existing.has(n); n = n.slice(n.indexOf('.') + 1)) {
      existing.set(n, z)
      if (!n.includes('.')) break
    }
  }
  return existing
}

/** The negative answer for `name` (NODATA when it exists, else NXDOMAIN); undefined outside our zones. */
function negative(
  src: Source,
  name: string,
): { readonly tail: Tail; readonly zone: ZoneAnswers } | undefined {
  const found = src.existing.get(name)
  if (found !== undefined) return { tail: found.nodata, zone: found }
  const zone = src.byZone.get(zoneOf(name, src.zones) ?? '')
  return zone === undefined ? undefined : { tail: zone.nxdomain, zone }
}

/** Lower-case, without the trailing dot: how names are keyed in the data. */
const cnameTarget = (r: ResolvedRecord): string => (r.values[0] ?? '').toLowerCase().replace(/\.$/, '')

/** The answer for a type at `name` (found by `pick`): the CNAME chain inside our zones, then the RRset. */
function chase(
  src: Source,
  home: ZoneAnswers,
  name: string,
  pick: (d: Data) => ResolvedRecord | undefined,
): Tail {
  const answers: Resource[] = []
  let cur = name
  for (let i = 0; i <= MAX_CNAME_CHAIN; i++) {
    const d = src.data.get(cur)
    const hit = d === undefined ? undefined : pick(d)
    if (hit !== undefined && answers.length === 0 && hit.type !== 'CNAME') return addressTail(hit)
    if (hit !== undefined) return encodeTail(name, RCODE.NOERROR, [...answers, ...rrset(cur, hit)], [])
    const cname = d?.a === undefined && d?.aaaa === undefined ? d?.cname : undefined
    if (cname === undefined) {
      const neg = negative(src, cur)
      if (answers.length === 0) return neg?.tail ?? home.nodata
      // The chain left our data: NOERROR with the chain (resolvers follow it), or our SOA.
      if (neg === undefined) return encodeTail(name, RCODE.NOERROR, answers, [])
      return encodeTail(name, neg.tail.rcode, answers, [neg.zone.soa])
    }
    answers.push(...rrset(cur, cname))
    cur = cnameTarget(cname)
  }
  return encodeTail(name, RCODE.NOERROR, answers, [])
}

/** Phase 4: every answer of an existing name, by query type. */
function nameEntry(src: Source, name: string, z: ZoneAnswers): NameEntry {
  const d = src.data.get(name) ?? {}
  const apex = name === z.zone
  const cname = d.a === undefined && d.aaaa === undefined ? d.cname : undefined
  const tails = new Map<number, Tail>()
  tails.set(
    TYPE.A,
    chase(src, z, name, (x) => x.a),
  )
  tails.set(
    TYPE.AAAA,
    chase(src, z, name, (x) => x.aaaa),
  )
  if (cname !== undefined) tails.set(TYPE.CNAME, encodeTail(name, 0, rrset(name, cname), []))
  if (apex) {
    tails.set(TYPE.SOA, encodeTail(name, 0, [z.soa], []))
    tails.set(TYPE.NS, encodeTail(name, 0, [z.ns], []))
  }
  // ANY: one RRset (the A or AAAA answer already built, else the CNAME, else the apex SOA).
  const any =
    d.a !== undefined
      ? tails.get(TYPE.A)
      : d.aaaa !== undefined
        ? tails.get(TYPE.AAAA)
        : (tails.get(TYPE.CNAME) ?? (apex ? tails.get(TYPE.SOA) : undefined))
  if (any !== undefined) tails.set(TYPE.ANY, any)
  return { tails, other: cname === undefined ? z.nodata : chase(src, z, name, () => undefined) }
}

/** Runs `build` for each name; a record it cannot encode is skipped with the reason. */
function encodeEach<T>(
  names: Iterable<[string, T]>,
  skipped: { name: string; reason: string }[],
  build: (name: string, t: T) => void,
): void {
  for (const [name, t] of names) {
    try {
      build(name, t)
    } catch (err) {
      skipped.push({ name, reason: err instanceof Error ? err.message : String(err) })
    }
  }
}

export function buildCache(records: readonly ResolvedRecord[], init: CacheInit): AnswerCache {
  const negTtl = init.negativeTtlSeconds ?? NEGATIVE_TTL_SECONDS
  const zones = init.zones
  const data = groupByName(records, zones)
  const byZone = new Map(zones.map((z) => [z, zoneAnswers(z, init.serial, negTtl)]))
  const src: Source = { data, zones, byZone, existing: existingNames(data, byZone) }
  const skipped: { name: string; reason: string }[] = []
  const wildcards = new Map<string, NameEntry>()
  const wild = [...data].filter(([name]) => name.startsWith('*.'))
  encodeEach(wild, skipped, (name, d) => {
    const z = byZone.get(zoneOf(name, zones) ?? '')
    if (z !== undefined) wildcards.set(nameKey(name.slice(2)), wildcardEntry(d, z.nodata))
  })
  const names = new Map<string, NameEntry>()
  encodeEach(src.existing, skipped, (name, z) => names.set(nameKey(name), nameEntry(src, name, z)))
  return {
    names,
    wildcards,
    nxdomain: new Map([...byZone.values()].map((z) => [nameKey(z.zone), z.nxdomain])),
    fingerprint: fingerprintOf(records, zones),
    serial: init.serial,
    serving: init.serving ?? true,
    skipped,
  }
}

/**
 * The wildcard answers covering `key`, a name not in the cache: the closest encloser is its
 * nearest ancestor that exists; only a wildcard directly below that one applies (RFC 4592 §3.3.1).
 */
export function wildcardFor(cache: AnswerCache, key: string): NameEntry | undefined {
  if (cache.wildcards.size === 0) return undefined
  for (const off of labelOffsets(key).slice(1)) {
    const ancestor = key.slice(off)
    if (cache.names.has(ancestor)) return cache.wildcards.get(ancestor)
  }
  return undefined
}

/** The NXDOMAIN tail of the zone that contains `key`, or undefined when we are not authoritative. */
export function zoneTail(cache: AnswerCache, key: string): Tail | undefined {
  for (const off of labelOffsets(key)) {
    const t = cache.nxdomain.get(off === 0 ? key : key.slice(off))
    if (t !== undefined) return t
  }
  return undefined
}
