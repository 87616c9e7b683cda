// The one log format of core, edge and the alert job: the Logger interface, the JSON line shape, and a tiny writer of it for runtimes without pino (Workers).

/** Severity, lowest first; lines carry the label, as pino's level formatter writes it. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error'

/** Extra key/value fields attached to one log line or bound to a child logger. */
export type LogFields = Record<string, unknown>

/** The logging surface every module takes. */
export interface Logger {
  debug(msg: string, fields?: LogFields): void
  info(msg: string, fields?: LogFields): void
  warn(msg: string, fields?: LogFields): void
  error(msg: string, fields?: LogFields): void
  /** True when lines at `level` are written; guard expensive field building with it. */
  enabled(level: LogLevel): boolean
  /** A logger that adds `context` to every line (e.g. `{ callId, cdrId }` or `{ requestId }`). */
  child(context: LogFields): Logger
}

/** Where finished lines go; each call gets one line without its newline. */
export type LogSink = (line: string) => void

/** Options of both writers: level (default info), where lines go, fields on every line (`service`), the clock. */
export interface LoggerOptions {
  level?: LogLevel
  sink?: LogSink
  context?: LogFields
  /** Epoch-ms source of the `time` field (default Date.now). */
  now?: () => number
}

/** Numeric order of the levels, for filtering. */
export const LOG_LEVELS: Readonly<Record<LogLevel, number>> = { debug: 20, info: 30, warn: 40, error: 50 }

/** Serialises errors (which JSON renders as {}) with name, message, code, stack and cause, recursively. */
export function serializeError(value: unknown): unknown {
  if (!(value instanceof Error)) return value
  const out: Record<string, unknown> = { name: value.name, message: value.message }
  const code = (value as { code?: unknown }).code
  if (code !== undefined) out.code = code
  if (value.stack !== undefined) out.stack = value.stack
  if (value.cause !== undefined) out.cause = serializeError(value.cause)
  return out
}

/** Field names whose values are errors (serialised like pino's `err` serializer). */
const ERROR_FIELDS = new Set(['err', 'error', 'cause'])

/** JSON.stringify that survives cycles (marked `[Circular]`) and renders errors in the error fields. */
function stringify(line: LogFields): string {
  const seen = new WeakSet<object>()
  return JSON.stringify(line, function (key, value: unknown) {
    const v = ERROR_FIELDS.has(key) ? serializeError(value) : value
    if (typeof v === 'object' && v !== null) {
      if (seen.has(v)) return '[Circular]'
      seen.add(v)
    }
    return v
  })
}

/**
 * A JSON-lines logger without dependencies, for Workers (give it console.log, which Workers Logs collect):
 * `{ level, time (ISO 8601), ...context, ...fields, msg }`, the same line pino writes for core and Node edge.
 */
export function createJsonLogger(opts: LoggerOptions & { sink: LogSink }): Logger {
  const min = LOG_LEVELS[opts.level ?? 'info']
  const sink = opts.sink
  const now = opts.now ?? Date.now
  const make = (context: LogFields): Logger => {
    const write = (level: LogLevel, msg: string, fields?: LogFields): void => {
      if (LOG_LEVELS[level] < min) return
      sink(stringify({ level, time: new Date(now()).toISOString(), ...context, ...fields, msg }))
    }
    return {
      debug: (msg, fields) => write('debug', msg, fields),
      info: (msg, fields) => write('info', msg, fields),
      warn: (msg, fields) => write('warn', msg, fields),
      error: (msg, fields) => write('error', msg, fields),
      enabled: (level) => LOG_LEVELS[level] >= min,
      child: (more) => make({ ...context, ...more }),
    }
  }
  return make(opts.context ?? {})
}

/** A logger that writes nothing (tests and benchmarks). */
export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  enabled: () => false,
  child: () => silentLogger,
}
