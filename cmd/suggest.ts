/** "Did you mean" for a mistyped command: the closest name by edit distance, if close enough. */

/** Edits (insert, delete, replace, swap two neighbours) turning a into b. */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  )
  const at = (i: number, j: number): number => d[i]?.[j] ?? 0
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) {
      let v = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + (a[i - 1] === b[j - 1] ? 0 : 1))
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        v = Math.min(v, at(i - 2, j - 2) + 1)
      ;(d[i] as number[])[j] = v
    }
  return at(a.length, b.length)
}

/** The message for a word that is not a command: the closest command, or the list of them. */
export function unknownCommandMessage(word: string, names: readonly string[]): string {
  let best: string | undefined
  let bestDistance = Infinity
  for (const n of names) {
    const d = editDistance(word.toLowerCase(), n)
    if (d < bestDistance) [best, bestDistance] = [n, d]
  }
  const close = best !== undefined && bestDistance <= Math.max(1, Math.floor(best.length / 3))
  return close
    ? `unknown command "${word}"; did you mean "${best}"?`
    : `unknown command "${word}"; commands: ${names.join(', ')} (none: run the controller)`
}
