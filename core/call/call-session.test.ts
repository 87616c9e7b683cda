// RFC 4028 session timers per leg through the B2BUA: §6/§8.1 (422 with Min-SE), §7.1/§7.2/§7.4 (our offer on leg B, the gateway's answer, the 422 retry), §9 (the caller's terms, refresher choice, Require: timer), §10 (refresh at half the interval, expiry at interval - min(32, interval/3), a failed refresh ends the session).
import { describe, expect, it } from 'vitest'
import { CLEAN, callBench, SDP_A, SDP_B, target } from './test-support/call-harness.js'

const TIMER: Array<[string, string]> = [['Supported', 'timer'], ['Session-Expires', '120']]
const ALLOW_UPDATE: Array<[string, string]> = [['Allow', 'INVITE, ACK, BYE, CANCEL, UPDATE']]

describe('CallSessions', () => {
  describe('on leg A (the caller, RFC 4028 §9)', () => {
    it('answers a caller that supports timer with its interval, refresher=uac and Require: timer', () => {
      const s = callBench(undefined, { SS_SESSION_EXPIRES: 1800 })
      const c = s.connect(s.gw1, { headers: TIMER })
      expect(c.ok.headers.get('session-expires')).toBe('120;refresher=uac')
      expect(c.ok.require).toEqual(['timer'])
      // Leg B got our own offer, not the caller's interval: the B2BUA terminates session timers per leg.
      expect(c.bInvite.headers.get('session-expires')).toBe('1800')
      expect(c.bInvite.headers.get('min-se')).toBe('90')
    })

    it('keeps the call up while the caller refreshes with UPDATE, answering each refresh itself', () => {
      const s = callBench()
      const c = s.connect(s.gw1, { headers: TIMER })
      for (let i = 0; i < 4; i++) {
        s.clock.advance(60_000)
        s.caller.inDialog('UPDATE', c.a, { headers: [['Session-Expires', '120;refresher=uac']] })
        s.settle()
      }
      const oks = s.caller.responses('UPDATE')
      expect(oks.map((r) => r.status)).toEqual([200, 200, 200, 200])
      expect(oks[0]!.headers.get('session-expires')).toBe('120;refresher=uac')
      expect(s.gw1.requests('UPDATE')).toHaveLength(0)
      expect(s.b2bua.activeCalls).toBe(1)
      expect(s.caller.requests('BYE')).toHaveLength(0)
    })

    it('ends the call with SessionTimerExpired and BYE on both legs when the caller never refreshes (interval - 32 s)', () => {
      const s = callBench()
      s.connect(s.gw1, { headers: TIMER })
      s.clock.advance(87_999)
      expect(s.gw1.requests('BYE')).toHaveLength(0)
      s.clock.advance(1)
      expect(s.gw1.requests('BYE')).toHaveLength(1)
      expect(s.caller.requests('BYE')).toHaveLength(1)
      expect(s.observer.ended[0]).toMatchObject({ terminationReason: 'SessionTimerExpired', endedBy: 'switch', durationSec: 88 })
      s.gw1.reply(s.gw1.last('BYE'), 200)
      s.caller.reply(s.caller.last('BYE'), 200)
      expect(s.leftovers()).toEqual(CLEAN)
    })

    it('refreshes a caller without timer support itself with a re-INVITE carrying the SDP it sent, and ACKs the 2xx', () => {
      const s = callBench(undefined, { SS_SESSION_EXPIRES: 120 })
      const c = s.connect()
      expect(c.ok.headers.get('session-expires')).toBe('120;refresher=uas')
      expect(c.ok.require).toEqual([])
      s.clock.advance(60_000)
      const re = s.caller.last('INVITE')
      expect(re.cseq).toEqual({ seq: 1, method: 'INVITE' })
      expect(re.body.toString()).toBe(SDP_B)
      expect(re.headers.get('session-expires')).toBe('120;refresher=uac')
      s.caller.reply(re, 200, { sdp: SDP_A, tag: 'calltag' })
      s.settle()
      expect(s.caller.requests('ACK')).toHaveLength(1)
      // The interval starts again from the refresh: nothing ends the call at 88 s after the answer.
      s.clock.advance(59_000)
      expect(s.b2bua.activeCalls).toBe(1)
      expect(s.caller.requests('INVITE')).toHaveLength(1)
      s.clock.advance(1000)
      expect(s.caller.requests('INVITE')).toHaveLength(2)
    })

    it('refreshes with UPDATE without SDP when the caller allows UPDATE, and ends the call when it answers 481', () => {
      const s = callBench(undefined, { SS_SESSION_EXPIRES: 120 })
      s.connect(s.gw1, { headers: ALLOW_UPDATE })
      s.clock.advance(60_000)
      const up = s.caller.last('UPDATE')
      expect(up.body.length).toBe(0)
      s.caller.reply(up, 481, { tag: 'calltag' })
      s.settle()
      expect(s.caller.requests('BYE')).toHaveLength(1)
      expect(s.gw1.requests('BYE')).toHaveLength(1)
      expect(s.observer.ended[0]!.terminationReason).toBe('SessionTimerExpired')
      expect(s.observer.ended[0]!.notes.at(-1)).toContain('failed with 481')
    })

    it('ends the call when our refresh gets no answer at all (the guard at interval - 32 s comes before Timer F)', () => {
      const s = callBench(undefined, { SS_SESSION_EXPIRES: 120 })
      s.connect(s.gw1, { headers: ALLOW_UPDATE })
      s.clock.advance(87_999)
      expect(s.caller.requests('UPDATE').length).toBeGreaterThan(0)
      expect(s.caller.requests('BYE')).toHaveLength(0)
      s.clock.advance(1)
      expect(s.caller.requests('BYE')).toHaveLength(1)
      expect(s.observer.ended[0]!.terminationReason).toBe('SessionTimerExpired')
    })

    it('refuses a Session-Expires below SS_SESSION_MIN_SE with 422 and Min-SE, before routing and without a CDR (§6, §8.1)', () => {
      const s = callBench(undefined, { SS_SESSION_MIN_SE: 300 })
      s.caller.invite({ headers: [['Supported', 'timer'], ['Session-Expires', '120']] })
      s.settle()
      expect(s.caller.statuses()).toEqual([422])
      expect(s.caller.responses('INVITE')[0]!.headers.get('min-se')).toBe('300')
      expect(s.gw1.requests('INVITE')).toHaveLength(0)
      expect(s.controller.released).toBe(1)
      expect(s.observer.ended).toHaveLength(0)
      expect(s.leftovers()).toEqual({ ...CLEAN })
    })

    it('refuses a mid-dialog refresh below Min-SE with 422 and keeps the call', () => {
      const s = callBench()
      const c = s.connect(s.gw1, { headers: TIMER })
      s.caller.inDialog('UPDATE', c.a, { headers: [['Session-Expires', '30']] })
      s.settle()
      expect(s.caller.statuses('UPDATE')).toEqual([422])
      expect(s.b2bua.activeCalls).toBe(1)
    })
  })

  describe('on leg B (the gateway, RFC 4028 §7)', () => {
    it('retries a 422 once in the same attempt with the gateway Min-SE and the next CSeq (§7.4)', () => {
      const s = callBench(undefined, { SS_SESSION_EXPIRES: 120 })
      s.caller.invite()
      s.settle()
      const first = s.gw1.last('INVITE')
      s.gw1.reply(first, 422, { headers: [['Min-SE', '300']] })
      s.settle()
      const again = s.gw1.requests('INVITE').filter((r) => r.cseq?.seq === 2)
      expect(again).toHaveLength(1)
      expect(again[0]!.callId).toBe(first.callId)
      expect(again[0]!.from?.tag).toBe(first.from?.tag)
      expect(again[0]!.headers.get('session-expires')).toBe('300')
      expect(again[0]!.headers.get('min-se')).toBe('300')
      expect(s.gw1.requests('ACK')).toHaveLength(1)
      s.gw1.reply(again[0]!, 200, { sdp: SDP_B, headers: [['Session-Expires', '300;refresher=uac']] })
      s.settle()
      expect(s.caller.statuses().at(-1)).toBe(200)
      expect(s.gw1.requests('ACK').at(-1)!.cseq?.seq).toBe(2)
      expect(s.gw2.requests('INVITE')).toHaveLength(0)
    })

    it('fails the attempt over to the next gateway on a second 422', () => {
      const s = callBench()
      s.caller.invite()
      s.settle()
      s.gw1.reply(s.gw1.last('INVITE'), 422, { headers: [['Min-SE', '300']] })
      s.settle()
      s.gw1.reply(s.gw1.last('INVITE'), 422, { headers: [['Min-SE', '600']] })
      s.settle()
      expect(s.gw1.requests('INVITE')).toHaveLength(2)
      expect(s.gw2.requests('INVITE')).toHaveLength(1)
    })

    it('refreshes the gateway itself when its 2xx says refresher=uac, with UPDATE when it allows it', () => {
      const s = callBench(undefined, { SS_SESSION_EXPIRES: 300 })
      // The caller refreshes leg A itself (guard at 268 s), so only leg B sees our refreshes here.
      s.connect(s.gw1, { headers: [['Supported', 'timer'], ['Session-Expires', '1800']], okHeaders: [['Session-Expires', '200;refresher=uac'], ['Require', 'timer'], ...ALLOW_UPDATE] })
      s.clock.advance(100_000)
      const up = s.gw1.last('UPDATE')
      expect(up.headers.get('session-expires')).toBe('200;refresher=uac')
      s.gw1.reply(up, 200, { headers: [['Session-Expires', '200;refresher=uac']] })
      s.settle()
      s.clock.advance(100_000)
      expect(s.gw1.requests('UPDATE')).toHaveLength(2)
      expect(s.b2bua.activeCalls).toBe(1)
    })

    it('ends the call when a gateway that took refresher=uas never refreshes, and keeps it while it does', () => {
      const s = callBench(undefined, { SS_SESSION_EXPIRES: 300 })
      const c = s.connect(s.gw1, { okHeaders: [['Session-Expires', '90;refresher=uas']] })
      // Guard: 90 - min(32, 30) = 60 s. A refresh (re-INVITE from the gateway) at 50 s is relayed and restarts it.
      s.clock.advance(50_000)
      s.gw1.inDialog('INVITE', c.b, { sdp: SDP_B, headers: [['Session-Expires', '90;refresher=uac']] })
      s.settle()
      const aRe = s.caller.last('INVITE')
      // Leg A's own terms (the caller lacks timer support: we refresh it), not the gateway's.
      expect(aRe.headers.get('session-expires')).toBe('300;refresher=uac')
      s.caller.reply(aRe, 200, { sdp: SDP_A, tag: 'calltag' })
      s.settle()
      const ok = s.gw1.responses('INVITE').at(-1)!
      expect(ok.status).toBe(200)
      expect(ok.headers.get('session-expires')).toBe('90;refresher=uac')
      s.clock.advance(59_999)
      expect(s.b2bua.activeCalls).toBe(1)
      s.clock.advance(1)
      expect(s.gw1.requests('BYE')).toHaveLength(1)
      expect(s.caller.requests('BYE')).toHaveLength(1)
      expect(s.observer.ended[0]!.notes.at(-1)).toContain('leg B')
    })

    it('runs no timer on leg B when the gateway 2xx carries no Session-Expires (§7.2)', () => {
      const s = callBench(undefined, { SS_SESSION_EXPIRES: 90 })
      const c = s.connect(s.gw1, { headers: TIMER })
      for (let i = 0; i < 5; i++) {
        s.clock.advance(45_000)
        s.caller.inDialog('UPDATE', c.a)
        s.settle()
      }
      expect(s.gw1.requests('UPDATE')).toHaveLength(0)
      expect(s.gw1.requests('INVITE')).toHaveLength(1)
      expect(s.b2bua.activeCalls).toBe(1)
    })
  })

  it('sends no session timer headers and arms no timer with SS_SESSION_EXPIRES 0, relaying an UPDATE without SDP', () => {
    const s = callBench(undefined, { SS_SESSION_EXPIRES: 0 })
    const c = s.connect(s.gw1, { headers: TIMER })
    expect(c.bInvite.headers.get('session-expires')).toBeUndefined()
    expect(c.bInvite.headers.get('min-se')).toBeUndefined()
    expect(c.ok.headers.get('session-expires')).toBeUndefined()
    s.caller.inDialog('UPDATE', c.a)
    s.settle()
    expect(s.gw1.requests('UPDATE')).toHaveLength(1)
    s.clock.advance(3_600_000)
    expect(s.b2bua.activeCalls).toBe(1)
  })

  it('keeps an idle call with a single gateway target clean after the session expiry', () => {
    const s = callBench([target('gw1', '127.0.0.3')], { SS_SESSION_EXPIRES: 90 })
    s.connect(s.gw1, { headers: TIMER })
    s.clock.advance(60_000)
    s.gw1.reply(s.gw1.last('BYE'), 200)
    s.caller.reply(s.caller.last('BYE'), 200)
    expect(s.leftovers()).toEqual(CLEAN)
  })
})
