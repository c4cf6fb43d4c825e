/**
 * Logging: one child logger per component, stable lower-case messages with key fields, written as
 * one line each to stderr. Verbosity follows klog's `-v`: 0 = info, 2 = kOps' default, >= 4 = debug.
 */
export type Fields = Readonly<Record<string, unknown>>

export interface Logger {
  error(msg: string, fields?: Fields): void
  warn(msg: string, fields?: Fields): void
  info(msg: string, fields?: Fields): void
  /** Per-event detail; printed at -v >= 4. */
  debug(msg: string, fields?: Fields): void
  child(component: string): Logger
}

export interface LogSink {
  write(line: string): void
}

const stderrSink: LogSink = { write: (line) => process.stderr.write(line) }

function render(fields: Fields | undefined): string {
  if (fields === undefined) return ''
  let out = ''
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined) continue
    const s = typeof v === 'string' ? v : v instanceof Error ? v.message : JSON.stringify(v)
    out += ` ${k}=${/[\s"=]/.test(s) ? JSON.stringify(s) : s}`
  }
  return out
}

export type LogFormat = 'text' | 'json'

const LEVELS: Readonly<Record<string, string>> = { E: 'error', W: 'warn', I: 'info', D: 'debug' }

/** One JSON object per line for log pipelines: time, level, component, msg, then the fields. */
function jsonLine(level: string, component: string, msg: string, fields: Fields | undefined): string {
  const out: Record<string, unknown> = {
    time: new Date().toISOString(),
    level: LEVELS[level],
    component,
    msg,
  }
  for (const [k, v] of Object.entries(fields ?? {}))
    if (v !== undefined && !(k in out)) out[k] = v instanceof Error ? v.message : v
  return `${JSON.stringify(out)}\n`
}

export function createLogger(
  opts: { verbosity?: number; component?: string; sink?: LogSink; format?: LogFormat } = {},
): Logger {
  const verbosity = opts.verbosity ?? 2
  const sink = opts.sink ?? stderrSink
  const component = opts.component ?? 'main'
  const format = opts.format ?? 'text'
  const line = (level: string, msg: string, fields?: Fields): void =>
    sink.write(
      format === 'json'
        ? jsonLine(level, component, msg, fields)
        : `${new Date().toISOString()} ${level} ${component}: ${msg}${render(fields)}\n`,
    )
  return {
    error: (m, f) => line('E', m, f),
    warn: (m, f) => line('W', m, f),
    info: (m, f) => line('I', m, f),
    debug: (m, f) => {
      if (verbosity >= 4) line('D', m, f)
    },
    child: (c) => createLogger({ verbosity, sink, format, component: `${component}/${c}` }),
  }
}

/** A logger that keeps lines in memory, for tests. */
export function memoryLogger(): Logger & { readonly lines: string[] } {
  const lines: string[] = []
  const logger = createLogger({ verbosity: 9, sink: { write: (l) => lines.push(l.trimEnd()) } })
  return Object.assign(logger, { lines })
}

export const silentLogger: Logger = createLogger({ sink: { write: () => {} }, verbosity: 0 })
