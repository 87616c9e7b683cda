// The log format of shared/log/logger.ts written by pino on Node (core and Node edge): levels filtered before any work, synchronous stdout, child loggers carry context.
import { pino, type Logger as PinoLogger } from 'pino'
import { serializeError, type LogFields, type Logger, type LoggerOptions, type LogLevel } from '../logger.js'

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
 * Creates a JSON-lines logger (default level info, sink stdout): `{ level, time (ISO 8601), ...context, ...fields, msg }`.
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
      timestamp: () => `,"time":"${new Date(now()).toISOString()}"`,
      formatters: { level: (label) => ({ level: label }) },
      serializers: { err: errSerializer, error: errSerializer, cause: errSerializer },
    },
    destination,
  )
  return new PinoAdapter(p)
}
