/**
 * The watch loop both KubeApi implementations share: newline-delimited JSON events from an open
 * response, an inactivity deadline re-armed by every chunk (a half-dead connection must not hang
 * a watcher forever), and the caller's abort signal. Undecodable lines are skipped.
 */
import type { WatchEvent } from './client.ts'

export interface WatchStreamOptions {
  readonly signal: AbortSignal
  readonly inactivityMs: number
}

/** `open` starts the request with the given signal and returns its body as text chunks. */
export async function streamWatch(
  open: (signal: AbortSignal) => Promise<AsyncIterable<string>>,
  onEvent: (ev: WatchEvent) => void,
  opts: WatchStreamOptions,
): Promise<void> {
  const ctl = new AbortController()
  const onAbort = (): void => ctl.abort(opts.signal.reason)
  opts.signal.addEventListener('abort', onAbort, { once: true })
  let timer: ReturnType<typeof setTimeout> | undefined
  const arm = (): void => {
    clearTimeout(timer)
    timer = setTimeout(
      () => ctl.abort(new Error(`watch silent for ${opts.inactivityMs} ms`)),
      opts.inactivityMs,
    )
  }
  try {
    arm()
    let pending = ''
    for await (const chunk of await open(ctl.signal)) {
      arm()
      pending += chunk
      let nl = pending.indexOf('\n')
      while (nl >= 0) {
        const line = pending.slice(0, nl)
        pending = pending.slice(nl + 1)
        nl = pending.indexOf('\n')
        if (line.trim() !== '') deliver(line, onEvent)
      }
    }
  } catch (err) {
    throw ctl.signal.aborted && !opts.signal.aborted ? (ctl.signal.reason as Error) : err
  } finally {
    clearTimeout(timer)
    opts.signal.removeEventListener('abort', onAbort)
    ctl.abort()
  }
}

function deliver(line: string, onEvent: (ev: WatchEvent) => void): void {
  let ev: unknown
  try {
    ev = JSON.parse(line)
  } catch {
    return
  }
  if (typeof ev === 'object' && ev !== null && typeof (ev as { type?: unknown }).type === 'string') {
    const e = ev as { type: string; object?: unknown }
    onEvent({ type: e.type, object: e.object })
  }
}
