// SDP read/rewrite for media anchoring (RFC 4566 c=/m=, RFC 3264 o= versioning), on top of the sdp-transform library.
import * as sdpTransform from 'sdp-transform'
import type { MediaDescription, SessionDescription } from 'sdp-transform'

export type { MediaDescription, SessionDescription }

/** Result of reading an SDP body: a session or a reason it is unusable (bad bytes are values). */
export type SdpResult = { ok: true; session: SessionDescription } | { ok: false; reason: string }

/** Parses an SDP body; requires v=0, o=, and at least a session- or media-level c= per media (RFC 4566 §5, §5.7). */
export function parseSdp(body: Buffer | string): SdpResult {
  const text = typeof body === 'string' ? body : body.toString('utf8')
  if (!/^v=0\r?\n/.test(text)) return { ok: false, reason: 'SDP must start with v=0' }
  let session: SessionDescription
  try {
    session = sdpTransform.parse(text)
  } catch (cause) {
    return { ok: false, reason: `unparseable SDP: ${(cause as Error).message}` }
  }
  if (session.origin === undefined) return { ok: false, reason: 'SDP has no o= line' }
  const media = session.media ?? []
  session.media = media
  for (const m of media) {
    if (!Number.isInteger(m.port) || m.port < 0 || m.port > 65535) return { ok: false, reason: 'bad m= port' }
    if (session.connection === undefined && m.connection === undefined && m.port !== 0) {
      return { ok: false, reason: 'media without a connection address' }
    }
  }
  return { ok: true, session }
}

/** Serializes a session with CRLF line ends (RFC 4566 §5). */
export function serializeSdp(session: SessionDescription): string {
  return sdpTransform.write(session)
}

/** Connection address for one media (media-level c= overrides session-level, RFC 4566 §5.7). */
export function connectionAddress(session: SessionDescription, mediaIndex: number): { ip: string; version: number } | undefined {
  const m = session.media[mediaIndex]
  const c = m?.connection ?? session.connection
  return c === undefined ? undefined : { ip: c.ip, version: c.version }
}

/** Rewrites every c= (session and media level) and the o= address to our media relay address (anchoring). */
export function rewriteConnection(session: SessionDescription, ip: string): void {
  const version = ip.includes(':') ? 6 : 4
  if (session.connection !== undefined || session.media.every((m) => m.connection === undefined)) {
    session.connection = { version, ip }
  }
  for (const m of session.media) if (m.connection !== undefined) m.connection = { version, ip }
  session.origin.address = ip
  session.origin.ipVer = version
}

/** Media ports in m= order; 0 marks a rejected or disabled stream (RFC 3264 §6). */
export function mediaPorts(session: SessionDescription): number[] {
  return session.media.map((m) => m.port)
}

/** Sets the port of one m= line (and drops a stale a=rtcp port, which would point at the old address). */
export function setMediaPort(session: SessionDescription, mediaIndex: number, port: number): void {
  const m = session.media[mediaIndex]
  if (m === undefined) throw new RangeError(`no media ${mediaIndex}`)
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError(`bad port ${port}`)
  m.port = port
  delete m.rtcp
}

/** Increments o= sess-version, required for every changed offer in a session (RFC 3264 §8). */
export function bumpOriginVersion(session: SessionDescription): void {
  session.origin.sessionVersion = Number(session.origin.sessionVersion) + 1
}

export interface Codec {
  payloadType: number
  /** Encoding name as written in a=rtpmap, or the RFC 3551 static name. */
  name?: string
  clockRate?: number
  channels?: number
  fmtp?: string
}

/** RFC 3551 §6 static payload types a carrier meets without a=rtpmap. */
const STATIC_PT: Record<number, [string, number]> = {
  0: ['PCMU', 8000], 3: ['GSM', 8000], 4: ['G723', 8000], 8: ['PCMA', 8000], 9: ['G722', 8000],
  13: ['CN', 8000], 15: ['G728', 8000], 18: ['G729', 8000], 34: ['H263', 90000],
}

/** Codecs of one media in m= preference order, joined with a=rtpmap and a=fmtp (RFC 4566 §6). */
export function codecs(media: MediaDescription): Codec[] {
  const pts = String(media.payloads ?? '').split(/\s+/).filter((p) => /^\d{1,3}$/.test(p)).map(Number)
  return pts.map((pt) => {
    const c: Codec = { payloadType: pt }
    const map = media.rtp?.find((r) => r.payload === pt)
    const stat = STATIC_PT[pt]
    if (map !== undefined) {
      c.name = map.codec
      if (map.rate !== undefined) c.clockRate = map.rate
      if (map.encoding !== undefined) c.channels = map.encoding
    } else if (stat !== undefined && pt < 96) {
      c.name = stat[0]
      c.clockRate = stat[1]
    }
    const f = media.fmtp?.find((x) => x.payload === pt)
    if (f !== undefined) c.fmtp = f.config
    return c
  })
}

/** Keeps only the given payload types on one media, in the given order of m= (for codec policy). */
export function keepCodecs(media: MediaDescription, payloadTypes: readonly number[]): void {
  const keep = new Set(payloadTypes)
  const pts = String(media.payloads ?? '').split(/\s+/).filter((p) => p.length > 0 && keep.has(Number(p)))
  media.payloads = pts.join(' ')
  media.rtp = (media.rtp ?? []).filter((r) => keep.has(r.payload))
  media.fmtp = (media.fmtp ?? []).filter((f) => keep.has(f.payload))
}

/** The SDP part of a body: the body itself for application/sdp, the first application/sdp part of multipart/mixed (RFC 5621). */
export function extractSdp(contentTypeHeader: string | undefined, body: Buffer): Buffer | undefined {
  if (contentTypeHeader === undefined) return undefined
  const [type = '', ...params] = contentTypeHeader.split(';')
  const mt = type.trim().toLowerCase()
  if (mt === 'application/sdp') return body
  if (mt !== 'multipart/mixed') return undefined
  const bp = params.map((p) => p.trim()).find((p) => p.toLowerCase().startsWith('boundary='))
  if (bp === undefined) return undefined
  const boundary = bp.slice(9).replace(/^"(.*)"$/, '$1')
  const delim = Buffer.from('--' + boundary)
  let pos = body.indexOf(delim)
  while (pos !== -1) {
    const partStart = body.indexOf('\r\n', pos)
    if (partStart === -1) return undefined
    const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delim]), partStart)
    const part = body.subarray(partStart + 2, next === -1 ? body.length : next)
    const sep = part.indexOf('\r\n\r\n')
    if (sep !== -1) {
      const headers = part.subarray(0, sep).toString('latin1').toLowerCase()
      if (/(^|\r\n)content-type:\s*application\/sdp/.test(headers)) return part.subarray(sep + 4)
    } else if (part.length === 0) return undefined
    pos = next === -1 ? -1 : next + 2
  }
  return undefined
}
