// What an answered attempt's INVITE client transaction still needs during Timer M (RFC 6026 §8.4): the ACK again for a retransmitted 2xx, ACK + BYE for another fork's 2xx; without the call.
import type { SentAck } from '../../sip/dialog/dialog.js'
import { uacDialogOf, unpackFacts } from '../../sip/dialog/dialog.js'
import type { SipResponse } from '../../sip/message/message.js'
import type { TransactionLayer } from '../../sip/transaction/layer.js'
import type { TransactionFailure } from '../../sip/transaction/failures.js'
import type { ClientTransaction, TransactionUser } from '../../sip/transaction/types.js'
import type { RemoteAddr, Transport } from '../../transport/types.js'
import { ownString } from '../../lib/own-string.js'
import { IGNORE_RESPONSES } from './ignore-responses.js'

/**
 * The accepted ICT's user once the leg handed it over, for the 32 s of Timer M: the dialog's remote tag and its ACK
 * slot, and the INVITE's facts packed for a fork (`packFacts`), all copies that pin neither the call, the dialog nor any message.
 */
export class AnsweredInvite implements TransactionUser {
  private readonly remoteTag: string

  constructor(
    remoteTag: string,
    private readonly ackSent: SentAck,
    private readonly invite: string,
    private readonly inviteSeq: number,
    private readonly transport: Transport,
    private readonly remote: RemoteAddr,
    private readonly layer: TransactionLayer,
    private readonly peerIsNextHop: boolean,
  ) {
    this.remoteTag = ownString(remoteTag)
  }

  /** RFC 6026 §8.4: 2xx retransmissions of our dialog get the same ACK (once sent); a 2xx of another fork is ACKed and ended at once (§13.2.2.4). */
  onResponse(res: SipResponse, _tx: ClientTransaction): void {
    if (res.status < 200 || res.status >= 300) return
    if (res.to?.tag === this.remoteTag) {
      const seq = res.cseq?.seq
      if (seq !== undefined) this.ackSent.resend(seq, this.layer)
      return
    }
    const fork = uacDialogOf(unpackFacts(this.invite), res, this.transport, this.remote, this.layer.transports, this.peerIsNextHop)
    if (fork === undefined) return
    fork.sendAck(this.layer, this.inviteSeq)
    const bye = fork.createRequest('BYE')
    this.layer.addVia(bye, fork.transport)
    this.layer.sendRequest(bye, fork.transport, fork.nextHop(), IGNORE_RESPONSES)
    fork.terminate()
  }

  onTimeout(_f: TransactionFailure, _tx: ClientTransaction): void {}

  onTransportError(_f: TransactionFailure, _tx: ClientTransaction): void {}
}
