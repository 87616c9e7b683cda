import { describe, expect, it } from 'vitest'
import { ManualClock } from '../../lib/clock.js'
import { READ_GRACE_MS, WaitBytes } from './wait-bytes.js'

const msg = (i: number, len = 40): Buffer => Buffer.from(`m${i}:`.padEnd(len, String.fromCharCode(97 + (i % 26))), 'latin1')

describe('WaitBytes', () => {
  it('gives back each message byte for byte, from a Buffer or a latin1 string, until its span and the grace are over', () => {
    const clock = new ManualClock()
    const store = new WaitBytes(clock, 256)
    const bin = Buffer.from([0, 255, 13, 10, 128, 1])
    const a = store.keep(bin, 1_000)
    const b = store.keep('SIP/2.0 200 OK\r\n\r\n\xe9', 1_000)
    expect(store.bytes(a)).toEqual(bin)
    expect(store.bytes(b)!.toString('latin1')).toBe('SIP/2.0 200 OK\r\n\r\n\xe9')
    clock.advance(1_000 + READ_GRACE_MS)
    expect(store.bytes(a)).toEqual(bin)
    expect(store.bytes(-1)).toBeNull()
  })

  it('reuses its chunks in the order they were filled, once every message in one is past its span', () => {
    const clock = new ManualClock()
    const store = new WaitBytes(clock, 128)
    const refs: number[] = []
    // 3 messages of 40 bytes (+2 of length) fill a 128-byte chunk; one message every 10 ms for 32 s spans.
    for (let i = 0; i < 30; i++) {
      refs.push(store.keep(msg(i), 32_000))
      clock.advance(10)
    }
    expect(store.chunks).toBe(10)
    for (let i = 0; i < 30; i++) expect(store.bytes(refs[i]!)).toEqual(msg(i))
    // Past the first chunk's last span (message 2, kept at 20 ms): the next chunk needed is that one, reused.
    clock.advance(32_000 + READ_GRACE_MS + 20 - 300)
    const next = store.keep(msg(30), 32_000)
    expect(store.chunks).toBe(10)
    expect(store.bytes(next)).toEqual(msg(30))
    for (let i = 3; i < 30; i++) expect(store.bytes(refs[i]!)).toEqual(msg(i))
  })

  it('never gives another message for a reference read after its chunk was reused', () => {
    const clock = new ManualClock()
    const store = new WaitBytes(clock, 128)
    const old = [store.keep(msg(0), 5_000), store.keep(msg(1), 5_000), store.keep(msg(2), 5_000)]
    clock.advance(5_000 + READ_GRACE_MS)
    const fresh = [store.keep(msg(3), 5_000), store.keep(msg(4), 5_000), store.keep(msg(5), 5_000), store.keep(msg(6), 5_000)]
    for (const r of old) expect(store.bytes(r)).toBeNull()
    expect(fresh.map((r) => store.bytes(r))).toEqual([msg(3), msg(4), msg(5), msg(6)])
  })

  it('finds a message kept after many thousands of others expired, across id wrap-around', () => {
    const clock = new ManualClock()
    const store = new WaitBytes(clock, 128)
    // 3 per chunk, 30,000 messages: 10,000 chunks, more than the 4,096 ids a reference can name.
    for (let i = 0; i < 30_000; i++) {
      store.keep(msg(i), 1_000)
      clock.advance(1)
    }
    const ref = store.keep(msg(99), 32_000)
    clock.advance(31_999)
    expect(store.bytes(ref)).toEqual(msg(99))
    expect(store.chunks).toBeLessThan(4 + 3_000 / 3 + 2)
  })

  it('grows by a chunk while every chunk holds a message still waiting, and shrinks to a few spares after', () => {
    const clock = new ManualClock()
    const store = new WaitBytes(clock, 128)
    const refs = Array.from({ length: 300 }, (_, i) => store.keep(msg(i), 32_000))
    expect(store.chunks).toBe(100)
    expect(refs.every((r, i) => store.bytes(r)!.equals(msg(i)))).toBe(true)
    clock.advance(32_000 + READ_GRACE_MS)
    store.trim()
    expect(store.chunks).toBeLessThanOrEqual(5)
  })

  it('declines a message larger than a chunk (the caller keeps it itself)', () => {
    const store = new WaitBytes(new ManualClock(), 128)
    expect(store.keep(msg(0, 127), 1_000)).toBe(-1)
    expect(store.bytes(store.keep(msg(0, 126), 1_000))).toEqual(msg(0, 126))
  })
})
