// The request router over a real transaction layer: RFC 3261 §11.2 (OPTIONS), §8.2.1 (501 and Allow), §17.2.1 (INVITE server retransmits until ACK), §12.2.2 (481), §16.3 item 2 and RFC 4475 §3.3.11 (Max-Forwards 0), §9.2 (CANCEL); handlers registered by method, the dialog owner, and the pre-transaction screen.
import { describe, expect, it } from 'vitest'
import type { SipRequest } from '../message/message.js'
import { buildResponse, generateTag } from '../message/build.js'
import { DEFAULT_VALIDATE_OPTIONS } from '../message/validate.js'
import type { ServerTransaction } from '../transaction/types.js'
import { PASS, RouterError, type RequestGate, type RequestHandler } from './router.js'
import { request, uaStack } from './test-support/ua-stack.js'

/** A registrar stand-in that answers every REGISTER 200 and keeps what it got. */
class RecordingRegistrar implements RequestHandler {
  readonly got: SipRequest[] = []
  onRequest(req: SipRequest, tx: ServerTransaction): void {
    this.got.push(req)
    tx.respond(buildResponse(req, 200, { toTag: generateTag() }))
  }
}

/** A gate that gives every request from `address` the verdict `verdict` and counts what it saw. */
function sourceGate(name: string, address: string, verdict: ReturnType<RequestGate['check']>): RequestGate & { seen: string[] } {
  const seen: string[] = []
  return {
    name,
    seen,
    check: (req, source) => {
      seen.push(req.method)
      return source.address === address ? verdict : PASS
    },
  }
}

describe('RequestRouter', () => {
  describe('OPTIONS', () => {
    it('answers OPTIONS with 200 listing Allow, Accept and Supported', () => {
      const s = uaStack()
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
      const s = uaStack()
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
      const s = uaStack()
      s.send(request('OPTIONS', { maxForwards: 0 }))
      s.clock.advance(1)
      expect(s.statuses()).toEqual([200])
    })

    it('answers OPTIONS with Max-Forwards 0 for sip:user@example.com (RFC 4475 zeromf.dat) with 483', () => {
      const s = uaStack()
      s.send(request('OPTIONS', { maxForwards: 0, uri: 'sip:user@example.com' }))
      s.clock.advance(1)
      expect(s.statuses()).toEqual([483])
      expect(s.layer.size).toBe(0)
    })

    it('answers INVITE with Max-Forwards 0 with 483', () => {
      const s = uaStack()
      s.send(request('INVITE', { maxForwards: 0, uri: 'sip:123@127.0.0.1' }))
      s.clock.advance(1)
      expect(s.statuses()).toEqual([483])
    })
  })

  describe('requests the node does not handle', () => {
    it('answers INVITE with 100 and 501, retransmits the 501 at 500 and 1500 ms until the ACK, then stops', () => {
      const s = uaStack()
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
      const s = uaStack()
      s.send(request('INVITE', { uri: 'sip:123@127.0.0.1' }))
      s.clock.advance(100)
      s.send(request('INVITE', { uri: 'sip:123@127.0.0.1' }))
      s.clock.advance(1)
      expect(s.statuses()).toEqual([100, 501, 501])
      expect(s.metrics.get('sip_requests_received_total')?.get('INVITE')).toBe(2)
      expect(s.metrics.get('sip_absorbed_retransmissions_total')?.get()).toBe(1)
    })

    it('answers REGISTER with 501 through a non-INVITE transaction', () => {
      const s = uaStack()
      s.send(request('REGISTER'))
      s.clock.advance(1)
      expect(s.statuses()).toEqual([501])
    })

    it('never answers an ACK that matches no transaction', () => {
      const s = uaStack()
      s.send(request('ACK', { toTag: 'x' }))
      s.clock.advance(1)
      expect(s.got).toEqual([])
      expect(s.metrics.get('sip_acks_ignored_total')?.get()).toBe(1)
    })

    it('answers a request inside an unknown dialog (To tag) with 481', () => {
      const s = uaStack()
      s.send(request('BYE', { toTag: 'gone' }))
      s.clock.advance(1)
      expect(s.statuses()).toEqual([481])
    })

    it('answers a CANCEL after the 501 with 200 and sends no 487', () => {
      const s = uaStack()
      s.send(request('INVITE', { uri: 'sip:123@127.0.0.1' }))
      s.clock.advance(10)
      s.send(request('CANCEL', { uri: 'sip:123@127.0.0.1' }))
      s.clock.advance(10)
      expect(s.statuses()).toEqual([100, 501, 200])
    })
  })


  it('reports unfinished transactions until the final is ACKed', () => {
    const s = uaStack()
    s.send(request('INVITE', { uri: 'sip:123@127.0.0.1' }))
    s.clock.advance(1)
    expect(s.layer.unfinished).toBe(1)
    s.send(request('ACK', { uri: 'sip:123@127.0.0.1', toTag: s.got[1]!.msg.to?.tag }))
    s.clock.advance(1)
    expect(s.layer.unfinished).toBe(0)
    expect(s.layer.size).toBe(1)
  })


  describe('handlers registered by method', () => {
    it('answers REGISTER with 501 until a registrar registers, then hands it every REGISTER and lists it in Allow', () => {
      const registrar = new RecordingRegistrar()
      const without = uaStack()
      without.send(request('REGISTER'))
      without.clock.advance(1)
      expect(without.statuses()).toEqual([501])
      expect(without.got[0]!.msg.headers.get('allow')).toBe('OPTIONS')

      const s = uaStack((router) => router.handle('REGISTER', registrar))
      s.send(request('REGISTER'))
      s.send(request('OPTIONS', { branch: 'z9hG4bKopt2' }))
      s.clock.advance(1)
      expect(s.statuses()).toEqual([200, 200])
      expect(registrar.got.map((r) => r.method)).toEqual(['REGISTER'])
      expect(s.got[1]!.msg.headers.getAll('allow')).toEqual(['OPTIONS', 'REGISTER'])
    })

    it('refuses a second handler for a method, and handlers of their own for ACK and CANCEL', () => {
      const s = uaStack()
      expect(() => s.router.handle('OPTIONS', new RecordingRegistrar())).toThrow(RouterError)
      expect(() => s.router.handle('ACK', new RecordingRegistrar())).toThrow(RouterError)
      expect(() => s.router.handle('CANCEL', new RecordingRegistrar())).toThrow(RouterError)
      s.router.ownDialogs({ onInDialogRequest: () => false, onCancel: () => {}, onAck: () => false, onStray2xx: () => false })
      expect(() => s.router.ownDialogs({ onInDialogRequest: () => false, onCancel: () => {}, onAck: () => false, onStray2xx: () => false })).toThrow(RouterError)
    })

    it('lists ACK and CANCEL in Allow with INVITE, known methods in a fixed order and others after them', () => {
      const s = uaStack((router) => {
        router.handle('MESSAGE', new RecordingRegistrar())
        router.handle('INVITE', new RecordingRegistrar())
        router.handle('X-CUSTOM', new RecordingRegistrar())
      })
      expect(s.router.allow).toEqual(['INVITE', 'ACK', 'CANCEL', 'OPTIONS', 'MESSAGE', 'X-CUSTOM'])
    })
  })

  describe('pre-transaction screen', () => {
    it('drops a request a gate drops: no answer, no transaction, counted by gate', () => {
      const gate = sourceGate('ban', '127.0.0.2', { action: 'drop' })
      const s = uaStack((router) => router.addGate(gate))
      s.send(request('INVITE', { uri: 'sip:123@127.0.0.1' }))
      s.send(request('OPTIONS', { branch: 'z9hG4bKopt2' }))
      s.clock.advance(1)
      expect(s.got).toEqual([])
      expect(s.layer.size).toBe(0)
      expect(s.clock.pending).toBe(0)
      expect(gate.seen).toEqual(['INVITE', 'OPTIONS'])
      expect(s.metrics.get('sip_screened_requests_total')?.get('ban', 'drop')).toBe(2)
    })

    it('answers once statelessly for a gate that responds, with a To tag and the gate headers, and keeps no transaction', () => {
      const s = uaStack((router) => router.addGate(sourceGate('rate', '127.0.0.2', { action: 'respond', status: 503, headers: [['Retry-After', '10']] })))
      s.send(request('INVITE', { uri: 'sip:123@127.0.0.1' }))
      s.clock.advance(2000)
      expect(s.statuses()).toEqual([503])
      expect(s.got[0]!.msg.to?.tag).toBeDefined()
      expect(s.got[0]!.msg.headers.get('retry-after')).toBe('10')
      expect(s.layer.size).toBe(0)
      expect(s.metrics.get('sip_stateless_responses_total')?.get('503')).toBe(1)
      expect(s.metrics.get('sip_screened_requests_total')?.get('rate', 'respond')).toBe(1)
    })

    it('never answers an ACK, whatever the gate says', () => {
      const s = uaStack((router) => router.addGate(sourceGate('rate', '127.0.0.2', { action: 'respond', status: 403 })))
      s.send(request('ACK', { toTag: 'x' }))
      s.clock.advance(1)
      expect(s.got).toEqual([])
      expect(s.metrics.get('sip_acks_ignored_total')?.get()).toBe(0)
    })

    it('runs gates in order until one does not pass, and passes other sources through to their handler', () => {
      const first = sourceGate('first', '192.0.2.9', { action: 'drop' })
      const second = sourceGate('second', '127.0.0.2', { action: 'respond', status: 403 })
      const third = sourceGate('third', '127.0.0.2', { action: 'drop' })
      const s = uaStack((router) => [first, second, third].forEach((g) => router.addGate(g)))
      s.send(request('OPTIONS'))
      s.clock.advance(1)
      expect(s.statuses()).toEqual([403])
      expect([first.seen, second.seen, third.seen]).toEqual([['OPTIONS'], ['OPTIONS'], []])
      const open = uaStack((router) => router.addGate(sourceGate('ban', '192.0.2.9', { action: 'drop' })))
      open.send(request('OPTIONS'))
      open.clock.advance(1)
      expect(open.statuses()).toEqual([200])
      expect(open.got[0]!.msg.headers.getAll('supported')).toEqual(DEFAULT_VALIDATE_OPTIONS.supported)
    })

    it('does not screen retransmissions of a request it passed: the transaction absorbs them', () => {
      const gate = sourceGate('count', '192.0.2.9', { action: 'drop' })
      const s = uaStack((router) => router.addGate(gate))
      s.send(request('OPTIONS'))
      s.clock.advance(500)
      s.send(request('OPTIONS'))
      s.clock.advance(1)
      expect(s.statuses()).toEqual([200, 200])
      expect(gate.seen).toEqual(['OPTIONS'])
    })
  })
})
