// A transaction user for requests whose outcome changes nothing (BYE and CANCEL of a call that already ended): responses and failures are dropped.
import type { SipResponse } from '../../sip/message/message.js'
import type { TransactionFailure } from '../../sip/transaction/failures.js'
import type { ClientTransaction, TransactionUser } from '../../sip/transaction/types.js'

/** Drops every report; one shared instance, so fire-and-forget requests allocate no user. */
class IgnoreResponses implements TransactionUser {
  onResponse(_res: SipResponse, _tx: ClientTransaction): void {}
  onTimeout(_f: TransactionFailure, _tx: ClientTransaction): void {}
  onTransportError(_f: TransactionFailure, _tx: ClientTransaction): void {}
}

/** The shared instance. */
export const IGNORE_RESPONSES: TransactionUser = new IgnoreResponses()
