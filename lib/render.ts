/** `render`: objects → the same pipeline as the controller → one resolved snapshot. */
import { RecordPipeline } from './records/pipeline.ts'
import type { PipelineOptions } from './records/pipeline.ts'
import type { Problem } from './records/problems.ts'
import type { ResolvedRecord } from './records/types.ts'
import { syncObjects } from './sources/objects.ts'
import type { SyncOptions } from './sources/objects.ts'

export interface Rendered {
  readonly records: readonly ResolvedRecord[]
  readonly problems: readonly Problem[]
  readonly used: number
  readonly skipped: number
}

export function renderObjects(
  objects: readonly unknown[],
  opts: PipelineOptions,
  sync: SyncOptions = {},
): Rendered {
  const pipeline = new RecordPipeline(opts)
  const { used, skipped } = syncObjects(pipeline, objects, sync)
  const snapshot = pipeline.snapshot()
  if (snapshot === undefined) throw new Error('bug: every scope was marked synced')
  return { records: snapshot.records, problems: snapshot.problems, used, skipped }
}
