// Covers SIP stream framing (RFC 3261 §18.3): Content-Length cuts messages at any chunk split, CRLF pings between them, and the head/body limits end the stream.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { contentLengthOf, StreamFramer, type FramingError } from './stream-framer.js'

function sip(body: string, extra = ''): string {
  return `MESSAGE sip:b@x SIP/2.0\r\nVia: SIP/2.0/TCP a;branch=z9hG4bK1\r\n${extra}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
}

function framer(limits?: { maxHeadBytes: number; maxBodyBytes: number }) {
  const got: string[] = []
  const errors: Array<{ kind: FramingError; head: string | undefined }> = []
  let pings = 0
  const f = new StreamFramer({
    message: (b) => got.push(b.toString('latin1')),
    ping: () => pings++,
    error: (kind, head) => errors.push({ kind, head: head?.toString('latin1') }),
  }, limits)
  return { f, got, errors, pings: () => pings }
}

describe('StreamFramer', () => {
  it('cuts back-to-back messages out of one chunk by Content-Length', () => {
    const { f, got } = framer()
    const a = sip('hello')
    const b = sip('')
    f.push(Buffer.from(a + b + a))
    expect(got).toEqual([a, b, a])
    expect(f.pending).toBe(0)
  })

  it('yields the same messages whatever the chunk boundaries', () => {
    const stream = sip('v=0\r\n') + '\r\n\r\n' + sip('') + sip('x'.repeat(300))
    const expected = [sip('v=0\r\n'), sip(''), sip('x'.repeat(300))]
    fc.assert(fc.property(fc.array(fc.integer({ min: 1, max: stream.length - 1 }), { maxLength: 12 }), (cuts) => {
      const points = [...new Set(cuts)].sort((x, y) => x - y)
      const { f, got, pings } = framer()
      let prev = 0
      for (const p of [...points, stream.length]) {
        f.push(Buffer.from(stream.slice(prev, p), 'latin1'))
        prev = p
      }
      expect(got).toEqual(expected)
      expect(pings()).toBe(1)
      expect(f.pending).toBe(0)
    }))
  })

  it('counts each CRLFCRLF between messages as one ping, even split across chunks', () => {
    const { f, got, pings } = framer()
    f.push(Buffer.from('\r\n'))
    f.push(Buffer.from('\r\n'))
    f.push(Buffer.from('\r\n\r\n' + sip('a')))
    expect(pings()).toBe(2)
    expect(got).toEqual([sip('a')])
  })

  it('reads the compact form l and tolerates bare-LF heads', () => {
    const { f, got } = framer()
    const bare = 'OPTIONS sip:x SIP/2.0\nl: 2\n\nok'
    f.push(Buffer.from(bare))
    expect(got).toEqual([bare])
  })

  it('reports a head without Content-Length with the head, then ignores the rest', () => {
    const { f, got, errors } = framer()
    f.push(Buffer.from('OPTIONS sip:x SIP/2.0\r\nVia: SIP/2.0/TCP h\r\n\r\n' + sip('later')))
    expect(got).toEqual([])
    expect(errors).toEqual([{ kind: 'no-content-length', head: 'OPTIONS sip:x SIP/2.0\r\nVia: SIP/2.0/TCP h\r\n\r\n' }])
    f.push(Buffer.from(sip('more')))
    expect(got).toEqual([])
    expect(f.broken).toBe(true)
  })

  it('refuses a body larger than the limit before reading it', () => {
    const { f, errors } = framer({ maxHeadBytes: 1024, maxBodyBytes: 100 })
    f.push(Buffer.from(sip('y'.repeat(101)).slice(0, 120)))
    expect(errors.map((e) => e.kind)).toEqual(['body-too-large'])
    expect(errors[0]!.head).toContain('Content-Length: 101')
  })

  it('gives up on a head that never ends within the limit, holding no more than that', () => {
    const { f, errors } = framer({ maxHeadBytes: 256, maxBodyBytes: 100 })
    f.push(Buffer.from('INVITE sip:x SIP/2.0\r\n'))
    for (let i = 0; i < 20 && errors.length === 0; i++) f.push(Buffer.from('X-Slow: ' + 'a'.repeat(20) + '\r\n'))
    expect(errors.map((e) => e.kind)).toEqual(['head-too-large'])
    expect(f.pending).toBe(0)
  })

  it('reads conflicting or malformed Content-Length values as none', () => {
    expect(contentLengthOf(Buffer.from('A\r\nContent-Length: 5\r\nl: 5\r\n\r\n'))).toBe(5)
    expect(contentLengthOf(Buffer.from('A\r\nContent-Length: 5\r\nl: 6\r\n\r\n'))).toBeUndefined()
    expect(contentLengthOf(Buffer.from('A\r\nContent-Length: -1\r\n\r\n'))).toBeUndefined()
    expect(contentLengthOf(Buffer.from('A\r\ncontent-length :  12 \r\n\r\n'))).toBe(12)
    expect(contentLengthOf(Buffer.from('A\r\nX-Content-Length: 3\r\n\r\n'))).toBeUndefined()
  })
})
