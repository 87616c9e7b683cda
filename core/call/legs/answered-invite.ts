// What an answered attempt's INVITE client transaction still needs during Timer M (RFC 6026 §8.4): the ACK again for a retransmitted 2xx, ACK + BYE for another fork's 2xx; without the call.
import type { Dialog } from '../../sip/dialog/dialog.js'
import { uacDialog } from '../../sip/dialog/dialog.js'
import type { SipRequest, SipResponse } from '../../sip/message/message.js'
import type { TransactionLayer } from '../../sip/transaction/layer.js'
import type { TransactionFailure } from '../../sip/transaction/failures.js'
import type { ClientTransaction, TransactionUser } from '../../sip/transaction/types.js'
import type { RemoteAddr, Transport } from '../../transport/types.js'
import { IGNORE_RESPONSES } from './ignore-responses.js'

/** The accepted ICT's user once the leg handed it over: holds the dialog and the INVITE, never the Call (32 s of Timer M). */
export class AnsweredInvite implements TransactionUser {
  constructor(
    private readonly dialog: Dialog,
    private readonly invite: SipRequest,
    private readonly inviteSeq: number,
    private readonly transport: Transport,
    private readonly remote: RemoteAddr,
    private readonly layer: TransactionLayer,
  ) {}

  /** RFC 6026 §8.4: 2xx retransmissions of our dialog get the same ACK (once sent); a 2xx of another fork is ACKed and ended at once (§13.2.2.4). */
  onResponse(res: SipResponse, _tx: ClientTransaction): void {
    if (res.status < 200 || res.status >= 300) return
    if (res.to?.tag === this.dialog.remoteTag) {
      this.dialog.onRetransmitted2xx(res, this.layer)
      return
    }
    const fork = uacDialog(this.invite, res, this.transport, this.remote, this.layer.transports)
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
