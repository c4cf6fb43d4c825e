/**
 * The managed `/etc/hosts` block, as kOps wrote it (docs/kops-compat.md, "The hosts block"). Pure: text in, text
 * out; lib/sinks/hosts/writer.ts does the single I/O.
 *
 * | input line (trimmed)     | outside the block        | inside the block                    |
 * | ------------------------ | ------------------------ | ----------------------------------- |
 * | Begin marker             | opens the block          | nested: warning, stays inside       |
 * | End marker               | stray: dropped, warning  | closes the block                    |
 * | anything else            | kept verbatim            | parsed as `ADDRESS NAME...`         |
 *
 * Several blocks merge into one, an unterminated Begin takes the rest of the file, and the block
 * is always rendered at the end after exactly one blank line: `ADDRESS<TAB>names sorted, space
 * separated`, one line per address, lines sorted as plain strings.
 *
 * Ownership: names this agent wrote are listed on one comment line inside the block,
 * `# dns-controller-owned: NAME...`, last before the End marker. Every hosts parser skips a
 * comment, so none ever sees a bogus entry. So the file alone says which names to remove when they
 * leave the replica, and names a node provisioner seeded are never touched unless the replica
 * provides the same name. Earlier versions wrote the list as an entry whose "address" was
 * `OWNER_ADDRESS`; that form is still read (and replaced by the comment on the next write).
 *
 * Every trust boundary checks names and addresses (records/validate.ts); this is the last one
 * before the bytes. `applyReplica` skips a desired name or address that fails, and drops block
 * entries that are not `IP-literal name...` with valid names inside our zones (what an older
 * version wrote from a name or value with a newline in it); each is a counted problem.
 */
import { validAddress, validName } from '../../records/validate.ts'
import { zoneOf } from '../zones.ts'

export const BEGIN_MARKER = '# Begin host entries managed by kops - do not edit'
export const END_MARKER = '# End host entries managed by kops'
/** Pseudo-address of the ownership entry earlier versions wrote; read, never written. */
export const OWNER_ADDRESS = 'dns-controller-owned'
/** Start of the ownership comment line; the owned names follow, space separated. */
export const OWNER_COMMENT = '# dns-controller-owned:'

export type HostsProblem = Readonly<
  | { kind: 'stray-end'; line: number }
  | { kind: 'nested-begin'; line: number }
  | { kind: 'unterminated-begin'; line: number }
  | { kind: 'bad-line'; text: string }
  /** A block entry that is not an IP literal with valid names inside our zones: removed. */
  | { kind: 'invalid-entry'; address: string; name: string }
  /** A name from the replica, or one of its addresses, that may not be written: skipped. */
  | { kind: 'invalid-name'; name: string }
>

/** address → host names, as kOps' map. */
export type HostMap = Map<string, Set<string>>

export interface SplitHosts {
  /** Lines outside every block, verbatim (stray End markers removed). */
  readonly kept: readonly string[]
  /** Lines inside the blocks, markers included. */
  readonly guarded: readonly string[]
  readonly problems: readonly HostsProblem[]
}

export function splitHosts(text: string): SplitHosts {
  const kept: string[] = []
  const guarded: string[] = []
  const problems: HostsProblem[] = []
  let inside = false
  let openedAt = 0
  const lines = text.split('\n')
  lines.forEach((line, i) => {
    const t = line.trim()
    if (t === BEGIN_MARKER) {
      if (inside) problems.push({ kind: 'nested-begin', line: i + 1 })
      inside = true
      openedAt = i + 1
      guarded.push(line)
    } else if (t === END_MARKER) {
      if (inside) guarded.push(line)
      else problems.push({ kind: 'stray-end', line: i + 1 })
      inside = false
    } else if (inside) guarded.push(line)
    else kept.push(line)
  })
  if (inside) problems.push({ kind: 'unterminated-begin', line: openedAt })
  return { kept, guarded, problems }
}

export interface ParsedBlock {
  /** address → names, kOps' map (without the ownership list). */
  readonly hosts: HostMap
  /** Names on the ownership comment, or on an older version's ownership entry. */
  readonly owned: Set<string>
  readonly problems: HostsProblem[]
}

/** Parses the guarded lines into kOps' address map; comments other than the markers and the
 * ownership line are bad lines. */
export function parseBlock(guarded: readonly string[]): ParsedBlock {
  const hosts: HostMap = new Map()
  const owned = new Set<string>()
  const problems: HostsProblem[] = []
  for (const line of guarded) {
    const t = line.trim()
    const tokens = t.split(/\s+/).filter((s) => s !== '')
    const first = tokens[0]
    if (first === undefined) continue
    if (t.startsWith(OWNER_COMMENT)) {
      for (const name of t.slice(OWNER_COMMENT.length).split(/\s+/)) if (name !== '') owned.add(name)
      continue
    }
    if (first.startsWith('#')) {
      if (t !== BEGIN_MARKER && t !== END_MARKER) problems.push({ kind: 'bad-line', text: line })
      continue
    }
    if (tokens.length === 1) {
      problems.push({ kind: 'bad-line', text: line })
      continue
    }
    if (first === OWNER_ADDRESS) {
      for (const name of tokens.slice(1)) owned.add(name)
      continue
    }
    let names = hosts.get(first)
    if (names === undefined) hosts.set(first, (names = new Set()))
    for (const name of tokens.slice(1)) names.add(name)
  }
  return { hosts, owned, problems }
}

/** kOps' mutation: every existing entry of `name` is replaced by `addresses` ([] removes it). */
export function replaceName(hosts: HostMap, name: string, addresses: readonly string[]): void {
  for (const [addr, names] of hosts) {
    names.delete(name)
    if (names.size === 0) hosts.delete(addr)
  }
  for (const addr of addresses) {
    let names = hosts.get(addr)
    if (names === undefined) hosts.set(addr, (names = new Set()))
    names.add(name)
  }
}

export function renderBlock(hosts: HostMap): string[] {
  const lines: string[] = []
  for (const [addr, names] of hosts) {
    if (names.size > 0) lines.push(`${addr}\t${[...names].sort().join(' ')}`)
  }
  return lines.sort()
}

/** The ownership comment, none for no names. */
export function renderOwned(owned: ReadonlySet<string>): string[] {
  return owned.size === 0 ? [] : [`${OWNER_COMMENT} ${[...owned].sort().join(' ')}`]
}

/** One kOps update: split, mutate the merged block (and the owned names), render with the block
 * at the end. `mutate` may return problems of its own. */
export function rewriteHosts(
  text: string,
  mutate: (hosts: HostMap, owned: Set<string>) => HostsProblem[] | void,
): { text: string; problems: HostsProblem[] } {
  const split = splitHosts(text)
  const parsed = parseBlock(split.guarded)
  const more = mutate(parsed.hosts, parsed.owned) ?? []
  const kept = split.kept.slice()
  while (kept.length > 0 && kept[kept.length - 1]?.trim() === '') kept.pop()
  kept.push('')
  const block = [...renderBlock(parsed.hosts), ...renderOwned(parsed.owned)]
  const out = [...kept, BEGIN_MARKER, ...block, END_MARKER, ''].join('\n')
  return { text: out, problems: [...split.problems, ...parsed.problems, ...more] }
}

/**
 * Drops block entries that are not an IP literal with valid names (inside `zones`, if given). The
 * names on a line whose "address" is not an IP count as owned: an older version's ownership entry,
 * split by a name with a newline in it, continued on such a line.
 */
function cleanBlock(
  hosts: HostMap,
  owned: Set<string>,
  zones: readonly string[] | undefined,
): HostsProblem[] {
  const problems: HostsProblem[] = []
  for (const [address, names] of hosts) {
    const bogus = !validAddress(address)
    if (bogus) owned.add(address)
    for (const name of names) {
      const lower = name.toLowerCase()
      if (!bogus && validName(lower) && (!zones || zoneOf(lower, zones) !== undefined)) continue
      if (bogus) owned.add(name)
      names.delete(name)
      problems.push({ kind: 'invalid-entry', address, name })
    }
    if (names.size === 0) hosts.delete(address)
  }
  return problems
}

/**
 * Our update: `desired` (name → addresses, already limited to our zones) replaces those names;
 * names on the ownership line that are not desired any more are removed; names we never wrote
 * stay. The ownership line then lists exactly the desired names that were written. With `zones`,
 * block entries for names outside them are removed too: nothing else belongs in the block.
 */
export function applyReplica(
  text: string,
  desired: ReadonlyMap<string, readonly string[]>,
  zones?: readonly string[],
): { text: string; problems: HostsProblem[] } {
  return rewriteHosts(text, (hosts, owned) => {
    const problems = cleanBlock(hosts, owned, zones)
    const valid = new Map<string, readonly string[]>()
    for (const [name, addresses] of desired)
      if (validName(name) && addresses.every(validAddress)) valid.set(name, addresses)
      else problems.push({ kind: 'invalid-name', name })
    for (const name of owned) if (!valid.has(name)) replaceName(hosts, name, [])
    for (const [name, addresses] of valid) replaceName(hosts, name, addresses)
    owned.clear()
    for (const name of valid.keys()) owned.add(name)
    return problems
  })
}

/** The block as (address, name) lines, for tests and `state`: what a reader of the file sees, with
 * the owned names under `OWNER_ADDRESS`. */
export function readBlock(text: string): { hosts: HostMap; problems: HostsProblem[] } {
  const split = splitHosts(text)
  const parsed = parseBlock(split.guarded)
  if (parsed.owned.size > 0) parsed.hosts.set(OWNER_ADDRESS, parsed.owned)
  return { hosts: parsed.hosts, problems: [...split.problems, ...parsed.problems] }
}
