// BYE from either leg (RFC 3261 §15.1.2): 200 to it, its dialog ends, and the call ends by hanging up the other leg.
import { buildResponse } from '../../sip/message/build.js'
import type { ServerTransaction } from '../../sip/transaction/types.js'
import type { Leg } from '../legs/leg.js'
import type { DialogCall } from './dialog-call.js'

/** Answers the BYE with 200 and ends the call: CallerHangup from leg A, CalleeHangup from leg B. */
export function handleBye(call: DialogCall, leg: Leg, tx: ServerTransaction): void {
  // RFC 3261 §15.1.2: the UAS answers a BYE for an existing dialog with 2xx and terminates the session.
  tx.respond(buildResponse(tx.request, 200))
  leg.dialog?.terminate()
  if (leg.side === 'a') call.onCallerBye()
  else call.onCalleeBye(leg)
}
