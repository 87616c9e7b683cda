// The caller hears nothing the journal does not hold: 100 Trying waits for the call's start on disk, the 200 for its answer, and what queues behind them keeps its order.
import { describe, expect, it } from 'vitest'
import { callBench, HeldObserver, SDP_B } from './test-support/call-harness.js'

describe('journal barrier', () => {
  it('sends 100 Trying only once the start is journaled, while leg B goes out at once', async () => {
    const observer = new HeldObserver()
    const s = callBench(undefined, {}, { journalBarrier: true, observer })
    s.caller.invite()
    s.settle()
    expect(s.caller.statuses()).toEqual([])
    expect(s.gw1.last('INVITE')).toBeDefined()
    expect(observer.started).toHaveLength(1)
    await observer.flush()
    s.settle()
    expect(s.caller.statuses()).toEqual([100])
  })

  it('relays the vendor\'s 200 only once the answer is journaled, and a BYE that crossed the wait goes after it', async () => {
    const observer = new HeldObserver()
    const s = callBench(undefined, {}, { journalBarrier: true, observer })
    s.caller.invite()
    s.settle()
    await observer.flush()
    const b = s.gw1.last('INVITE')
    s.gw1.reply(b, 180)
    s.settle()
    expect(s.caller.statuses()).toEqual([100, 180])
    const ok = s.gw1.reply(b, 200, { sdp: SDP_B })
    s.settle()
    expect(s.caller.statuses()).toEqual([100, 180])
    expect(observer.answered).toHaveLength(1)
    // The vendor hangs up before the answer reached the disk: the caller still gets the 200 first, then our BYE.
    s.gw1.inDialog('BYE', { req: b, res: ok, asUac: false })
    s.settle()
    expect(s.caller.statuses()).toEqual([100, 180])
    await observer.flush()
    s.settle()
    expect(s.caller.statuses()).toEqual([100, 180, 200])
    expect(s.caller.last('BYE')).toBeDefined()
    expect(observer.ended.map((c) => c.terminationReason)).toEqual(['CalleeHangup'])
  })
})
