/**
 * The agent's persisted replica: the signed snapshots behind the last live view, in
 * `<state-dir>/snapshots.bin` (gossip/snapshot-file.ts). At start they are given back to the
 * source, which checks them exactly like a peer's: a restarted agent serves at once, never serves
 * what it cannot verify, and never goes back to a version older than one it held. A file that
 * does not verify is dropped and counted, never served.
 *
 * Saving happens after the gossip listener's turn and off the event loop (fsync on libuv's pool):
 * one write in flight, later changes folded into one more write of the newest snapshots. Written
 * synchronously inside the listener, the two fsyncs held up the relay to peers and every DNS
 * answer for as long as the disk took, which on a node busy pulling images can be long.
 */
import { existsSync, unlinkSync } from 'node:fs'
import { join } from 'node:path'
import type { Registry } from 'prom-client'
import type { ReplicaSource } from '../gossip/api.ts'
import { GOSSIP_DEFAULTS } from '../gossip/core/config.ts'
import { SNAPSHOT_FILE, readSnapshotFile, writeSnapshotFile } from '../gossip/snapshot-file.ts'
import { errorMessage } from '../util/errors.ts'
import type { Logger } from '../util/log.ts'
import { counter } from '../util/metrics.ts'

/** What versions before signed state files persisted: unsigned, so never loaded. */
export const LEGACY_REPLICA_FILE = 'replica.json'

/** The state file may hold one frame per publisher, each at most a gossip frame. */
const FILE_LIMITS = { maxFrames: GOSSIP_DEFAULTS.maxPublishers, maxFrameBytes: GOSSIP_DEFAULTS.maxFrameBytes }

export interface SnapshotStore {
  /** Gives the persisted snapshots back to the source; true when at least one was restored. */
  restore(): boolean
  /** Asks for the source's snapshots to be written (later, when they changed since the last write). */
  save(): void
  /** Resolves once every asked-for save is written or has failed (logged and counted). */
  flush(): Promise<void>
}

export interface SnapshotStoreComponents {
  readonly source: ReplicaSource
  readonly log: Logger
  readonly registry: Registry
  /** Writes the state file (tests inject a slow or failing disk). */
  readonly write?: (dir: string, frames: readonly Uint8Array[]) => Promise<void>
}

const storeMetrics = (registry: Registry) => ({
  writeErrors: counter(
    registry,
    'dns_controller_agent_persist_errors_total',
    'Failed writes of the replica to the state directory.',
  ),
  dropped: counter(
    registry,
    'dns_controller_agent_state_dropped_total',
    'State files, or snapshots in one, not restored at start, by reason.',
    ['reason'],
  ),
})

export function snapshotStore(stateDir: string, c: SnapshotStoreComponents): SnapshotStore {
  const log = c.log.child('agent')
  const { writeErrors, dropped } = storeMetrics(c.registry)
  const path = join(stateDir, SNAPSHOT_FILE)
  const write = c.write ?? writeSnapshotFile
  let written: readonly Uint8Array[] = []
  let asked = false
  let writing: Promise<void> | undefined

  const refuse = (reason: string, fields: Record<string, unknown>): void => {
    dropped.inc({ reason })
    // Stale: the gossip got there first; untrusted: a rotated-out key. Both are expected.
    if (reason === 'stale' || reason === 'untrusted-publisher')
      log.info('persisted snapshot not restored', { reason, ...fields })
    else log.warn('state file dropped: nothing unverifiable is served', { reason, ...fields })
  }

  const removeLegacy = (): void => {
    const legacy = join(stateDir, LEGACY_REPLICA_FILE)
    if (!existsSync(legacy)) return
    refuse('unsigned-legacy-file', { path: legacy })
    try {
      unlinkSync(legacy)
    } catch (err) {
      log.warn('could not remove the unsigned replica file', { path: legacy, err: errorMessage(err) })
    }
  }

  /** The verified-length frames on disk, or undefined (nothing there, or dropped and counted). */
  const read = (): readonly Uint8Array[] | undefined => {
    let file
    try {
      file = readSnapshotFile(stateDir, FILE_LIMITS)
    } catch (err) {
      refuse('unreadable', { path, err: errorMessage(err) })
      return undefined
    }
    if (file?.ok === false) refuse(file.reason, { path })
    return file?.ok === true ? file.frames : undefined
  }

  return {
    restore() {
      removeLegacy()
      if (c.source.restore === undefined) return false
      const frames = read()
      if (frames === undefined) return false
      let restored = false
      c.source.restore(frames).forEach((o, i) => {
        if (o.ok) restored = true
        else refuse(o.reason, { path, snapshot: i })
      })
      return restored
    },
    save() {
      asked = true
      writing ??= writeAsked()
    },
    async flush() {
      while (writing !== undefined) await writing
    },
  }

  /** Writes until nothing more was asked; each pass writes the newest snapshots. */
  async function writeAsked(): Promise<void> {
    // After the listener's turn: the relay's frames and pending DNS answers go out first.
    await new Promise((resolve) => setImmediate(resolve))
    try {
      while (asked) {
        asked = false
        const frames = c.source.signedSnapshots?.()
        // The core hands out the same frame objects until a snapshot changes.
        if (frames === undefined || sameFrames(frames, written)) continue
        try {
          await write(stateDir, frames)
          written = frames
        } catch (err) {
          writeErrors.inc()
          log.warn('could not persist the replica', { dir: stateDir, err: errorMessage(err) })
        }
      }
    } finally {
      // Right after the last look at `asked`, with no await between: a later save() starts anew.
      writing = undefined
    }
  }
}

const sameFrames = (a: readonly Uint8Array[], b: readonly Uint8Array[]): boolean =>
  a.length === b.length && a.every((f, i) => f === b[i])
