// Relayed calls end to end in the call layer (loop SIP transport, real RTP sockets on 127.0.0.1): RFC 3264 §5/§6/§8 offers and answers anchored on both legs, RTP both ways, the warning prompt through call.media (RFC 3550 §5.1), no-media hangup, and ports freed exactly once on every ending.
import { createSocket, type Socket } from 'node:dgram'
import { afterEach, describe, expect, it } from 'vitest'
import { ManualClock } from '../lib/clock.js'
import type { MediaEnvironment } from '../media/media-session.js'
import { PortPool } from '../media/port-pool.js'
import { buildPrompt } from '../media/prompt.js'
import { readRtpHeader, writeRtpHeader } from '../media/rtp.js'
import { parseSdp } from '../sip/sdp/sdp.js'
import { CLEAN, callBench, target } from './test-support/call-harness.js'

interface Endpoint { sock: Socket; port: number; got: Buffer[] }
const sockets: Socket[] = []
const benches: Array<{ b2bua: { shutdown(r: 'SystemShutdown'): number } }> = []
afterEach(() => {
  // Calls a test leaves up end here, so their relays close their sockets.
  for (const b of benches.splice(0)) b.b2bua.shutdown('SystemShutdown')
  for (const s of sockets.splice(0)) s.close()
})

async function endpoint(): Promise<Endpoint> {
  const sock = createSocket('udp4')
  const got: Buffer[] = []
  sock.on('message', (m) => got.push(m))
  await new Promise<void>((ok) => sock.bind(0, '127.0.0.1', () => ok()))
  sockets.push(sock)
  return { sock, port: sock.address().port, got }
}

async function until(cond: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out')
    await new Promise((ok) => setTimeout(ok, 2))
  }
}

const sdp = (port: number, pts = '0') => `v=0\r\no=x 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio ${port} RTP/AVP ${pts}\r\n`
const audioPort = (body: Buffer) => {
  const r = parseSdp(body)
  if (!r.ok) throw new Error(r.reason)
  return r.session.media[0]!.port
}
const rtp = (seq: number, ssrc = 7) => {
  const b = Buffer.alloc(172)
  writeRtpHeader(b, { marker: false, payloadType: 0, sequence: seq, timestamp: seq * 160, ssrc })
  return b
}

let nextBase = 48000 + 8 * Math.floor(Math.random() * 200)
async function relayedBench(params: Record<string, unknown> = {}, proxy = true) {
  const clock = new ManualClock(1_700_000_000_000.25)
  const pool = new PortPool(nextBase, nextBase + 7)
  nextBase += 8
  const media: MediaEnvironment = { pool, bindHost: '127.0.0.1', advertisedHost: '127.0.0.1', clock, prompt: buildPrompt(new Int16Array(480).fill(3000), 'test') }
  const s = callBench([target('gw1', '127.0.0.3', { mediaProxy: proxy }), target('gw2', '127.0.0.4', { mediaProxy: proxy })], params, { media, clock })
  benches.push(s)
  const caller = await endpoint()
  const callee = await endpoint()
  const connect = () => {
    const invite = s.caller.invite({ sdp: sdp(caller.port) })
    s.settle()
    const bInvite = s.gw1.last('INVITE')
    const bOk = s.gw1.reply(bInvite, 200, { sdp: sdp(callee.port) })
    s.settle()
    const ok = s.caller.responses('INVITE').find((r) => r.status === 200)!
    s.caller.inDialog('ACK', { req: invite, res: ok, asUac: true })
    s.settle()
    return { invite, bInvite, bOk, ok }
  }
  return { s, pool, caller, callee, connect }
}

describe('relayed call', () => {
  it('anchors both SDPs on our ports, relays RTP both ways, and frees the ports with counters in the CDR', async () => {
    const { s, pool, caller, callee, connect } = await relayedBench()
    const c = connect()
    expect(pool.inUse).toBe(2)
    const toCallee = audioPort(c.bInvite.body)
    const toCaller = audioPort(c.ok.body)
    expect([toCallee, toCaller].every((p) => pool.isAllocated(p))).toBe(true)
    expect(c.bInvite.body.toString()).not.toContain(`${caller.port}`)
    caller.sock.send(rtp(1), toCaller, '127.0.0.1')
    callee.sock.send(rtp(1), toCallee, '127.0.0.1')
    await until(() => callee.got.length === 1 && caller.got.length === 1)
    s.caller.inDialog('BYE', { req: c.invite, res: c.ok, asUac: true })
    s.settle()
    expect(pool.inUse).toBe(0)
    expect(s.observer.ended[0]).toMatchObject({ rtpPacketsFromCaller: 1, rtpBytesFromCaller: 172, rtpPacketsFromCallee: 1, rtpBytesFromCallee: 172 })
    expect(s.leftovers()).toEqual(CLEAN)
  })

  it('passes SDP untouched and opens no relay when neither gateway asks for it', async () => {
    const { s, pool, caller, connect } = await relayedBench({}, false)
    const c = connect()
    expect(pool.inUse).toBe(0)
    expect(audioPort(c.bInvite.body)).toBe(caller.port)
    expect(s.b2bua.calls()[0]!.media).toBeNull()
    s.caller.inDialog('BYE', { req: c.invite, res: c.ok, asUac: true })
    s.settle()
    expect(s.observer.ended[0]).toMatchObject({ rtpPacketsFromCaller: null, rtpPacketsFromCallee: null })
  })

  it('keeps the B-side pair across failover and frees everything when the caller cancels', async () => {
    const { s, pool, caller } = await relayedBench()
    const invite = s.caller.invite({ sdp: sdp(caller.port) })
    s.settle()
    const first = audioPort(s.gw1.last('INVITE').body)
    s.gw1.reply(s.gw1.last('INVITE'), 503)
    s.settle()
    expect(audioPort(s.gw2.last('INVITE').body)).toBe(first)
    expect(pool.inUse).toBe(2)
    s.gw2.reply(s.gw2.last('INVITE'), 180)
    s.settle()
    s.caller.cancel(invite)
    s.settle()
    expect(pool.inUse).toBe(0)
    expect(s.observer.ended[0]!.terminationReason).toBe('CallerCancel')
  })

  it('frees the ports when every gateway rejects', async () => {
    const { s, pool, caller } = await relayedBench()
    s.caller.invite({ sdp: sdp(caller.port) })
    s.settle()
    s.gw1.reply(s.gw1.last('INVITE'), 486)
    s.settle()
    s.gw2.reply(s.gw2.last('INVITE'), 486)
    s.settle()
    expect(s.caller.statuses()).toEqual([100, 486])
    expect(pool.inUse).toBe(0)
  })

  it('rewrites a re-INVITE from the callee with a new address and hold towards the caller', async () => {
    const { s, callee, connect } = await relayedBench()
    const c = connect()
    const hold = sdp(callee.port + 2).replace('c=IN IP4 127.0.0.1', 'c=IN IP4 0.0.0.0') + 'a=sendonly\r\n'
    s.gw1.inDialog('INVITE', { req: c.bInvite, res: c.bOk, asUac: false }, { sdp: hold })
    s.settle()
    const relayed = s.caller.last('INVITE')
    expect(relayed.body.toString()).toContain('c=IN IP4 0.0.0.0')
    expect(audioPort(relayed.body)).toBe(audioPort(c.ok.body))
    expect(s.b2bua.calls()[0]!.callMedia.anchor!.session.relay.target('b').port).toBe(0)
  })
})

describe('relayed call offer/answer variants', () => {
  it('anchors a late offer: the callee\'s offer in the 200 and the caller\'s answer in the ACK, whose codec the prompt then uses', async () => {
    const { s, caller, callee } = await relayedBench()
    const invite = s.caller.invite({ sdp: null })
    s.settle()
    const bInvite = s.gw1.last('INVITE')
    expect(bInvite.body.length).toBe(0)
    s.gw1.reply(bInvite, 200, { sdp: sdp(callee.port, '0 8') })
    s.settle()
    const ok = s.caller.responses('INVITE').find((r) => r.status === 200)!
    const call = s.b2bua.calls()[0]!
    expect(audioPort(ok.body)).toBe(call.callMedia.anchor!.session.localPort('a'))
    s.caller.inDialog('ACK', { req: invite, res: ok, asUac: true }, { sdp: sdp(caller.port, '8') })
    s.settle()
    const bAck = s.gw1.last('ACK')
    expect(audioPort(bAck.body)).toBe(call.callMedia.anchor!.session.localPort('b'))
    expect(call.callMedia.anchor!.session.relay.target('a').port).toBe(caller.port)
    expect(call.media!.playPrompt()).toBe(true)
    await until(() => caller.got.length === 1)
    expect(readRtpHeader(caller.got[0]!).payloadType).toBe(8)
  })

  it('relays early media from a 183 with SDP before the answer', async () => {
    const { s, caller, callee } = await relayedBench()
    s.caller.invite({ sdp: sdp(caller.port) })
    s.settle()
    const bInvite = s.gw1.last('INVITE')
    s.gw1.reply(bInvite, 183, { sdp: sdp(callee.port) })
    s.settle()
    const early = s.caller.responses('INVITE').find((r) => r.status === 183)!
    callee.sock.send(rtp(1), audioPort(bInvite.body), '127.0.0.1')
    await until(() => caller.got.length === 1)
    expect(audioPort(early.body)).not.toBe(callee.port)
  })

  it('anchors an UPDATE offer from the caller and its answer', async () => {
    const { s, caller, callee, connect } = await relayedBench()
    const c = connect()
    s.caller.inDialog('UPDATE', { req: c.invite, res: c.ok, asUac: true }, { sdp: sdp(caller.port + 2) })
    s.settle()
    const up = s.gw1.last('UPDATE')
    expect(audioPort(up.body)).toBe(audioPort(c.bInvite.body))
    s.gw1.reply(up, 200, { sdp: sdp(callee.port + 2) })
    s.settle()
    const res = s.caller.responses('UPDATE').find((r) => r.status === 200)!
    expect(audioPort(res.body)).toBe(audioPort(c.ok.body))
    const relay = s.b2bua.calls()[0]!.callMedia.anchor!.session.relay
    expect([relay.target('a').port, relay.target('b').port]).toEqual([caller.port + 2, callee.port + 2])
  })
})

describe('relayed call media control', () => {
  it('plays the warning prompt to the caller in its law on call.media and records it', async () => {
    const { s, caller, connect } = await relayedBench()
    const c = connect()
    const call = s.b2bua.calls()[0]!
    expect(call.media!.playPrompt()).toBe(true)
    s.clock.advance(60)
    await until(() => caller.got.length === 3)
    const hs = caller.got.map(readRtpHeader)
    expect(hs.map((h) => h.payloadType)).toEqual([0, 0, 0])
    expect(hs[0]!.marker).toBe(true)
    expect(hs[1]!.sequence).toBe((hs[0]!.sequence + 1) & 0xffff)
    s.caller.inDialog('BYE', { req: c.invite, res: c.ok, asUac: true })
    s.settle()
    expect(s.observer.ended[0]!.notes.join()).toMatch(/3 prompt packets sent/)
  })

  it('plays the prompt through the relay when the remind timer fires at cap - SS_CALLREMINTIME, then ends at the cap', async () => {
    const { s, caller, connect } = await relayedBench({ SS_CALLREMINTIME: 10 })
    s.controller.maxCallDurationSec = 60
    connect()
    s.clock.advance(49_999)
    await new Promise((ok) => setTimeout(ok, 20))
    expect(caller.got).toHaveLength(0)
    s.clock.advance(61)
    await until(() => caller.got.length >= 3)
    expect(readRtpHeader(caller.got[0]!).marker).toBe(true)
    s.clock.advance(10_000)
    expect(s.observer.ended[0]).toMatchObject({ terminationReason: 'MaxCallDurationExceeded', durationSec: 60, warningPlayed: true })
  })

  it('records the warning as skipped when the caller negotiated no G.711 law the prompt could use', async () => {
    const { s, caller, callee } = await relayedBench({ SS_CALLREMINTIME: 10 })
    s.controller.maxCallDurationSec = 30
    const invite = s.caller.invite({ sdp: sdp(caller.port, '18') })
    s.settle()
    s.gw1.reply(s.gw1.last('INVITE'), 200, { sdp: sdp(callee.port, '18') })
    s.settle()
    const ok = s.caller.responses('INVITE').find((r) => r.status === 200)!
    s.caller.inDialog('ACK', { req: invite, res: ok, asUac: true })
    s.settle()
    s.clock.advance(30_000)
    expect(s.observer.ended[0]!.warningPlayed).toBe(false)
    expect(s.observer.ended[0]!.notes).toContain('warning prompt skipped: the media relay could not play it')
  })

  it('hangs up with NoMediaHangup when no RTP arrives for SS_NOMEDIAHANGUP, BYE on both legs', async () => {
    const { s, pool, connect } = await relayedBench({ SS_NOMEDIAHANGUP: 3 })
    connect()
    s.clock.advance(2999)
    expect(s.gw1.requests('BYE')).toHaveLength(0)
    s.clock.advance(1)
    expect(s.gw1.requests('BYE')).toHaveLength(1)
    expect(s.caller.requests('BYE')).toHaveLength(1)
    expect(s.observer.ended[0]).toMatchObject({ terminationReason: 'NoMediaHangup', endedBy: 'switch' })
    expect(pool.inUse).toBe(0)
  })

  it('keeps the call while RTP flows from both sides', async () => {
    const { s, caller, callee, connect } = await relayedBench({ SS_NOMEDIAHANGUP: 2 })
    const c = connect()
    for (let i = 0; i < 5; i++) {
      const before = s.b2bua.calls()[0]!.media
      expect(before).not.toBeNull()
      caller.sock.send(rtp(i), audioPort(c.ok.body), '127.0.0.1')
      callee.sock.send(rtp(i), audioPort(c.bInvite.body), '127.0.0.1')
      await until(() => callee.got.length === i + 1 && caller.got.length === i + 1)
      s.clock.advance(1000)
    }
    expect(s.gw1.requests('BYE')).toHaveLength(0)
    expect(s.b2bua.activeCalls).toBe(1)
  })
})
