// Covers the prepaid money cap in the call layer: the prepaid balance as the duration cap (warning at cap - SS_CALLREMINTIME, then BYE both legs with BalanceExhausted) and the CDR billed before the decision is released.
import { describe, expect, it } from 'vitest'
import { CLEAN, callBench } from './test-support/call-harness.js'

describe('call balance cap', () => {
  it('warns at paid - SS_CALLREMINTIME and ends with BYE both legs and BalanceExhausted when the money runs out', () => {
    const s = callBench(undefined, { SS_CALLREMINTIME: 10 })
    s.controller.paidSec = 30
    s.controller.costPerSec = 0.01
    s.connect()
    const at: number[] = []
    s.b2bua.calls()[0]!.media = { playPrompt: () => (at.push(s.clock.now()), true) }
    const answered = s.clock.now()
    s.clock.advance(19_999)
    expect(at).toHaveLength(0)
    s.clock.advance(1)
    expect(at.map((t) => t - answered)).toEqual([20_000])
    s.clock.advance(9_999)
    expect(s.gw1.requests('BYE')).toHaveLength(0)
    s.clock.advance(1)
    expect(s.gw1.requests('BYE')).toHaveLength(1)
    expect(s.caller.requests('BYE')).toHaveLength(1)
    expect(s.observer.ended[0]).toMatchObject({ terminationReason: 'BalanceExhausted', durationSec: 30, endedBy: 'switch', warningPlayed: true, cost: 0.3 })
    expect(s.controller.events).toEqual(['answered', 'bill', 'release'])
    s.gw1.reply(s.gw1.last('BYE'), 200)
    s.caller.reply(s.caller.last('BYE'), 200)
    expect(s.leftovers()).toEqual(CLEAN)
  })

  it('keeps MaxCallDurationExceeded when the duration cap comes before the money runs out', () => {
    const s = callBench()
    s.controller.maxCallDurationSec = 20
    s.controller.paidSec = 30
    s.connect()
    s.clock.advance(20_000)
    expect(s.observer.ended[0]).toMatchObject({ terminationReason: 'MaxCallDurationExceeded', durationSec: 20 })
  })

  it('ends with BalanceExhausted when the money runs out before the duration cap', () => {
    const s = callBench()
    s.controller.maxCallDurationSec = 60
    s.controller.paidSec = 45
    s.connect()
    s.clock.advance(45_000)
    expect(s.observer.ended[0]).toMatchObject({ terminationReason: 'BalanceExhausted', durationSec: 45 })
  })

  it('sends BYE to both legs right after the answer when other calls left nothing to pay with', () => {
    const s = callBench()
    s.controller.paidSec = 0
    s.connect()
    expect(s.gw1.requests('BYE')).toHaveLength(1)
    expect(s.caller.requests('BYE')).toHaveLength(1)
    expect(s.observer.ended[0]).toMatchObject({ terminationReason: 'BalanceExhausted', durationSec: 0 })
  })

  it('leaves an unrated call without a money cap and without a cost', () => {
    const s = callBench()
    s.connect()
    s.clock.advance(600_000)
    expect(s.observer.ended).toHaveLength(0)
    s.b2bua.calls()[0]!.hangup('CallerHangup')
    expect(s.observer.ended[0]).toMatchObject({ terminationReason: 'CallerHangup', durationSec: 600, cost: null })
  })
})
