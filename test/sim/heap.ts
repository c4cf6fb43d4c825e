/** A binary min-heap of events ordered by (time, seq): equal times run in insertion order. */
export interface Timed {
  readonly at: number
  readonly seq: number
}

export class EventHeap<T extends Timed> {
  private readonly xs: T[] = []

  get size(): number {
    return this.xs.length
  }

  private less(a: T, b: T): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq)
  }

  push(x: T): void {
    const xs = this.xs
    xs.push(x)
    let i = xs.length - 1
    while (i > 0) {
      const p = (i - 1) >> 1
      if (!this.less(xs[i] as T, xs[p] as T)) break
      ;[xs[i], xs[p]] = [xs[p] as T, xs[i] as T]
      i = p
    }
  }

  peek(): T | undefined {
    return this.xs[0]
  }

  pop(): T | undefined {
    const xs = this.xs
    const top = xs[0]
    const last = xs.pop()
    if (xs.length > 0 && last !== undefined) {
      xs[0] = last
      let i = 0
      for (;;) {
        const l = 2 * i + 1
        const r = l + 1
        let m = i
        if (l < xs.length && this.less(xs[l] as T, xs[m] as T)) m = l
        if (r < xs.length && this.less(xs[r] as T, xs[m] as T)) m = r
        if (m === i) break
        ;[xs[i], xs[m]] = [xs[m] as T, xs[i] as T]
        i = m
      }
    }
    return top
  }
}
