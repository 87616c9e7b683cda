// What the transaction layer tells the layer above (interfaces owned here, implemented by dialogs and calls), its failure values and its error classes.
import type { RemoteAddr, Transport, TransportFailure } from '../../transport/types.js'
import type { SipRequest, SipResponse } from '../message/message.js'
import type { InviteClientTransaction } from './invite-client.js'
import type { InviteServerTransaction } from './invite-server.js'
import type { NonInviteClientTransaction } from './non-invite-client.js'
import type { NonInviteServerTransaction } from './non-invite-server.js'

export type ClientTransaction = InviteClientTransaction | NonInviteClientTransaction
export type ServerTransaction = InviteServerTransaction | NonInviteServerTransaction
export type AnyTransaction = ClientTransaction | ServerTransaction

/** A transaction that ended without a final response, as the SIP status the TU should treat it as. */
export type TransactionFailure =
  /** RFC 3261 §8.1.3.1 / §17.1.1.2: Timer B or F fired (client), Timer H fired without an ACK (server), or §9.1 (no final 64*T1 after our CANCEL). */
  | { readonly status: 408; readonly reason: 'Request Timeout'; readonly timer: 'B' | 'F' | 'H' | 'cancel' }
  /** RFC 3261 §8.1.3.1 / §17.1.4 / §17.2.4: the transport could not send. */
  | { readonly status: 503; readonly reason: 'Service Unavailable'; readonly transport: TransportFailure }

/** The owner of one client transaction (a call leg, an OPTIONS pinger); RFC 3261 §17.1. */
export interface TransactionUser {
  /** Every response the machine passes up: 1xx, the final, and RFC 6026 §8.4 2xx retransmissions for INVITE. */
  onResponse(res: SipResponse, tx: ClientTransaction): void
  /** Timer B/F: no final response; treat as 408. */
  onTimeout(failure: TransactionFailure, tx: ClientTransaction): void
  /** The request (or the ACK) could not be sent; treat as 503. */
  onTransportError(failure: TransactionFailure, tx: ClientTransaction): void
}

/**
 * What the layer does with a new request before any server transaction exists: go on, drop it, or answer it once
 * statelessly (RFC 3261 §8.2 checks a UAS may make without state). A drop or a stateless answer leaves nothing behind,
 * so a flood of them costs no transaction, no timer and no retransmission.
 */
export type ScreenVerdict =
  | { readonly action: 'pass' }
  | { readonly action: 'drop' }
  /** Answered once without a transaction, a To tag added (never for ACK, which is dropped instead). */
  | { readonly action: 'respond'; readonly status: number; readonly reason?: string; readonly headers?: ReadonlyArray<readonly [string, string]> }

/** The core above the layer that receives requests (the request router); RFC 3261 §17.2 and §9.2. */
export interface ServerTransactionUser {
  /**
   * Asked for every request that would create a server transaction (and for every ACK the layer does not absorb)
   * before it does; retransmissions matching a transaction are not asked. Absent: every request passes.
   */
  screen?(req: SipRequest, source: RemoteAddr, transport: Transport): ScreenVerdict
  /** A new request (never ACK or CANCEL) with its server transaction; answer through `tx.respond()`. */
  onRequest(req: SipRequest, tx: ServerTransaction): void
  /** An ACK for a 2xx (no transaction of its own, RFC 3261 §17 / RFC 6026 §8.7), for the dialog layer. */
  onAck(ack: SipRequest, remote: RemoteAddr, transport: Transport): void
  /** RFC 3261 §9.2: a CANCEL matched `invite`, which is still proceeding; 200 was already sent, the TU sends 487. */
  onCancel(cancel: SipRequest, invite: InviteServerTransaction): void
  /** A 2xx to INVITE with no client transaction (RFC 6026 §7.2: forked or late 2xx); the dialog layer ACKs or BYEs it. */
  onStray2xx(res: SipResponse, remote: RemoteAddr, transport: Transport): void
  /** A server transaction failed: Timer H (no ACK, 408) or a transport error sending a response (503). */
  onServerFailure(failure: TransactionFailure, tx: ServerTransaction): void
}

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
