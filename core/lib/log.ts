// Structured JSON logging on pino: one line per event, levels filtered before any work, child loggers carry context (callId, cdrId, transport).
import { pino, type Logger as PinoLogger } from 'pino'

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
  /** A logger that adds `context` to every line (e.g. `{ callId, cdrId }`). */
  child(context: LogFields): Logger
}

/** Where finished lines go (default: process.stdout); each call gets one line without its newline. */
export type LogSink = (line: string) => void

/** Options for createLogger. */
export interface LoggerOptions {
  level?: LogLevel
  sink?: LogSink
  context?: LogFields
  /** Epoch-ms source for the `t` field (default Date.now). */
  now?: () => number
}

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

/** The Logger interface over one pino instance (fields first, message second, as pino takes them). */
class PinoAdapter implements Logger {
  constructor(private readonly p: PinoLogger) {}

  enabled(level: LogLevel): boolean {
    return this.p.isLevelEnabled(level)
  }

  debug(msg: string, fields?: LogFields): void {
    if (fields === undefined) this.p.debug(msg)
    else this.p.debug(fields, msg)
  }

  info(msg: string, fields?: LogFields): void {
    if (fields === undefined) this.p.info(msg)
    else this.p.info(fields, msg)
  }

  warn(msg: string, fields?: LogFields): void {
    if (fields === undefined) this.p.warn(msg)
    else this.p.warn(fields, msg)
  }

  error(msg: string, fields?: LogFields): void {
    if (fields === undefined) this.p.error(msg)
    else this.p.error(fields, msg)
  }

  child(context: LogFields): Logger {
    return new PinoAdapter(this.p.child(context))
  }
}

/**
 * Creates a JSON-lines logger (default level info, sink stdout): `{ level, t, ...context, ...fields, msg }`.
 * Lines go to stdout synchronously, so nothing is lost when the process exits right after logging.
 */
export function createLogger(opts: LoggerOptions = {}): Logger {
  const now = opts.now ?? Date.now
  const sink = opts.sink
  const destination = sink === undefined ? pino.destination({ dest: 1, sync: true }) : { write: (s: string) => sink(s.endsWith('\n') ? s.slice(0, -1) : s) }
  const errSerializer = (v: unknown): unknown => serializeError(v)
  const p = pino(
    {
      level: opts.level ?? 'info',
      base: opts.context ?? {},
      messageKey: 'msg',
      timestamp: () => `,"t":${now()}`,
      formatters: { level: (label) => ({ level: label }) },
      serializers: { err: errSerializer, error: errSerializer, cause: errSerializer },
    },
    destination,
  )
  return new PinoAdapter(p)
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
