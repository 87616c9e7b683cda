// RFC 3262 §4/§7.2 as the UAC: new reliable provisionals are PRACKed in their early dialog, retransmissions and gaps are discarded per dialog, unreliable ones pass.
import { describe, expect, it } from 'vitest'
import { buildResponse } from '../message/build.js'
import type { SipRequest } from '../message/message.js'
import { makeStack, outgoing } from '../transaction/test-support/loop-stack.js'
import { uacDialog } from './dialog.js'
import { buildPrack, ProvisionalSequence } from './prack-client.js'

function provisional(req: SipRequest, status: number, tag: string, rseq?: number) {
  const headers: Array<[string, string]> = [['Contact', '<sip:gw@127.0.0.2:5070>']]
  if (rseq !== undefined) headers.push(['Require', '100rel'], ['RSeq', String(rseq)])
  return buildResponse(req, status, { toTag: tag, headers })
}

describe('ProvisionalSequence', () => {
  it('takes the first RSeq of a dialog, then only the next one; retransmissions and gaps are discarded', () => {
    const req = outgoing(makeStack(), 'INVITE')
    const seq = new ProvisionalSequence()
    expect(seq.classify(provisional(req, 180, 'a'))).toEqual({ kind: 'unreliable' })
    expect(seq.classify(provisional(req, 183, 'a', 500))).toEqual({ kind: 'new', rseq: 500 })
    expect(seq.classify(provisional(req, 183, 'a', 500))).toEqual({ kind: 'discard' })
    expect(seq.classify(provisional(req, 180, 'a', 502))).toEqual({ kind: 'discard' })
    expect(seq.classify(provisional(req, 180, 'a', 501))).toEqual({ kind: 'new', rseq: 501 })
    // Another fork (To tag) has its own sequence.
    expect(seq.classify(provisional(req, 183, 'b', 9))).toEqual({ kind: 'new', rseq: 9 })
  })
})

describe('buildPrack', () => {
  it('is a request of the early dialog with the next CSeq and RAck naming RSeq, the INVITE CSeq and method', () => {
    const s = makeStack()
    const req = outgoing(s, 'INVITE')
    const p = provisional(req, 183, 'btag', 77)
    const d = uacDialog(req, p, s.local, s.peer.local)!
    expect(d.state).toBe('early')
    const prack = buildPrack(d, 77, 1, Buffer.from('v=0\r\n'), 'application/sdp')
    expect(prack.method).toBe('PRACK')
    expect(prack.uri).toBe('sip:gw@127.0.0.2:5070')
    expect(prack.cseq).toEqual({ seq: 2, method: 'PRACK' })
    expect(prack.headers.get('rack')).toBe('77 1 INVITE')
    expect(prack.headers.get('to')).toBe('<sip:999@127.0.0.2>;tag=btag')
    expect(prack.headers.get('content-type')).toBe('application/sdp')
    // The BYE after the answer follows the PRACK's CSeq.
    expect(d.createRequest('BYE').cseq?.seq).toBe(3)
  })
})
