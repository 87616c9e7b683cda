// Compact records standing in the layer's tables for transactions in a wait state (RFC 6026 accepted, RFC 3261 completed), in place of their machines: what absorbing or answering a retransmission needs, nothing more.
import type { RemoteAddr, Transport } from '../../transport/types.js'
import type { SipResponse } from '../message/message.js'
import type { AcceptedInviteUser } from './transaction.js'

/** What the accepted record asks of its INVITE client transaction until the TU hands over. */
export interface AcceptedMachine {
  onResponse(res: SipResponse): void
  waitOver(): void
}

/**
 * RFC 6026 §8.7: an INVITE server transaction in accepted absorbs INVITE retransmissions and passes ACKs to the TU.
 * That needs nothing of the call, so one record per source address stands for every such transaction from it (the
 * source is kept to count what it holds). The machine stays with the TU, which may still pass its 2xx through it.
 */
export class AcceptedServerInvite {
  /** The request's source address (the layer counts live server transactions per source). */
  readonly sourceAddress: string

  constructor(sourceAddress: string) {
    this.sourceAddress = sourceAddress
  }

  get kind(): 'ist' {
    return 'ist'
  }

  get state(): 'accepted' {
    return 'accepted'
  }

  /** RFC 6026 §8.7: INVITE retransmissions in accepted are absorbed. */
  onRetransmission(): void {}

  /** RFC 6026 §8.7: an ACK in accepted is passed to the TU. */
  onAck(): boolean {
    return true
  }
}

/** RFC 3261 §17.2.2: a non-INVITE server transaction in completed (Timer J, unreliable transports) re-sends its final. */
export class CompletedServerRequest {
  /** Its key in the layer's table (the machine may still end it early: a final that could not be sent). */
  readonly key: string
  /** The final's bytes in the layer's `WaitBytes`, or (when they could not go there) as `keepBytes` kept them. */
  readonly final: number | string
  readonly transport: Transport
  /** The §18.2.2 response target. */
  readonly target: RemoteAddr
  readonly sourceAddress: string

  constructor(key: string, final: number | string, transport: Transport, target: RemoteAddr, sourceAddress: string) {
    this.key = key
    this.final = final
    this.transport = transport
    this.target = target
    this.sourceAddress = sourceAddress
  }

  get kind(): 'nist' {
    return 'nist'
  }

  get state(): 'completed' {
    return 'completed'
  }
}

/**
 * RFC 6026 §8.4: an INVITE client transaction in accepted passes 2xx retransmissions up for Timer M. Until the TU hands
 * over a smaller user, which then takes this record's place, the machine answers through it.
 */
export class AcceptedClientInvite {
  readonly tx: AcceptedMachine

  constructor(tx: AcceptedMachine) {
    this.tx = tx
  }

  get kind(): 'ict' {
    return 'ict'
  }

  get state(): 'accepted' {
    return 'accepted'
  }

  /** Always NaN: the start time went with the machine's active parts. */
  get startedAtMs(): number {
    return NaN
  }

  /** A response matched to the transaction. */
  onResponse(res: SipResponse): void {
    this.tx.onResponse(res)
  }
}

/** RFC 3261 §17.1.2.2: a non-INVITE client transaction in completed (Timer K) absorbs retransmitted responses; one record stands for all. */
export class CompletedClientRequest {
  get kind(): 'nict' {
    return 'nict'
  }

  get state(): 'completed' {
    return 'completed'
  }

  get startedAtMs(): number {
    return NaN
  }

  /** RFC 3261 §17.1.2.2: absorbed. */
  onResponse(_res: SipResponse): void {}
}

/** The one record for every non-INVITE client transaction in completed. */
export const COMPLETED_CLIENT_REQUEST = new CompletedClientRequest()

/** A server transaction's record in a wait state. */
export type ServerWait = AcceptedServerInvite | CompletedServerRequest

/** A client transaction's record in a wait state. */
export type ClientWait = AcceptedClientInvite | CompletedClientRequest | AcceptedInviteUser
