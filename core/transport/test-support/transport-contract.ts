// Shared behaviour every Transport must show (RFC 3261 §18 delivery, answers reaching the sender, guarded receive, failures as values); run by udp, loop and stream (TCP, TLS) tests.
import { describe, expect, it } from 'vitest'
import type { RemoteAddr, Transport, TransportFailure, TransportUser } from '../types.js'

/** A minimal framed SIP message (Content-Length makes it readable on streams as well as datagrams). */
export function sipMessage(body: string, startLine = 'MESSAGE sip:b@127.0.0.1 SIP/2.0'): string {
  return `${startLine}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
}

/** One received message as a recorder saw it. */
export interface Received {
  text: string
  remote: RemoteAddr
  transport: Transport
}

/** A TransportUser that records everything (and can be told to throw). */
export class RecordingUser implements TransportUser {
  readonly got: Received[] = []
  throwOn: string | null = null

  onMessage(buf: Buffer, remote: RemoteAddr, transport: Transport): void {
    const text = buf.toString('utf8')
    if (this.throwOn !== null && text.includes(this.throwOn)) throw new Error(`user bug on ${this.throwOn}`)
    this.got.push({ text, remote, transport })
  }
}

/** What a transport implementation provides to the contract. */
export interface TransportHarness {
  /** Via token and reliability the endpoints report. */
  protocol: 'UDP' | 'TCP' | 'TLS'
  /** Opens a fresh endpoint delivering to `user`. */
  open(user: TransportUser): Promise<Transport>
  /** Lets deliveries happen until `done()` holds (fails the test after a bounded wait). */
  until(done: () => boolean): Promise<void>
  /** Closes everything opened. */
  cleanup(): Promise<void>
  /** Number of user exceptions the receive guard caught so far. */
  userErrors(): number
}

/** Registers the transport contract tests against `makeHarness`. */
export function runTransportContract(name: string, makeHarness: () => TransportHarness): void {
  describe(`${name} (transport contract)`, () => {
    const withHarness = (fn: (h: TransportHarness) => Promise<void>) => async () => {
      const h = makeHarness()
      try {
        await fn(h)
      } finally {
        await h.cleanup()
      }
    }

    it('reports its protocol and reliability with a resolved local port', withHarness(async (h) => {
      const t = await h.open(new RecordingUser())
      expect(t.protocol).toBe(h.protocol)
      expect(t.reliable).toBe(h.protocol !== 'UDP')
      expect(t.local.port).toBeGreaterThan(0)
      expect(t.local.family).toBe('IPv4')
    }))

    it('delivers a message and the answer to the remote it came from', withHarness(async (h) => {
      const ua = new RecordingUser()
      const ub = new RecordingUser()
      const a = await h.open(ua)
      const b = await h.open(ub)
      const request = sipMessage('', 'OPTIONS sip:b SIP/2.0')
      a.send(Buffer.from(request), b.local)
      await h.until(() => ub.got.length === 1)
      expect(ub.got[0]!.text).toBe(request)
      expect(ub.got[0]!.remote.address).toBe(a.local.address)
      // A datagram names the sender's socket; a stream names the connection's source (RFC 3261 §18.2.2 answers there).
      if (h.protocol === 'UDP') expect(ub.got[0]!.remote.port).toBe(a.local.port)
      expect(ub.got[0]!.transport).toBe(b)
      const answer = sipMessage('', 'SIP/2.0 200 OK')
      b.send(Buffer.from(answer), ub.got[0]!.remote)
      await h.until(() => ua.got.length === 1)
      expect(ua.got[0]!.text).toBe(answer)
      expect(ua.got[0]!.remote).toMatchObject(b.local)
    }))

    it('delivers a message with a 16 KB body intact', withHarness(async (h) => {
      const ub = new RecordingUser()
      const a = await h.open(new RecordingUser())
      const b = await h.open(ub)
      const big = sipMessage('x'.repeat(16 * 1024))
      a.send(Buffer.from(big), b.local)
      await h.until(() => ub.got.length === 1)
      expect(ub.got[0]!.text).toBe(big)
    }))

    it('keeps serving after the user throws on one datagram', withHarness(async (h) => {
      const ub = new RecordingUser()
      ub.throwOn = 'BOOM'
      const a = await h.open(new RecordingUser())
      const b = await h.open(ub)
      a.send(Buffer.from(sipMessage('BOOM')), b.local)
      a.send(Buffer.from(sipMessage('after')), b.local)
      await h.until(() => ub.got.length === 1)
      expect(ub.got[0]!.text).toBe(sipMessage('after'))
      expect(h.userErrors()).toBe(1)
    }))

    it('drops CRLF keep-alives without calling the user', withHarness(async (h) => {
      const ub = new RecordingUser()
      const a = await h.open(new RecordingUser())
      const b = await h.open(ub)
      a.send(Buffer.from('\r\n\r\n'), b.local)
      a.send(Buffer.from(sipMessage('real')), b.local)
      await h.until(() => ub.got.length === 1)
      expect(ub.got.map((g) => g.text)).toEqual([sipMessage('real')])
    }))

    it('reports a send after close as ECLOSED asynchronously, never throwing', withHarness(async (h) => {
      const a = await h.open(new RecordingUser())
      const b = await h.open(new RecordingUser())
      await a.close()
      const failures: TransportFailure[] = []
      a.send(Buffer.from(sipMessage('late')), b.local, { onSendError: (f) => failures.push(f) })
      expect(failures).toHaveLength(0)
      await h.until(() => failures.length === 1)
      expect(failures[0]!.code).toBe('ECLOSED')
      expect(failures[0]!.remote).toEqual(b.local)
    }))

    it('sends to an address nobody listens on without throwing', withHarness(async (h) => {
      const a = await h.open(new RecordingUser())
      const ub = new RecordingUser()
      const b = await h.open(ub)
      expect(() => a.send(Buffer.from(sipMessage('void')), { address: '127.0.0.1', port: 9, family: 'IPv4' })).not.toThrow()
      a.send(Buffer.from(sipMessage('ok')), b.local)
      await h.until(() => ub.got.length === 1)
    }))
  })
}
