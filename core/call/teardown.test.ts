// One idempotent teardown: RFC 3261 §15 (BYE from either side ends the call; the other leg gets our one BYE), RFC 4028 §10 (session expiry) and the duration cap racing each other at the same instant in every order.
import { describe, expect, it } from 'vitest'
import type { TerminationReason } from '../../shared/termination/reasons.js'
import { CLEAN, callBench } from './test-support/call-harness.js'

type Bench = ReturnType<typeof callBench>
type Conn = ReturnType<Bench['connect']>

/** The triggers that can end a connected call, each with the reason it records when it comes first. */
const TRIGGERS: Record<string, { reason: TerminationReason; fire: (s: Bench, c: Conn) => void }> = {
  cap: { reason: 'MaxCallDurationExceeded', fire: (s) => s.b2bua.calls()[0]?.onDurationExceeded() },
  sessionExpiry: { reason: 'SessionTimerExpired', fire: (s) => s.b2bua.calls()[0]?.onSessionTimerExpired('a', 'test') },
  noMedia: { reason: 'NoMediaHangup', fire: (s) => s.b2bua.calls()[0]?.hangup('NoMediaHangup') },
  callerBye: { reason: 'CallerHangup', fire: (s, c) => (s.caller.inDialog('BYE', c.a), s.settle()) },
  calleeBye: { reason: 'CalleeHangup', fire: (s, c) => (s.gw1.inDialog('BYE', c.b), s.settle()) },
  shutdown: { reason: 'SystemShutdown', fire: (s) => void s.b2bua.shutdown('SystemShutdown') },
}
const NAMES = Object.keys(TRIGGERS)
const PAIRS = NAMES.flatMap((a) => NAMES.filter((b) => b !== a).map((b) => [a, b] as const))

describe('call teardown', () => {
  it.each(PAIRS)('ends with the first reason when %s and %s fire at the same instant, one BYE per leg', (first, second) => {
    const s = callBench()
    const c = s.connect()
    TRIGGERS[first]!.fire(s, c)
    TRIGGERS[second]!.fire(s, c)
    s.settle()
    expect(s.observer.ended).toHaveLength(1)
    expect(s.observer.ended[0]!.terminationReason).toBe(TRIGGERS[first]!.reason)
    // A leg that sent its own BYE gets none from us; every other leg gets exactly one.
    const aByes = s.caller.requests('BYE').length
    const bByes = s.gw1.requests('BYE').length
    expect(aByes).toBe(first === 'callerBye' ? 0 : 1)
    expect(bByes).toBe(first === 'calleeBye' ? 0 : 1)
    // A BYE crossing ours meets a dialog that is gone: 481 (RFC 3261 §12.2.2), never a second call end.
    for (const [peer, bye] of [[s.caller, 'callerBye'], [s.gw1, 'calleeBye']] as const) {
      if (first === bye) expect(peer.statuses('BYE')).toEqual([200])
      else if (second === bye) expect(peer.statuses('BYE')).toEqual([481])
    }
    for (const r of s.caller.requests('BYE')) s.caller.reply(r, 200, { tag: 'calltag' })
    for (const r of s.gw1.requests('BYE')) s.gw1.reply(r, 200)
    expect(s.leftovers()).toEqual(CLEAN)
  })

  it('ignores the cap timer and the session guard after the call ended: no BYE, no second CDR, no timer left', () => {
    const s = callBench(undefined, { SS_SESSION_EXPIRES: 90 })
    s.controller.maxCallDurationSec = 30
    const c = s.connect(s.gw1, { headers: [['Supported', 'timer'], ['Session-Expires', '90']] })
    s.clock.advance(10_000)
    s.hangUp(c)
    s.clock.advance(100_000)
    expect(s.observer.ended.map((e) => e.terminationReason)).toEqual(['CallerHangup'])
    expect(s.caller.requests('BYE')).toHaveLength(0)
    expect(s.gw1.requests('BYE')).toHaveLength(1)
    expect(s.leftovers()).toEqual(CLEAN)
  })

  it('ends at the cap when the cap and the session guard fall due at the same instant (the cap was armed first)', () => {
    const s = callBench(undefined, { SS_SESSION_EXPIRES: 120 })
    s.controller.maxCallDurationSec = 88
    s.connect(s.gw1, { headers: [['Supported', 'timer'], ['Session-Expires', '120']] })
    s.clock.advance(88_000)
    expect(s.observer.ended.map((e) => e.terminationReason)).toEqual(['MaxCallDurationExceeded'])
    expect(s.caller.requests('BYE')).toHaveLength(1)
    expect(s.gw1.requests('BYE')).toHaveLength(1)
  })
})
