/** Why a file named by a flag cannot be read, told apart: missing, not enterable, not a file. */
import { accessSync, constants, statSync } from 'node:fs'

/** true when `path` is a readable file; false when it does not exist; else the reason. */
export function probeReadableFile(path: string): boolean | string {
  return probe(path, constants.R_OK)
}

/** As probeReadableFile, for a file we must also write (read-only mounts say EROFS). */
export function probeWritableFile(path: string): boolean | string {
  return probe(path, constants.R_OK | constants.W_OK)
}

function probe(path: string, mode: number): boolean | string {
  try {
    if (statSync(path).isDirectory()) return 'is a directory, not a file'
    accessSync(path, mode)
    return true
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'ENOENT') return false
    if (code === 'EACCES' || code === 'EPERM')
      return `permission denied (the file, or a directory on its path, is not ${mode & constants.W_OK ? 'writable' : 'readable'} by this user)`
    if (code === 'EROFS') return 'on a read-only file system'
    if (code === 'ENOTDIR') return 'a part of the path is not a directory'
    return (err as Error).message
  }
}
