// The first-cut UAS over a real transaction layer: RFC 3261 §11.2 (OPTIONS), §8.2.1 (501), §17.2.1 (INVITE server retransmits until ACK), §12.2.2 (481), §16.3 item 2 and RFC 4475 §3.3.11 (Max-Forwards 0), §9.2 (CANCEL).
import { describe, expect, it } from 'vitest'
import { ManualClock } from '../lib/clock.js'
import { silentLogger } from '../lib/log.js'
import { Metrics } from '../lib/metrics.js'
import { LoopNetwork } from '../transport/loop.js'
import type { RemoteAddr } from '../transport/types.js'
import { SipRequest, type SipMessage } from '../sip/message/message.js'
import { parseMessage } from '../sip/message/parse.js'
import { DEFAULT_VALIDATE_OPTIONS } from '../sip/message/validate.js'
import { TransactionLayer } from '../sip/transaction/layer.js'
import { B2bua } from './b2bua.js'
import { CLEAN, callBench, SDP_B } from './test-support/call-harness.js'

/** A B2BUA on 127.0.0.1:5060 behind a real transaction layer, and a scripted peer on 127.0.0.2:5070. */
function stack() {
  const clock = new ManualClock()
  const net = new LoopNetwork({ clock })
  const metrics = new Metrics()
  const b2bua = new B2bua({ log: silentLogger, metrics, supported: DEFAULT_VALIDATE_OPTIONS.supported })
  const layer = new TransactionLayer({ clock, user: b2bua, metrics, validate: { localHosts: ['127.0.0.1'] } })
  const local = net.open(layer, '127.0.0.1', 5060)
  const got: Array<{ at: number; msg: SipMessage }> = []
  const peer = net.open({ onMessage: (buf: Buffer, _from: RemoteAddr) => {
    const r = parseMessage(buf)
    if (!r.ok) throw new Error(r.error.message)
    got.push({ at: clock.now(), msg: r.message })
  } }, '127.0.0.2', 5070)
  const send = (text: string): void => peer.send(Buffer.from(text.replaceAll('\n', '\r\n')), local.local)
  const statuses = (): number[] => got.map((g) => (g.msg.isRequest ? 0 : g.msg.status))
  return { clock, net, metrics, b2bua, layer, got, send, statuses }
}

function request(method: string, o: { uri?: string; branch?: string; toTag?: string; maxForwards?: number; cseqMethod?: string } = {}): string {
  return [
    `${method} ${o.uri ?? 'sip:127.0.0.1:5060'} SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.2:5070;branch=${o.branch ?? 'z9hG4bKb2b1'};rport`,
    `Max-Forwards: ${o.maxForwards ?? 70}`,
    'From: <sip:alice@127.0.0.2>;tag=f1',
    `To: <sip:127.0.0.1>${o.toTag === undefined ? '' : `;tag=${o.toTag}`}`,
    'Call-ID: b2b-1@127.0.0.2',
    `CSeq: 1 ${o.cseqMethod ?? method}`,
    'Content-Length: 0',
    '',
    '',
  ].join('\n')
}

describe('B2bua', () => {
  describe('OPTIONS', () => {
    it('answers OPTIONS with 200 listing Allow, Accept and Supported', () => {
      const s = stack()
      s.send(request('OPTIONS'))
      s.clock.advance(1)
      expect(s.statuses()).toEqual([200])
      const h = s.got[0]!.msg.headers
      expect(h.get('allow')).toBe('OPTIONS')
      expect(h.get('accept')).toBe('application/sdp')
      expect(h.getAll('supported')).toEqual(DEFAULT_VALIDATE_OPTIONS.supported)
      expect(h.get('accept-language')).toBe('en')
      expect(s.got[0]!.msg.to?.tag).toBeDefined()
      s.clock.advance(32_000)
      expect(s.layer.size).toBe(0)
    })

    it('answers a retransmitted OPTIONS with the same 200 from its transaction', () => {
      const s = stack()
      s.send(request('OPTIONS'))
      s.clock.advance(500)
      s.send(request('OPTIONS'))
      s.clock.advance(1)
      expect(s.statuses()).toEqual([200, 200])
      expect(s.got[1]!.msg.to?.tag).toBe(s.got[0]!.msg.to?.tag)
    })
  })

  describe('Max-Forwards 0', () => {
    it('answers OPTIONS with Max-Forwards 0 addressed to the node with 200', () => {
      const s = stack()
      s.send(request('OPTIONS', { maxForwards: 0 }))
      s.clock.advance(1)
      expect(s.statuses()).toEqual([200])
    })

    it('answers OPTIONS with Max-Forwards 0 for sip:user@example.com (RFC 4475 zeromf.dat) with 483', () => {
      const s = stack()
      s.send(request('OPTIONS', { maxForwards: 0, uri: 'sip:user@example.com' }))
      s.clock.advance(1)
      expect(s.statuses()).toEqual([483])
      expect(s.layer.size).toBe(0)
    })

    it('answers INVITE with Max-Forwards 0 with 483', () => {
      const s = stack()
      s.send(request('INVITE', { maxForwards: 0, uri: 'sip:123@127.0.0.1' }))
      s.clock.advance(1)
      expect(s.statuses()).toEqual([483])
    })
  })

  describe('requests the node does not handle', () => {
    it('answers INVITE with 100 and 501, retransmits the 501 at 500 and 1500 ms until the ACK, then stops', () => {
      const s = stack()
      s.send(request('INVITE', { uri: 'sip:123@127.0.0.1' }))
      s.clock.advance(1600)
      expect(s.statuses()).toEqual([100, 501, 501, 501])
      expect(s.got.filter((g) => !g.msg.isRequest && g.msg.status === 501).map((g) => g.at)).toEqual([0, 500, 1500])
      const toTag = s.got[1]!.msg.to?.tag
      s.send(request('ACK', { uri: 'sip:123@127.0.0.1', toTag }))
      s.clock.advance(10_000)
      expect(s.statuses()).toEqual([100, 501, 501, 501])
      expect(s.got[1]!.msg.headers.get('allow')).toBe('OPTIONS')
      // Timer I (T4 = 5 s) ends the confirmed IST.
      expect(s.layer.size).toBe(0)
    })

    it('absorbs a retransmitted INVITE by re-sending the 501, and hands the TU one request', () => {
      const s = stack()
      s.send(request('INVITE', { uri: 'sip:123@127.0.0.1' }))
      s.clock.advance(100)
      s.send(request('INVITE', { uri: 'sip:123@127.0.0.1' }))
      s.clock.advance(1)
      expect(s.statuses()).toEqual([100, 501, 501])
      expect(s.metrics.get('sip_requests_received_total')?.get('INVITE')).toBe(2)
      expect(s.metrics.get('sip_absorbed_retransmissions_total')?.get()).toBe(1)
    })

    it('answers REGISTER with 501 through a non-INVITE transaction', () => {
      const s = stack()
      s.send(request('REGISTER'))
      s.clock.advance(1)
      expect(s.statuses()).toEqual([501])
    })

    it('never answers an ACK that matches no transaction', () => {
      const s = stack()
      s.send(request('ACK', { toTag: 'x' }))
      s.clock.advance(1)
      expect(s.got).toEqual([])
      expect(s.metrics.get('sip_acks_ignored_total')?.get()).toBe(1)
    })

    it('answers a request inside an unknown dialog (To tag) with 481', () => {
      const s = stack()
      s.send(request('BYE', { toTag: 'gone' }))
      s.clock.advance(1)
      expect(s.statuses()).toEqual([481])
    })

    it('answers a CANCEL after the 501 with 200 and sends no 487', () => {
      const s = stack()
      s.send(request('INVITE', { uri: 'sip:123@127.0.0.1' }))
      s.clock.advance(10)
      s.send(request('CANCEL', { uri: 'sip:123@127.0.0.1' }))
      s.clock.advance(10)
      expect(s.statuses()).toEqual([100, 501, 200])
    })
  })

  describe('while draining', () => {
    it('answers a new INVITE with 503 and Retry-After but still answers OPTIONS with 200', () => {
      const s = stack()
      s.b2bua.drain()
      s.send(request('INVITE', { uri: 'sip:123@127.0.0.1' }))
      s.send(request('OPTIONS', { branch: 'z9hG4bKb2b2' }))
      s.clock.advance(1)
      expect(s.statuses()).toEqual([100, 503, 200])
      expect(s.got[1]!.msg.headers.get('retry-after')).toBe('30')
    })
  })

  it('reports unfinished transactions until the final is ACKed', () => {
    const s = stack()
    s.send(request('INVITE', { uri: 'sip:123@127.0.0.1' }))
    s.clock.advance(1)
    expect(s.layer.unfinished).toBe(1)
    s.send(request('ACK', { uri: 'sip:123@127.0.0.1', toTag: s.got[1]!.msg.to?.tag }))
    s.clock.advance(1)
    expect(s.layer.unfinished).toBe(0)
    expect(s.layer.size).toBe(1)
  })

  describe('with a controller (admission, RFC 3261 §8.2.2.2, §22.2)', () => {
    it('drops an INVITE the policy refuses silently: no 100, no final, a CDR when asked, and the IST gone after 64*T1', () => {
      const s = callBench()
      s.controller.refusal = { kind: 'reject', status: 403, reason: 'AuthenticationFailed', silent: true, recordCdr: true, mappingGatewayId: null, accountId: null }
      const invite = s.caller.invite()
      s.settle()
      s.caller.send(invite)
      s.caller.cancel(invite)
      s.clock.advance(1000)
      expect(s.caller.statuses()).toEqual([])
      expect(s.controller.admissions).toHaveLength(1)
      expect(s.observer.ended[0]).toMatchObject({ terminationReason: 'AuthenticationFailed', sipCode: null, attempts: [], mappingGatewayId: null, sourceIp: '127.0.0.2' })
      expect(s.observer.started).toHaveLength(0)
      // The CANCEL itself is answered by the layer (RFC 3261 §9.2), but the INVITE never is.
      expect(s.caller.statuses('CANCEL')).toEqual([200])
      expect(s.leftovers()).toEqual(CLEAN)
    })

    it('answers a refusal with its status and headers and writes no CDR unless asked', () => {
      const s = callBench()
      s.controller.refusal = { kind: 'reject', status: 503, reason: 'CallLimitExceeded', silent: false, recordCdr: false, mappingGatewayId: 'mg1', accountId: 'acc1', headers: [['Retry-After', '5']] }
      s.caller.invite()
      s.settle()
      expect(s.caller.statuses()).toEqual([503])
      expect(s.caller.responses()[0]!.headers.get('retry-after')).toBe('5')
      expect(s.observer.ended).toHaveLength(0)
      expect(s.leftovers()).toEqual(CLEAN)
    })

    it('challenges with 407 and the policy headers', () => {
      const s = callBench()
      s.controller.refusal = { kind: 'challenge', status: 407, headers: [['Proxy-Authenticate', 'Digest realm="softswitch", nonce="n1", qop="auth"']] }
      s.caller.invite()
      s.settle()
      expect(s.caller.statuses()).toEqual([407])
      expect(s.caller.responses()[0]!.headers.get('proxy-authenticate')).toContain('realm="softswitch"')
    })

    it('passes the source, the caller and the callee numbers to admission', () => {
      const s = callBench()
      s.caller.invite({ user: '4930555' })
      s.settle()
      expect(s.controller.admissions[0]).toMatchObject({ caller: '4930555', callee: '0049301234', source: { address: '127.0.0.2', port: 5070 } })
    })

    it('answers 482 to a second INVITE with the Call-ID and From tag of a call in progress but another CSeq (merged request)', () => {
      const s = callBench()
      s.caller.invite()
      s.settle()
      s.caller.invite({ cseq: 2 })
      s.settle()
      expect(s.caller.statuses()).toEqual([100, 482])
      expect(s.controller.admissions).toHaveLength(1)
    })

    it('answers 481 to a BYE outside any dialog and lists the call methods in Allow of its 200', () => {
      const s = callBench()
      const c = s.connect()
      const bye = new SipRequest('BYE', 'sip:127.0.0.1:5060', c.invite.headers.clone())
      bye.headers.set('via', 'SIP/2.0/UDP 127.0.0.2:5070;branch=z9hG4bKoutbye;rport')
      bye.headers.set('call-id', 'nothing@127.0.0.2')
      bye.headers.set('cseq', '5 BYE')
      bye.body = Buffer.alloc(0)
      bye.headers.remove('content-type')
      s.caller.send(bye)
      s.settle()
      expect(s.caller.statuses('BYE')).toEqual([481])
      expect(c.ok.headers.getAll('allow')).toEqual(['INVITE', 'ACK', 'CANCEL', 'BYE', 'OPTIONS', 'UPDATE', 'INFO'])
    })

    it('drains: new INVITEs get 503 while the call in progress goes on and ends normally', () => {
      const s = callBench()
      const c = s.connect()
      s.b2bua.drain()
      s.caller.invite({ callId: 'second@127.0.0.2' })
      s.settle()
      expect(s.caller.statuses().at(-1)).toBe(503)
      expect(s.b2bua.activeCalls).toBe(1)
      s.caller.inDialog('BYE', c.a)
      s.settle()
      s.gw1.reply(s.gw1.last('BYE'), 200)
      expect(s.b2bua.activeCalls).toBe(0)
      expect(s.leftovers()).toEqual(CLEAN)
    })

    it('shuts down: BYE on both legs of an answered call, 503 + CANCEL for a ringing one, all SystemShutdown', () => {
      const s = callBench()
      s.connect()
      s.caller.invite({ callId: 'ringing@127.0.0.2' })
      s.settle()
      const b = s.gw1.requests('INVITE').at(-1)!
      s.gw1.reply(b, 180, { tag: 'r2' })
      s.settle()
      expect(s.b2bua.shutdown()).toBe(2)
      s.settle()
      expect(s.gw1.requests('BYE')).toHaveLength(1)
      expect(s.caller.requests('BYE')).toHaveLength(1)
      expect(s.gw1.requests('CANCEL')).toHaveLength(1)
      expect(s.caller.statuses().at(-1)).toBe(503)
      expect(s.observer.ended.map((c) => [c.terminationReason, c.sipCode])).toEqual([['SystemShutdown', 200], ['SystemShutdown', 503]])
      s.gw1.reply(s.gw1.last('BYE'), 200)
      s.gw1.reply(s.gw1.last('CANCEL'), 200)
      s.gw1.reply(b, 487, { tag: 'r2' })
      s.caller.reply(s.caller.last('BYE'), 200)
      expect(s.leftovers()).toEqual(CLEAN)
      expect(s.controller.released).toBe(2)
    })
  })
})
