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
 * Ownership: names this agent wrote are listed on one extra line whose "address" is
 * `OWNER_ADDRESS`. kOps' parser accepts it as an ordinary entry (and drops a name from it when it
 * writes that name itself, which is right: the name is no longer ours); resolvers (glibc, musl,
 * Go, CoreDNS) skip a line whose address is not an IP. So the file alone says which names to
 * remove when they leave the replica, and names a node provisioner seeded are never touched unless
 * the replica provides the same name.
 */

export const BEGIN_MARKER = '# Begin host entries managed by kops - do not edit'
export const END_MARKER = '# End host entries managed by kops'
/** Pseudo-address of the ownership line (not an IP, so resolvers ignore the line). */
export const OWNER_ADDRESS = 'dns-controller-owned'

export type HostsProblem = Readonly<
  | { kind: 'stray-end'; line: number }
  | { kind: 'nested-begin'; line: number }
  | { kind: 'unterminated-begin'; line: number }
  | { kind: 'bad-line'; text: string }
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

/** Parses the guarded lines into kOps' address map; comments other than the markers are bad lines. */
export function parseBlock(guarded: readonly string[]): { hosts: HostMap; problems: HostsProblem[] } {
  const hosts: HostMap = new Map()
  const problems: HostsProblem[] = []
  for (const line of guarded) {
    const tokens = line
      .trim()
      .split(/\s+/)
      .filter((s) => s !== '')
    const first = tokens[0]
    if (first === undefined) continue
    if (first.startsWith('#')) {
      const t = line.trim()
      if (t !== BEGIN_MARKER && t !== END_MARKER) problems.push({ kind: 'bad-line', text: line })
      continue
    }
    if (tokens.length === 1) {
      problems.push({ kind: 'bad-line', text: line })
      continue
    }
    let names = hosts.get(first)
    if (names === undefined) hosts.set(first, (names = new Set()))
    for (const name of tokens.slice(1)) names.add(name)
  }
  return { hosts, problems }
}

/** kOps' mutation: every existing entry of `name` is replaced by `addresses` ([] removes it). */
export function replaceName(hosts: HostMap, name: string, addresses: readonly string[]): void {
  for (const [addr, names] of hosts) {
    if (addr === OWNER_ADDRESS) continue
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

/** One kOps update: split, mutate the merged block, render with the block at the end. */
export function rewriteHosts(
  text: string,
  mutate: (hosts: HostMap) => void,
): { text: string; problems: HostsProblem[] } {
  const split = splitHosts(text)
  const parsed = parseBlock(split.guarded)
  mutate(parsed.hosts)
  const kept = split.kept.slice()
  while (kept.length > 0 && kept[kept.length - 1]?.trim() === '') kept.pop()
  kept.push('')
  const out = [...kept, BEGIN_MARKER, ...renderBlock(parsed.hosts), END_MARKER, ''].join('\n')
  return { text: out, problems: [...split.problems, ...parsed.problems] }
}

/**
 * Our update: `desired` (name → addresses, already limited to our zones) replaces those names;
 * names on the ownership line that are not desired any more are removed; names we never wrote
 * stay. The ownership line then lists exactly the desired names.
 */
export function applyReplica(
  text: string,
  desired: ReadonlyMap<string, readonly string[]>,
): { text: string; problems: HostsProblem[] } {
  return rewriteHosts(text, (hosts) => {
    const owned = hosts.get(OWNER_ADDRESS) ?? new Set<string>()
    for (const name of owned) if (!desired.has(name)) replaceName(hosts, name, [])
    for (const [name, addresses] of desired) replaceName(hosts, name, addresses)
    hosts.delete(OWNER_ADDRESS)
    if (desired.size > 0) hosts.set(OWNER_ADDRESS, new Set(desired.keys()))
  })
}

/** The block as (address, name) lines, for tests and `state`: what a reader of the file sees. */
export function readBlock(text: string): { hosts: HostMap; problems: HostsProblem[] } {
  const split = splitHosts(text)
  const parsed = parseBlock(split.guarded)
  return { hosts: parsed.hosts, problems: [...split.problems, ...parsed.problems] }
}
