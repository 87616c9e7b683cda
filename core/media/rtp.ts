// RTP fixed header read and written in place (RFC 3550 §5.1), so the relay and the prompt player never copy a packet to change it.

/** Size of the fixed RTP header without CSRCs (RFC 3550 §5.1). */
export const RTP_HEADER_BYTES = 12

/** The fixed-header fields of one packet. */
export interface RtpHeader {
  marker: boolean
  payloadType: number
  sequence: number
  timestamp: number
  ssrc: number
}

/** Whether `buf` holds an RTP packet (version 2, room for the header, CSRCs and extension; RFC 3550 §5.1, §5.3.1). */
export function isRtp(buf: Buffer, length = buf.length): boolean {
  if (length < RTP_HEADER_BYTES || buf[0]! >> 6 !== 2) return false
  // RFC 5761 §4: payload types 64-95 (with marker) are RTCP packet types 192-223 when multiplexed.
  const pt = buf[1]! & 0x7f
  if (pt >= 72 && pt <= 76) return false
  return rtpPayloadOffset(buf, length) <= length
}

/** Offset of the payload: 12 + 4 * CC, plus the header extension when X is set (RFC 3550 §5.3.1). */
export function rtpPayloadOffset(buf: Buffer, length = buf.length): number {
  let off = RTP_HEADER_BYTES + 4 * (buf[0]! & 0x0f)
  if ((buf[0]! & 0x10) !== 0) {
    if (off + 4 > length) return length + 1
    off += 4 + 4 * buf.readUInt16BE(off + 2)
  }
  return off
}

/** Reads the fixed header (the caller checked `isRtp`). */
export function readRtpHeader(buf: Buffer): RtpHeader {
  return {
    marker: (buf[1]! & 0x80) !== 0,
    payloadType: buf[1]! & 0x7f,
    sequence: buf.readUInt16BE(2),
    timestamp: buf.readUInt32BE(4),
    ssrc: buf.readUInt32BE(8),
  }
}

/** Writes a 12-byte fixed header (V=2, no padding, extension or CSRC) at the start of `buf`. */
export function writeRtpHeader(buf: Buffer, h: RtpHeader): void {
  buf[0] = 0x80
  buf[1] = (h.marker ? 0x80 : 0) | (h.payloadType & 0x7f)
  buf.writeUInt16BE(h.sequence & 0xffff, 2)
  buf.writeUInt32BE(h.timestamp >>> 0, 4)
  buf.writeUInt32BE(h.ssrc >>> 0, 8)
}

/** Sequence number of a packet in place. */
export function rtpSequence(buf: Buffer): number {
  return buf.readUInt16BE(2)
}

/** Timestamp of a packet in place. */
export function rtpTimestamp(buf: Buffer): number {
  return buf.readUInt32BE(4)
}

/** SSRC of a packet in place. */
export function rtpSsrc(buf: Buffer): number {
  return buf.readUInt32BE(8)
}

/** Payload type of a packet in place. */
export function rtpPayloadType(buf: Buffer): number {
  return buf[1]! & 0x7f
}

/** Rewrites sequence, timestamp and SSRC in place (modulo 2^16 / 2^32). */
export function rewriteRtp(buf: Buffer, sequence: number, timestamp: number, ssrc: number): void {
  buf.writeUInt16BE(sequence & 0xffff, 2)
  buf.writeUInt32BE(timestamp >>> 0, 4)
  buf.writeUInt32BE(ssrc >>> 0, 8)
}
