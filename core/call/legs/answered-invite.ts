// What an answered attempt's INVITE client transaction still needs during Timer M (RFC 6026 §8.4): the ACK again for a retransmitted 2xx, ACK + BYE for another fork's 2xx; without the call.
import { packFacts, SentAck, uacDialogOf, unpackFacts, type UacInviteFacts } from '../../sip/dialog/dialog.js'
import type { SipResponse } from '../../sip/message/message.js'
import { parseMessage } from '../../sip/message/parse.js'
import type { AcceptedInviteUser } from '../../sip/transaction/transaction.js'
import { keepBytes } from '../../sip/transaction/transaction.js'
import type { TransactionLayer } from '../../sip/transaction/layer.js'
import type { RemoteAddr, Transport } from '../../transport/types.js'
import { ownString } from '../../lib/own-string.js'
import { IGNORE_RESPONSES } from './ignore-responses.js'

/**
 * The accepted ICT's user once the leg handed it over, for the 32 s of Timer M (standing in the transaction layer's
 * table in its place), and the dialog's ACK slot in one object: the dialog's remote tag, its last ACK, and the INVITE's facts packed for a fork (`packFacts`), all copies that
 * pin neither the call, the dialog nor any message. Once the ACK went out, the facts it carries (Call-ID, From) are
 * read back from its bytes if a fork ever answers, and only the Request-URI is kept apart. The ACK's hop is the
 * INVITE's next hop when they are one address.
 */
export class AnsweredInvite extends SentAck implements AcceptedInviteUser {
  private readonly remoteTag: string
  /** `packFacts` of the INVITE until the ACK is kept; then its Request-URI and `sips` flag only (`packRest`). */
  private invite: string
  /** Our Contact on the leg (the node's string per transport, shared by every call). */
  private readonly contactRaw: string
  private readonly inviteSeq: number
  private readonly forkTransport: Transport
  private readonly remote: RemoteAddr
  private readonly layer: TransactionLayer
  private readonly peerIsNextHop: boolean
  /** The ACK's reference in the layer's `WaitBytes` while Timer M runs; `WAITING` while it runs with the ACK on the heap, `NOT_WAITING` before and after. */
  private ref = NOT_WAITING

  /** Takes over `ackSent`, the dialog's slot: the caller puts this object in its place. */
  constructor(ackSent: SentAck, remoteTag: string, invite: UacInviteFacts, transport: Transport, remote: RemoteAddr, layer: TransactionLayer, peerIsNextHop: boolean) {
    super()
    this.remoteTag = ownString(remoteTag)
    this.invite = packFacts(invite)
    this.contactRaw = invite.contactRaw
    this.inviteSeq = invite.seq
    this.forkTransport = transport
    this.remote = remote
    this.layer = layer
    this.peerIsNextHop = peerIsNextHop
    this.takeFrom(ackSent)
  }

  override record(seq: number, wire: Buffer, transport: Transport, hop: RemoteAddr): void {
    super.record(seq, wire, transport, hop)
    if (!isRest(this.invite)) this.invite = packRest(unpackFacts(this.invite))
  }

  protected override takeFrom(other: SentAck): void {
    super.takeFrom(other)
    if (this.keptWire !== null) this.invite = packRest(unpackFacts(this.invite))
  }

  protected override keep(wire: Buffer): void {
    if (this.ref === NOT_WAITING) return super.keep(wire)
    this.offHeap(wire)
  }

  protected override ackBytes(): Buffer | null {
    return this.ref >= 0 ? this.layer.waitBytes.bytes(this.ref) : super.ackBytes()
  }

  /** Timer M began with this object in the layer's table: the ACK goes off the heap for it. */
  waitBegins(): void {
    this.ref = WAITING
    const wire = this.keptWire
    if (wire !== null) this.offHeap(wire)
  }

  /** Timer M is over: the ACK comes back to the heap for the dialog, which may outlive it. */
  waitOver(): void {
    if (this.ref >= 0) {
      const wire = this.layer.waitBytes.bytes(this.ref)
      this.keptWire = wire === null ? null : keepBytes(wire)
    }
    this.ref = NOT_WAITING
  }

  /** The ACK's bytes into the layer's `WaitBytes` for the longest Timer M (on the heap when it declines). */
  private offHeap(wire: Buffer | string): void {
    const ref = this.layer.waitBytes.keep(wire, this.layer.longestTimerM)
    if (ref >= 0) {
      this.ref = ref
      this.keptWire = null
    } else {
      this.ref = WAITING
      this.keptWire = typeof wire === 'string' ? wire : keepBytes(wire)
    }
  }

  protected override keepHop(hop: RemoteAddr): RemoteAddr {
    const r = this.remote
    return hop.address === r.address && hop.port === r.port && hop.family === r.family ? r : super.keepHop(hop)
  }

  /** The INVITE's facts: kept whole, or its Call-ID, From and tag read back from the ACK we sent (same dialog, same values). */
  private facts(): UacInviteFacts | undefined {
    if (!isRest(this.invite)) return unpackFacts(this.invite)
    const wire = this.ackBytes()
    const r = wire === null ? undefined : parseMessage(wire)
    const ack = r?.ok === true && r.message.isRequest ? r.message : undefined
    const callId = ack?.callId
    const localTag = ack?.from?.tag
    const fromRaw = ack?.headers.first('from')
    if (callId === undefined || localTag === undefined || fromRaw === undefined) return undefined
    const nl = this.invite.indexOf('\n')
    return { callId, localTag, seq: this.inviteSeq, fromRaw, contactRaw: this.contactRaw, uri: this.invite.slice(0, nl), secure: this.invite.slice(nl + 1) === '1' }
  }

  get kind(): 'ict' {
    return 'ict'
  }

  get state(): 'accepted' {
    return 'accepted'
  }

  get startedAtMs(): number {
    return NaN
  }

  /** RFC 6026 §8.4: 2xx retransmissions of our dialog get the same ACK (once sent); a 2xx of another fork is ACKed and ended at once (§13.2.2.4). */
  onResponse(res: SipResponse): void {
    if (res.status < 200 || res.status >= 300) return
    if (res.to?.tag === this.remoteTag) {
      const seq = res.cseq?.seq
      if (seq !== undefined) this.resend(seq, this.layer)
      return
    }
    const facts = this.facts()
    const fork = facts === undefined ? undefined : uacDialogOf(facts, res, this.forkTransport, this.remote, this.layer.transports, this.peerIsNextHop)
    if (fork === undefined) return
    fork.sendAck(this.layer, this.inviteSeq)
    const bye = fork.createRequest('BYE')
    this.layer.addVia(bye, fork.transport)
    this.layer.sendRequest(bye, fork.transport, fork.nextHop(), IGNORE_RESPONSES)
    fork.terminate()
  }
}

const NOT_WAITING = -1
const WAITING = -2

/**
 * The facts an ACK does not carry: the Request-URI and whether it was `sips` (one line break: `packFacts` has six),
 * joined into a new flat string (see `packFacts`).
 */
function packRest(f: UacInviteFacts): string {
  return [f.uri, f.secure ? 1 : 0].join('\n')
}

function isRest(packed: string): boolean {
  const nl = packed.indexOf('\n')
  return nl !== -1 && packed.indexOf('\n', nl + 1) === -1
}
