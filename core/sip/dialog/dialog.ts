// One SIP dialog (RFC 3261 §12): identity, CSeq spaces, route set and remote target, the next hop and its transport (§18.3 connection reuse), the in-dialog request builder and the ACK for a 2xx (§13.2.2.4) with its re-sending (RFC 6026 §7.2).
import { isIP } from 'node:net'
import { NO_TRANSPORTS, type RemoteAddr, type Transport, type TransportLookup, type TransportProtocol } from '../../transport/types.js'
import { HeaderList } from '../message/header-list.js'
import { EMPTY_BODY, SipRequest, type SipResponse } from '../message/message.js'
import { parseUri, isSipUri } from '../message/headers/uri.js'
import { serializeMessage } from '../message/serialize.js'
import { keepBytes, keptBytes } from '../transaction/transaction.js'
import type { TransactionLayer } from '../transaction/layer.js'
import { ownString } from '../../lib/own-string.js'

/** RFC 3261 §12 dialog states. */
export type DialogState = 'early' | 'confirmed' | 'terminated'

/** Which side created the dialog: we answered the INVITE (UAS) or we sent it (UAC). */
export type DialogRole = 'uas' | 'uac'

/** Thrown when our own code misuses a dialog (request on a terminated dialog, a confirmed dialog turned early). */
export class DialogError extends Error {
  override name = 'DialogError'
}

/** Fields a dialog is built from (see `uasDialog` / `uacDialog`). */
export interface DialogInit {
  role: DialogRole
  callId: string
  localTag: string
  remoteTag: string
  /** From (UAC) or To (UAS) header value with our tag, as we write it in our requests' From. */
  localHeader: string
  /** The peer's address header with its tag, as we write it in our requests' To. */
  remoteHeader: string
  /** Our Contact value (written in every request and target-refresh response of this dialog). */
  localContact: string
  localSeq: number
  /** -1 while the peer has sent no request in the dialog (UAC side). */
  remoteSeq: number
  routeSet: string[]
  remoteTarget: string
  secure: boolean
  /** The transport the dialog-forming INVITE came or went on. */
  transport: Transport
  /** Where the dialog-forming message came from or went to; used when a URI host is not an IP literal. */
  peer: RemoteAddr
  state: DialogState
  /** The node's other transports, for a target whose URI names one (`;transport=tcp`, `sips:`); default: none. */
  transports?: TransportLookup
  /** Every request goes to `peer` over the dialog's transport, whatever the target says (a gateway behind NAT we reach at its registration source). */
  peerIsNextHop?: boolean
}

/** A dialog: RFC 3261 §12.1 state plus the §12.2 request rules. */
export class Dialog {
  readonly role: DialogRole
  readonly callId: string
  readonly localTag: string
  remoteTag: string
  readonly localHeader: string
  remoteHeader: string
  readonly localContact: string
  /** Last CSeq number we used (§12.2.1.1: incremented by one for each new request but ACK and CANCEL). */
  localSeq: number
  /** Highest CSeq number the peer used; -1 when unknown (§12.2.2). */
  remoteSeq: number
  /** Route set as name-addr values in the order we write them (§12.1.1 UAS: Record-Route order; §12.1.2 UAC: reversed). */
  routeSet: string[]
  /** Remote target URI (§12.1: the peer's Contact). */
  remoteTarget: string
  readonly secure: boolean
  /** The transport the dialog was formed on. */
  readonly formedOn: Transport
  peer: RemoteAddr
  state: DialogState
  /** The last ACK we sent for a 2xx (one slot: a later re-INVITE's ACK replaces the initial one's), re-sent on each retransmission of it (RFC 6026 §7.2). */
  ackSent: SentAck = new SentAck()
  private hop: RemoteAddr | null = null
  private hopTransport: Transport | null = null
  private readonly transports: TransportLookup
  private readonly pinned: boolean

  constructor(init: DialogInit) {
    this.role = init.role
    this.callId = init.callId
    this.localTag = init.localTag
    this.remoteTag = init.remoteTag
    this.localHeader = init.localHeader
    this.remoteHeader = init.remoteHeader
    this.localContact = init.localContact
    this.localSeq = init.localSeq
    this.remoteSeq = init.remoteSeq
    this.routeSet = init.routeSet
    this.remoteTarget = init.remoteTarget
    this.secure = init.secure
    this.formedOn = init.transport
    this.transports = init.transports ?? NO_TRANSPORTS
    this.pinned = init.peerIsNextHop ?? false
    this.peer = init.peer
    this.state = init.state
  }

  /** RFC 3261 §12.1.2 / §13.2.2.4: an early dialog becomes confirmed on the 2xx; its route set and target are recomputed from it. */
  confirm(res?: SipResponse): void {
    if (this.state === 'terminated') throw new DialogError('confirm on a terminated dialog')
    if (res !== undefined && this.role === 'uac' && this.state === 'early') {
      this.routeSet = uacRouteSet(res)
      this.hop = null
      this.hopTransport = null
      this.refreshTarget(res)
    }
    this.state = 'confirmed'
  }

  /** RFC 3261 §12.2.1.2 / §12.2.2: a target-refresh request or its 2xx replaces the remote target with its Contact. */
  refreshTarget(msg: SipRequest | SipResponse): void {
    const c = msg.contact
    if (c !== undefined && c.uri !== this.remoteTarget) {
      this.remoteTarget = c.uri
      this.hop = null
      this.hopTransport = null
    }
  }

  /**
   * RFC 3261 §12.2.2: a request with a CSeq lower than the remote sequence number is out of order (answer 500);
   * otherwise the remote sequence number is set to it. ACK and CANCEL carry the INVITE's number and never count.
   */
  acceptRemoteSeq(req: SipRequest): boolean {
    if (req.method === 'ACK' || req.method === 'CANCEL') return true
    const seq = req.cseq?.seq
    if (seq === undefined) return false
    if (this.remoteSeq !== -1 && seq < this.remoteSeq) return false
    this.remoteSeq = seq
    return true
  }

  /** True when a message's tags name this dialog (the remote tag checked when the dialog has one). */
  matchesRemoteTag(tag: string | undefined): boolean {
    return tag === this.remoteTag
  }

  /**
   * A new request in this dialog without Via (the transaction layer adds it): Request-URI = remote target, Route =
   * route set (loose routing; a strict first hop per §12.2.1.1), From/To/Call-ID of the dialog, CSeq = local + 1.
   */
  createRequest(method: string, body: Buffer = EMPTY_BODY, contentType?: string, maxForwards = 70): SipRequest {
    if (this.state === 'terminated') throw new DialogError(`${method} on a terminated dialog`)
    if (method === 'ACK' || method === 'CANCEL') throw new DialogError(`${method} is built with createAck or buildCancel`)
    this.localSeq++
    return this.build(method, this.localSeq, body, contentType, maxForwards, true)
  }

  /** RFC 3261 §13.2.2.4: the ACK for a 2xx: CSeq number of the INVITE, method ACK, same Route and Request-URI. */
  createAck(inviteSeq: number, body: Buffer = EMPTY_BODY, contentType?: string): SipRequest {
    return this.build('ACK', inviteSeq, body, contentType, 70, false)
  }

  /**
   * Sends the ACK for the 2xx to the INVITE numbered `inviteSeq` (a new Via branch, no transaction) and keeps it
   * so `onRetransmitted2xx` can re-send it (RFC 6026 §7.2: the ACK is re-sent for each 2xx retransmission).
   */
  sendAck(layer: TransactionLayer, inviteSeq: number, body: Buffer = EMPTY_BODY, contentType?: string): SipRequest {
    const ack = this.createAck(inviteSeq, body, contentType)
    const transport = this.transport
    layer.addVia(ack, transport)
    const hop = this.nextHop()
    const wire = serializeMessage(ack)
    layer.sendStatelessWire(ack, wire, transport, hop)
    this.ackSent.record(inviteSeq, wire, transport, hop)
    return ack
  }

  /** RFC 6026 §7.2 / RFC 3261 §13.2.2.4: a retransmitted 2xx to an INVITE we already ACKed gets the same ACK again; returns whether it did. */
  onRetransmitted2xx(res: SipResponse, layer: TransactionLayer): boolean {
    const seq = res.cseq?.seq
    return seq !== undefined && this.ackSent.resend(seq, layer, this.transport, this.nextHop())
  }

  /**
   * RFC 3261 §8.1.2 / §12.2.1.1: the first Route when present, else the remote target; a host that is not an IP
   * literal falls back to `peer`. RFC 3261 §18.3: a caller's connection still open is used instead (the way back to
   * a peer behind NAT, and no second connection).
   */
  nextHop(): RemoteAddr {
    if (this.useFlow()) return this.peer
    if (this.hop !== null) return this.hop
    const first = this.routeSet[0]
    const uri = first === undefined ? this.remoteTarget : stripAngles(first)
    // Deviation: no RFC 3263 DNS lookups; a hostname target is reached at the address the dialog was formed with.
    this.hop = addrOf(uri) ?? this.peer
    return this.hop
  }

  /**
   * The transport of the next hop: the caller's open connection (see nextHop), else the one the hop's URI names
   * (`transport=` parameter, `sips:` for TLS). Deviation: a URI naming none keeps the dialog's own transport, where
   * RFC 3263 would pick UDP; a gateway that spoke TCP keeps being spoken to over TCP.
   */
  get transport(): Transport {
    if (this.useFlow()) return this.formedOn
    if (this.hopTransport !== null) return this.hopTransport
    const first = this.routeSet[0]
    const protocol = transportOf(first === undefined ? this.remoteTarget : stripAngles(first))
    this.hopTransport = (protocol === undefined ? undefined : this.transports.get(protocol)) ?? this.formedOn
    return this.hopTransport
  }

  private useFlow(): boolean {
    return this.pinned || (this.role === 'uas' && this.formedOn.hasFlow?.(this.peer) === true)
  }

  /** Ends the dialog (§15: after BYE, or when the INVITE failed); later requests are refused by `createRequest`. */
  terminate(): void {
    this.state = 'terminated'
  }

  private build(method: string, seq: number, body: Buffer, contentType: string | undefined, maxForwards: number, withContact: boolean): SipRequest {
    const h = new HeaderList()
    let uri = this.remoteTarget
    const first = this.routeSet[0]
    if (first !== undefined && !isLooseRoute(first)) {
      // RFC 3261 §12.2.1.1: strict router first: it becomes the Request-URI, the remote target the last Route.
      uri = stripAngles(first)
      for (let i = 1; i < this.routeSet.length; i++) h.append('route', this.routeSet[i]!)
      h.append('route', '<' + this.remoteTarget + '>')
    } else for (const r of this.routeSet) h.append('route', r)
    h.append('max-forwards', String(maxForwards))
    h.append('from', this.localHeader)
    h.append('to', this.remoteHeader)
    h.append('call-id', this.callId)
    h.append('cseq', seq + ' ' + method)
    if (withContact) h.append('contact', this.localContact)
    if (body.length > 0 && contentType !== undefined) h.append('content-type', contentType)
    return new SipRequest(method, uri, h, body)
  }
}

/** The URI inside a name-addr's angle brackets (or the value itself). */
function stripAngles(nameAddr: string): string {
  const lt = nameAddr.indexOf('<')
  if (lt === -1) {
    const semi = nameAddr.indexOf(';')
    return (semi === -1 ? nameAddr : nameAddr.slice(0, semi)).trim()
  }
  const gt = nameAddr.indexOf('>', lt)
  return nameAddr.slice(lt + 1, gt === -1 ? undefined : gt)
}

/** RFC 3261 §16.12 / §19.1.1: a Route entry whose URI carries `lr` is a loose router. */
function isLooseRoute(nameAddr: string): boolean {
  const u = parseUri(stripAngles(nameAddr))
  return u !== undefined && isSipUri(u) && u.params.has('lr')
}

/** host:port of a SIP URI when the host is an IP literal (default port 5060/5061); undefined otherwise. */
export function addrOf(uri: string): RemoteAddr | undefined {
  const u = parseUri(uri)
  if (u === undefined || !isSipUri(u)) return undefined
  let host = u.host
  if (host.charCodeAt(0) === 91) host = host.slice(1, -1)
  const v = isIP(host)
  if (v === 0) return undefined
  const port = u.port ?? (u.scheme === 'sips' ? 5061 : 5060)
  return { address: host, port, family: v === 6 ? 'IPv6' : 'IPv4' }
}

/** The transport a SIP URI asks for: its `transport` parameter, TLS for `sips:`; undefined when it names none. */
export function transportOf(uri: string): TransportProtocol | undefined {
  const u = parseUri(uri)
  if (u === undefined || !isSipUri(u)) return undefined
  const p = u.params.get('transport')
  if (typeof p === 'string') {
    const t = p.toUpperCase()
    if (t === 'UDP' || t === 'TCP' || t === 'TLS') return t
    return undefined
  }
  return u.scheme === 'sips' ? 'TLS' : undefined
}

/** RFC 3261 §12.1.2: the UAC route set is the response's Record-Route in reverse order. */
function uacRouteSet(res: SipResponse): string[] {
  const rr = res.headers.all('record-route')
  rr.reverse()
  return rr
}

/** RFC 3261 §12.1.1: the dialog of an INVITE we answer with a 1xx/2xx carrying `localTag`; undefined when From, To, Call-ID or CSeq is missing. */
export function uasDialog(req: SipRequest, localTag: string, localContact: string, source: RemoteAddr, transport: Transport, state: DialogState, transports?: TransportLookup): Dialog | undefined {
  const callId = req.callId
  const from = req.from
  const contact = req.contact
  const cseq = req.cseq
  const to = req.headers.first('to')
  const fromRaw = req.headers.first('from')
  if (callId === undefined || from === undefined || cseq === undefined || to === undefined || fromRaw === undefined) return undefined
  return new Dialog({
    role: 'uas',
    callId,
    localTag,
    // RFC 3261 §12.1.1: an RFC 2543 peer's From without tag gives an empty remote tag.
    remoteTag: from.tag ?? '',
    localHeader: req.to?.tag === undefined ? to + ';tag=' + localTag : to,
    remoteHeader: fromRaw,
    localContact,
    localSeq: 0,
    remoteSeq: cseq.seq,
    routeSet: req.headers.all('record-route'),
    // Deviation: an INVITE without Contact (invalid, §8.1.1.8) still forms a dialog targeted at its source.
    remoteTarget: contact?.uri ?? `sip:${source.family === 'IPv6' ? `[${source.address}]` : source.address}:${source.port}`,
    secure: req.requestUri?.scheme === 'sips',
    transport,
    peer: source,
    state,
    ...(transports === undefined ? {} : { transports }),
  })
}

/** What a UAC dialog takes from the INVITE that formed it (`inviteFacts`); kept apart to form a second fork's dialog late. */
export interface UacInviteFacts {
  readonly callId: string
  readonly localTag: string
  readonly seq: number
  readonly fromRaw: string
  readonly contactRaw: string
  readonly uri: string
  readonly secure: boolean
}

/** The INVITE's part of a UAC dialog. */
export function inviteFacts(invite: SipRequest): UacInviteFacts | undefined {
  const callId = invite.callId
  const localTag = invite.from?.tag
  const cseq = invite.cseq
  const fromRaw = invite.headers.first('from')
  if (callId === undefined || localTag === undefined || cseq === undefined || fromRaw === undefined) return undefined
  return { callId, localTag, seq: cseq.seq, fromRaw, contactRaw: invite.headers.first('contact') ?? '', uri: invite.uri, secure: invite.requestUri?.scheme === 'sips' }
}

/**
 * An INVITE's facts packed in one string of their own (header values and tags hold no line break), for the 32 s of
 * Timer M: one object instead of five strings that would each pin the message they were sliced from. A join of
 * several pieces writes a new flat string, referencing none of them (a concatenation would be a tree of its parts,
 * which `ownString` had to copy twice more).
 */
export function packFacts(f: UacInviteFacts): string {
  return [f.callId, f.localTag, f.seq, f.fromRaw, f.contactRaw, f.uri, f.secure ? 1 : 0].join('\n')
}

/** The facts `packFacts` packed. */
export function unpackFacts(packed: string): UacInviteFacts {
  const [callId = '', localTag = '', seq = '0', fromRaw = '', contactRaw = '', uri = '', secure = '0'] = packed.split('\n')
  return { callId, localTag, seq: Number(seq), fromRaw, contactRaw, uri, secure: secure === '1' }
}

/** RFC 3261 §12.1.2: the dialog formed by a 1xx (with To tag) or 2xx to an INVITE we sent; undefined without a To tag. */
export function uacDialog(invite: SipRequest, res: SipResponse, transport: Transport, peer: RemoteAddr, transports?: TransportLookup, peerIsNextHop = false): Dialog | undefined {
  const facts = inviteFacts(invite)
  return facts === undefined ? undefined : uacDialogOf(facts, res, transport, peer, transports, peerIsNextHop)
}

/** `uacDialog` from the INVITE's facts. */
export function uacDialogOf(invite: UacInviteFacts, res: SipResponse, transport: Transport, peer: RemoteAddr, transports?: TransportLookup, peerIsNextHop = false): Dialog | undefined {
  const tag = res.to?.tag
  const toRaw = res.headers.first('to')
  if (tag === undefined || toRaw === undefined) return undefined
  const contact = res.contact
  return new Dialog({
    role: 'uac',
    callId: invite.callId,
    localTag: invite.localTag,
    remoteTag: tag,
    localHeader: invite.fromRaw,
    remoteHeader: toRaw,
    localContact: invite.contactRaw,
    localSeq: invite.seq,
    remoteSeq: -1,
    routeSet: uacRouteSet(res),
    // Deviation: a 2xx without Contact (invalid, §13.3.1.4) keeps the INVITE's Request-URI as the target.
    remoteTarget: contact?.uri ?? invite.uri,
    secure: invite.secure,
    transport,
    peer,
    state: res.status >= 200 ? 'confirmed' : 'early',
    ...(transports === undefined ? {} : { transports }),
    peerIsNextHop,
  })
}

/**
 * A dialog's last ACK for a 2xx: its CSeq number, its bytes (a string, pinning no pool slab) and where it went. Small on
 * purpose: the INVITE client transaction's Timer M (32 s after the call's answer, RFC 6026 §8.4) keeps it, not the dialog.
 */
export class SentAck {
  seq = -1
  private wire: string | null = null
  transport: Transport | null = null
  hop: RemoteAddr | null = null

  /** Keeps the ACK just sent for the INVITE numbered `seq`. */
  record(seq: number, wire: Buffer, transport: Transport, hop: RemoteAddr): void {
    this.seq = seq
    this.keep(wire)
    this.transport = transport
    if (this.hop !== hop) this.hop = this.keepHop(hop)
  }

  /** Keeps the ACK's bytes for `resend`. */
  protected keep(wire: Buffer): void {
    this.wire = keepBytes(wire)
  }

  /** Takes over what `other` recorded (a dialog's slot moving to an owner that outlives the dialog). */
  protected takeFrom(other: SentAck): void {
    this.seq = other.seq
    this.wire = other.wire
    this.transport = other.transport
    this.hop = other.hop === null ? null : this.keepHop(other.hop)
  }

  /** The ACK's bytes as kept (see `keepBytes`); null before one was sent, or when a subclass keeps them elsewhere. */
  protected get keptWire(): string | null {
    return this.wire
  }

  protected set keptWire(wire: string | null) {
    this.wire = wire
  }

  /** The ACK's bytes to send again, or null. */
  protected ackBytes(): Buffer | null {
    return this.wire === null ? null : keptBytes(this.wire)
  }

  /** The hop as kept: a copy, as the dialog's may hold slices of a message. */
  protected keepHop(hop: RemoteAddr): RemoteAddr {
    return { address: ownString(hop.address), port: hop.port, family: hop.family }
  }

  /** Sends the kept ACK again when it answered the INVITE numbered `seq` (to `transport`/`hop`, default where it went); returns whether it did. */
  resend(seq: number, layer: TransactionLayer, transport = this.transport, hop = this.hop): boolean {
    if (seq !== this.seq || transport === null || hop === null) return false
    const wire = this.ackBytes()
    if (wire === null) return false
    layer.resendStateless('ACK', wire, transport, hop)
    return true
  }
}
