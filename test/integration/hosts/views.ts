// Two replicas of different sizes, so updates both grow and shrink the file.
export const views: readonly [Map<string, string[]>, Map<string, string[]>] = [
  new Map(
    Array.from({ length: 40 }, (_, i) => [`node-${i}.internal.c.local`, [`10.1.${i}.1`, `fd00::${i}`]]),
  ),
  new Map(Array.from({ length: 7 }, (_, i) => [`api-${i}.internal.c.local`, [`10.2.0.${i}`]])),
]
