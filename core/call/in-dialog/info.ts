// INFO in either dialog (RFC 6086): application data such as DTMF relay passed to the other leg with its body and Info-Package.
import type { ServerTransaction } from '../../sip/transaction/types.js'
import type { Leg } from '../legs/leg.js'
import type { DialogCall } from './dialog-call.js'
import { relayToOtherLeg } from './relay.js'

/** RFC 6086 §4.2: the receiver of INFO answers it; a B2BUA relays the request and the answer. */
export function relayInfo(call: DialogCall, leg: Leg, tx: ServerTransaction): void {
  relayToOtherLeg(call, leg, tx)
}
