// RTP fixed header (RFC 3550 §5.1), CSRC list and header extension length (§5.3.1), RTCP-mux payload types (RFC 5761 §4).
import { describe, expect, it } from 'vitest'
import { isRtp, readRtpHeader, rewriteRtp, rtpPayloadOffset, writeRtpHeader } from './rtp.js'

describe('RTP header', () => {
  it('writes and reads back V=2, marker, payload type, sequence, timestamp and SSRC', () => {
    const buf = Buffer.alloc(172)
    writeRtpHeader(buf, { marker: true, payloadType: 8, sequence: 65535, timestamp: 0xfffffff0, ssrc: 0xdeadbeef })
    expect(buf[0]).toBe(0x80)
    expect(isRtp(buf)).toBe(true)
    expect(readRtpHeader(buf)).toEqual({ marker: true, payloadType: 8, sequence: 65535, timestamp: 0xfffffff0, ssrc: 0xdeadbeef })
  })

  it('wraps sequence and timestamp when rewritten in place', () => {
    const buf = Buffer.alloc(20)
    writeRtpHeader(buf, { marker: false, payloadType: 0, sequence: 1, timestamp: 1, ssrc: 7 })
    rewriteRtp(buf, 65536 + 5, 0x100000000 + 9, 7)
    expect(readRtpHeader(buf)).toMatchObject({ sequence: 5, timestamp: 9, ssrc: 7 })
  })

  it('finds the payload after CSRCs and a header extension', () => {
    const buf = Buffer.alloc(40)
    buf[0] = 0x80 | 0x10 | 2
    buf.writeUInt16BE(1, 12 + 8 + 2)
    expect(rtpPayloadOffset(buf)).toBe(12 + 8 + 4 + 4)
  })

  it('refuses short packets, version 1 and multiplexed RTCP', () => {
    expect(isRtp(Buffer.alloc(11, 0x80))).toBe(false)
    const v1 = Buffer.alloc(12)
    v1[0] = 0x40
    expect(isRtp(v1)).toBe(false)
    const rtcp = Buffer.alloc(12)
    rtcp[0] = 0x80
    rtcp[1] = 200
    expect(isRtp(rtcp)).toBe(false)
  })
})
