// re-INVITE across the B2BUA: RFC 3261 §14 (relayed in the other leg's dialog, 491 glare §14.2), §13.2.2.4 and RFC 6026 §7.2 (the ACK translated end to end and re-sent per 2xx).
import { describe, expect, it } from 'vitest'
import { callBench, SDP_A, SDP_B } from '../call.fixture.js'

const SDP_A2 = SDP_A.replace('m=audio 4000', 'm=audio 4002')
const SDP_B2 = SDP_B.replace('m=audio 6000', 'm=audio 6002')

describe('ReinviteRelay', () => {
  it('passes a caller re-INVITE to leg B in its dialog and translates the caller ACK into leg B ACK', () => {
    const s = callBench()
    const c = s.connect()
    const re = s.caller.inDialog('INVITE', c.a, { sdp: SDP_A2 })
    s.settle()
    const bRe = s.gw1.last('INVITE')
    expect(bRe.callId).toBe(c.bInvite.callId)
    expect(bRe.uri).toBe('sip:peer@127.0.0.3:5080')
    expect(bRe.cseq).toEqual({ seq: 2, method: 'INVITE' })
    expect(bRe.to?.tag).toBe('gwtag')
    expect(bRe.body.toString()).toBe(SDP_A2)
    const bOk = s.gw1.reply(bRe, 200, { sdp: SDP_B2 })
    s.settle()
    const ok = s.caller.responses('INVITE').at(-1)!
    expect(ok.status).toBe(200)
    expect(ok.cseq?.seq).toBe(re.cseq?.seq)
    expect(ok.body.toString()).toBe(SDP_B2)
    expect(s.gw1.requests('ACK')).toHaveLength(1)
    s.caller.inDialog('ACK', { req: re, res: ok, asUac: true })
    s.settle()
    const acks = s.gw1.requests('ACK')
    expect(acks).toHaveLength(2)
    expect(acks[1]!.cseq).toEqual({ seq: 2, method: 'ACK' })
    // A retransmitted 200 from leg B gets the same ACK again.
    s.gw1.send(bOk)
    s.settle()
    expect(s.gw1.requests('ACK')).toHaveLength(3)
    s.clock.advance(10_000)
    expect(s.caller.statuses().filter((x) => x === 200)).toHaveLength(2)
  })

  it('passes a callee re-INVITE to the caller and relays a 488 back', () => {
    const s = callBench()
    const c = s.connect()
    s.gw1.inDialog('INVITE', c.b, { sdp: SDP_B2 })
    s.settle()
    const aRe = s.caller.last('INVITE')
    expect(aRe.callId).toBe('a-call-1@127.0.0.2')
    expect(aRe.cseq?.seq).toBe(1)
    expect(aRe.from?.tag).toBe(c.ok.to?.tag)
    s.caller.reply(aRe, 488)
    s.settle()
    expect(s.gw1.statuses('INVITE')).toEqual([488])
    expect(s.caller.requests('ACK')).toHaveLength(1)
    expect(s.b2bua.activeCalls).toBe(1)
  })

  it('answers 491 to a second re-INVITE while one is in progress (glare, §14.2) and relays a gateway 491', () => {
    const s = callBench()
    const c = s.connect()
    s.caller.inDialog('INVITE', c.a, { sdp: SDP_A2 })
    s.settle()
    s.gw1.inDialog('INVITE', c.b, { sdp: SDP_B2 })
    s.settle()
    expect(s.gw1.statuses('INVITE')).toEqual([491])
    s.gw1.reply(s.gw1.last('INVITE'), 491)
    s.settle()
    expect(s.caller.statuses('INVITE').at(-1)).toBe(491)
    // The relay is over: a new re-INVITE goes through.
    s.caller.inDialog('INVITE', c.a, { sdp: SDP_A2 })
    s.settle()
    expect(s.gw1.requests('INVITE')).toHaveLength(3)
  })
})
