// SDP handling for media anchoring: RFC 4566 §5.7 (c=), §5.14 (m=), §6 (rtpmap/fmtp), RFC 3264 §8 (o= version), RFC 5621 (multipart).
import { describe, expect, it } from 'vitest'
import { bumpOriginVersion, codecs, connectionAddress, extractSdp, keepCodecs, mediaPorts, parseSdp, rewriteConnection, serializeSdp, setMediaPort } from './sdp.js'

const OFFER = [
  'v=0', 'o=- 100 1 IN IP4 203.0.113.10', 's=-', 'c=IN IP4 203.0.113.10', 't=0 0',
  'm=audio 40000 RTP/AVP 0 8 18 101', 'a=rtpmap:101 telephone-event/8000', 'a=fmtp:101 0-16', 'a=fmtp:18 annexb=no',
  'm=video 40002 RTP/AVP 31', 'c=IN IP4 203.0.113.11', 'a=rtcp:40005', '',
].join('\r\n')

function session() {
  const r = parseSdp(OFFER)
  if (!r.ok) throw new Error(r.reason)
  return r.session
}

describe('parseSdp', () => {
  it('parses session and media connection addresses, media-level overriding', () => {
    const s = session()
    expect(connectionAddress(s, 0)).toEqual({ ip: '203.0.113.10', version: 4 })
    expect(connectionAddress(s, 1)).toEqual({ ip: '203.0.113.11', version: 4 })
    expect(mediaPorts(s)).toEqual([40000, 40002])
  })

  it('rejects a body that does not start with v=0', () => {
    expect(parseSdp('hello').ok).toBe(false)
  })

  it('rejects media without any connection address', () => {
    expect(parseSdp('v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n').ok).toBe(false)
  })

  it('never throws on garbage', () => {
    for (const g of ['v=0\r\n', 'v=0\r\nm=audio x\r\n', 'v=0\r\no=\r\nc=IN\r\n', '\u0000v=0']) expect(() => parseSdp(g)).not.toThrow()
  })
})

describe('media anchoring rewrite', () => {
  it('rewrites every c= and o= address to the relay and sets media ports', () => {
    const s = session()
    rewriteConnection(s, '198.51.100.5')
    setMediaPort(s, 0, 20000)
    setMediaPort(s, 1, 20002)
    const out = serializeSdp(s)
    expect(out).toContain('c=IN IP4 198.51.100.5')
    expect(out).not.toContain('203.0.113.1')
    expect(out).toContain('m=audio 20000 RTP/AVP 0 8 18 101')
    expect(out).not.toContain('a=rtcp:40005')
    const again = parseSdp(out)
    expect(again.ok && mediaPorts(again.session)).toEqual([20000, 20002])
  })

  it('uses IP6 for an IPv6 relay address', () => {
    const s = session()
    rewriteConnection(s, '2001:db8::5')
    expect(serializeSdp(s)).toContain('c=IN IP6 2001:db8::5')
  })

  it('increments the o= session version for a changed offer', () => {
    const s = session()
    bumpOriginVersion(s)
    expect(serializeSdp(s)).toContain('o=- 100 2 IN IP4')
  })
})

describe('codecs', () => {
  it('lists payload types in m= order with static names, rtpmap and fmtp', () => {
    const s = session()
    expect(codecs(s.media[0]!)).toEqual([
      { payloadType: 0, name: 'PCMU', clockRate: 8000 },
      { payloadType: 8, name: 'PCMA', clockRate: 8000 },
      { payloadType: 18, name: 'G729', clockRate: 8000, fmtp: 'annexb=no' },
      { payloadType: 101, name: 'telephone-event', clockRate: 8000, fmtp: '0-16' },
    ])
  })

  it('keeps only allowed payload types with their attributes', () => {
    const s = session()
    keepCodecs(s.media[0]!, [8, 101])
    const out = serializeSdp(s)
    expect(out).toContain('m=audio 40000 RTP/AVP 8 101')
    expect(out).not.toContain('annexb')
  })
})

describe('extractSdp', () => {
  it('returns the body for application/sdp and the sdp part of multipart/mixed', () => {
    const body = Buffer.from('v=0\r\n')
    expect(extractSdp('application/sdp', body)).toBe(body)
    const mp = Buffer.from('--b1\r\nContent-Type: text/plain\r\n\r\nhi\r\n--b1\r\nContent-Type: application/sdp\r\n\r\nv=0\r\n\r\n--b1--\r\n')
    expect(extractSdp('multipart/mixed;boundary=b1', mp)?.toString()).toBe('v=0\r\n')
    expect(extractSdp('text/plain', body)).toBeUndefined()
  })
})

describe('codecs with a single payload type', () => {
  it('reads m=audio ... 18 (sdp-transform parses a lone payload as a number)', () => {
    const r = parseSdp('v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 18\r\n')
    if (!r.ok) throw new Error(r.reason)
    expect(codecs(r.session.media[0]!)).toEqual([{ payloadType: 18, name: 'G729', clockRate: 8000 }])
  })
})
