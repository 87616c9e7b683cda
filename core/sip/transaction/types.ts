// What the transaction layer tells the layer above (interfaces owned here, implemented by the request router, dialogs and calls) and the transaction unions.
import type { RemoteAddr, Transport } from '../../transport/types.js'
import type { SipRequest, SipResponse } from '../message/message.js'
import type { TransactionFailure } from './failures.js'
import type { InviteClientTransaction } from './invite-client.js'
import type { InviteServerTransaction } from './invite-server.js'
import type { NonInviteClientTransaction } from './non-invite-client.js'
import type { NonInviteServerTransaction } from './non-invite-server.js'
import type { ClientMachineUser, ServerMachineUser } from './transaction.js'

export type ClientTransaction = InviteClientTransaction | NonInviteClientTransaction
export type ServerTransaction = InviteServerTransaction | NonInviteServerTransaction
export type AnyTransaction = ClientTransaction | ServerTransaction

/** The owner of one client transaction (a call leg, an OPTIONS pinger) of either kind; RFC 3261 §17.1. */
export interface TransactionUser extends ClientMachineUser<ClientTransaction> {}

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
export interface ServerTransactionUser extends ServerMachineUser<ServerTransaction> {
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
}
