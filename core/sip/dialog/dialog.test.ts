// RFC 3261 §12.1 (dialog creation UAS/UAC), §12.2 (in-dialog requests, route set, CSeq), §13.2.2.4 and §13.3.1.4 (ACK and 2xx retransmission), RFC 6026 §7.2 and §8.6, over a real layer on the loop transport.
import { describe, expect, it } from 'vitest'
import { HeaderList } from '../message/header-list.js'
import { SipRequest, type SipResponse } from '../message/message.js'
import { buildResponse } from '../message/build.js'
import { parseMessage } from '../message/parse.js'
import type { InviteServerTransaction } from '../transaction/invite-server.js'
import { isReq, isRes, makeStack, peerRequest } from '../transaction/test-support/loop-stack.js'
import { TransportSet, type RemoteAddr, type Transport } from '../../transport/types.js'
import { addrOf, packFacts, transportOf, uacDialog, uasDialog, unpackFacts } from './dialog.js'
import { DialogTable } from './table.js'
import { UasAnswer, type UasAnswerUser } from './uas-answer.js'

const CONTACT = '<sip:127.0.0.1:5060>'

function parse(text: string): SipRequest | SipResponse {
  const r = parseMessage(Buffer.from(text.replaceAll('\n', '\r\n')))
  if (!r.ok) throw new Error(r.error.message)
  return r.message
}

function inviteText(extra: string[] = []): string {
  return [
    'INVITE sip:123@127.0.0.1 SIP/2.0',
    'Via: SIP/2.0/UDP 127.0.0.2:5070;branch=z9hG4bKinv1;rport',
    'Max-Forwards: 70',
    'From: "Alice" <sip:alice@127.0.0.2>;tag=atag',
    'To: <sip:123@127.0.0.1>',
    'Call-ID: dlg-1@127.0.0.2',
    'CSeq: 7 INVITE',
    'Contact: <sip:alice@127.0.0.2:5070>',
    ...extra,
    'Content-Length: 0',
    '',
    '',
  ].join('\n')
}

class AnswerTimeouts implements UasAnswerUser {
  count = 0
  onAnswerTimeout(): void {
    this.count++
  }
}

describe('Dialog', () => {
  describe('as UAS (RFC 3261 §12.1.1)', () => {
    it('takes the route set from Record-Route in order, the target from Contact and the remote CSeq from the INVITE', () => {
      const s = makeStack()
      const req = parse(inviteText(['Record-Route: <sip:p1.example;lr>, <sip:p2.example;lr>'])) as SipRequest
      const d = uasDialog(req, 'ltag', CONTACT, s.peer.local, s.local, 'early')!
      expect(d.routeSet).toEqual(['<sip:p1.example;lr>', '<sip:p2.example;lr>'])
      expect(d.remoteTarget).toBe('sip:alice@127.0.0.2:5070')
      expect(d.remoteSeq).toBe(7)
      expect(d.localHeader).toBe('<sip:123@127.0.0.1>;tag=ltag')
      expect(d.remoteTag).toBe('atag')
    })

    it('builds BYE with Request-URI = remote target, the route set as Route, swapped From/To and CSeq 1, then 2', () => {
      const s = makeStack()
      const req = parse(inviteText(['Record-Route: <sip:10.0.0.9;lr>'])) as SipRequest
      const d = uasDialog(req, 'ltag', CONTACT, s.peer.local, s.local, 'confirmed')!
      const bye = d.createRequest('BYE')
      expect(bye.uri).toBe('sip:alice@127.0.0.2:5070')
      expect(bye.headers.getAll('route')).toEqual(['<sip:10.0.0.9;lr>'])
      expect(bye.headers.get('from')).toBe('<sip:123@127.0.0.1>;tag=ltag')
      expect(bye.headers.get('to')).toBe('"Alice" <sip:alice@127.0.0.2>;tag=atag')
      expect(bye.cseq).toEqual({ seq: 1, method: 'BYE' })
      expect(d.createRequest('INFO').cseq?.seq).toBe(2)
      // RFC 3261 §8.1.2: the first Route is the next hop.
      expect(d.nextHop()).toMatchObject({ address: '10.0.0.9', port: 5060 })
    })

    it('puts a strict first router in the Request-URI and the remote target last in Route (§12.2.1.1)', () => {
      const s = makeStack()
      const req = parse(inviteText(['Record-Route: <sip:10.0.0.9>'])) as SipRequest
      const d = uasDialog(req, 'ltag', CONTACT, s.peer.local, s.local, 'confirmed')!
      const bye = d.createRequest('BYE')
      expect(bye.uri).toBe('sip:10.0.0.9')
      expect(bye.headers.getAll('route')).toEqual(['<sip:alice@127.0.0.2:5070>'])
    })

    it('rejects a request with a lower CSeq than the remote sequence number and accepts higher ones (§12.2.2)', () => {
      const s = makeStack()
      const d = uasDialog(parse(inviteText()) as SipRequest, 'ltag', CONTACT, s.peer.local, s.local, 'confirmed')!
      const lower = parse(peerRequest({ method: 'BYE', cseq: 6, toTag: 'ltag', fromTag: 'atag' })) as SipRequest
      const higher = parse(peerRequest({ method: 'BYE', cseq: 8, toTag: 'ltag', fromTag: 'atag' })) as SipRequest
      const ack = parse(peerRequest({ method: 'ACK', cseq: 7, toTag: 'ltag', fromTag: 'atag' })) as SipRequest
      expect(d.acceptRemoteSeq(lower)).toBe(false)
      expect(d.acceptRemoteSeq(higher)).toBe(true)
      expect(d.remoteSeq).toBe(8)
      expect(d.acceptRemoteSeq(ack)).toBe(true)
      expect(d.remoteSeq).toBe(8)
    })

    it('reaches a hostname target at the address the dialog was formed with (no DNS)', () => {
      const s = makeStack()
      const req = parse(inviteText().replace('<sip:alice@127.0.0.2:5070>', '<sip:alice@pbx.example.com>')) as SipRequest
      const d = uasDialog(req, 'ltag', CONTACT, s.peer.local, s.local, 'confirmed')!
      expect(d.nextHop()).toEqual(s.peer.local)
      expect(addrOf('sip:[::1]:5080')).toEqual({ address: '::1', port: 5080, family: 'IPv6' })
    })
  })

  describe('as UAC (RFC 3261 §12.1.2)', () => {
    function outgoingInvite(): SipRequest {
      const h = new HeaderList()
      h.append('via', 'SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKout1')
      h.append('from', '<sip:100@127.0.0.1>;tag=mytag')
      h.append('to', '<sip:999@127.0.0.2:5070>')
      h.append('call-id', 'out-dlg@127.0.0.1')
      h.append('cseq', '1 INVITE')
      h.append('contact', CONTACT)
      return new SipRequest('INVITE', 'sip:999@127.0.0.2:5070', h)
    }

    it('reverses Record-Route, targets the 2xx Contact and ACKs with the INVITE CSeq number', () => {
      const s = makeStack()
      const invite = outgoingInvite()
      const ok = buildResponse(invite, 200, {
        toTag: 'btag',
        headers: [['Record-Route', '<sip:127.0.0.3;lr>, <sip:127.0.0.2:5070;lr>'], ['Contact', '<sip:gw@127.0.0.2:5070>']],
      })
      const d = uacDialog(invite, ok, s.local, s.peer.local)!
      expect(d.state).toBe('confirmed')
      expect(d.routeSet).toEqual(['<sip:127.0.0.2:5070;lr>', '<sip:127.0.0.3;lr>'])
      const ack = d.createAck(1)
      expect(ack.cseq).toEqual({ seq: 1, method: 'ACK' })
      expect(ack.uri).toBe('sip:gw@127.0.0.2:5070')
      expect(ack.headers.get('to')).toBe('<sip:999@127.0.0.2:5070>;tag=btag')
      expect(d.createRequest('BYE').cseq).toEqual({ seq: 2, method: 'BYE' })
    })

    it('turns an early dialog confirmed on the 2xx and takes its route set and target', () => {
      const s = makeStack()
      const invite = outgoingInvite()
      const ringing = buildResponse(invite, 180, { toTag: 'btag', headers: [['Contact', '<sip:early@127.0.0.2:5070>']] })
      const d = uacDialog(invite, ringing, s.local, s.peer.local)!
      expect(d.state).toBe('early')
      d.confirm(buildResponse(invite, 200, { toTag: 'btag', headers: [['Contact', '<sip:final@127.0.0.2:5070>'], ['Record-Route', '<sip:127.0.0.2:5070;lr>']] }))
      expect(d.state).toBe('confirmed')
      expect(d.remoteTarget).toBe('sip:final@127.0.0.2:5070')
      expect(d.routeSet).toEqual(['<sip:127.0.0.2:5070;lr>'])
    })

    it('sends the ACK for a 2xx once and re-sends the same ACK for each retransmitted 2xx (RFC 6026 §7.2)', () => {
      const s = makeStack()
      const invite = outgoingInvite()
      const ok = buildResponse(invite, 200, { toTag: 'btag', headers: [['Contact', '<sip:gw@127.0.0.2:5070>']] })
      const d = uacDialog(invite, ok, s.local, s.peer.local)!
      d.sendAck(s.layer, 1)
      s.clock.flush()
      expect(d.onRetransmitted2xx(ok, s.layer)).toBe(true)
      s.clock.flush()
      const acks = s.got.filter((g) => isReq('ACK')(g.msg)).map((g) => g.msg as SipRequest)
      expect(acks).toHaveLength(2)
      expect(acks[0]!.topVia?.branch).toBe(acks[1]!.topVia?.branch)
      expect(acks[0]!.topVia?.branch).not.toBe(invite.topVia?.branch)
      const other = buildResponse(invite, 200, { toTag: 'btag' })
      other.headers.set('cseq', '2 INVITE')
      expect(d.onRetransmitted2xx(other, s.layer)).toBe(false)
    })
  })

  describe('UAS 2xx retransmission (RFC 3261 §13.3.1.4)', () => {
    function answered(s: ReturnType<typeof makeStack>, user: UasAnswerUser): UasAnswer {
      let answer: UasAnswer | undefined
      s.core.answer = (req, tx) => {
        answer = new UasAnswer(s.layer, tx as InviteServerTransaction, buildResponse(req, 200, { toTag: 'ltag', headers: [['Contact', CONTACT]] }), user)
      }
      s.send(peerRequest({ method: 'INVITE' }))
      s.clock.flush()
      return answer!
    }

    it('re-sends the 2xx at T1 doubling and capped at T2 until the ACK, then stops', () => {
      const s = makeStack()
      const timeouts = new AnswerTimeouts()
      const a = answered(s, timeouts)
      s.clock.advance(12_000)
      // 0 (first), then 500, 1500, 3500, 7500, 11500 (interval 500, 1000, 2000, 4000, 4000).
      expect(s.times(isRes(200))).toEqual([0, 500, 1500, 3500, 7500, 11500])
      expect(a.acked()).toBe(true)
      s.clock.advance(60_000)
      expect(s.times(isRes(200))).toHaveLength(6)
      expect(timeouts.count).toBe(0)
      expect(a.acked()).toBe(false)
      expect(s.layer.size).toBe(0)
      expect(s.clock.pending).toBe(0)
    })

    it('gives up after 64*T1 without an ACK and tells the user once', () => {
      const s = makeStack()
      const timeouts = new AnswerTimeouts()
      const a = answered(s, timeouts)
      s.clock.advance(31_999)
      expect(timeouts.count).toBe(0)
      s.clock.advance(1)
      expect(timeouts.count).toBe(1)
      expect(a.pending).toBe(false)
      s.clock.advance(60_000)
      expect(timeouts.count).toBe(1)
      expect(s.clock.pending).toBe(0)
      expect(s.layer.size).toBe(0)
    })
  })
})

describe('DialogTable', () => {
  it('finds a holder by Call-ID and our tag, and refuses a confirmed dialog with another remote tag', () => {
    const s = makeStack()
    const req = parse(inviteText()) as SipRequest
    const holder = { dialog: uasDialog(req, 'ltag', CONTACT, s.peer.local, s.local, 'confirmed')! }
    const t = new DialogTable<typeof holder>()
    t.add('dlg-1@127.0.0.2', 'ltag', holder)
    const bye = parse(peerRequest({ method: 'BYE', callId: 'dlg-1@127.0.0.2', toTag: 'ltag', fromTag: 'atag' })) as SipRequest
    expect(t.findForRequest(bye)).toBe(holder)
    const wrong = parse(peerRequest({ method: 'BYE', callId: 'dlg-1@127.0.0.2', toTag: 'ltag', fromTag: 'other' })) as SipRequest
    expect(t.findForRequest(wrong)).toBeUndefined()
    t.remove('dlg-1@127.0.0.2', 'ltag', holder)
    expect(t.size).toBe(0)
  })

  it('finds nothing for our tag under another Call-ID, and removes only under the Call-ID it was added with', () => {
    const holder = { dialog: null }
    const t = new DialogTable<typeof holder>()
    t.add('dlg-2@127.0.0.2', 'ltag2', holder)
    expect(t.find('dlg-2@127.0.0.2', 'ltag2')).toBe(holder)
    expect(t.find('other@127.0.0.2', 'ltag2')).toBeUndefined()
    t.remove('other@127.0.0.2', 'ltag2', holder)
    expect([...t.values()]).toEqual([holder])
    t.remove('dlg-2@127.0.0.2', 'ltag2', holder)
    expect(t.size).toBe(0)
  })
})

/** A transport that only answers what the dialog asks: its protocol and whether a connection to an address is open. */
function fakeTransport(protocol: 'UDP' | 'TCP' | 'TLS', open: RemoteAddr[] = []): Transport & { open: RemoteAddr[] } {
  return {
    protocol, reliable: protocol !== 'UDP', local: { address: '127.0.0.1', port: 5060, family: 'IPv4' }, open,
    send: () => {}, close: () => Promise.resolve(),
    ...(protocol === 'UDP' ? {} : { hasFlow: (r: RemoteAddr) => open.some((o) => o.address === r.address && o.port === r.port) }),
  }
}

describe('Dialog next hop and transport (RFC 3261 §18.3, RFC 3263 URI transport)', () => {
  const caller: RemoteAddr = { address: '127.0.0.2', port: 40123, family: 'IPv4' }

  it('reaches a caller through its own open connection, then through the Contact once it closed', () => {
    const udp = fakeTransport('UDP')
    const tcp = fakeTransport('TCP', [caller])
    const req = parse(inviteText().replace('<sip:alice@127.0.0.2:5070>', '<sip:alice@127.0.0.2:5070;transport=tcp>')) as SipRequest
    const d = uasDialog(req, 'ltag', CONTACT, caller, tcp, 'confirmed', new TransportSet([udp, tcp]))!
    expect(d.nextHop()).toEqual(caller)
    expect(d.transport).toBe(tcp)
    tcp.open.length = 0
    expect(d.nextHop()).toEqual({ address: '127.0.0.2', port: 5070, family: 'IPv4' })
    expect(d.transport).toBe(tcp)
  })

  it('takes the transport the target URI names, else keeps the one the dialog was formed on', () => {
    const udp = fakeTransport('UDP')
    const tcp = fakeTransport('TCP')
    const tls = fakeTransport('TLS')
    const set = new TransportSet([udp, tcp, tls])
    const invite = parse(inviteText()) as SipRequest
    const answer = (contact: string): SipResponse => buildResponse(invite, 200, { toTag: 'g', headers: [['Contact', contact]] })
    expect(uacDialog(invite, answer('<sip:g@127.0.0.3:5061;transport=TLS>'), udp, caller, set)!.transport).toBe(tls)
    expect(uacDialog(invite, answer('<sips:g@127.0.0.3>'), udp, caller, set)!.transport).toBe(tls)
    expect(uacDialog(invite, answer('<sip:g@127.0.0.3;transport=udp>'), tcp, caller, set)!.transport).toBe(udp)
    expect(uacDialog(invite, answer('<sip:g@127.0.0.3>'), tcp, caller, set)!.transport).toBe(tcp)
    expect(uacDialog(invite, answer('<sip:g@127.0.0.3;transport=sctp>'), tcp, caller, set)!.transport).toBe(tcp)
    expect(uacDialog(invite, answer('<sip:g@127.0.0.3;transport=tls>'), udp, caller)!.transport).toBe(udp)
  })

  it('reads the transport of a URI', () => {
    expect(transportOf('sip:a@h;transport=tcp')).toBe('TCP')
    expect(transportOf('sips:a@h')).toBe('TLS')
    expect(transportOf('sip:a@h')).toBeUndefined()
    expect(transportOf('tel:+123')).toBeUndefined()
  })
})

describe('packFacts', () => {
  it('gives back the INVITE facts a fork dialog is formed from', () => {
    const facts = { callId: 'c1@h', localTag: 'lt1', seq: 7, fromRaw: '"Ann, B" <sip:a@h>;tag=lt1', contactRaw: '', uri: 'sips:b@h;transport=tls', secure: true }
    expect(unpackFacts(packFacts(facts))).toEqual(facts)
    expect(unpackFacts(packFacts({ ...facts, secure: false, contactRaw: '<sip:x@1.2.3.4>' }))).toEqual({ ...facts, secure: false, contactRaw: '<sip:x@1.2.3.4>' })
  })
})
