/**
 * Manifest text → Kubernetes objects, as `kubectl get -o yaml|json` prints them: one object, a
 * `List` (or `PodList`, …) whose `items` are flattened, or multi-document YAML. No I/O here, so
 * `render` and the controller's `--from FILE` share it and tests feed it strings.
 *
 * Anything that is not YAML/JSON, or a document that is not a mapping with a `kind`, is a
 * `ManifestError` with one line naming the source and the document; callers exit 2 with it.
 */
import { loadAll } from 'js-yaml'
import { isJsonObject } from '../util/json.ts'

export class ManifestError extends Error {
  override readonly name = 'ManifestError'
}

function firstLine(s: string): string {
  return s.split('\n')[0] ?? s
}

/** Parses `text` (named `source` in errors) into a flat list of objects. */
export function parseManifest(text: string, source: string): unknown[] {
  const docs: unknown[] = []
  const trimmed = text.trimStart()
  if (trimmed.startsWith('{')) {
    // kubectl -o json prints one object; JSON.parse is much faster than the YAML parser.
    try {
      docs.push(JSON.parse(text))
    } catch (err) {
      throw new ManifestError(
        `${source}: not valid JSON: ${err instanceof Error ? err.message : String(err)}`,
      )
    }
  } else {
    // js-yaml, not `yaml`: on a 10 MB `kubectl get -o yaml` it is about 10x faster (bench/results/records.md).
    // YAML 1.2 core schema, which kubectl's quoting assumes; aliases capped against alias bombs.
    try {
      docs.push(...loadAll(text, { filename: source, maxAliases: 1000 }))
    } catch (err) {
      throw new ManifestError(
        `${source}: not valid YAML: ${firstLine(err instanceof Error ? err.message : String(err))}`,
      )
    }
  }
  const out: unknown[] = []
  docs.forEach((doc, i) => {
    if (doc === null || doc === undefined) return // empty document (`---` at the end)
    const where = docs.length > 1 ? `document ${i + 1}` : 'the input'
    if (!isJsonObject(doc) || typeof doc['kind'] !== 'string')
      throw new ManifestError(
        `${source}: ${where} is not a Kubernetes object (a mapping with apiVersion and kind)`,
      )
    if (doc['kind'].endsWith('List') && Array.isArray(doc['items'])) {
      doc['items'].forEach((item: unknown, j) => {
        // kubectl's List items always carry their kind; typed lists (PodList) may not.
        const kind = doc['kind'] === 'List' ? undefined : (doc['kind'] as string).slice(0, -'List'.length)
        if (isJsonObject(item) && typeof item['kind'] !== 'string' && kind !== undefined)
          out.push({ ...item, kind })
        else if (isJsonObject(item) && typeof item['kind'] === 'string') out.push(item)
        else
          throw new ManifestError(`${source}: ${where}, item ${j + 1} is not a Kubernetes object (no kind)`)
      })
      return
    }
    out.push(doc)
  })
  return out
}
