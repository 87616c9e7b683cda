// Covers the layer over real loopback TCP beside UDP: the RFC 3261 §18.1.1 move of large requests to TCP with its UDP fallback, §18.2.2 responses on the request's connection or a new one, RFC 5923 alias, and the 400/513 answers for unreadable streams.
import net from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { ManualClock } from '../../lib/clock.js'
import { Metrics } from '../../lib/metrics.js'
import { openStreamTransport, type StreamTransport } from '../../transport/stream.js'
import { TransportSet, type Transport } from '../../transport/types.js'
import { openUdpTransport, type UdpTransport } from '../../transport/udp.js'
import { buildResponse, generateTag } from '../message/build.js'
import { HeaderList } from '../message/header-list.js'
import { SipRequest } from '../message/message.js'
import { TransactionLayer } from './layer.js'
import { RecordingCore, RecordingTu } from './test-support/loop-stack.js'

interface Node {
  layer: TransactionLayer
  core: RecordingCore
  udp: UdpTransport
  tcp: StreamTransport | null
  metrics: Metrics
}

const opened: Transport[] = []
afterEach(async () => {
  await Promise.all(opened.splice(0).map((t) => t.close()))
})

/** A layer with UDP and (unless `tcp` is false) TCP on the same port number, as the core listens. */
async function node(tcp = true): Promise<Node> {
  const core = new RecordingCore()
  const metrics = new Metrics()
  const layer = new TransactionLayer({ clock: new ManualClock(), user: core, metrics })
  for (;;) {
    const udp = await openUdpTransport({ host: '127.0.0.1', port: 0, user: layer })
    opened.push(udp)
    if (!tcp) {
      layer.useTransports(new TransportSet([udp]))
      return { layer, core, udp, tcp: null, metrics }
    }
    try {
      const t = await openStreamTransport({ protocol: 'TCP', host: '127.0.0.1', port: udp.local.port, user: layer, metrics })
      opened.push(t)
      layer.useTransports(new TransportSet([udp, t]))
      return { layer, core, udp, tcp: t, metrics }
    } catch {
      // the TCP port of that number is taken: try another pair
    }
  }
}

function request(method: string, target: string, padding = 0): SipRequest {
  const h = new HeaderList()
  h.append('max-forwards', '70')
  h.append('from', `<sip:switch@127.0.0.1>;tag=${generateTag()}`)
  h.append('to', `<sip:999@${target}>`)
  h.append('call-id', generateTag() + '@test')
  h.append('cseq', `1 ${method}`)
  if (padding > 0) h.append('x-padding', 'p'.repeat(padding))
  return new SipRequest(method, `sip:999@${target}`, h)
}

const until = async (done: () => boolean, ms = 3000): Promise<boolean> => {
  const deadline = Date.now() + ms
  while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5))
  return done()
}

async function rawClient(port: number): Promise<{ socket: net.Socket; data: () => string; closed: () => boolean }> {
  const socket = net.connect({ host: '127.0.0.1', port })
  let data = ''
  let closed = false
  socket.on('data', (d) => { data += d.toString('latin1') })
  socket.on('close', () => { closed = true })
  socket.on('error', () => {})
  await new Promise<void>((ok) => socket.once('connect', () => ok()))
  return { socket, data: () => data, closed: () => closed }
}

const RAW_OPTIONS = (via: string, extra = 'Content-Length: 0\r\n') =>
  `OPTIONS sip:x@127.0.0.1 SIP/2.0\r\nVia: ${via}\r\nMax-Forwards: 70\r\nFrom: <sip:a@127.0.0.1>;tag=f\r\nTo: <sip:x@127.0.0.1>\r\nCall-ID: raw-${generateTag()}\r\nCSeq: 1 OPTIONS\r\n${extra}\r\n`

describe('TransactionLayer over TCP and UDP', () => {
  it('sends a request over 1,300 bytes bound for UDP over TCP, its Via saying so (RFC 3261 §18.1.1)', async () => {
    const a = await node()
    const b = await node()
    b.core.answer = (req, tx) => tx.respond(buildResponse(req, 200, { toTag: 't' }))
    const req = request('OPTIONS', `127.0.0.1:${b.udp.local.port}`, 1500)
    a.layer.addVia(req, a.udp)
    const tu = new RecordingTu()
    const tx = a.layer.sendRequest(req, a.udp, b.udp.local, tu)
    expect(tx.transport).toBe(a.tcp)
    expect(await until(() => tu.responses.length === 1)).toBe(true)
    expect(tu.responses).toEqual([200])
    const got = b.core.requests[0]!
    expect(got.tx.transport).toBe(b.tcp)
    expect(got.req.topVia?.transport).toBe('TCP')
    expect(got.req.topVia?.port).toBe(a.tcp!.local.port)
    expect(a.metrics.get('sip_large_requests_total')?.get('tcp')).toBe(1)
  })

  it('keeps small requests on UDP', async () => {
    const a = await node()
    const b = await node()
    const req = request('OPTIONS', `127.0.0.1:${b.udp.local.port}`)
    a.layer.addVia(req, a.udp)
    expect(a.layer.sendRequest(req, a.udp, b.udp.local, new RecordingTu()).transport).toBe(a.udp)
    expect(await until(() => b.core.requests.length === 1)).toBe(true)
    expect(b.core.requests[0]!.tx.transport).toBe(b.udp)
  })

  it('falls back to UDP when the peer refuses TCP, and sends the next large request over UDP at once', async () => {
    const a = await node()
    const b = await node(false)
    b.core.answer = (req, tx) => tx.respond(buildResponse(req, 200, { toTag: 't' }))
    const tus = [new RecordingTu(), new RecordingTu()]
    for (const tu of tus) {
      const req = request('OPTIONS', `127.0.0.1:${b.udp.local.port}`, 1500)
      a.layer.addVia(req, a.udp)
      a.layer.sendRequest(req, a.udp, b.udp.local, tu)
      expect(await until(() => tu.responses.length === 1)).toBe(true)
    }
    expect(b.core.requests.map((r) => r.req.topVia?.transport)).toEqual(['UDP', 'UDP'])
    expect(a.metrics.get('sip_large_requests_total')?.get('tcp')).toBe(1)
    expect(a.metrics.get('sip_large_requests_total')?.get('udp')).toBe(1)
    expect(a.tcp!.connectionCount).toBe(0)
  })

  it('answers 513 to a request whose body exceeds the limit, and 400 to one without Content-Length', async () => {
    const a = await node()
    const big = await rawClient(a.tcp!.local.port)
    big.socket.write(RAW_OPTIONS('SIP/2.0/TCP 127.0.0.1:9;branch=z9hG4bKbig', 'Content-Type: text/plain\r\nContent-Length: 900000\r\n'))
    expect(await until(() => big.closed())).toBe(true)
    expect(big.data()).toMatch(/^SIP\/2\.0 513 /)
    const nocl = await rawClient(a.tcp!.local.port)
    nocl.socket.write(RAW_OPTIONS('SIP/2.0/TCP 127.0.0.1:9;branch=z9hG4bKnocl', ''))
    expect(await until(() => nocl.closed())).toBe(true)
    expect(nocl.data()).toMatch(/^SIP\/2\.0 400 /)
    expect(a.core.requests).toEqual([])
  })

  it('answers on the request connection, and through a new one to the sent-by port once it closed (RFC 3261 §18.2.2)', async () => {
    const a = await node()
    const listener = net.createServer()
    let reopened = ''
    const accepted: net.Socket[] = []
    listener.on('connection', (s) => {
      accepted.push(s)
      s.on('data', (d) => { reopened += d.toString('latin1') })
    })
    await new Promise<void>((ok) => listener.listen(0, '127.0.0.1', () => ok()))
    const sentBy = (listener.address() as net.AddressInfo).port
    try {
      const c = await rawClient(a.tcp!.local.port)
      c.socket.write(RAW_OPTIONS(`SIP/2.0/TCP 127.0.0.1:${sentBy};branch=z9hG4bKfirst`))
      c.socket.write(RAW_OPTIONS(`SIP/2.0/TCP 127.0.0.1:${sentBy};branch=z9hG4bKsecond`))
      expect(await until(() => a.core.requests.length === 2)).toBe(true)
      const [first, second] = a.core.requests
      first!.tx.respond(buildResponse(first!.req, 200, { toTag: 'x' }))
      expect(await until(() => c.data().includes('200 OK'))).toBe(true)
      c.socket.destroy()
      expect(await until(() => !a.tcp!.hasFlow(second!.tx.remote))).toBe(true)
      second!.tx.respond(buildResponse(second!.req, 200, { toTag: 'y' }))
      expect(await until(() => reopened.includes('z9hG4bKsecond'))).toBe(true)
    } finally {
      for (const s of accepted) s.destroy()
      await new Promise<void>((ok) => listener.close(() => ok()))
    }
  })

  it('sends requests to an RFC 5923 alias over the connection that offered it', async () => {
    const a = await node()
    const c = await rawClient(a.tcp!.local.port)
    c.socket.write(RAW_OPTIONS('SIP/2.0/TCP 127.0.0.1:5999;branch=z9hG4bKalias;alias'))
    expect(await until(() => a.core.requests.length === 1)).toBe(true)
    const back = request('OPTIONS', '127.0.0.1:5999')
    a.layer.addVia(back, a.tcp!)
    a.layer.sendRequest(back, a.tcp!, { address: '127.0.0.1', port: 5999, family: 'IPv4' }, new RecordingTu())
    expect(await until(() => c.data().includes('OPTIONS sip:999@127.0.0.1:5999'))).toBe(true)
    expect(a.tcp!.connectionCount).toBe(1)
    c.socket.destroy()
  })
})
