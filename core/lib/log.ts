// Structured JSON logging: one line per event, levels filtered before any work, child loggers carry context (callId, transport).

/** Severity, lowest first. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error'

/** Extra key/value fields attached to one log line or bound to a child logger. */
export type LogFields = Record<string, unknown>

/** The logging surface every core module takes. */
export interface Logger {
  debug(msg: string, fields?: LogFields): void
  info(msg: string, fields?: LogFields): void
  warn(msg: string, fields?: LogFields): void
  error(msg: string, fields?: LogFields): void
  /** True when lines at `level` are written; guard expensive field building with it. */
  enabled(level: LogLevel): boolean
  /** A logger that adds `context` to every line (e.g. `{ callId }`). */
  child(context: LogFields): Logger
}

/** Where finished lines go (default: process.stdout). */
export type LogSink = (line: string) => void

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 }

/** Options for createLogger. */
export interface LoggerOptions {
  level?: LogLevel
  sink?: LogSink
  context?: LogFields
  /** Epoch-ms source for the `t` field (default Date.now). */
  now?: () => number
}

/** Serialises errors (which JSON.stringify renders as {}) with name, message, code and cause. */
function replacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) {
    const out: Record<string, unknown> = { name: value.name, message: value.message }
    const code = (value as { code?: unknown }).code
    if (code !== undefined) out.code = code
    if (value.stack !== undefined) out.stack = value.stack
    if (value.cause !== undefined) out.cause = value.cause
    return out
  }
  if (typeof value === 'bigint') return value.toString()
  return value
}

class JsonLogger implements Logger {
  private readonly min: number
  private readonly sink: LogSink
  private readonly context: LogFields
  private readonly clockNow: () => number

  constructor(min: number, sink: LogSink, context: LogFields, now: () => number) {
    this.min = min
    this.sink = sink
    this.context = context
    this.clockNow = now
  }

  enabled(level: LogLevel): boolean {
    return RANK[level] >= this.min
  }

  debug(msg: string, fields?: LogFields): void {
    if (this.min <= RANK.debug) this.write('debug', msg, fields)
  }

  info(msg: string, fields?: LogFields): void {
    if (this.min <= RANK.info) this.write('info', msg, fields)
  }

  warn(msg: string, fields?: LogFields): void {
    if (this.min <= RANK.warn) this.write('warn', msg, fields)
  }

  error(msg: string, fields?: LogFields): void {
    if (this.min <= RANK.error) this.write('error', msg, fields)
  }

  child(context: LogFields): Logger {
    return new JsonLogger(this.min, this.sink, { ...this.context, ...context }, this.clockNow)
  }

  private write(level: LogLevel, msg: string, fields: LogFields | undefined): void {
    const line = { t: this.clockNow(), level, msg, ...this.context, ...fields }
    let text: string
    try {
      text = JSON.stringify(line, replacer)
    } catch {
      text = JSON.stringify({ t: line.t, level, msg, logError: 'fields not serialisable' })
    }
    this.sink(text)
  }
}

/** Creates a JSON-lines logger (default level info, sink stdout). */
export function createLogger(opts: LoggerOptions = {}): Logger {
  const sink = opts.sink ?? ((line: string) => void process.stdout.write(line + '\n'))
  return new JsonLogger(RANK[opts.level ?? 'info'], sink, opts.context ?? {}, opts.now ?? Date.now)
}

/** A logger that writes nothing (tests and benchmarks). */
export const silentLogger: Logger = new JsonLogger(Infinity, () => {}, {}, () => 0)
