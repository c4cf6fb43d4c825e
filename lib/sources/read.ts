/** Reading a manifest from a file or stdin (`-`); failures become one-line ManifestErrors. */
import { readFile } from 'node:fs/promises'
import { ManifestError } from './manifest.ts'

function reason(err: unknown): string {
  const code = (err as { code?: unknown }).code
  if (code === 'ENOENT') return 'no such file'
  if (code === 'EISDIR') return 'is a directory'
  if (code === 'EACCES') return 'permission denied'
  return err instanceof Error ? err.message : String(err)
}

export async function readStream(stream: AsyncIterable<Buffer | string>): Promise<string> {
  const chunks: Buffer[] = []
  for await (const c of stream) chunks.push(typeof c === 'string' ? Buffer.from(c) : c)
  return Buffer.concat(chunks).toString('utf8')
}

/** The text of `path`, or of stdin for `-`. */
export async function readSource(
  path: string,
  stdin: AsyncIterable<Buffer | string> = process.stdin,
): Promise<string> {
  try {
    return path === '-' ? await readStream(stdin) : await readFile(path, 'utf8')
  } catch (err) {
    throw new ManifestError(`${path === '-' ? 'stdin' : path}: ${reason(err)}`, { cause: err })
  }
}
