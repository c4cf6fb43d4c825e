/**
 * `--from FILE`: a manifest as the controller's source where no cluster is at hand. The file is
 * read at start (an unreadable or invalid file is a ManifestError: the CLI exits 2 naming --from)
 * and again after every change, seen through fs.watch on its directory (editors replace files by
 * rename) with a short debounce. A later bad read keeps the last good objects and is logged, so a
 * half-saved file never empties the published snapshot.
 */
import { watch } from 'node:fs'
import type { FSWatcher } from 'node:fs'
import { basename, dirname } from 'node:path'
import { errorMessage } from '../util/errors.ts'
import type { Logger } from '../util/log.ts'
import { parseManifest } from './manifest.ts'
import { readSource } from './read.ts'
import type { SourceStatus, ViewSink, ViewSource } from './contract.ts'

export interface FileSourceInit {
  readonly path: string
  readonly watchNamespace?: string
  /** Quiet time after a change event before re-reading. @default 100 */
  readonly debounceMs?: number
}

export class FileSource implements ViewSource {
  private readonly init: FileSourceInit
  private readonly sink: ViewSink
  private readonly log: Logger
  private watcher: FSWatcher | undefined
  private timer: ReturnType<typeof setTimeout> | undefined
  private reading: Promise<void> = Promise.resolve()
  private _synced = false
  private objects = 0
  private lastError: string | undefined
  private lastText: string | undefined

  constructor(init: FileSourceInit, sink: ViewSink, c: { log: Logger }) {
    this.init = init
    this.sink = sink
    this.log = c.log
  }

  get synced(): boolean {
    return this._synced
  }

  status(): readonly SourceStatus[] {
    return [
      {
        kind: 'File',
        state: this.watcher === undefined ? 'idle' : 'watching',
        synced: this._synced,
        objects: this.objects,
        ...(this.lastError === undefined ? {} : { lastError: this.lastError }),
      },
    ]
  }

  /** Reads the file once (throws ManifestError when it can't), then watches it. */
  async start(): Promise<void> {
    if (this.watcher !== undefined) return
    await this.read(true)
    const name = basename(this.init.path)
    this.watcher = watch(dirname(this.init.path), (_event, file) => {
      if (file !== null && file !== name) return
      clearTimeout(this.timer)
      this.timer = setTimeout(() => {
        this.reading = this.reading.then(() => this.read(false))
      }, this.init.debounceMs ?? 100)
    })
    this.watcher.on('error', (err) =>
      this.log.warn('watching the file failed', { path: this.init.path, err }),
    )
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer)
    this.watcher?.close()
    this.watcher = undefined
    await this.reading
  }

  private async read(first: boolean): Promise<void> {
    let objects: unknown[]
    try {
      const text = await readSource(this.init.path)
      if (text === this.lastText) return
      objects = parseManifest(text, this.init.path)
      this.lastText = text
    } catch (err) {
      if (first) throw err
      this.lastError = errorMessage(err)
      this.log.warn('could not re-read the file; keeping the last good objects', { err: this.lastError })
      return
    }
    const ns = this.init.watchNamespace
    const result = this.sink.replaceAll(objects, ns === undefined ? {} : { watchNamespace: ns })
    this.objects = result.used
    this.lastError = undefined
    this._synced = true
    this.log.info('read objects', { path: this.init.path, used: result.used, skipped: result.skipped })
  }
}
