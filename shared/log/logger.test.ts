// One log format: the Workers writer and pino (core, Node edge) write the same line for the same event; levels filter; errors and cycles render.
import { describe, expect, it } from 'vitest'
import { createJsonLogger, type Logger, type LoggerOptions, type LogSink } from './logger.js'
import { createLogger } from './node/logger.js'

const WRITERS: Array<[string, (o: LoggerOptions & { sink: LogSink }) => Logger]> = [
  ['pino (core, Node edge)', createLogger],
  ['JSON writer (Workers)', createJsonLogger],
]

describe.each(WRITERS)('%s', (_name, create) => {
  it('writes { level, time (ISO), service, ...context, ...fields, msg } at or above the level', () => {
    const lines: string[] = []
    const log = create({ level: 'info', sink: (l) => lines.push(l), now: () => Date.UTC(2026, 0, 2, 3, 4, 5, 6), context: { service: 'edge' } })
    log.debug('hidden')
    log.child({ requestId: 'r1' }).warn('slow', { latencyMs: 12 })
    expect(lines).toEqual(['{"level":"warn","time":"2026-01-02T03:04:05.006Z","service":"edge","requestId":"r1","latencyMs":12,"msg":"slow"}'])
    expect(log.enabled('debug')).toBe(false)
    expect(log.enabled('error')).toBe(true)
  })

  it('renders errors with name, message and cause, and marks cycles', () => {
    const lines: string[] = []
    const log = create({ sink: (l) => lines.push(l) })
    const a: Record<string, unknown> = {}
    a.self = a
    log.error('boom', { err: new TypeError('bad', { cause: new Error('root') }), a })
    const line = JSON.parse(lines[0]!)
    expect(line.err).toMatchObject({ name: 'TypeError', message: 'bad', cause: { message: 'root' } })
    expect(line.a.self).toBe('[Circular]')
  })
})
