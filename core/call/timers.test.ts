// The call's SIP timers (SS_SIP_TIMEOUT_INVITE, _RINGING, _SESSION_PROGRESS, _SESSION_PROGRESS_SDP, SS_MAXCALLDURATION) with RFC 3261 §9.1 CANCEL of the given-up attempt and §13.2.2.4 / RFC 6026 §7.2 for its late 2xx.
import { describe, expect, it } from 'vitest'
import { CLEAN, callBench, SDP_A, SDP_B, target } from './test-support/call-harness.js'

describe('call timers', () => {
  it('gives up a silent gateway after SS_SIP_TIMEOUT_INVITE, tries the next, and finally answers 408 InviteTimeout', () => {
    const s = callBench(undefined, { SS_SIP_TIMEOUT_INVITE: 2 })
    const t0 = s.clock.now()
    s.caller.invite()
    s.settle()
    s.clock.advance(1999)
    expect(s.gw2.requests('INVITE')).toHaveLength(0)
    s.clock.advance(1)
    expect(s.gw2.requests('INVITE')).toHaveLength(1)
    s.clock.advance(4000)
    // Timer A keeps going after the give-up (no CANCEL before a provisional, §9.1): 2000, 2500, 3500, 5500 ms.
    expect(s.gw2.requests('INVITE')).toHaveLength(4)
    expect(s.gw3.requests('INVITE').length).toBeGreaterThan(0)
    expect(s.caller.statuses()).toEqual([100, 408])
    const final = s.caller.got.find((g) => !g.msg.isRequest && g.msg.status === 408)!
    expect(final.at - t0).toBe(6000)
    const cdr = s.observer.ended[0]!
    expect(cdr).toMatchObject({ terminationReason: 'InviteTimeout', sipCode: 408, endedBy: 'switch', routingGatewayId: 'gw3' })
    expect(cdr.attempts.map((a) => [a.routingGatewayId, a.sipCode, a.reason, a.endedAtMs - a.startedAtMs])).toEqual([
      ['gw1', null, 'InviteTimeout', 2000],
      ['gw2', null, 'InviteTimeout', 2000],
      ['gw3', null, 'InviteTimeout', 2000],
    ])
    // The abandoned INVITE transactions run to Timer B on their own; nothing is left afterwards.
    expect(s.leftovers()).toEqual(CLEAN)
  })

  it('stops the INVITE timer at a 100 Trying and gives a vendor that never rings SS_SIP_TIMEOUT_TRYING: CANCEL, 408 TryingTimeout', () => {
    const s = callBench([target('gw1', '127.0.0.3')], { SS_SIP_TIMEOUT_INVITE: 3, SS_SIP_TIMEOUT_TRYING: 5 })
    s.caller.invite()
    s.settle()
    const b = s.gw1.last('INVITE')
    s.clock.advance(1000)
    s.gw1.reply(b, 100)
    s.clock.advance(4999)
    // "No response at all" is over at the 100: the INVITE timer (3 s) no longer ends the attempt.
    expect(s.gw1.requests('CANCEL')).toHaveLength(0)
    s.clock.advance(1)
    expect(s.gw1.requests('CANCEL')).toHaveLength(1)
    expect(s.caller.statuses()).toEqual([100, 408])
    const cdr = s.observer.ended[0]!
    expect(cdr).toMatchObject({ terminationReason: 'TryingTimeout', sipCode: 408, endedBy: 'switch' })
    expect(cdr.attempts.map((a) => [a.routingGatewayId, a.sipCode, a.reason, a.endedAtMs - a.startedAtMs])).toEqual([['gw1', 487, 'TryingTimeout', 6000]])
    s.gw1.reply(s.gw1.last('CANCEL'), 200)
    s.gw1.reply(b, 487)
    s.settle()
    expect(s.gw1.requests('ACK')).toHaveLength(1)
    expect(s.leftovers()).toEqual(CLEAN)
  })

  it('moves from the trying timer to the ringing timer at a 180 after the 100', () => {
    const s = callBench([target('gw1', '127.0.0.3')], { SS_SIP_TIMEOUT_TRYING: 2, SS_SIP_TIMEOUT_RINGING: 7 })
    s.caller.invite()
    s.settle()
    const b = s.gw1.last('INVITE')
    s.gw1.reply(b, 100)
    s.clock.advance(1500)
    s.gw1.reply(b, 180)
    s.clock.advance(6999)
    expect(s.gw1.requests('CANCEL')).toHaveLength(0)
    s.clock.advance(1)
    expect(s.gw1.requests('CANCEL')).toHaveLength(1)
    expect(s.observer.ended[0]).toMatchObject({ terminationReason: 'GatewayTimeout' })
    s.gw1.reply(s.gw1.last('CANCEL'), 200)
    s.gw1.reply(b, 487)
    s.settle()
    expect(s.leftovers()).toEqual(CLEAN)
  })

  it('fails over from a vendor stuck at 100 Trying to the next, which answers', () => {
    const s = callBench(undefined, { SS_SIP_TIMEOUT_INVITE: 2, SS_SIP_TIMEOUT_TRYING: 3 })
    s.caller.invite()
    s.settle()
    s.gw1.reply(s.gw1.last('INVITE'), 100)
    s.clock.advance(2999)
    expect(s.gw2.requests('INVITE')).toHaveLength(0)
    s.clock.advance(1)
    expect(s.gw2.requests('INVITE')).toHaveLength(1)
    s.gw2.reply(s.gw2.last('INVITE'), 200, { sdp: SDP_B })
    s.settle()
    expect(s.caller.statuses()).toEqual([100, 200])
  })

  it('answers a late 200 from an abandoned attempt with ACK and BYE while the call goes on elsewhere', () => {
    const s = callBench(undefined, { SS_SIP_TIMEOUT_INVITE: 2 })
    s.caller.invite()
    s.settle()
    const b1 = s.gw1.last('INVITE')
    s.clock.advance(2000)
    const b2 = s.gw2.last('INVITE')
    s.gw2.reply(b2, 180)
    s.settle()
    // gw1 wakes up: its 100 triggers the deferred CANCEL, its 200 crosses it.
    s.gw1.reply(b1, 100)
    s.settle()
    expect(s.gw1.requests('CANCEL')).toHaveLength(1)
    s.gw1.reply(b1, 200, { sdp: SDP_B, tag: 'late' })
    s.settle()
    expect(s.gw1.requests('ACK')).toHaveLength(1)
    expect(s.gw1.last('BYE').to?.tag).toBe('late')
    expect(s.caller.statuses()).toEqual([100, 180])
    s.gw2.reply(b2, 200, { sdp: SDP_B })
    s.settle()
    expect(s.caller.statuses()).toEqual([100, 180, 200])
    expect(s.b2bua.activeCalls).toBe(1)
  })

  it('gives up after SS_SIP_TIMEOUT_RINGING from the 180 with CANCEL and answers 408 GatewayTimeout', () => {
    const s = callBench([target('gw1', '127.0.0.3')], { SS_SIP_TIMEOUT_RINGING: 5 })
    s.caller.invite()
    s.settle()
    s.clock.advance(1000)
    const b = s.gw1.last('INVITE')
    s.gw1.reply(b, 180)
    s.clock.advance(4999)
    expect(s.gw1.requests('CANCEL')).toHaveLength(0)
    s.clock.advance(1)
    expect(s.gw1.requests('CANCEL')).toHaveLength(1)
    expect(s.caller.statuses()).toEqual([100, 180, 408])
    s.gw1.reply(s.gw1.last('CANCEL'), 200)
    s.gw1.reply(b, 487)
    s.settle()
    const cdr = s.observer.ended[0]!
    expect(cdr).toMatchObject({ terminationReason: 'GatewayTimeout', sipCode: 408, pddMs: 1000 })
    expect(cdr.attempts).toMatchObject([{ routingGatewayId: 'gw1', sipCode: 487, reason: 'GatewayTimeout' }])
    expect(s.leftovers()).toEqual(CLEAN)
  })

  it('uses SS_SIP_TIMEOUT_SESSION_PROGRESS after a 183 without SDP and _SDP after one with SDP', () => {
    const s = callBench([target('gw1', '127.0.0.3'), target('gw2', '127.0.0.4')], { SS_SIP_TIMEOUT_SESSION_PROGRESS: 3, SS_SIP_TIMEOUT_SESSION_PROGRESS_SDP: 7 })
    s.caller.invite()
    s.settle()
    s.gw1.reply(s.gw1.last('INVITE'), 183)
    s.clock.advance(3000)
    expect(s.gw1.requests('CANCEL')).toHaveLength(1)
    const b2 = s.gw2.last('INVITE')
    s.gw2.reply(b2, 183, { sdp: SDP_B })
    s.clock.advance(6999)
    expect(s.gw2.requests('CANCEL')).toHaveLength(0)
    // The early media SDP reached the caller with the 183.
    expect(s.caller.responses().filter((r) => r.status === 183).map((r) => r.body.length > 0)).toEqual([false, true])
    s.clock.advance(1)
    expect(s.gw2.requests('CANCEL')).toHaveLength(1)
    expect(s.caller.statuses().at(-1)).toBe(408)
    expect(s.observer.ended[0]!.attempts.map((a) => a.reason)).toEqual(['GatewayTimeout', 'GatewayTimeout'])
  })

  it('ends an answered call with BYE on both legs at the duration cap (MaxCallDurationExceeded)', () => {
    const s = callBench()
    s.controller.maxCallDurationSec = 60
    s.connect()
    s.clock.advance(59_999)
    expect(s.gw1.requests('BYE')).toHaveLength(0)
    s.clock.advance(1)
    expect(s.gw1.requests('BYE')).toHaveLength(1)
    expect(s.caller.requests('BYE')).toHaveLength(1)
    expect(s.observer.ended[0]).toMatchObject({ terminationReason: 'MaxCallDurationExceeded', durationSec: 60, endedBy: 'switch' })
    s.gw1.reply(s.gw1.last('BYE'), 200)
    s.caller.reply(s.caller.last('BYE'), 200)
    expect(s.leftovers()).toEqual(CLEAN)
  })

  describe('duration cap (SS_MAXCALLDURATION / account limit) and its warning (SS_CALLREMINTIME)', () => {
    it('keeps the cap absolute: a relayed re-INVITE, an UPDATE and session refreshes never move it', () => {
      const s = callBench(undefined, { SS_SESSION_EXPIRES: 90 })
      s.controller.maxCallDurationSec = 100
      const c = s.connect(s.gw1, { headers: [['Supported', 'timer'], ['Session-Expires', '90']] })
      s.clock.advance(20_000)
      const re = s.caller.inDialog('INVITE', c.a, { sdp: SDP_A.replace('4000', '4002') })
      s.settle()
      s.gw1.reply(s.gw1.last('INVITE'), 200, { sdp: SDP_B })
      s.settle()
      s.caller.inDialog('ACK', { req: re, res: s.caller.responses('INVITE').at(-1)!, asUac: true })
      s.clock.advance(25_000)
      s.caller.inDialog('UPDATE', c.a, { sdp: SDP_A })
      s.settle()
      s.gw1.reply(s.gw1.last('UPDATE'), 200, { sdp: SDP_B })
      s.clock.advance(25_000)
      s.caller.inDialog('UPDATE', c.a)
      s.clock.advance(29_999)
      expect(s.caller.statuses('UPDATE')).toEqual([200, 200])
      expect(s.gw1.requests('BYE')).toHaveLength(0)
      s.clock.advance(1)
      expect(s.gw1.requests('BYE')).toHaveLength(1)
      expect(s.caller.requests('BYE')).toHaveLength(1)
      expect(s.observer.ended[0]).toMatchObject({ terminationReason: 'MaxCallDurationExceeded', durationSec: 100 })
    })

    // The played and the relay-cannot-play cases run on a real relay in call-media.test.ts.
    it('records a skipped warning when the call has no media relay', () => {
      const s = callBench(undefined, { SS_CALLREMINTIME: 10 })
      s.controller.maxCallDurationSec = 30
      s.connect()
      s.clock.advance(30_000)
      const noRelay = s.observer.ended[0]!
      expect(noRelay.warningPlayed).toBe(false)
      expect(noRelay.notes).toContain('warning prompt skipped: no media relay')
    })

    it('arms no warning when SS_CALLREMINTIME is 0 or not shorter than the cap', () => {
      const s = callBench(undefined, { SS_CALLREMINTIME: 60 })
      s.controller.maxCallDurationSec = 30
      s.connect()
      let played = 0
      s.b2bua.calls()[0]!.media = { playPrompt: () => (played++, true) }
      s.clock.advance(30_000)
      expect(played).toBe(0)
      expect(s.observer.ended[0]!.notes.some((n) => n.startsWith('warning'))).toBe(false)
    })

    it('arms no cap before the answer: a call ringing past the cap is not ended by it', () => {
      const s = callBench([target('gw1', '127.0.0.3')], { SS_SIP_TIMEOUT_RINGING: 200 })
      s.controller.maxCallDurationSec = 60
      s.caller.invite()
      s.settle()
      s.gw1.reply(s.gw1.last('INVITE'), 180)
      s.clock.advance(100_000)
      expect(s.gw1.requests('BYE')).toHaveLength(0)
      expect(s.observer.ended).toHaveLength(0)
    })
  })
})
