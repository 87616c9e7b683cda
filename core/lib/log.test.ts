// Covers the structured logger the SIP stack reports through (no RFC): level filtering, child context, error serialisation.
import { describe, expect, it } from 'vitest'
import { createLogger, silentLogger } from './log.js'

describe('createLogger', () => {
  it('writes one JSON line per event at or above the level, with child context', () => {
    const lines: string[] = []
    const log = createLogger({ level: 'info', sink: (l) => lines.push(l), now: () => 42 })
    log.debug('hidden')
    log.child({ callId: 'abc' }).warn('retransmit', { n: 2 })
    expect(lines).toHaveLength(1)
    expect(JSON.parse(lines[0]!)).toEqual({ t: 42, level: 'warn', msg: 'retransmit', callId: 'abc', n: 2 })
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

  it('does not throw on circular fields', () => {
    const lines: string[] = []
    const log = createLogger({ sink: (l) => lines.push(l) })
    const a: Record<string, unknown> = {}
    a.self = a
    log.info('loop', { a })
    expect(JSON.parse(lines[0]!).logError).toBe('fields not serialisable')
  })

  it('silentLogger writes nothing and reports every level disabled', () => {
    expect(silentLogger.enabled('error')).toBe(false)
    silentLogger.child({ x: 1 }).error('nothing')
  })
})
