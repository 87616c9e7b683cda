// The calls' handler behind the request router: draining (503 with Retry-After), admission outcomes (silent drop, refusal, challenge, RFC 3261 §8.2.2.2 merged requests), 481 outside a dialog, shutdown.
import { describe, expect, it } from 'vitest'
import { silentLogger } from '../lib/log.js'
import { SipRequest } from '../sip/message/message.js'
import { DEFAULT_VALIDATE_OPTIONS } from '../sip/message/validate.js'
import { buildCancel, buildResponse, generateTag } from '../sip/message/build.js'
import { routingKey } from '../sip/ua/routing-key.js'
import type { RequestRouter } from '../sip/ua/router.js'
import { request, uaStack } from '../sip/ua/test-support/ua-stack.js'
import { systemParams } from '../../shared/params/system-params.js'
import { B2bua } from './b2bua.js'
import { benchController } from './test-support/bench-controller.js'
import { CLEAN, callBench } from './test-support/call-harness.js'

/** The calls registered with a request router on 127.0.0.1:5060 behind a real transaction layer, and a scripted peer on 127.0.0.2:5070. */
function stack(alsoRegister?: (router: RequestRouter) => void) {
  let b2bua: B2bua | undefined
  const s = uaStack((router, metrics) => {
    b2bua = new B2bua({ log: silentLogger, metrics, supported: DEFAULT_VALIDATE_OPTIONS.supported, controller: benchController(systemParams.parse({}), 0) })
    b2bua.register(router)
    alsoRegister?.(router)
  })
  b2bua!.attach(s.layer)
  return { ...s, b2bua: b2bua! }
}

describe('B2bua', () => {
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


  it('leaves REGISTER to a handler registered beside the calls, and Allow lists both (no B2BUA change for a new handler)', () => {
    const got: string[] = []
    const s = stack((router) => router.handle('REGISTER', {
      onRequest: (req, tx) => {
        got.push(req.method)
        tx.respond(buildResponse(req, 200, { toTag: generateTag() }))
      },
    }))
    s.send(request('REGISTER'))
    s.send(request('OPTIONS', { branch: 'z9hG4bKb2b2' }))
    s.clock.advance(1)
    expect(s.statuses()).toEqual([200, 200])
    expect(got).toEqual(['REGISTER'])
    expect(s.got[1]!.msg.headers.getAll('allow')).toEqual(['INVITE', 'ACK', 'CANCEL', 'BYE', 'OPTIONS', 'UPDATE', 'INFO', 'PRACK', 'REGISTER'])
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
      expect(c.ok.headers.getAll('allow')).toEqual(['INVITE', 'ACK', 'CANCEL', 'BYE', 'OPTIONS', 'UPDATE', 'INFO', 'PRACK'])
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

  describe('routing key (sip/ua/routing-key.ts)', () => {
    it('gives every message a call brings to the core a routing key: the caller Call-ID or an identifier the core minted', () => {
      const s = callBench()
      const c = s.connect()
      // The caller's INVITE (and a CANCEL of it) name nothing of ours: its Call-ID.
      expect(routingKey(c.invite)).toEqual({ source: 'call-id', value: 'a-call-1@127.0.0.2' })
      expect(routingKey(buildCancel(c.invite))).toEqual(routingKey(c.invite))
      // The vendor's responses carry the Via branch the core put on its INVITE.
      const ourBranch = c.bInvite.topVia!.branch!
      expect(ourBranch).toMatch(/^z9hG4bK/)
      expect(routingKey(c.bOk)).toEqual({ source: 'via-branch', value: ourBranch })
      // The caller's ACK and BYE carry the To tag of the core's 200; the vendor's BYE the From tag of the core's INVITE.
      const tagToCaller = c.ok.to!.tag!
      expect(routingKey(c.ack)).toEqual({ source: 'to-tag', value: tagToCaller })
      expect(routingKey(s.caller.inDialog('BYE', c.a))).toEqual({ source: 'to-tag', value: tagToCaller })
      const tagToVendor = c.bInvite.from!.tag!
      expect(routingKey(s.gw1.inDialog('BYE', c.b))).toEqual({ source: 'to-tag', value: tagToVendor })
      // Both tags and the vendor leg's Call-ID are the core's own, never the caller's.
      expect([tagToCaller, tagToVendor]).not.toContain('calltag')
      expect(c.bInvite.callId).not.toBe(c.invite.callId)
    })
  })
})
