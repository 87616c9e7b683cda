// SDP anchoring through the relay: RFC 3264 §5/§6 offer and answer rewritten to our c=/m= (and RFC 3605 a=rtcp), §8.4 hold passed through, §6 rejected streams kept at port 0, and the answer's codec as the caller's law.
import { afterEach, describe, expect, it } from 'vitest'
import { ManualClock } from '../lib/clock.js'
import { PortPool } from '../media/port-pool.js'
import { parseSdp } from '../sip/sdp/sdp.js'
import { firstSendAddress, isPrivateAddress, MediaAnchor, mediaProxyApplies } from './media-anchor.js'

const base = 46000 + 4 * Math.floor(Math.random() * 500)
const anchors: MediaAnchor[] = []
afterEach(() => {
  for (const a of anchors.splice(0)) a.session.close()
})

function open(sdpIpFirst = false): MediaAnchor {
  const pool = new PortPool(base + 4 * anchors.length, base + 4 * anchors.length + 3)
  const a = MediaAnchor.open({ pool, bindHost: '127.0.0.1', advertisedHost: '198.51.100.7', clock: new ManualClock(), prompt: null }, sdpIpFirst)!
  anchors.push(a)
  return a
}

const sdp = (lines: string[]) => Buffer.from(['v=0', 'o=- 42 7 IN IP4 203.0.113.10', 's=-', ...lines, ''].join('\r\n'))
const CT = 'application/sdp'
const OFFER = sdp(['c=IN IP4 203.0.113.10', 't=0 0', 'm=audio 40000 RTP/AVP 8 0 101', 'a=rtpmap:101 telephone-event/8000', 'a=rtcp:40001', 'm=video 40002 RTP/AVP 31'])

describe('MediaAnchor.relaySdp', () => {
  it('rewrites the offer to our B-side address and port, keeping the video stream on the caller\'s address', () => {
    const a = open()
    const out = a.relaySdp('a', 'offer', OFFER, CT).toString()
    const p = parseSdp(out)
    if (!p.ok) throw new Error(p.reason)
    const port = a.session.localPort('b')
    expect(p.session.connection?.ip).toBe('198.51.100.7')
    expect(p.session.origin).toMatchObject({ address: '198.51.100.7', sessionVersion: 7 })
    expect(p.session.media[0]).toMatchObject({ port, rtcp: { port: port + 1 } })
    expect(p.session.media[1]).toMatchObject({ port: 40002, connection: { ip: '203.0.113.10' } })
    expect(a.session.relay.target('a')).toEqual({ address: '203.0.113.10', port: 40000, latched: false })
  })

  it('rewrites the answer to our A-side port and takes its first audio codec as the caller\'s law', () => {
    const a = open()
    a.relaySdp('a', 'offer', OFFER, CT)
    const out = a.relaySdp('b', 'answer', sdp(['c=IN IP4 192.0.2.9', 't=0 0', 'm=audio 30000 RTP/AVP 0 101', 'a=rtpmap:101 telephone-event/8000']), CT).toString()
    expect(out).toContain(`m=audio ${a.session.localPort('a')} RTP/AVP 0 101`)
    expect(out).not.toContain('192.0.2.9')
    expect(a.session.callerCodec).toEqual({ payloadType: 0, law: 'PCMU' })
    expect(a.session.relay.target('b')).toMatchObject({ address: '192.0.2.9', port: 30000 })
  })

  it('marks a non-G.711 answer so the prompt is skipped', () => {
    const a = open()
    a.relaySdp('b', 'answer', sdp(['c=IN IP4 192.0.2.9', 't=0 0', 'm=audio 30000 RTP/AVP 18']), CT)
    expect(a.session.callerCodec).toEqual({ payloadType: 18, law: null })
  })

  it('passes hold (c=0.0.0.0, a=sendonly) through and stops sending to that side', () => {
    const a = open()
    const out = a.relaySdp('b', 'offer', sdp(['c=IN IP4 0.0.0.0', 't=0 0', 'm=audio 30000 RTP/AVP 0', 'a=sendonly']), CT).toString()
    expect(out).toContain('c=IN IP4 0.0.0.0')
    expect(out).toContain('a=sendonly')
    expect(out).toContain(`m=audio ${a.session.localPort('a')} `)
    expect(a.session.relay.target('b').port).toBe(0)
  })

  it('keeps a rejected audio stream at port 0 and leaves non-SDP bodies alone', () => {
    const a = open()
    const rejected = sdp(['c=IN IP4 192.0.2.9', 't=0 0', 'm=audio 0 RTP/AVP 0'])
    expect(a.relaySdp('b', 'answer', rejected, CT)).toBe(rejected)
    const text = Buffer.from('hello')
    expect(a.relaySdp('a', 'offer', text, 'text/plain')).toBe(text)
    expect(a.relaySdp('a', 'offer', Buffer.from('v=1 garbage'), CT).toString()).toBe('v=1 garbage')
  })
})

describe('media proxy rule and NAT first address', () => {
  it('relays when either gateway asks for it', () => {
    expect([mediaProxyApplies(false, false), mediaProxyApplies(true, false), mediaProxyApplies(false, true)]).toEqual([false, true, true])
  })

  it('sends to the signalling source first when the SDP address is private and the option is off', () => {
    expect(isPrivateAddress('10.1.2.3') && isPrivateAddress('192.168.0.1') && isPrivateAddress('100.64.0.1')).toBe(true)
    expect(isPrivateAddress('203.0.113.5')).toBe(false)
    expect(firstSendAddress('192.168.1.5', '203.0.113.5', false)).toBe('203.0.113.5')
    expect(firstSendAddress('192.168.1.5', '203.0.113.5', true)).toBe('192.168.1.5')
    expect(firstSendAddress('198.51.100.1', '203.0.113.5', false)).toBe('198.51.100.1')
  })
})
