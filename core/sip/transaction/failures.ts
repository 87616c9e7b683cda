// How a transaction ends without a final response (the SIP status the TU treats it as), and the errors our own misuse of the layer raises.
import type { TransportFailure } from '../../transport/types.js'

/** A transaction that ended without a final response, as the SIP status the TU should treat it as. */
export type TransactionFailure =
  /** RFC 3261 §8.1.3.1 / §17.1.1.2: Timer B or F fired (client), Timer H fired without an ACK (server), or §9.1 (no final 64*T1 after our CANCEL). */
  | { readonly status: 408; readonly reason: 'Request Timeout'; readonly timer: 'B' | 'F' | 'H' | 'cancel' }
  /** RFC 3261 §8.1.3.1 / §17.1.4 / §17.2.4: the transport could not send. */
  | { readonly status: 503; readonly reason: 'Service Unavailable'; readonly transport: TransportFailure }

/** Thrown when our own code asks a transaction for a transition the RFC forbids (a bug, never network input). */
export class TransactionStateError extends Error {
  override name = 'TransactionStateError'
}

/** Thrown when our own code misuses the layer (request without branch, duplicate transaction). */
export class TransactionError extends Error {
  override name = 'TransactionError'
}

/** The 408 failure value for a fired timer. */
export function timeoutFailure(timer: 'B' | 'F' | 'H' | 'cancel'): TransactionFailure {
  return { status: 408, reason: 'Request Timeout', timer }
}

/** The 503 failure value for a transport failure. */
export function transportFailure(transport: TransportFailure): TransactionFailure {
  return { status: 503, reason: 'Service Unavailable', transport }
}
