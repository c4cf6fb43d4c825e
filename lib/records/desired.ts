/**
 * Desired records: kOps' scopes and readiness gate (docs/kops-compat.md, "List and watch"), made explicit.
 *
 * Each watcher owns a scope and writes the complete record list of one object under its key;
 * an empty list deletes the key. Identical replaces are ignored; a real change bumps `version`,
 * so the publisher compares numbers, not record lists. `snapshot()` returns undefined until every
 * scope has been marked synced (after its first full list): nothing is published from a partial
 * view of the cluster.
 */
import type { Problem } from './problems.ts'
import { resolveRecords } from './resolve.ts'
import type { Resolved } from './resolve.ts'
import type { DnsRecord, ObjectRef, ResolvedRecord } from './types.ts'

/** `namespace/name` for namespaced objects, `name` for nodes. */
export type ObjectKey = string

export interface ReplaceExtra {
  /** The object, for problems found at resolution; derived from the key when absent. */
  readonly ref?: ObjectRef
  /** This object's current problems (replaced together with its records). */
  readonly problems?: readonly Problem[]
}

export interface Scope {
  readonly name: string
  /** Whole set per object; [] deletes the key. */
  replace(key: ObjectKey, records: readonly DnsRecord[], extra?: ReplaceExtra): void
  /** After the first full list; stays set. */
  markSynced(): void
  readonly synced: boolean
  keys(): ReadonlySet<ObjectKey>
}

export interface DesiredSnapshot {
  /** Changes with every real change of records; equal versions mean equal records. */
  readonly version: number
  readonly records: readonly ResolvedRecord[]
  /** Per-object problems (in scope order, then key order) followed by resolution problems. */
  readonly problems: readonly Problem[]
}

interface Entry {
  readonly ref: ObjectRef
  readonly records: readonly DnsRecord[]
  readonly precedence?: number
}

function sameRecords(a: readonly DnsRecord[], b: readonly DnsRecord[]): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) {
    const x = a[i]
    const y = b[i]
    if (x === undefined || y === undefined) return false
    if (
      x.type !== y.type ||
      x.fqdn !== y.fqdn ||
      x.value !== y.value ||
      (x.aliasTarget ?? false) !== (y.aliasTarget ?? false)
    )
      return false
  }
  return true
}

function sameProblems(a: readonly Problem[], b: readonly Problem[]): boolean {
  return a.length === b.length && a.every((p, i) => JSON.stringify(p) === JSON.stringify(b[i]))
}

function refFromKey(kind: ObjectRef['kind'], key: ObjectKey): ObjectRef {
  const slash = key.indexOf('/')
  return slash < 0
    ? { kind, name: key }
    : { kind, namespace: key.slice(0, slash), name: key.slice(slash + 1) }
}

export class DesiredRecords {
  readonly #scopes = new Map<
    string,
    {
      kind: ObjectRef['kind']
      precedence: number
      entries: Map<ObjectKey, Entry>
      problems: Map<ObjectKey, readonly Problem[]>
      synced: boolean
    }
  >()
  #version = 0
  #problemsVersion = 0
  #cache: { version: number; problemsVersion: number; snapshot: DesiredSnapshot } | undefined

  /** Record changes so far. */
  get version(): number {
    return this.#version
  }

  /** True once every scope is synced. */
  get synced(): boolean {
    for (const s of this.#scopes.values()) if (!s.synced) return false
    return true
  }

  /**
   * Creates a scope (once per name; a duplicate is a bug). `kind` names objects in problems.
   * `precedence` (default 0): this scope's records replace lower ones for the same name (resolve.ts).
   */
  createScope(name: string, kind: ObjectRef['kind'], precedence = 0): Scope {
    if (this.#scopes.has(name)) throw new Error(`scope ${name} already exists`)
    const state = {
      kind,
      precedence,
      entries: new Map<ObjectKey, Entry>(),
      problems: new Map<ObjectKey, readonly Problem[]>(),
      synced: false,
    }
    this.#scopes.set(name, state)
    const replace = (key: ObjectKey, records: readonly DnsRecord[], extra: ReplaceExtra = {}): void => {
      const problems = extra.problems ?? []
      const hadProblems = state.problems.get(key)
      if (problems.length > 0) state.problems.set(key, problems)
      else state.problems.delete(key)
      // Watch events repeat the same problems; only a real change invalidates the cached snapshot.
      if (!sameProblems(hadProblems ?? [], problems)) this.#problemsVersion++
      const old = state.entries.get(key)
      if (records.length === 0) {
        if (old === undefined) return
        state.entries.delete(key)
        this.#version++
        return
      }
      if (old !== undefined && sameRecords(old.records, records)) return
      state.entries.set(key, { ref: extra.ref ?? old?.ref ?? refFromKey(kind, key), records: [...records] })
      this.#version++
    }
    return {
      name,
      replace,
      markSynced: () => {
        if (!state.synced) this.#problemsVersion++
        state.synced = true
      },
      get synced() {
        return state.synced
      },
      keys: () => new Set([...state.entries.keys(), ...state.problems.keys()]),
    }
  }

  /** The resolved records, or undefined while any scope has not finished its first list. */
  snapshot(): DesiredSnapshot | undefined {
    if (!this.synced) return undefined
    const c = this.#cache
    if (c !== undefined && c.version === this.#version && c.problemsVersion === this.#problemsVersion)
      return c.snapshot
    const owned: Entry[] = []
    const problems: Problem[] = []
    for (const s of this.#scopes.values()) {
      for (const e of s.entries.values())
        owned.push(s.precedence === 0 ? e : { ...e, precedence: s.precedence })
      for (const ps of s.problems.values()) problems.push(...ps)
    }
    const resolved: Resolved = resolveRecords(owned)
    const snapshot: DesiredSnapshot = Object.freeze({
      version: this.#version,
      records: resolved.records,
      problems: [...problems, ...resolved.problems],
    })
    this.#cache = { version: this.#version, problemsVersion: this.#problemsVersion, snapshot }
    return snapshot
  }
}
