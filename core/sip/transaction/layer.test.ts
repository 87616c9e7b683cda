// Covers the layer around the machines: RFC 3261 §8.2 / §18.3 stateless answers, §17.2.3 matching with the RFC 2543 fallback, §9.1/§9.2 CANCEL, §18.2.2 + RFC 3581 response targets, §18.1.2 stray responses.
import { afterEach, describe, expect, it } from 'vitest'
import { ManualClock } from '../../lib/clock.js'
import { LoopNetwork } from '../../transport/loop.js'
import { buildResponse } from '../message/build.js'
import type { SipRequest } from '../message/message.js'
import { parseVia } from '../message/headers/via.js'
import { parseMessage } from '../message/parse.js'
import type { InviteClientTransaction } from './invite-client.js'
import { TransactionLayer } from './layer.js'
import { isReq, isRes, makeStack, outgoing, peerRequest, peerResponse, RecordingCore, RecordingTu, startClient, type Stack } from './test-support/loop-stack.js'
import { TransactionError } from './failures.js'

let s: Stack
afterEach(() => {
  expect(s.net.userErrors).toEqual([])
})

const finalOf = (status: number) => s.got.filter((g) => isRes(status)(g.msg)).map((g) => g.msg)

describe('TransactionLayer', () => {
  describe('stateless answers', () => {
    it('answers a request with Max-Forwards 0 with 483 and a To tag, creating no transaction', () => {
      s = makeStack()
      s.send(peerRequest({ method: 'INVITE' }).replace('Max-Forwards: 70', 'Max-Forwards: 0'))
      s.clock.flush()
      const res = finalOf(483)
      expect(res).toHaveLength(1)
      expect(res[0]!.to?.tag).toBeDefined()
      expect(res[0]!.headers.get('warning')).toMatch(/^399 /)
      expect(s.core.requests).toEqual([])
      expect(s.layer.size).toBe(0)
    })

    it.each([
      ['420 with Unsupported for an unknown Require', 'Require: foo', 420],
      ['505 for SIP/3.0', 'VERSION', 505],
      ['416 for an unsupported URI scheme', 'SCHEME', 416],
      ['415 for a non-SDP body type on INVITE', 'BODY', 415],
    ])('answers %s', (_name, what, status) => {
      s = makeStack()
      let text = peerRequest({ method: 'INVITE', extra: what.includes(':') ? what : undefined })
      if (what === 'VERSION') text = text.replace('sip:123@127.0.0.1 SIP/2.0', 'sip:123@127.0.0.1 SIP/3.0')
      if (what === 'SCHEME') text = text.replace('INVITE sip:123@127.0.0.1', 'INVITE http://example.com/')
      if (what === 'BODY') text = text.replace('Content-Length: 0\n\n', 'Content-Type: text/plain\nContent-Length: 2\n\nhi')
      s.send(text)
      s.clock.flush()
      expect(s.got.map((g) => (g.msg.isRequest ? g.msg.method : g.msg.status))).toEqual([status])
      if (status === 420) expect(s.got[0]!.msg.headers.get('unsupported')).toBe('foo')
      expect(s.layer.size).toBe(0)
    })

    it('answers 400 to a request whose Content-Length overruns the datagram, using the partial parse', () => {
      s = makeStack()
      s.send(peerRequest({ method: 'OPTIONS' }).replace('Content-Length: 0', 'Content-Length: 500'))
      s.clock.flush()
      expect(finalOf(400)).toHaveLength(1)
      expect(s.metrics.get('sip_bad_messages_total')?.get()).toBe(1)
    })

    it('drops garbage and a request without Via silently, and never answers an ACK', () => {
      s = makeStack()
      s.send('hello world\n\n')
      s.send(peerRequest({ method: 'OPTIONS' }).replace(/Via: [^\n]*\n/, ''))
      s.send(peerRequest({ method: 'ACK', cseqMethod: 'ACK' }).replace('Max-Forwards: 70', 'Max-Forwards: x'))
      s.clock.flush()
      expect(s.got).toEqual([])
      expect(s.metrics.get('sip_bad_messages_total')?.get()).toBe(3)
    })
  })

  describe('response target (RFC 3261 §18.2.2, RFC 3581)', () => {
    it('answers the source address at the Via sent-by port when rport is absent, never the Via host', () => {
      s = makeStack()
      const other = s.net.open({ onMessage: () => {} }, '127.0.0.2', 5099)
      const seen: number[] = []
      const spy = s.net.open({ onMessage: () => seen.push(1) }, '10.0.0.9', 5099)
      s.send(peerRequest({ method: 'OPTIONS', via: 'SIP/2.0/UDP 10.0.0.9:5099;branch=z9hG4bKnorport' }))
      s.clock.flush()
      const { tx } = s.core.requests[0]!
      expect(tx.remote).toEqual({ address: '127.0.0.2', port: 5099, family: 'IPv4' })
      expect(tx.request.topVia?.received).toBe('127.0.0.2')
      tx.respond(buildResponse(tx.request, 200, { toTag: 'x' }))
      s.clock.flush()
      expect(s.net.packets.at(-1)?.to).toEqual({ address: '127.0.0.2', port: 5099, family: 'IPv4' })
      expect(seen).toEqual([])
      void other
      void spy
    })

    it('defaults the port to 5060 when the Via has none', () => {
      s = makeStack()
      s.send(peerRequest({ method: 'OPTIONS', via: 'SIP/2.0/UDP 127.0.0.2;branch=z9hG4bKnoport' }))
      s.clock.flush()
      expect(s.core.requests[0]!.tx.remote.port).toBe(5060)
    })
  })

  describe('CANCEL (RFC 3261 §9.2)', () => {
    it('answers 200 to a CANCEL matching a proceeding INVITE and tells the core, which then sends 487', () => {
      s = makeStack()
      s.core.answer = () => {}
      s.send(peerRequest({ method: 'INVITE' }))
      s.clock.flush()
      s.send(peerRequest({ method: 'CANCEL' }))
      s.clock.flush()
      expect(s.core.cancels).toHaveLength(1)
      const { invite } = s.core.cancels[0]!
      expect(invite).toBe(s.core.requests[0]!.tx)
      const ok = finalOf(200)
      expect(ok.map((m) => m.cseq?.method)).toEqual(['CANCEL'])
      invite.respond(buildResponse(invite.request, 487, { toTag: 'ltag' }))
      s.send(peerRequest({ method: 'ACK', cseqMethod: 'ACK', toTag: 'ltag' }))
      s.clock.flush()
      expect(invite.state).toBe('confirmed')
      // A retransmitted CANCEL gets the same 200 again from the CANCEL's own transaction.
      s.send(peerRequest({ method: 'CANCEL' }))
      s.clock.flush()
      expect(finalOf(200)).toHaveLength(2)
      expect(s.core.cancels).toHaveLength(1)
      s.clock.advance(40_000)
      expect(s.layer.size).toBe(0)
    })

    it('answers 481 to a CANCEL matching no transaction', () => {
      s = makeStack()
      s.send(peerRequest({ method: 'CANCEL', branch: 'z9hG4bKunknown' }))
      s.clock.flush()
      expect(s.got.map((g) => (g.msg.isRequest ? '' : g.msg.status))).toEqual([481])
      expect(s.core.cancels).toEqual([])
      s.clock.advance(32_000)
      expect(s.layer.size).toBe(0)
    })

    it('answers 200 but does not tell the core when the INVITE already has a final response', () => {
      s = makeStack()
      s.send(peerRequest({ method: 'INVITE' }))
      s.clock.flush()
      const { tx } = s.core.requests[0]!
      tx.respond(buildResponse(tx.request, 486, { toTag: 'ltag' }))
      s.send(peerRequest({ method: 'CANCEL' }))
      s.clock.flush()
      expect(finalOf(200).map((m) => m.cseq?.method)).toEqual(['CANCEL'])
      expect(s.core.cancels).toEqual([])
    })

    it('defers our CANCEL until a provisional arrives, and sends it on the INVITE branch', () => {
      s = makeStack()
      const tu = new RecordingTu()
      const invite = startClient(s, 'INVITE') as InviteClientTransaction
      expect(s.layer.cancel(invite, tu)).toBeUndefined()
      s.clock.advance(100)
      expect(s.times(isReq('CANCEL'))).toEqual([])
      s.send(peerResponse(invite.request, 180, 'Ringing'))
      s.clock.flush()
      const cancels = s.got.filter((g) => isReq('CANCEL')(g.msg))
      expect(cancels.map((g) => g.at)).toEqual([100])
      expect(cancels[0]!.msg.topVia?.branch).toBe(invite.request.topVia?.branch)
    })

    it('gives the INVITE up 64*T1 after our CANCEL when no final response arrives', () => {
      s = makeStack()
      const tu = new RecordingTu()
      const invite = startClient(s, 'INVITE', tu) as InviteClientTransaction
      s.send(peerResponse(invite.request, 180, 'Ringing'))
      s.clock.advance(1000)
      const cancel = s.layer.cancel(invite, new RecordingTu())
      expect(cancel?.state).toBe('trying')
      s.send(peerResponse(cancel!.request, 200, 'OK'))
      s.clock.advance(31_999)
      expect(invite.state).toBe('proceeding')
      s.clock.advance(1)
      expect(tu.failures).toEqual([{ status: 408, reason: 'Request Timeout', timer: 'cancel' }])
      s.clock.advance(5000)
      expect(s.layer.size).toBe(0)
    })
  })

  describe('RFC 2543 fallback matching (§17.2.3)', () => {
    const via2543 = 'SIP/2.0/UDP 127.0.0.2:5070'

    it('matches INVITE retransmissions, the ACK for a non-2xx and a CANCEL without a magic-cookie branch', () => {
      s = makeStack()
      s.send(peerRequest({ method: 'INVITE', via: via2543 }))
      s.clock.flush()
      const { tx } = s.core.requests[0]!
      s.send(peerRequest({ method: 'INVITE', via: via2543 }))
      s.send(peerRequest({ method: 'CANCEL', via: via2543 }))
      s.clock.flush()
      expect(s.core.requests).toHaveLength(1)
      expect(s.times(isRes(100))).toEqual([0, 0])
      expect(s.core.cancels).toHaveLength(1)
      tx.respond(buildResponse(tx.request, 487, { toTag: 'old' }))
      s.send(peerRequest({ method: 'ACK', cseqMethod: 'ACK', via: via2543, toTag: 'old' }))
      s.clock.flush()
      expect(tx.state).toBe('confirmed')
      expect(s.core.acks).toEqual([])
    })

    it('treats a different CSeq or From tag as a new transaction', () => {
      s = makeStack()
      s.send(peerRequest({ method: 'INVITE', via: via2543 }))
      s.send(peerRequest({ method: 'INVITE', via: via2543, cseq: 2 }))
      s.send(peerRequest({ method: 'INVITE', via: via2543, fromTag: 'other' }))
      s.clock.flush()
      expect(s.core.requests).toHaveLength(3)
    })
  })

  describe('responses', () => {
    it('drops and counts a non-2xx matching no client transaction', () => {
      s = makeStack()
      const req = outgoing(s, 'OPTIONS')
      s.send(peerResponse(req, 404, 'Not Found'))
      s.clock.flush()
      expect(s.metrics.get('sip_stray_responses_total')?.get()).toBe(1)
      expect(s.core.stray2xx).toEqual([])
    })

    it('drops a response carrying two Via values (RFC 3261 §8.1.3.3)', () => {
      s = makeStack()
      const tu = new RecordingTu()
      const tx = startClient(s, 'OPTIONS', tu)
      s.send(peerResponse(tx.request, 200, 'OK').replace(/(Via: [^\n]*)\n/, '$1\nVia: SIP/2.0/UDP 10.1.1.1;branch=z9hG4bKx\n'))
      s.clock.flush()
      expect(tu.responses).toEqual([])
    })

    it('refuses our own misuse: ACK through a transaction, missing branch, duplicate branch', () => {
      s = makeStack()
      const tu = new RecordingTu()
      expect(() => s.layer.sendRequest(outgoing(s, 'ACK'), s.local, s.peer.local, tu)).toThrow(TransactionError)
      const noBranch = outgoing(s, 'OPTIONS')
      noBranch.headers.removeFirst('via')
      expect(() => s.layer.sendRequest(noBranch, s.local, s.peer.local, tu)).toThrow(TransactionError)
      const req = outgoing(s, 'OPTIONS')
      s.layer.sendRequest(req, s.local, s.peer.local, tu)
      expect(() => s.layer.sendRequest(req, s.local, s.peer.local, tu)).toThrow(TransactionError)
    })
  })

  it('answers 500 when the core throws on an INVITE, surfaces the bug to the transport guard, and still cleans up', () => {
    s = makeStack()
    s.core.answer = () => {
      throw new Error('core bug')
    }
    s.send(peerRequest({ method: 'INVITE' }))
    s.clock.flush()
    expect(s.net.userErrors.splice(0).map((e) => (e as Error).message)).toEqual(['core bug'])
    expect(s.got.map((g) => (g.msg.isRequest ? '' : g.msg.status))).toEqual([100, 500])
    s.clock.advance(32_000)
    expect(s.layer.size).toBe(0)
  })

  it('completes INVITE/486/ACK between two layers over a 30%-loss network and leaves no transactions', () => {
    let seed = 7
    const random = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31)
    const clock = new ManualClock()
    const net = new LoopNetwork({ clock, latencyMs: 20, lossRate: 0.3, random })
    const uasCore = new RecordingCore()
    uasCore.answer = (req, tx) => tx.respond(buildResponse(req, 486, { toTag: 'busy' }))
    const uas = new TransactionLayer({ clock, user: uasCore })
    const uac = new TransactionLayer({ clock, user: new RecordingCore() })
    const tb = net.open(uas, '127.0.0.1', 5060)
    const ta = net.open(uac, '127.0.0.3', 5060)
    // `outgoing` needs a stack only for its addVia; build a fresh one bound to the UAC layer.
    s = { ...makeStack(), layer: uac, local: ta, net }
    const tu = new RecordingTu()
    uac.sendRequest(outgoing(s, 'INVITE'), ta, tb.local, tu)
    clock.advance(64_000)
    expect(tu.responses.filter((r) => r >= 200)).toEqual([486])
    expect(uasCore.requests).toHaveLength(1)
    expect(uac.size + uas.size).toBe(0)
    expect(net.packets.some((p) => p.outcome === 'lost')).toBe(true)
  })
})

describe('TransactionLayer metrics and timer swaps', () => {
  it('counts requests and responses in and out by method and status, retransmissions apart', () => {
    s = makeStack()
    s.core.answer = (req, tx) => tx.respond(buildResponse(req, 486, { toTag: 'busy' }))
    s.send(peerRequest({ method: 'INVITE' }))
    s.send('garbage\n\n')
    s.clock.advance(600)
    const m = s.metrics
    expect(m.get('sip_requests_received_total')?.get('INVITE')).toBe(1)
    expect(m.get('sip_responses_sent_total')?.get('100')).toBe(1)
    expect(m.get('sip_responses_sent_total')?.get('486')).toBe(1)
    expect(m.get('sip_retransmissions_total')?.get('ist')).toBe(1)
    expect(m.get('sip_parse_errors_total')?.get()).toBe(1)
    const tx = startClient(s, 'OPTIONS')
    s.send(peerResponse(tx.request, 200, 'OK'))
    s.clock.flush()
    expect(m.get('sip_requests_sent_total')?.get('OPTIONS')).toBe(1)
    expect(m.get('sip_responses_received_total')?.get('200')).toBe(1)
  })

  it('answers with the new Timer G/J values after setTimers, for transactions created after the swap', () => {
    s = makeStack()
    s.core.answer = (req, tx) => tx.respond(buildResponse(req, 200, { toTag: 'ok' }))
    s.layer.setTimers({ T1: 100, T2: 4000, T4: 1000 })
    s.send(peerRequest({ method: 'OPTIONS' }))
    s.clock.advance(10)
    expect(s.layer.size).toBe(1)
    // Timer J = 64*T1 = 6.4 s instead of 32 s.
    s.clock.advance(6_400)
    expect(s.layer.size).toBe(0)
  })
})

describe('TransactionLayer Via sent-by', () => {
  const request = (): SipRequest => {
    const r = parseMessage(Buffer.from('OPTIONS sip:gw@192.0.2.9 SIP/2.0\r\nMax-Forwards: 70\r\nFrom: <sip:core@192.0.2.1>;tag=1\r\nTo: <sip:gw@192.0.2.9>\r\nCall-ID: via-1\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n'))
    if (!r.ok || !r.message.isRequest) throw new Error('fixture does not parse')
    return r.message
  }

  it('writes the advertised host (SIP_ADVERTISED_HOST) as the Via sent-by, keeping the socket port (RFC 3261 §18.1.1)', () => {
    const clock = new ManualClock()
    const layer = new TransactionLayer({ clock, user: new RecordingCore(), viaHost: '203.0.113.7' })
    const transport = new LoopNetwork({ clock }).open(layer, '10.0.0.5', 5060)
    const req = request()
    const branch = layer.addVia(req, transport)
    expect(req.headers.first('via')).toBe(`SIP/2.0/UDP 203.0.113.7:5060;branch=${branch};rport`)
  })

  it('brackets an advertised IPv6 host and falls back to the socket address without one', () => {
    const clock = new ManualClock()
    const v6 = new TransactionLayer({ clock, user: new RecordingCore(), viaHost: '2001:db8::7' })
    const plain = new TransactionLayer({ clock, user: new RecordingCore() })
    const transport = new LoopNetwork({ clock }).open(plain, '10.0.0.5', 5070)
    const a = request()
    const b = request()
    v6.addVia(a, transport)
    plain.addVia(b, transport)
    expect(a.topVia).toMatchObject({ host: '[2001:db8::7]', port: 5070 })
    expect(b.topVia).toMatchObject({ host: '10.0.0.5', port: 5070 })
  })

  it('keeps the parsed form of each Via it adds, equal to reading that Via back, and the views already parsed', () => {
    const clock = new ManualClock()
    const layer = new TransactionLayer({ clock, user: new RecordingCore(), viaHost: 'SBC.Example.net' })
    const transport = new LoopNetwork({ clock }).open(layer, '10.0.0.5', 5060)
    const req = request()
    expect(req.from?.tag).toBe('1')
    for (let i = 0; i < 2; i++) {
      const branch = layer.addVia(req, transport)
      const read = parseVia(req.headers.first('via')!)!
      const kept = req.topVia!
      expect({ ...kept, params: [...kept.params] }).toEqual({ ...read, params: [...read.params] })
      expect(kept).toMatchObject({ host: 'sbc.example.net', port: 5060, branch, rport: true, transport: 'UDP' })
      expect(req.vias?.map((v) => v.branch)[0]).toBe(branch)
    }
    expect(req.vias).toHaveLength(2)
    expect(req.from?.tag).toBe('1')
  })
})
