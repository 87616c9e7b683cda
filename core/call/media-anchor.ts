// Media anchoring for a relayed call (RFC 3264 offer/answer): which calls are relayed, the SDP each side gets rewritten to our relay ports, each side's SDP address as the relay's first send target, and the caller's negotiated G.711 law for the warning prompt.
import { isIP } from 'node:net'
import type { G711Law } from '../media/g711.js'
import { MediaSession, type MediaEnvironment, type NoMediaMode } from '../media/media-session.js'
import type { MediaPeer, MediaSide } from '../media/rtp-relay.js'
import { codecs, parseSdp, serializeSdp, setMediaPort, type SessionDescription } from '../sip/sdp/sdp.js'
import type { CallFacts } from './cdr-facts.js'

/** Which SDP of an exchange this is (RFC 3264 §5, §6): the answer decides the codec the caller receives. */
export type SdpRole = 'offer' | 'answer'

/** Whether a call attempt is relayed: the mapping (customer) gateway OR the routing (vendor) gateway asks for it. */
export function mediaProxyApplies(mappingGatewayProxy: boolean, routingGatewayProxy: boolean): boolean {
  return mappingGatewayProxy || routingGatewayProxy
}

/** RFC 1918, RFC 6598 shared, link-local and IPv6 unique-local addresses: the ones a NAT hides. */
export function isPrivateAddress(ip: string): boolean {
  if (isIP(ip) === 6) return /^f[cd]/i.test(ip) || /^fe[89ab]/i.test(ip)
  const p = ip.split('.').map(Number)
  const [a = 0, b = 0] = p
  return a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127) || (a === 169 && b === 254)
}

/**
 * The address the relay sends to before the peer's first packet latches it (SS_NAT_MEDIA_SDP_IP_FIRST):
 * true = the SDP c= address always; false = the signalling source when the SDP address is private and the source
 * is not (the peer is behind a NAT that did not fix its SDP), else the SDP address. Latching applies either way.
 */
export function firstSendAddress(sdpIp: string, signallingIp: string | undefined, sdpIpFirst: boolean): string {
  if (sdpIpFirst || signallingIp === undefined) return sdpIp
  return isPrivateAddress(sdpIp) && !isPrivateAddress(signallingIp) ? signallingIp : sdpIp
}

/** G.711 law of an RTP payload type by name or RFC 3551 static number, else null. */
function lawOf(name: string | undefined, pt: number): G711Law | null {
  const n = name?.toUpperCase()
  if (n === 'PCMU' || (n === undefined && pt === 0)) return 'PCMU'
  if (n === 'PCMA' || (n === undefined && pt === 8)) return 'PCMA'
  return null
}

/** Codecs that never carry the call's audio (RFC 4733 events, RFC 3389 comfort noise). */
const NOT_AUDIO = new Set(['TELEPHONE-EVENT', 'CN'])

/** One relayed call: the media session plus the SDP rewrites through it. */
export class MediaAnchor {
  readonly session: MediaSession
  private readonly advertisedHost: string
  private readonly sdpIpFirst: boolean
  /** Signalling source per side (caller: the INVITE source; callee: the gateway's address). */
  private readonly signalling: Record<MediaSide, string | undefined> = { a: undefined, b: undefined }

  private constructor(session: MediaSession, advertisedHost: string, sdpIpFirst: boolean) {
    this.session = session
    this.advertisedHost = advertisedHost
    this.sdpIpFirst = sdpIpFirst
  }

  /** Opens the relay; null when the port range is exhausted (the call then goes unrelayed and says so in its CDR). */
  static open(env: MediaEnvironment, sdpIpFirst: boolean): MediaAnchor | null {
    const s = MediaSession.open(env)
    return s === null ? null : new MediaAnchor(s, env.advertisedHost, sdpIpFirst)
  }

  /** Records where a side signals from (for the NAT rule of `firstSendAddress`). */
  setSignallingSource(side: MediaSide, ip: string): void {
    this.signalling[side] = ip
  }

  /** A new attempt on the callee side: forget the previous gateway's address until its SDP comes. */
  resetCallee(): void {
    this.session.relay.setPeer('b', null)
    this.signalling.b = undefined
  }

  /**
   * SDP from `from`'s peer on its way to the other side: the relay sends to the address it names (RFC 3264 §5/§6),
   * and the body is rewritten so the other side sends to our socket pair facing it. A body that is not SDP, does not
   * parse or has no audio stream goes through untouched; other streams (video...) keep their own addresses.
   */
  relaySdp(from: MediaSide, role: SdpRole, body: Buffer, contentType: string | undefined): Buffer {
    if (body.length === 0 || contentType === undefined || contentType.split(';')[0]!.trim().toLowerCase() !== 'application/sdp') return body
    const r = parseSdp(body)
    if (!r.ok) return body
    const s = r.session
    const idx = s.media.findIndex((m) => m.type === 'audio')
    if (idx === -1) return body
    const m = s.media[idx]!
    const c = m.connection ?? s.connection
    if (c === undefined) return body
    if (m.port === 0) {
      // RFC 3264 §6: a rejected stream stays port 0; nothing to relay.
      this.session.relay.setPeer(from, null)
      return body
    }
    const hold = c.ip === '0.0.0.0'
    const peer: MediaPeer = { address: hold ? '0.0.0.0' : firstSendAddress(c.ip, this.signalling[from], this.sdpIpFirst), port: m.port }
    if (m.rtcp !== undefined) peer.rtcpPort = m.rtcp.port
    this.session.relay.setPeer(from, peer)
    if (role === 'answer') this.noteAnswer(s, idx, from)
    this.rewrite(s, idx, from === 'a' ? 'b' : 'a', hold)
    return Buffer.from(serializeSdp(s))
  }

  /**
   * The answer fixes what the caller receives: the answer's first audio codec (RFC 3264 §6.1: the answerer lists its
   * preference first and the offerer may use it at once); an answer from the callee for the caller's offer, or the
   * caller's own answer to an offer from the callee side.
   */
  private noteAnswer(s: SessionDescription, idx: number, _from: MediaSide): void {
    const first = codecs(s.media[idx]!).find((c) => !NOT_AUDIO.has((c.name ?? '').toUpperCase()))
    this.session.callerCodec = first === undefined ? null : { payloadType: first.payloadType, law: lawOf(first.name, first.payloadType) }
  }

  /**
   * Our address in c= and o=, our port in m= (and a=rtcp when the peer used one) for the audio stream. Other streams
   * keep the address they had (their own c= is pinned before the session-level one changes). A hold SDP keeps c=0.0.0.0.
   * Deviation: o= sess-version is not bumped: our rewrite is a fixed function of the peer's SDP, so its version still
   * changes exactly when the content does (RFC 3264 §8), and a 200 repeating a 183's SDP stays identical.
   */
  private rewrite(s: SessionDescription, idx: number, towards: MediaSide, hold: boolean): void {
    const ip = this.advertisedHost
    const version = ip.includes(':') ? 6 : 4
    const session = s.connection
    s.media.forEach((m, i) => {
      if (i !== idx && m.connection === undefined && session !== undefined) m.connection = { ...session }
    })
    const m = s.media[idx]!
    const hadRtcp = m.rtcp !== undefined
    const port = this.session.localPort(towards)
    setMediaPort(s, idx, port)
    if (hadRtcp) m.rtcp = { port: port + 1, netType: 'IN', ipVer: version, address: ip }
    if (!hold) {
      if (m.connection !== undefined) m.connection = { version, ip }
      if (session !== undefined) s.connection = { version, ip }
    }
    s.origin.address = ip
    s.origin.ipVer = version
  }
}

/** What the call tells its media when it is built: the node's relay environment (null: no relay on this node) and the admission facts. */
export interface CallMediaInit {
  env: MediaEnvironment | null
  /** The mapping (customer) gateway's mediaProxy. */
  mappingProxy: boolean
  /** SS_NAT_MEDIA_SDP_IP_FIRST of the call's snapshot. */
  sdpIpFirst: boolean
  /** The caller's signalling source address. */
  callerIp: string
  /** The call's CDR facts: notes (a relay that could not open, dropped packets) and the RTP counters set at the end. */
  facts: Pick<CallFacts, 'notes' | 'rtp'>
}

/** What a call in progress has relayed so far (null counters when it is not relayed). */
export interface CallMediaSummary {
  relayed: boolean
  rtpPacketsFromCaller: number | null
  rtpPacketsFromCallee: number | null
}

/** A call's media hooks: identity on SDP when the call is not relayed; `close()` frees the relay exactly once and notes its counters. */
export class CallMedia {
  anchor: MediaAnchor | null = null
  private readonly init: CallMediaInit
  private closed = false

  constructor(init: CallMediaInit) {
    this.init = init
  }

  /** The relay's session (the warning prompt plays through it), null when the call is not relayed. */
  get session(): MediaSession | null {
    return this.anchor?.session ?? null
  }

  /** A new attempt: opens the relay on the first one that needs it (mapping OR routing gateway), resets the callee side, and returns the caller's offer for it. */
  offerToAttempt(target: { mediaProxy: boolean; host: string }, invite: { body: Buffer; headers: { first(name: string): string | undefined } }): Buffer {
    const i = this.init
    if (this.anchor === null && !this.closed && i.env !== null && mediaProxyApplies(i.mappingProxy, target.mediaProxy)) {
      this.anchor = MediaAnchor.open(i.env, i.sdpIpFirst)
      if (this.anchor === null) i.facts.notes.push('media relay skipped: RTP port range exhausted')
      else this.anchor.setSignallingSource('a', i.callerIp)
    }
    const a = this.anchor
    if (a === null) return invite.body
    // The previous gateway (failover) is forgotten; the B-side pair is kept and waits for the new gateway's SDP.
    a.resetCallee()
    a.setSignallingSource('b', target.host)
    return a.relaySdp('a', 'offer', invite.body, invite.headers.first('content-type'))
  }

  /** SDP from `from`'s peer towards the other leg: rewritten through the relay, or untouched when the call is not relayed. */
  fromSide(from: MediaSide, role: SdpRole, body: Buffer, contentType: string | undefined): Buffer {
    return this.anchor === null || this.closed ? body : this.anchor.relaySdp(from, role, body, contentType)
  }

  /** Starts the SS_NOMEDIAHANGUP watch at the answer (relayed calls only; 0 = off). */
  watch(limitSec: number, mode: NoMediaMode, onInactive: () => void): void {
    this.session?.watchInactivity(limitSec, mode, onInactive)
  }

  /** The relay's counters so far, for the list of calls in progress. */
  summary(): CallMediaSummary {
    const s = this.closed ? null : this.session
    if (s === null) return { relayed: false, rtpPacketsFromCaller: null, rtpPacketsFromCallee: null }
    const st = s.stats()
    return { relayed: true, rtpPacketsFromCaller: st.aToB.packets, rtpPacketsFromCallee: st.bToA.packets }
  }

  /** Frees the relay (ports and sockets) once and puts what it carried into the CDR facts. */
  close(): void {
    if (this.closed) return
    this.closed = true
    const s = this.session
    if (s === null) return
    const st = s.stats()
    const f = this.init.facts
    f.rtp = { packetsFromCaller: st.aToB.packets, bytesFromCaller: st.aToB.bytes, packetsFromCallee: st.bToA.packets, bytesFromCallee: st.bToA.bytes }
    // Packets not forwarded (no address yet, hold, replaced by the prompt) and prompt packets only as a note: rarely needed.
    if (st.aToB.dropped + st.bToA.dropped + st.promptPackets > 0) {
      f.notes.push(`media: ${st.aToB.dropped} caller and ${st.bToA.dropped} callee packets not forwarded, ${st.promptPackets} prompt packets sent`)
    }
    s.close()
  }
}
