// Non-INVITE in-dialog requests across the B2BUA: RFC 3311 (UPDATE with SDP, target refresh), RFC 6086 (INFO), RFC 3261 §17.1.2.2 (Timer F -> 408 to the sender).
import { describe, expect, it } from 'vitest'
import { callBench, SDP_A, SDP_B } from '../test-support/call-harness.js'

const SDP_A2 = SDP_A.replace('m=audio 4000', 'm=audio 4002')
const SDP_B2 = SDP_B.replace('m=audio 6000', 'm=audio 6002')

describe('RequestRelay', () => {
  it('relays an UPDATE with its SDP both ways and its 200 back with our Contact', () => {
    const s = callBench()
    const c = s.connect()
    s.caller.inDialog('UPDATE', c.a, { sdp: SDP_A2 })
    s.settle()
    const up = s.gw1.last('UPDATE')
    expect(up.callId).toBe(c.bInvite.callId)
    expect(up.body.toString()).toBe(SDP_A2)
    s.gw1.reply(up, 200, { sdp: SDP_B2 })
    s.settle()
    const ok = s.caller.responses('UPDATE')[0]!
    expect(ok.status).toBe(200)
    expect(ok.body.toString()).toBe(SDP_B2)
    expect(ok.headers.get('contact')).toBe('<sip:127.0.0.1:5060>')
  })

  it('relays INFO from the callee to the caller with body and Info-Package, and the caller 200 back', () => {
    const s = callBench()
    const c = s.connect()
    s.gw1.inDialog('INFO', c.b)
    s.settle()
    const aInfo = s.caller.last('INFO')
    expect(aInfo.callId).toBe('a-call-1@127.0.0.2')
    s.caller.reply(aInfo, 200)
    s.settle()
    expect(s.gw1.statuses('INFO')).toEqual([200])
  })

  it('answers INFO with 408 when the other leg never answers (Timer F)', () => {
    const s = callBench()
    const c = s.connect()
    s.caller.inDialog('INFO', c.a)
    s.clock.advance(32_000)
    expect(s.caller.statuses('INFO')).toEqual([408])
  })
})
