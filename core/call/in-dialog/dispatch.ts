// Routes an in-dialog request of either leg (RFC 3261 §12.2.2) to the handler of its method after the CSeq guard.
import { buildResponse } from '../../sip/message/build.js'
import type { SipRequest } from '../../sip/message/message.js'
import type { ServerTransaction } from '../../sip/transaction/types.js'
import type { Leg } from '../legs/leg.js'
import { handleBye } from './bye.js'
import type { DialogCall } from './dialog-call.js'
import { relayInfo } from './info.js'
import { relayReinvite } from './reinvite.js'
import { relayUpdate } from './update.js'

/** One handler per method; OPTIONS is answered by the node, anything else 501 with our Allow. */
export function dispatchInDialog(call: DialogCall, leg: Leg, req: SipRequest, tx: ServerTransaction): void {
  const d = leg.dialog
  if (d === null || d.state === 'terminated') {
    // RFC 3261 §12.2.2: no dialog (yet, or any more) for these tags.
    tx.respond(buildResponse(req, 481))
    return
  }
  // RFC 3261 §12.2.2: a CSeq lower than the remote sequence number is out of order -> 500.
  if (!d.acceptRemoteSeq(req)) {
    tx.respond(buildResponse(req, 500, { reason: 'CSeq Out of Order' }))
    return
  }
  switch (req.method) {
    case 'BYE':
      return handleBye(call, leg, tx)
    case 'INVITE':
      return relayReinvite(call, leg, tx)
    case 'UPDATE':
      // RFC 4028 §9: an UPDATE without SDP on a leg with a session timer is a pure refresh, answered here (call-session.ts).
      if (call.sessions.absorbRefresh(leg, req, tx)) return
      if (!call.sessions.admitRequest(leg, req, tx)) return
      return relayUpdate(call, leg, tx)
    case 'INFO':
      return relayInfo(call, leg, tx)
    case 'PRACK':
      // RFC 3262 §3: PRACK is hop-by-hop in a B2BUA: each leg's reliable provisionals are acknowledged on that leg.
      return call.onPrack(leg, req, tx)
    case 'OPTIONS':
      // RFC 3261 §11: an in-dialog OPTIONS is answered by the node (a keep-alive), not forwarded.
      tx.respond(buildResponse(req, 200, { headers: call.ctx.dialogHeaders }))
      return
    default:
      // RFC 3261 §8.2.1: a method we do not pass across (REFER, NOTIFY, MESSAGE...) -> 501 with Allow.
      tx.respond(buildResponse(req, 501, { headers: [['Allow', call.ctx.allow]] }))
  }
}
