// RFC 3262 §3 on the loop network: Require/RSeq on reliable provisionals, T1-doubling retransmissions until the PRACK, one in flight at a time, 481 for an unknown RAck, the 2xx held behind an unacknowledged SDP, and the 64*T1 give-up.
import { afterEach, describe, expect, it } from 'vitest'
import { buildResponse } from '../message/build.js'
import { parseMessage } from '../message/parse.js'
import type { SipRequest } from '../message/message.js'
import type { InviteServerTransaction } from '../transaction/invite-server.js'
import { isRes, makeStack, peerRequest, receiveInvite as receivedInvite, type Stack } from '../transaction/test-support/loop-stack.js'
import { ReliableProvisionals } from './reliable-provisionals.js'

let s: Stack
afterEach(() => {
  expect(s.net.userErrors).toEqual([])
})

function receiveInvite(): InviteServerTransaction {
  s = makeStack()
  return receivedInvite(s)
}

function prack(rack: string): SipRequest {
  const r = parseMessage(Buffer.from(peerRequest({ method: 'PRACK', toTag: 'ltag', cseq: 2, extra: `RAck: ${rack}` }).replaceAll('\n', '\r\n')))
  if (!r.ok || !r.message.isRequest) throw new Error('bad PRACK')
  return r.message
}

describe('ReliableProvisionals', () => {
  it('sends Require: 100rel and RSeq, re-sends at T1 doubling without a T2 cap, and stops at the PRACK', () => {
    const ist = receiveInvite()
    let timeouts = 0
    const rel = new ReliableProvisionals(s.layer, ist, { onPrackTimeout: () => timeouts++ }, 100)
    rel.send(buildResponse(ist.request, 183, { toTag: 'ltag' }))
    s.clock.advance(7_600)
    const got = s.got.filter((g) => !g.msg.isRequest && g.msg.status === 183)
    expect(got.map((g) => g.at)).toEqual([0, 500, 1500, 3500, 7500])
    expect(got[0]!.msg.headers.get('require')).toBe('100rel')
    expect(got[0]!.msg.headers.get('rseq')).toBe('100')
    expect(rel.onPrack(prack('100 1 INVITE'))).toMatchObject({ ok: true, acked: { rseq: 100, hasSdp: false } })
    s.clock.advance(40_000)
    expect(s.times(isRes(183))).toHaveLength(5)
    expect(timeouts).toBe(0)
  })

  it('answers an RAck naming no provisional in flight as unmatched (481), a wrong CSeq or method included', () => {
    const ist = receiveInvite()
    const rel = new ReliableProvisionals(s.layer, ist, { onPrackTimeout: () => {} }, 7)
    rel.send(buildResponse(ist.request, 180, { toTag: 'ltag' }))
    for (const bad of ['8 1 INVITE', '7 2 INVITE', '7 1 BYE', 'junk']) expect(rel.onPrack(prack(bad)).ok).toBe(false)
    expect(rel.onPrack(prack('7 1 INVITE')).ok).toBe(true)
    // The same RAck again names nothing unacknowledged any more.
    expect(rel.onPrack(prack('7 1 INVITE')).ok).toBe(false)
    rel.stop()
  })

  it('keeps a second reliable provisional until the first is PRACKed, then sends it with the next RSeq', () => {
    const ist = receiveInvite()
    const rel = new ReliableProvisionals(s.layer, ist, { onPrackTimeout: () => {} }, 41)
    rel.send(buildResponse(ist.request, 180, { toTag: 'ltag' }))
    rel.send(buildResponse(ist.request, 183, { toTag: 'ltag' }))
    s.clock.advance(100)
    expect(s.times(isRes(183))).toEqual([])
    rel.onPrack(prack('41 1 INVITE'))
    rel.advance()
    s.clock.advance(0)
    const p183 = s.got.find((g) => !g.msg.isRequest && g.msg.status === 183)!
    expect(p183.msg.headers.get('rseq')).toBe('42')
    rel.stop()
  })

  it('holds the 2xx while a provisional with SDP is unacknowledged and runs it at the PRACK', () => {
    const ist = receiveInvite()
    const rel = new ReliableProvisionals(s.layer, ist, { onPrackTimeout: () => {} }, 1)
    rel.send(buildResponse(ist.request, 183, { toTag: 'ltag', body: Buffer.from('v=0\r\n'), contentType: 'application/sdp' }))
    let answered = 0
    rel.whenClear(() => answered++)
    expect(rel.blocksAnswer).toBe(true)
    expect(answered).toBe(0)
    rel.onPrack(prack('1 1 INVITE'))
    expect(answered).toBe(0)
    rel.advance()
    expect(answered).toBe(1)
    expect(rel.blocksAnswer).toBe(false)
    rel.whenClear(() => answered++)
    expect(answered).toBe(2)
  })

  it('gives up after 64*T1 without a PRACK and tells its user once', () => {
    const ist = receiveInvite()
    let timeouts = 0
    const rel = new ReliableProvisionals(s.layer, ist, { onPrackTimeout: () => timeouts++ }, 5)
    rel.send(buildResponse(ist.request, 180, { toTag: 'ltag' }))
    s.clock.advance(31_999)
    expect(timeouts).toBe(0)
    s.clock.advance(1)
    expect(timeouts).toBe(1)
    const sent = s.times(isRes(180)).length
    s.clock.advance(60_000)
    expect(s.times(isRes(180))).toHaveLength(sent)
    expect(rel.onPrack(prack('5 1 INVITE')).ok).toBe(false)
  })
})
