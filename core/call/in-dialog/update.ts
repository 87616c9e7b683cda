// UPDATE in either dialog, early or confirmed (RFC 3311): passed to the other leg with its SDP; the answer comes back the same way.
import type { ServerTransaction } from '../../sip/transaction/types.js'
import type { Leg } from '../legs/leg.js'
import type { DialogCall } from './dialog-call.js'
import { relayToOtherLeg } from './relay.js'

/** RFC 3311 §5.2: an UPDATE is answered by the far end; a B2BUA relays it and the response (491 on glare included). */
export function relayUpdate(call: DialogCall, leg: Leg, tx: ServerTransaction): void {
  relayToOtherLeg(call, leg, tx)
}
