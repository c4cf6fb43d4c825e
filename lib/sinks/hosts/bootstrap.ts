/**
 * Bootstrap names that stay fresh. A node provisioner (kOps' nodeup, cloud-init, an operator)
 * writes lines for names such as `api.internal.CLUSTER` before any agent runs: inside kOps' block
 * (nodeup's seed entries) or elsewhere in the file. While the agent publishes a name, its
 * addresses win; when the published set for that name goes away, the provisioner's lines come
 * back, so a node never keeps a dead control-plane address that nothing refreshes, nor loses the
 * name it booted with. Pure: text in, text out, around block.ts's applyReplica.
 *
 * | where the other line is | while the agent publishes the name             | when it stops                 |
 * | ----------------------- | ---------------------------------------------- | ----------------------------- |
 * | inside the block        | replaced; kept as `# dns-controller-shadowed: NAME ADDR...` in the block | its entries are written back |
 * | elsewhere in the file   | commented out in place: `# dns-controller-shadowed-line: LINE` | uncommented, as it was |
 *
 * A shadowed line elsewhere is shadowed whole (resolvers stop at the first line naming a name, so
 * it cannot stay in front of ours); its other names, if any, come back with it.
 */
import {
  applyReplica,
  BEGIN_MARKER,
  END_MARKER,
  OWNER_COMMENT,
  parseBlock,
  replaceName,
  rewriteHosts,
  splitHosts,
} from './block.ts'
import type { HostsProblem } from './block.ts'

export const SHADOWED_ENTRY = '# dns-controller-shadowed:'
export const SHADOWED_LINE = '# dns-controller-shadowed-line: '

const hostNames = (line: string): string[] => line.trim().split(/\s+/).slice(1)

/** Lines outside the block: shadow those naming a desired name, restore those that name none. */
function shadowOutside(lines: readonly string[], desired: ReadonlyMap<string, readonly string[]>): string[] {
  let inside = false
  return lines.map((line) => {
    const t = line.trim()
    if (t === BEGIN_MARKER) inside = true
    else if (t === END_MARKER) inside = false
    if (inside || t === END_MARKER) return line
    if (line.startsWith(SHADOWED_LINE)) {
      const original = line.slice(SHADOWED_LINE.length)
      return hostNames(original).some((n) => desired.has(n.toLowerCase())) ? line : original
    }
    if (t === '' || t.startsWith('#')) return line
    return hostNames(t).some((n) => desired.has(n.toLowerCase())) ? `${SHADOWED_LINE}${line}` : line
  })
}

/** The shadowed entries recorded in the block (name → addresses), and the text without them. */
function takeShadowed(text: string): { text: string; shadowed: Map<string, string[]> } {
  const shadowed = new Map<string, string[]>()
  const lines = text.split('\n').filter((line) => {
    if (!line.trim().startsWith(SHADOWED_ENTRY)) return true
    const [name, ...addresses] = line
      .trim()
      .slice(SHADOWED_ENTRY.length)
      .split(/\s+/)
      .filter((s) => s !== '')
    if (name !== undefined && addresses.length > 0) shadowed.set(name, addresses)
    return false
  })
  return { text: lines.join('\n'), shadowed }
}

/** applyReplica, with other writers' lines for the desired names shadowed and restored. */
export function applyReplicaKeepingBootstrap(
  text: string,
  desired: ReadonlyMap<string, readonly string[]>,
  zones?: readonly string[],
): { text: string; problems: HostsProblem[] } {
  const taken = takeShadowed(text)
  const shadowed = taken.shadowed
  // Entries in the block for a desired name that the agent did not write: someone else's.
  const block = parseBlock(splitHosts(taken.text).guarded)
  // (Entries a provisioner wrote again since, e.g. nodeup at boot, are newer than the record.)
  const fresh = new Map<string, string[]>()
  for (const [address, names] of block.hosts)
    for (const name of names)
      if (desired.has(name) && !block.owned.has(name)) fresh.set(name, [...(fresh.get(name) ?? []), address])
  for (const [name, addresses] of fresh) shadowed.set(name, addresses)
  const outside = shadowOutside(taken.text.split('\n'), desired).join('\n')
  const applied = applyReplica(outside, desired, zones)
  // Names no longer published: their entries come back, no longer ours.
  const restored = rewriteHosts(applied.text, (hosts) => {
    for (const [name, addresses] of shadowed)
      if (!desired.has(name)) {
        replaceName(hosts, name, addresses)
        shadowed.delete(name)
      }
  })
  const keep = [...shadowed]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([n, as]) => `${SHADOWED_ENTRY} ${n} ${as.join(' ')}`)
  const lines = restored.text.split('\n')
  // Before the ownership comment (or the End marker): the block's own lines stay together.
  let at = lines.findIndex((l) => l.startsWith(OWNER_COMMENT))
  if (at < 0) at = lines.lastIndexOf(END_MARKER)
  lines.splice(at, 0, ...keep)
  return { text: lines.join('\n'), problems: applied.problems }
}
