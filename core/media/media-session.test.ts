// A relayed call's media session: the no-media watch (SS_NOMEDIAHANGUP either/both) on the manual clock, and when the warning prompt can play (RFC 3551 §4.5.14 PCMU/PCMA only).
import { createSocket } from 'node:dgram'
import { afterEach, describe, expect, it } from 'vitest'
import { ManualClock } from '../lib/clock.js'
import { MediaSession } from './media-session.js'
import { PortPool } from './port-pool.js'
import { buildPrompt } from './prompt.js'
import { writeRtpHeader } from './rtp.js'

const base = 44000 + 2 * Math.floor(Math.random() * 1000)
const sessions: MediaSession[] = []
afterEach(() => {
  for (const s of sessions.splice(0)) s.close()
})

let nextBase = base
async function open(prompt = true) {
  const clock = new ManualClock(0)
  const pool = new PortPool(nextBase, nextBase + 3)
  nextBase += 4
  const s = MediaSession.open({ pool, bindHost: '127.0.0.1', advertisedHost: '127.0.0.1', clock, prompt: prompt ? buildPrompt(new Int16Array(320), 't') : null })!
  sessions.push(s)
  await s.relay.ready
  return { clock, pool, s }
}

/** Sends one RTP packet into `side` of the relay and waits until it is counted. */
async function packetFrom(s: MediaSession, side: 'a' | 'b'): Promise<void> {
  const sock = createSocket('udp4')
  const b = Buffer.alloc(172)
  writeRtpHeader(b, { marker: false, payloadType: 0, sequence: 1, timestamp: 1, ssrc: 1 })
  const before = s.stats()[side === 'a' ? 'aToB' : 'bToA'].packets
  await new Promise<void>((ok) => sock.send(b, s.localPort(side), '127.0.0.1', () => ok()))
  const end = Date.now() + 2000
  while (s.stats()[side === 'a' ? 'aToB' : 'bToA'].packets === before && Date.now() < end) await new Promise((ok) => setTimeout(ok, 2))
  sock.close()
}

describe('MediaSession no-media watch', () => {
  it('fires once after the limit with no RTP at all', async () => {
    const { clock, s } = await open()
    let fired = 0
    s.watchInactivity(5, 'both', () => fired++)
    clock.advance(4999)
    expect(fired).toBe(0)
    clock.advance(1)
    clock.advance(10_000)
    expect(fired).toBe(1)
  })

  it("'both' waits while one side still sends; 'either' fires on the silent side", async () => {
    const both = await open()
    const either = await open()
    let firedBoth = 0
    let firedEither = 0
    both.s.watchInactivity(5, 'both', () => firedBoth++)
    either.s.watchInactivity(5, 'either', () => firedEither++)
    for (let t = 0; t < 4; t++) {
      both.clock.advance(2000)
      either.clock.advance(2000)
      await packetFrom(both.s, 'a')
      await packetFrom(either.s, 'a')
    }
    expect(firedBoth).toBe(0)
    expect(firedEither).toBe(1)
    both.clock.advance(5000)
    expect(firedBoth).toBe(1)
  })

  it('is never armed with a limit of 0', async () => {
    const { clock, s } = await open()
    s.watchInactivity(0, 'either', () => expect.fail('fired'))
    expect(clock.pending).toBe(0)
  })
})

describe('MediaSession.playPrompt', () => {
  it('plays only in PCMU/PCMA, to a caller with an address, and records that it played', async () => {
    const { s } = await open()
    s.relay.setPeer('a', { address: '127.0.0.1', port: 9 })
    expect(s.playPrompt()).toBe(false)
    s.callerCodec = { payloadType: 18, law: null }
    expect(s.playPrompt()).toBe(false)
    s.callerCodec = { payloadType: 8, law: 'PCMA' }
    expect(s.playPrompt()).toBe(true)
    expect(s.warningPlayed).toBe(true)
  })

  it('refuses without a prompt and after close, which frees the ports once', async () => {
    const { s, pool } = await open(false)
    s.callerCodec = { payloadType: 0, law: 'PCMU' }
    expect(s.playPrompt()).toBe(false)
    s.close()
    s.close()
    expect(pool.inUse).toBe(0)
  })
})
