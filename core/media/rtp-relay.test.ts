// The per-call relay over real UDP on 127.0.0.1: symmetric latching (RFC 4961 §2 symmetric RTP), per-direction counters, hold (RFC 3264 §8.4), and prompt injection with RFC 3550 §5.1 seq/ts/SSRC continuity.
import { createSocket, type Socket } from 'node:dgram'
import { afterEach, describe, expect, it } from 'vitest'
import { ManualClock } from '../lib/clock.js'
import { PortPool } from './port-pool.js'
import { readRtpHeader, writeRtpHeader, type RtpHeader } from './rtp.js'
import { RtpRelay } from './rtp-relay.js'

/** A media endpoint: a bound socket that records every datagram. */
interface Endpoint {
  sock: Socket
  port: number
  got: Buffer[]
}

async function endpoint(): Promise<Endpoint> {
  const sock = createSocket('udp4')
  const got: Buffer[] = []
  sock.on('message', (m) => got.push(m))
  await new Promise<void>((ok) => sock.bind(0, '127.0.0.1', () => ok()))
  return { sock, port: sock.address().port, got }
}

function rtp(h: Partial<RtpHeader>, payload = 160): Buffer {
  const b = Buffer.alloc(12 + payload, 0x55)
  writeRtpHeader(b, { marker: false, payloadType: 0, sequence: 0, timestamp: 0, ssrc: 1, ...h })
  return b
}

async function until(cond: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out')
    await new Promise((ok) => setTimeout(ok, 2))
  }
}

const base = 42000 + 2 * Math.floor(Math.random() * 1000)
const opened: Array<{ close(): void }> = []
afterEach(() => {
  for (const o of opened.splice(0)) o.close()
})

async function setup() {
  const pool = new PortPool(base, base + 19)
  const clock = new ManualClock(1000)
  const relay = RtpRelay.open({ pool, host: '127.0.0.1', clock })!
  await relay.ready
  const caller = await endpoint()
  const callee = await endpoint()
  opened.push(relay, { close: () => caller.sock.close() }, { close: () => callee.sock.close() })
  relay.setPeer('a', { address: '127.0.0.1', port: caller.port })
  relay.setPeer('b', { address: '127.0.0.1', port: callee.port })
  const send = (from: Endpoint, side: 'a' | 'b', b: Buffer) => from.sock.send(b, relay.localPort(side), '127.0.0.1')
  return { pool, clock, relay, caller, callee, send }
}

describe('RtpRelay', () => {
  it('relays RTP both ways and counts packets and bytes per direction', async () => {
    const { relay, caller, callee, send } = await setup()
    for (let i = 0; i < 3; i++) send(caller, 'a', rtp({ sequence: i }))
    for (let i = 0; i < 2; i++) send(callee, 'b', rtp({ sequence: i }, 80))
    await until(() => callee.got.length === 3 && caller.got.length === 2)
    expect(relay.stats()).toMatchObject({ aToB: { packets: 3, bytes: 3 * 172, dropped: 0 }, bToA: { packets: 2, bytes: 2 * 92, dropped: 0 } })
    expect(relay.lastRtpAtMs('a')).toBe(1000)
  })

  it('sends to where the peer\'s packets come from once they arrive (symmetric latching)', async () => {
    const { relay, caller, callee, send } = await setup()
    // The callee's SDP names a port nobody listens on (a NAT rewrote it); its packets come from `callee`.
    relay.setPeer('b', { address: '127.0.0.1', port: 9 })
    expect(relay.target('b')).toEqual({ address: '127.0.0.1', port: 9, latched: false })
    send(callee, 'b', rtp({}))
    await until(() => caller.got.length === 1)
    expect(relay.target('b')).toEqual({ address: '127.0.0.1', port: callee.port, latched: true })
    send(caller, 'a', rtp({}))
    await until(() => callee.got.length === 1)
  })

  it('drops and counts packets towards a side on hold (c=0.0.0.0)', async () => {
    const { relay, caller, send } = await setup()
    relay.setPeer('b', { address: '0.0.0.0', port: 4000 })
    send(caller, 'a', rtp({}))
    await until(() => relay.stats().aToB.dropped === 1)
  })

  it('relays RTCP between the odd ports', async () => {
    const { relay, caller, callee } = await setup()
    const rtcpIn = await endpoint()
    opened.push({ close: () => rtcpIn.sock.close() })
    relay.setPeer('b', { address: '127.0.0.1', port: callee.port, rtcpPort: rtcpIn.port })
    caller.sock.send(Buffer.from([0x80, 200, 0, 1, 0, 0, 0, 1]), relay.localPort('a') + 1, '127.0.0.1')
    await until(() => rtcpIn.got.length === 1)
    expect(relay.stats().rtcpPackets).toBe(1)
  })

  it('frees both port pairs exactly once on close and releases the sockets', async () => {
    const { pool, relay } = await setup()
    expect(pool.inUse).toBe(2)
    const port = relay.localPort('a')
    opened.length = 0
    relay.close()
    relay.close()
    expect(pool.inUse).toBe(0)
    const again = createSocket('udp4')
    await new Promise<void>((ok, fail) => {
      again.once('error', fail)
      again.bind(port, '127.0.0.1', () => ok())
    })
    again.close()
  })

  it('returns null when the pool cannot give two pairs, leaving it as it was', () => {
    const pool = new PortPool(base + 100, base + 102)
    expect(RtpRelay.open({ pool, host: '127.0.0.1', clock: new ManualClock() })).toBeNull()
    expect(pool.inUse).toBe(0)
  })
})

describe('RtpRelay prompt injection', () => {
  it('replaces the callee audio with prompt packets on the caller\'s SSRC, continuing seq and ts, marker on the first', async () => {
    const { relay, clock, caller, callee, send } = await setup()
    for (let i = 0; i < 3; i++) send(callee, 'b', rtp({ sequence: 500 + i, timestamp: 8000 + 160 * i, ssrc: 0xabcd }))
    await until(() => caller.got.length === 3)
    const frames = [Buffer.alloc(160, 1), Buffer.alloc(160, 2), Buffer.alloc(160, 3)]
    clock.advance(20)
    let done = false
    expect(relay.injectTowardsCaller(frames, 8, () => (done = true))).toBe(true)
    expect(relay.injectTowardsCaller(frames, 8)).toBe(false)
    // A callee packet during the prompt is dropped.
    send(callee, 'b', rtp({ sequence: 503, timestamp: 8480, ssrc: 0xabcd }))
    await until(() => relay.stats().bToA.dropped === 1)
    clock.advance(20)
    clock.advance(20)
    expect(done).toBe(true)
    await until(() => caller.got.length === 6)
    const hs = caller.got.slice(3).map(readRtpHeader)
    expect(hs.map((h) => [h.sequence, h.timestamp, h.ssrc, h.payloadType, h.marker])).toEqual([
      [503, 8480, 0xabcd, 8, true],
      [504, 8640, 0xabcd, 8, false],
      [505, 8800, 0xabcd, 8, false],
    ])
    expect(caller.got[4]!.subarray(12)).toEqual(frames[1])
    // After the prompt the callee's own numbering is shifted to follow on.
    clock.advance(20)
    send(callee, 'b', rtp({ sequence: 507, timestamp: 8800, ssrc: 0xabcd }))
    send(callee, 'b', rtp({ sequence: 508, timestamp: 8960, ssrc: 0xabcd }))
    await until(() => caller.got.length === 8)
    expect(caller.got.slice(6).map(readRtpHeader).map((h) => [h.sequence, h.timestamp, h.ssrc])).toEqual([
      [506, 8960, 0xabcd],
      [507, 9120, 0xabcd],
    ])
    expect(relay.stats().promptPackets).toBe(3)
  })

  it('refuses to play while the caller is on hold (nowhere to send)', async () => {
    const { relay } = await setup()
    relay.setPeer('a', { address: '0.0.0.0', port: 4000 })
    expect(relay.canSendTo('a')).toBe(false)
    expect(relay.injectTowardsCaller([Buffer.alloc(160)], 0)).toBe(false)
  })

  it('uses a fresh SSRC when the callee has sent nothing yet', async () => {
    const { relay, clock, caller } = await setup()
    relay.injectTowardsCaller([Buffer.alloc(160), Buffer.alloc(160)], 0)
    clock.advance(20)
    await until(() => caller.got.length === 2)
    const [h1, h2] = caller.got.map(readRtpHeader)
    expect(h2!.ssrc).toBe(h1!.ssrc)
    expect((h1!.sequence + 1) & 0xffff).toBe(h2!.sequence)
    expect((h1!.timestamp + 160) >>> 0).toBe(h2!.timestamp)
  })
})
