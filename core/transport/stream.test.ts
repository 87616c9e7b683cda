// Covers the TCP and TLS transports (RFC 3261 §18, RFC 5626 keep-alives, RFC 5923 alias) on loopback: the transport contract, answers on the peer's own connection, framing errors, and the limits that shed idle, slow and greedy peers.
import net from 'node:net'
import tls from 'node:tls'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Metrics } from '../lib/metrics.js'
import { openStreamTransport, type StreamLimits, type StreamTransport } from './stream.js'
import { makeTestCertificate, type TestCertificate } from './test-support/tls-cert.js'
import { RecordingUser, runTransportContract, sipMessage, type TransportHarness } from './test-support/transport-contract.js'
import type { RemoteAddr, Transport, TransportFailure, TransportUser } from './types.js'

let cert: TestCertificate
beforeAll(() => {
  cert = makeTestCertificate()
})
afterAll(() => cert.cleanup())

const waitUntil = async (done: () => boolean, ms = 3000): Promise<boolean> => {
  const deadline = Date.now() + ms
  while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5))
  return done()
}

function harness(protocol: 'TCP' | 'TLS'): () => TransportHarness {
  return () => {
    const metrics = new Metrics()
    const opened: Transport[] = []
    return {
      protocol,
      open: async (user) => {
        const t = await openStreamTransport({ protocol, host: '127.0.0.1', port: 0, user, metrics, ...(protocol === 'TLS' ? { tls: { cert: cert.cert, key: cert.key } } : {}) })
        opened.push(t)
        return t
      },
      until: async (done) => {
        expect(await waitUntil(done)).toBe(true)
      },
      cleanup: async () => {
        await Promise.all(opened.map((t) => t.close()))
      },
      userErrors: () => metrics.get('sip_transport_user_errors_total')?.get(protocol.toLowerCase()) ?? 0,
    }
  }
}

runTransportContract('StreamTransport TCP', harness('TCP'))
runTransportContract('StreamTransport TLS', harness('TLS'))

/** A raw TCP peer (what a gateway's stack looks like from the wire), optionally bound to a local address. */
async function rawPeer(port: number, localAddress = '127.0.0.1'): Promise<{ socket: net.Socket; data: () => string; closed: () => boolean }> {
  const socket = net.connect({ host: '127.0.0.1', port, localAddress })
  let data = ''
  let closed = false
  socket.on('data', (d) => { data += d.toString('latin1') })
  socket.on('close', () => { closed = true })
  socket.on('error', () => {})
  await new Promise<void>((ok, fail) => {
    socket.once('connect', () => ok())
    socket.once('error', fail)
  })
  return { socket, data: () => data, closed: () => closed }
}

async function tcp(user: TransportUser, limits: Partial<StreamLimits> = {}, metrics = new Metrics()): Promise<StreamTransport> {
  return openStreamTransport({ protocol: 'TCP', host: '127.0.0.1', port: 0, user, limits, metrics })
}

describe('StreamTransport', () => {
  it('sends the answer back over the connection the request came on, opening none', async () => {
    const got: Array<{ remote: RemoteAddr; t: Transport }> = []
    const t = await tcp({ onMessage: (_b, remote, tr) => got.push({ remote, t: tr }) })
    try {
      const peer = await rawPeer(t.local.port)
      peer.socket.write(sipMessage('hi'))
      expect(await waitUntil(() => got.length === 1)).toBe(true)
      expect(t.hasFlow(got[0]!.remote)).toBe(true)
      t.send(Buffer.from(sipMessage('', 'SIP/2.0 200 OK')), got[0]!.remote)
      expect(await waitUntil(() => peer.data().length > 0)).toBe(true)
      expect(peer.data()).toBe(sipMessage('', 'SIP/2.0 200 OK'))
      expect(t.connectionCount).toBe(1)
      peer.socket.destroy()
    } finally {
      await t.close()
    }
  })

  it('answers a CRLFCRLF ping with a CRLF pong (RFC 5626 §4.4.1)', async () => {
    const t = await tcp(new RecordingUser())
    try {
      const peer = await rawPeer(t.local.port)
      peer.socket.write('\r\n\r\n')
      expect(await waitUntil(() => peer.data() === '\r\n')).toBe(true)
      peer.socket.destroy()
    } finally {
      await t.close()
    }
  })

  it('hands a head without Content-Length up for its 400, sends that answer, then closes', async () => {
    const heads: string[] = []
    let t: StreamTransport | undefined
    t = await tcp({
      onMessage: (b, remote) => {
        heads.push(b.toString('latin1'))
        t!.send(Buffer.from(sipMessage('', 'SIP/2.0 400 Missing Content-Length')), remote)
      },
    })
    try {
      const peer = await rawPeer(t.local.port)
      peer.socket.write('OPTIONS sip:x SIP/2.0\r\nVia: SIP/2.0/TCP h;branch=z9hG4bKa\r\n\r\n' + sipMessage('never read'))
      expect(await waitUntil(() => peer.closed())).toBe(true)
      expect(heads).toEqual(['OPTIONS sip:x SIP/2.0\r\nVia: SIP/2.0/TCP h;branch=z9hG4bKa\r\n\r\n'])
      expect(peer.data()).toContain('400 Missing Content-Length')
    } finally {
      await t.close()
    }
  })

  it('still sends an answer that arrives after a framing error, for a moment, then closes', async () => {
    let t: StreamTransport | undefined
    t = await tcp({
      // Answered late, as a message handed to another worker is: after the garbage behind it broke the stream.
      onMessage: (b, remote) => {
        if (b.toString('latin1').startsWith('MESSAGE')) setTimeout(() => t!.send(Buffer.from(sipMessage('', 'SIP/2.0 200 Late')), remote), 50)
      },
    })
    try {
      const peer = await rawPeer(t.local.port)
      peer.socket.write(sipMessage('') + 'GARBAGE sip:x SIP/2.0\r\nVia: SIP/2.0/TCP h;branch=z9hG4bKb\r\n\r\n')
      expect(await waitUntil(() => peer.closed())).toBe(true)
      expect(peer.data()).toContain('200 Late')
    } finally {
      await t.close()
    }
  })

  it('reports a body above the limit as oversized (for a 513) without reading it, and closes', async () => {
    const oversized: string[] = []
    const metrics = new Metrics()
    const t = await tcp({ onMessage: () => {}, onOversized: (head) => oversized.push(head.toString('latin1')) }, { maxBodyBytes: 1000 }, metrics)
    try {
      const peer = await rawPeer(t.local.port)
      peer.socket.write('INVITE sip:x SIP/2.0\r\nContent-Length: 100000\r\n\r\n')
      expect(await waitUntil(() => peer.closed())).toBe(true)
      expect(oversized).toHaveLength(1)
      expect(await waitUntil(() => metrics.get('sip_transport_connections_closed_total')?.get('tcp', 'body-too-large') === 1)).toBe(true)
    } finally {
      await t.close()
    }
  })

  it('refuses connections past the per-source limit while other sources still connect', async () => {
    const metrics = new Metrics()
    const t = await tcp(new RecordingUser(), { maxPerSource: 3 }, metrics)
    try {
      const greedy = await Promise.all([1, 2, 3, 4, 5].map(() => rawPeer(t.local.port, '127.0.0.2')))
      expect(await waitUntil(() => greedy.filter((p) => p.closed()).length === 2)).toBe(true)
      const polite = await rawPeer(t.local.port, '127.0.0.1')
      await new Promise((r) => setTimeout(r, 50))
      expect(polite.closed()).toBe(false)
      expect(metrics.get('sip_transport_connections_refused_total')?.get('tcp', 'max-per-source')).toBe(2)
      for (const p of [...greedy, polite]) p.socket.destroy()
    } finally {
      await t.close()
    }
  })

  it('refuses connections past the total limit', async () => {
    const t = await tcp(new RecordingUser(), { maxConnections: 2 })
    try {
      const peers = await Promise.all([1, 2, 3].map(() => rawPeer(t.local.port)))
      expect(await waitUntil(() => peers.filter((p) => p.closed()).length === 1)).toBe(true)
      expect(t.connectionCount).toBe(2)
      for (const p of peers) p.socket.destroy()
    } finally {
      await t.close()
    }
  })

  it('closes a silent connection after the idle timeout', async () => {
    const t = await tcp(new RecordingUser(), { idleMs: 150 })
    try {
      const peer = await rawPeer(t.local.port)
      expect(await waitUntil(() => peer.closed(), 2000)).toBe(true)
      expect(await waitUntil(() => t.connectionCount === 0)).toBe(true)
    } finally {
      await t.close()
    }
  })

  it('cuts a slowloris sender whose message never completes, though bytes keep coming', async () => {
    const metrics = new Metrics()
    const t = await tcp(new RecordingUser(), { idleMs: 10_000, messageMs: 300 }, metrics)
    try {
      const peer = await rawPeer(t.local.port)
      peer.socket.write('INVITE sip:x SIP/2.0\r\n')
      const drip = setInterval(() => { if (!peer.closed()) peer.socket.write('X') }, 40)
      try {
        expect(await waitUntil(() => peer.closed(), 3000)).toBe(true)
      } finally {
        clearInterval(drip)
      }
      expect(metrics.get('sip_transport_connections_closed_total')?.get('tcp', 'message-timeout')).toBe(1)
    } finally {
      await t.close()
    }
  })

  it('keeps a connection that completes messages, however long it lives', async () => {
    const user = new RecordingUser()
    const t = await tcp(user, { messageMs: 200, idleMs: 10_000 })
    try {
      const peer = await rawPeer(t.local.port)
      for (let i = 0; i < 8; i++) {
        peer.socket.write(sipMessage(`m${i}`))
        await new Promise((r) => setTimeout(r, 60))
      }
      expect(await waitUntil(() => user.got.length === 8)).toBe(true)
      expect(peer.closed()).toBe(false)
      peer.socket.destroy()
    } finally {
      await t.close()
    }
  })

  it('reports a refused outbound connect to the sender', async () => {
    const t = await tcp(new RecordingUser())
    const probe = net.createServer()
    await new Promise<void>((ok) => probe.listen(0, '127.0.0.1', () => ok()))
    const port = (probe.address() as net.AddressInfo).port
    await new Promise<void>((ok) => probe.close(() => ok()))
    try {
      const failures: TransportFailure[] = []
      t.send(Buffer.from(sipMessage('x')), { address: '127.0.0.1', port, family: 'IPv4' }, { onSendError: (f) => failures.push(f) })
      expect(await waitUntil(() => failures.length === 1)).toBe(true)
      expect(failures[0]!.code).toBe('ECONNREFUSED')
    } finally {
      await t.close()
    }
  })

  it('reuses a connection for its RFC 5923 alias only when the alias names the same host', async () => {
    const got: RemoteAddr[] = []
    const t = await tcp({ onMessage: (_b, remote) => got.push(remote) })
    try {
      const peer = await rawPeer(t.local.port)
      peer.socket.write(sipMessage('hello'))
      expect(await waitUntil(() => got.length === 1)).toBe(true)
      const flow = got[0]!
      t.alias(flow, { address: '127.0.0.9', port: 5060, family: 'IPv4' })
      expect(t.hasFlow({ address: '127.0.0.9', port: 5060, family: 'IPv4' })).toBe(false)
      const sentBy: RemoteAddr = { address: '127.0.0.1', port: 5999, family: 'IPv4' }
      t.alias(flow, sentBy)
      expect(t.hasFlow(sentBy)).toBe(true)
      t.send(Buffer.from(sipMessage('', 'BYE sip:a SIP/2.0')), sentBy)
      expect(await waitUntil(() => peer.data().includes('BYE sip:a'))).toBe(true)
      expect(t.connectionCount).toBe(1)
      peer.socket.destroy()
      expect(await waitUntil(() => !t.hasFlow(sentBy))).toBe(true)
    } finally {
      await t.close()
    }
  })
})

describe('StreamTransport over TLS', () => {
  it('refuses a vendor certificate it cannot verify when verification is on, and accepts it with the CA', async () => {
    const server = await openStreamTransport({ protocol: 'TLS', host: '127.0.0.1', port: 0, user: new RecordingUser(), tls: { cert: cert.cert, key: cert.key } })
    const other = makeTestCertificate('client')
    const strict = await openStreamTransport({ protocol: 'TLS', host: '127.0.0.1', port: 0, user: new RecordingUser(), tls: { cert: other.cert, key: other.key, verifyPeers: true } })
    const trusting = await openStreamTransport({ protocol: 'TLS', host: '127.0.0.1', port: 0, user: new RecordingUser(), tls: { cert: other.cert, key: other.key, verifyPeers: true, ca: cert.cert } })
    try {
      const failures: TransportFailure[] = []
      strict.send(Buffer.from(sipMessage('x')), server.local, { onSendError: (f) => failures.push(f) })
      expect(await waitUntil(() => failures.length === 1)).toBe(true)
      expect(failures[0]!.code).toMatch(/SELF_SIGNED|UNABLE_TO_VERIFY|CERT/)
      const ok: TransportFailure[] = []
      trusting.send(Buffer.from(sipMessage('y')), server.local, { onSendError: (f) => ok.push(f) })
      expect(await waitUntil(() => trusting.connectionCount === 1 && server.connectionCount === 1)).toBe(true)
      expect(ok).toEqual([])
    } finally {
      await Promise.all([server.close(), strict.close(), trusting.close()])
      other.cleanup()
    }
  })

  it('serves the new certificate after a reload, to new connections', async () => {
    const t = await openStreamTransport({ protocol: 'TLS', host: '127.0.0.1', port: 0, user: new RecordingUser(), tls: { cert: cert.cert, key: cert.key } })
    const next = makeTestCertificate('renewed')
    const subjectOfNewConnection = async (): Promise<string> => {
      const s = tls.connect({ host: '127.0.0.1', port: t.local.port, rejectUnauthorized: false })
      await new Promise<void>((ok) => s.once('secureConnect', () => ok()))
      const cn = String(s.getPeerCertificate().subject.CN)
      s.destroy()
      return cn
    }
    try {
      expect(await subjectOfNewConnection()).toBe('localhost')
      t.reloadTls({ cert: next.cert, key: next.key })
      expect(await subjectOfNewConnection()).toBe('renewed')
    } finally {
      await t.close()
      next.cleanup()
    }
  })
})
