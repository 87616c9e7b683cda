// The core's logging: the shared one-line JSON format (shared/log/logger.ts) written by pino (shared/log/node/logger.ts).
export { serializeError, silentLogger, type LogFields, type Logger, type LoggerOptions, type LogLevel, type LogSink } from '../../shared/log/logger.js'
export { createLogger } from '../../shared/log/node/logger.js'
