// Covers the pino-backed structured logger the SIP stack reports through (no RFC): level filtering, child context, error serialisation.
import { describe, expect, it } from 'vitest'
import { createLogger, silentLogger } from './log.js'

describe('createLogger', () => {
  it('writes one JSON line per event at or above the level, with child context', () => {
    const lines: string[] = []
    const log = createLogger({ level: 'info', sink: (l) => lines.push(l), now: () => 42 })
    log.debug('hidden')
    log.child({ callId: 'abc' }).warn('retransmit', { n: 2 })
    expect(lines).toHaveLength(1)
    expect(JSON.parse(lines[0]!)).toEqual({ time: '1970-01-01T00:00:00.042Z', level: 'warn', msg: 'retransmit', callId: 'abc', n: 2 })
    expect(log.enabled('debug')).toBe(false)
    expect(log.enabled('error')).toBe(true)
  })

  it('renders errors with name, message and cause instead of {}', () => {
    const lines: string[] = []
    const log = createLogger({ sink: (l) => lines.push(l) })
    log.error('boom', { err: new TypeError('bad', { cause: new Error('root') }) })
    const parsed = JSON.parse(lines[0]!)
    expect(parsed.err.name).toBe('TypeError')
    expect(parsed.err.message).toBe('bad')
    expect(parsed.err.cause.message).toBe('root')
  })

  it('does not throw on circular fields and marks the cycle', () => {
    const lines: string[] = []
    const log = createLogger({ sink: (l) => lines.push(l) })
    const a: Record<string, unknown> = {}
    a.self = a
    log.info('loop', { a })
    expect(JSON.parse(lines[0]!).a.self).toBe('[Circular]')
  })

  it('carries callId and cdrId of a call child on every line, nested children adding their own', () => {
    const lines: string[] = []
    const call = createLogger({ sink: (l) => lines.push(l), context: { service: 'core' } }).child({ callId: 'c1@x', cdrId: '01J' })
    call.info('attempt')
    call.child({ leg: 'b' }).warn('timeout')
    expect(lines.map((l) => JSON.parse(l))).toEqual([
      expect.objectContaining({ service: 'core', callId: 'c1@x', cdrId: '01J', msg: 'attempt', level: 'info' }),
      expect.objectContaining({ service: 'core', callId: 'c1@x', cdrId: '01J', leg: 'b', msg: 'timeout', level: 'warn' }),
    ])
  })

  it('silentLogger writes nothing and reports every level disabled', () => {
    expect(silentLogger.enabled('error')).toBe(false)
    silentLogger.child({ x: 1 }).error('nothing')
  })
})
