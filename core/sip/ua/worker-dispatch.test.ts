// Which worker owns a message: the minter of the branch or To tag it names, the issuer of a digest nonce, a hash of the Call-ID for a new request from any source, the registrar worker for every REGISTER.
import { describe, expect, it } from 'vitest'
import { Metrics } from '../../lib/metrics.js'
import type { RemoteAddr, Transport } from '../../transport/types.js'
import { BRANCH_COOKIE, generateStatelessTag, setIdMark } from '../message/build.js'
import { NOBODY, REGISTRAR_WORKER, hashString, WorkerDispatch } from './worker-dispatch.js'

const GATEWAY: RemoteAddr = { address: '192.0.2.10', port: 5060, family: 'IPv4' }
const STRANGER: RemoteAddr = { address: '198.51.100.7', port: 5060, family: 'IPv4' }
const UDP = { protocol: 'UDP' } as unknown as Transport

function bytes(lines: string[]): Buffer {
  return Buffer.from([...lines, 'Content-Length: 0', '', ''].join('\r\n'))
}

function request(method: string, callId: string, toTag?: string): Buffer {
  return bytes([
    `${method} sip:1000@192.0.2.1 SIP/2.0`, 'Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bKtheirs', 'From: <sip:a@192.0.2.10>;tag=f1',
    `To: <sip:1000@192.0.2.1>${toTag === undefined ? '' : `;tag=${toTag}`}`, `Call-ID: ${callId}`, `CSeq: 1 ${method}`, 'Max-Forwards: 70',
  ])
}

function response(branch: string): Buffer {
  return bytes(['SIP/2.0 200 OK', `Via: SIP/2.0/UDP 192.0.2.1:5060;branch=${branch}`, 'From: <sip:a@192.0.2.1>;tag=f1', 'To: <sip:b@192.0.2.20>;tag=t1', 'Call-ID: ours', 'CSeq: 1 INVITE'])
}

/** A dispatch of worker `self` of `workers` that records where each message went. */
function dispatch(self: number, workers: number, metrics = new Metrics()): { d: WorkerDispatch; went: number[] } {
  const went: number[] = []
  const d = new WorkerDispatch({
    self, workers, metrics,
    local: { onMessage: () => void went.push(self) },
    forward: (owner) => void went.push(owner),
  })
  return { d, went }
}

describe('WorkerDispatch', () => {
  it('hands a response to the worker its branch names and an in-dialog request to the one its To tag names', () => {
    const { d } = dispatch(0, 4)
    expect(d.ownerOf(response(`${BRANCH_COOKIE}3abcdef`), GATEWAY)).toBe(3)
    expect(d.ownerOf(request('BYE', 'x', '2deadbeef'), GATEWAY)).toBe(2)
    expect(d.ownerOf(request('ACK', 'x', '1deadbeef'), STRANGER)).toBe(1)
  })

  it('keeps here what names no worker of ours: a foreign branch, a mark beyond the workers, bytes without a key', () => {
    const { d } = dispatch(1, 4)
    expect(d.ownerOf(response('z9hG4bKzzz'), GATEWAY)).toBe(1)
    expect(d.ownerOf(response('old-rfc2543-branch'), GATEWAY)).toBe(1)
    expect(d.ownerOf(request('BYE', 'x', 'Zforeign'), GATEWAY)).toBe(1)
    expect(d.ownerOf(Buffer.from('\r\n\r\n'), GATEWAY)).toBe(1)
  })

  it("spreads a gateway's new calls by Call-ID, and keeps each call's retransmissions and CANCEL with its INVITE", () => {
    const { d } = dispatch(0, 4)
    const owners = new Set<number>()
    for (let i = 0; i < 64; i++) {
      const owner = d.ownerOf(request('INVITE', `call-${i}`), GATEWAY)
      expect(owner).toBe(hashString(`call-${i}`) % 4)
      expect(d.ownerOf(request('INVITE', `call-${i}`), GATEWAY)).toBe(owner)
      expect(d.ownerOf(request('CANCEL', `call-${i}`), GATEWAY)).toBe(owner)
      owners.add(owner)
    }
    expect(owners.size).toBe(4)
  })

  it('spreads an unknown source by Call-ID too (the screen counts each worker\'s share of it), its calls over every worker', () => {
    const { d } = dispatch(0, 4)
    const owners = new Set<number>()
    for (let i = 0; i < 64; i++) {
      const owner = d.ownerOf(request('INVITE', `probe-${i}`), STRANGER)
      expect(owner).toBe(hashString(`probe-${i}`) % 4)
      owners.add(owner)
    }
    expect(owners.size).toBe(4)
  })

  it('sends every REGISTER to the registrar worker, whatever its Call-ID', () => {
    const { d } = dispatch(3, 4)
    for (let i = 0; i < 16; i++) expect(d.ownerOf(request('REGISTER', `reg-${i}`), STRANGER)).toBe(REGISTRAR_WORKER)
  })

  it("brings a new call's credentials back to the worker that issued their nonce", () => {
    const { d } = dispatch(0, 4)
    const withNonce = (callId: string, nonce: string): Buffer => bytes([
      'INVITE sip:1000@192.0.2.1 SIP/2.0', 'Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bKtheirs', 'From: <sip:a@192.0.2.10>;tag=f1', 'To: <sip:1000@192.0.2.1>',
      `Call-ID: ${callId}`, 'CSeq: 2 INVITE', 'Max-Forwards: 70', `Proxy-Authorization: Digest username="u", realm="r", nonce="${nonce}", uri="sip:1000@192.0.2.1", response="0", qop=auth, nc=00000002, cnonce="c"`,
    ])
    for (let i = 0; i < 16; i++) {
      expect(d.ownerOf(withNonce(`call-${i}`, '3AAAAnonce'), GATEWAY)).toBe(3)
      expect(d.ownerOf(withNonce(`call-${i}`, '2AAAAnonce'), STRANGER)).toBe(2)
    }
    // SIPp writes cnonce before nonce: the client's cnonce never names the worker.
    const sippOrder = (cnonce: string, nonce: string): Buffer => bytes([
      'INVITE sip:1000@192.0.2.1 SIP/2.0', 'Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bKtheirs', 'From: <sip:a@192.0.2.10>;tag=f1', 'To: <sip:1000@192.0.2.1>',
      'Call-ID: c', 'CSeq: 2 INVITE', 'Max-Forwards: 70', `Proxy-Authorization: Digest username="u",realm="r",cnonce="${cnonce}",nc=00000001,qop=auth,uri="sip:1000@192.0.2.1",nonce="${nonce}",response="0"`,
    ])
    for (const cnonce of ['0a1b', '1a1b', '2a1b', '3a1b']) expect(d.ownerOf(sippOrder(cnonce, '2AAAAnonce'), STRANGER)).toBe(2)
    // A mark beyond the workers names nobody: the Call-ID decides.
    expect(d.ownerOf(withNonce('call-x', 'zAAAA'), GATEWAY)).toBe(hashString('call-x') % 4)
  })

  it('keeps new requests where they arrive once the node drains, and still hands dialogs to their owner', () => {
    const { d } = dispatch(1, 4)
    d.drain()
    for (let i = 0; i < 16; i++) expect(d.ownerOf(request('INVITE', `call-${i}`), GATEWAY)).toBe(1)
    expect(d.ownerOf(request('BYE', 'x', '3abc'), GATEWAY)).toBe(3)
  })

  it('absorbs the ACK of a stateless answer where it arrives, unparsed and unforwarded, and routes other requests with its tag to its minter', () => {
    setIdMark(3)
    const tag = generateStatelessTag()
    setIdMark(0)
    const metrics = new Metrics()
    const { d, went } = dispatch(1, 4, metrics)
    expect(d.ownerOf(request('ACK', 'x', tag), GATEWAY)).toBe(NOBODY)
    d.onMessage(request('ACK', 'x', tag), GATEWAY, UDP)
    d.onMessage(Buffer.concat([Buffer.from('\r\n'), request('ACK', 'y', tag)]), STRANGER, UDP)
    expect(went).toEqual([])
    expect(metrics.get('sip_stateless_acks_total')?.get()).toBe(2)
    // A BYE naming that tag is answered 481 by the worker that minted it; a dialog's ACK still reaches its owner.
    expect(d.ownerOf(request('BYE', 'x', tag), GATEWAY)).toBe(3)
    expect(d.ownerOf(request('ACK', 'x', '2deadbeefdeadbeef'), GATEWAY)).toBe(2)
  })

  it('passes its own messages to the local layer and forwards the rest', () => {
    const { d, went } = dispatch(2, 4)
    d.onMessage(request('BYE', 'x', '2abc'), GATEWAY, UDP)
    d.onMessage(request('BYE', 'x', '0abc'), GATEWAY, UDP)
    expect(went).toEqual([2, 0])
  })

  it('answers a head its stream could not frame here, where its connection is, even when another worker owns it', () => {
    const { d, went } = dispatch(0, 4)
    const owned = [...Array(16).keys()].map((i) => `call-${i}`).find((c) => hashString(c) % 4 !== 0)!
    d.onUnframed(request('INVITE', owned), GATEWAY, UDP)
    expect(went).toEqual([0])
  })
})
