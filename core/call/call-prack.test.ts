// RFC 3262 through the B2BUA on the loop network: 100rel offered to the gateway when the caller takes it, the gateway's reliable 18x PRACKed on leg B, reliable 18x to the caller (own RSeq, re-sent until its PRACK, 481 for an unknown RAck, 504 PrackTimeout), SDP per RFC 3264 in reliable provisionals, and the 2xx held behind an unacknowledged SDP.
import { describe, expect, it } from 'vitest'
import { SipRequest, type SipResponse } from '../sip/message/message.js'
import { CLEAN, callBench, SDP_A, SDP_B } from './test-support/call-harness.js'

const SUPPORTS: Array<[string, string]> = [['Supported', '100rel, timer']]
const REQUIRES: Array<[string, string]> = [['Require', '100rel']]

/** Reliable-provisional headers of a gateway's 18x with this RSeq. */
function rel(rseq: number): Array<[string, string]> {
  return [['Require', '100rel'], ['RSeq', String(rseq)]]
}

type Bench = ReturnType<typeof callBench>

/** The caller's PRACK for `res` (answering `invite`), optionally with an SDP answer. */
function prack(s: Bench, invite: SipRequest, res: SipResponse, rack?: string, sdp?: string): SipRequest {
  return s.caller.inDialog('PRACK', { req: invite, res, asUac: true }, { headers: [['RAck', rack ?? `${res.headers.get('rseq')} ${invite.cseq!.seq} INVITE`]], ...(sdp === undefined ? {} : { sdp }) })
}

describe('Call with reliable provisionals (RFC 3262)', () => {
  it('PRACKs the gateway\'s reliable 183 at once, sends it reliably to a caller that supports 100rel, and repeats its SDP in the 200 the gateway sent without one', () => {
    const s = callBench()
    const invite = s.caller.invite({ headers: SUPPORTS })
    s.settle()
    const b = s.gw1.last('INVITE')
    expect(b.supported).toContain('100rel')
    const p183 = s.gw1.reply(b, 183, { sdp: SDP_B, headers: rel(10) })
    s.settle()
    // RFC 3262 §4: the PRACK goes in the early dialog with RAck = RSeq, INVITE CSeq number and method (early offer: no body).
    const bPrack = s.gw1.last('PRACK')
    expect(bPrack.headers.get('rack')).toBe('10 1 INVITE')
    expect(bPrack.callId).toBe(b.callId)
    expect(bPrack.to?.tag).toBe('gwtag')
    expect(bPrack.body.length).toBe(0)
    s.gw1.reply(bPrack, 200)
    // The gateway re-sends its 183 (our PRACK crossed it): discarded, neither relayed nor PRACKed again.
    s.gw1.send(p183)
    s.settle(100)
    expect(s.gw1.requests('PRACK')).toHaveLength(1)
    const toCaller = s.caller.responses('INVITE').filter((r) => r.status === 183)
    expect(toCaller).toHaveLength(1)
    const a183 = toCaller[0]!
    expect(a183.headers.get('require')).toBe('100rel')
    const rseq = Number(a183.headers.get('rseq'))
    expect(rseq).toBeGreaterThan(0)
    expect(a183.body.toString()).toBe(SDP_B)
    // §3: re-sent at T1 until the caller's PRACK.
    s.settle(500)
    expect(s.caller.statuses().filter((x) => x === 183)).toHaveLength(2)
    prack(s, invite, a183)
    s.settle()
    expect(s.caller.statuses('PRACK')).toEqual([200])
    s.settle(4000)
    expect(s.caller.statuses().filter((x) => x === 183)).toHaveLength(2)
    // RFC 3262 §5: the answer came in the reliable 183; the gateway's 200 has none, the caller's 200 repeats it.
    const bOk = s.gw1.reply(b, 200)
    s.settle()
    const ok = s.caller.responses('INVITE').find((r) => r.status === 200)!
    expect(ok.body.toString()).toBe(SDP_B)
    expect(s.gw1.last('ACK').cseq).toEqual({ seq: 1, method: 'ACK' })
    s.caller.inDialog('ACK', { req: invite, res: ok, asUac: true })
    s.caller.inDialog('BYE', { req: invite, res: ok, asUac: true })
    s.settle()
    const bBye = s.gw1.last('BYE')
    // The BYE follows the PRACK's CSeq in leg B's dialog.
    expect(bBye.cseq).toEqual({ seq: 3, method: 'BYE' })
    s.gw1.reply(bBye, 200)
    expect(bOk.status).toBe(200)
    expect(s.observer.ended[0]).toMatchObject({ terminationReason: 'CallerHangup' })
    expect(s.leftovers()).toEqual(CLEAN)
  })

  it('does not offer 100rel for a caller without it, still PRACKs a gateway that sends reliably, and gives the caller the early media unreliably', () => {
    const s = callBench()
    const invite = s.caller.invite()
    s.settle()
    const b = s.gw1.last('INVITE')
    expect(b.supported).not.toContain('100rel')
    s.gw1.reply(b, 183, { sdp: SDP_B, headers: rel(1) })
    s.settle()
    expect(s.gw1.last('PRACK').headers.get('rack')).toBe('1 1 INVITE')
    const a183 = s.caller.responses('INVITE').find((r) => r.status === 183)!
    expect(a183.headers.has('require')).toBe(false)
    expect(a183.headers.has('rseq')).toBe(false)
    expect(a183.body.toString()).toBe(SDP_B)
    s.gw1.reply(b, 200)
    s.settle()
    expect(s.caller.responses('INVITE').find((r) => r.status === 200)!.body.toString()).toBe(SDP_B)
    expect(invite.method).toBe('INVITE')
    s.b2bua.shutdown()
  })

  it('sends every 18x reliably to a caller that requires 100rel, answers an unknown RAck with 481 and a PRACK outside any dialog with 481, never 501', () => {
    const s = callBench()
    const invite = s.caller.invite({ headers: REQUIRES })
    s.settle()
    const b = s.gw1.last('INVITE')
    expect(b.supported).toContain('100rel')
    expect(b.headers.has('require')).toBe(false)
    s.gw1.reply(b, 180)
    s.settle()
    expect(s.gw1.requests('PRACK')).toHaveLength(0)
    const a180 = s.caller.responses('INVITE').find((r) => r.status === 180)!
    expect(a180.headers.get('require')).toBe('100rel')
    const rseq = Number(a180.headers.get('rseq'))
    prack(s, invite, a180, `${rseq + 1} 1 INVITE`)
    s.settle()
    expect(s.caller.statuses('PRACK')).toEqual([481])
    prack(s, invite, a180)
    s.settle()
    expect(s.caller.statuses('PRACK')).toEqual([481, 200])
    // The same RAck again names nothing unacknowledged any more; then a PRACK naming no dialog at all.
    const again = prack(s, invite, a180)
    s.settle()
    const stray = new SipRequest('PRACK', again.uri, again.headers.clone())
    stray.headers.set('via', 'SIP/2.0/UDP 127.0.0.2:5070;branch=z9hG4bKstrayprack;rport')
    stray.headers.set('call-id', 'nothing@127.0.0.2')
    s.caller.send(stray)
    s.settle()
    expect(s.caller.statuses('PRACK')).toEqual([481, 200, 481, 481])
    s.b2bua.shutdown()
  })

  it('late offer: the gateway\'s offer in a reliable 183 reaches the caller reliably and the caller\'s answer in its PRACK goes out in the gateway\'s PRACK', () => {
    const s = callBench()
    const invite = s.caller.invite({ sdp: null, headers: SUPPORTS })
    s.settle()
    const b = s.gw1.last('INVITE')
    expect(b.body.length).toBe(0)
    s.gw1.reply(b, 183, { sdp: SDP_B, headers: rel(300) })
    s.settle()
    // §5: the PRACK must carry the answer, which only the caller has.
    expect(s.gw1.requests('PRACK')).toHaveLength(0)
    const a183 = s.caller.responses('INVITE').find((r) => r.status === 183)!
    expect(a183.body.toString()).toBe(SDP_B)
    prack(s, invite, a183, undefined, SDP_A)
    s.settle()
    expect(s.caller.statuses('PRACK')).toEqual([200])
    const bPrack = s.gw1.last('PRACK')
    expect(bPrack.headers.get('rack')).toBe('300 1 INVITE')
    expect(bPrack.body.toString()).toBe(SDP_A)
    expect(bPrack.headers.get('content-type')).toBe('application/sdp')
    s.b2bua.shutdown()
  })

  it('holds the 200 until the caller PRACKs a reliable 183 that carried SDP (§3), then connects', () => {
    const s = callBench()
    const invite = s.caller.invite({ headers: SUPPORTS })
    s.settle()
    const b = s.gw1.last('INVITE')
    s.gw1.reply(b, 183, { sdp: SDP_B, headers: rel(5) })
    s.settle()
    s.gw1.reply(b, 200, { sdp: SDP_B })
    s.settle(100)
    expect(s.caller.statuses().includes(200)).toBe(false)
    const a183 = s.caller.responses('INVITE').find((r) => r.status === 183)!
    prack(s, invite, a183)
    s.settle()
    const ok = s.caller.responses('INVITE').find((r) => r.status === 200)!
    expect(ok.body.toString()).toBe(SDP_B)
    s.caller.inDialog('ACK', { req: invite, res: ok, asUac: true })
    s.caller.inDialog('BYE', { req: invite, res: ok, asUac: true })
    s.settle()
    s.gw1.reply(s.gw1.last('BYE'), 200)
    expect(s.leftovers()).toEqual(CLEAN)
  })

  it('ends the call with 504 PrackTimeout when the caller never PRACKs (64*T1) and cancels the attempt', () => {
    const s = callBench()
    s.caller.invite({ headers: REQUIRES })
    s.settle()
    const b = s.gw1.last('INVITE')
    s.gw1.reply(b, 180)
    s.settle(31_999)
    expect(s.caller.statuses().includes(504)).toBe(false)
    // Retransmissions at 500, 1500, 3500, 7500, 15500 and 31500 ms after the first.
    expect(s.caller.statuses().filter((x) => x === 180)).toHaveLength(7)
    s.settle(1)
    expect(s.caller.statuses().at(-1)).toBe(504)
    const cancel = s.gw1.last('CANCEL')
    s.gw1.reply(cancel, 200)
    s.gw1.reply(b, 487)
    s.settle()
    expect(s.observer.ended[0]).toMatchObject({ terminationReason: 'PrackTimeout', sipCode: 504, endedBy: 'caller' })
    expect(s.leftovers()).toEqual(CLEAN)
  })
})
