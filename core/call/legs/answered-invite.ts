// What an answered attempt's INVITE client transaction still needs during Timer M (RFC 6026 §8.4): the ACK again for a retransmitted 2xx, ACK + BYE for another fork's 2xx; without the call.
import { SentAck, uacDialogOf, unpackFacts } from '../../sip/dialog/dialog.js'
import type { SipResponse } from '../../sip/message/message.js'
import type { TransactionLayer } from '../../sip/transaction/layer.js'
import type { AcceptedInviteUser } from '../../sip/transaction/wait-records.js'
import type { RemoteAddr, Transport } from '../../transport/types.js'
import { ownString } from '../../lib/own-string.js'
import { IGNORE_RESPONSES } from './ignore-responses.js'

/**
 * The accepted ICT's user once the leg handed it over, for the 32 s of Timer M, and the dialog's ACK slot in one
 * object: the dialog's remote tag, its last ACK, and the INVITE's facts packed for a fork (`packFacts`), all copies that
 * pin neither the call, the dialog nor any message. The ACK's hop is the INVITE's next hop when they are one address.
 */
export class AnsweredInvite extends SentAck implements AcceptedInviteUser {
  private readonly remoteTag: string
  private readonly invite: string
  private readonly inviteSeq: number
  private readonly forkTransport: Transport
  private readonly remote: RemoteAddr
  private readonly layer: TransactionLayer
  private readonly peerIsNextHop: boolean

  /** Takes over `ackSent`, the dialog's slot: the caller puts this object in its place. */
  constructor(ackSent: SentAck, remoteTag: string, invite: string, inviteSeq: number, transport: Transport, remote: RemoteAddr, layer: TransactionLayer, peerIsNextHop: boolean) {
    super()
    this.remoteTag = ownString(remoteTag)
    this.invite = invite
    this.inviteSeq = inviteSeq
    this.forkTransport = transport
    this.remote = remote
    this.layer = layer
    this.peerIsNextHop = peerIsNextHop
    this.takeFrom(ackSent)
  }

  protected override keepHop(hop: RemoteAddr): RemoteAddr {
    const r = this.remote
    return hop.address === r.address && hop.port === r.port && hop.family === r.family ? r : super.keepHop(hop)
  }

  /** RFC 6026 §8.4: 2xx retransmissions of our dialog get the same ACK (once sent); a 2xx of another fork is ACKed and ended at once (§13.2.2.4). */
  on2xx(res: SipResponse): void {
    if (res.to?.tag === this.remoteTag) {
      const seq = res.cseq?.seq
      if (seq !== undefined) this.resend(seq, this.layer)
      return
    }
    const fork = uacDialogOf(unpackFacts(this.invite), res, this.forkTransport, this.remote, this.layer.transports, this.peerIsNextHop)
    if (fork === undefined) return
    fork.sendAck(this.layer, this.inviteSeq)
    const bye = fork.createRequest('BYE')
    this.layer.addVia(bye, fork.transport)
    this.layer.sendRequest(bye, fork.transport, fork.nextHop(), IGNORE_RESPONSES)
    fork.terminate()
  }
}
