// What a call leg needs of the node: the transaction layer it sends through, the clock, and our identity on the wire.
import type { Clock } from '../../lib/clock.js'
import type { TransactionLayer } from '../../sip/transaction/layer.js'
import type { Transport } from '../../transport/types.js'

/** The node's part of a leg's world (the call context extends it). */
export interface LegContext {
  readonly layer: TransactionLayer
  readonly clock: Clock
  /** `host:port` the core writes into Contact and From URIs (SIP_ADVERTISED_HOST, IPv6 bracketed). */
  readonly hostport: string
  /** `<sip:host:port>`: the core's Contact on UDP legs, so every in-dialog request of either side reaches it. */
  readonly contact: string
  /** The core's Contact for a leg on `transport` (`;transport=tcp`, the TLS port and `;transport=tls`). */
  contactFor(transport: Transport): string
  /** Allow and Supported values of ours (both legs). */
  readonly allow: string
  readonly supported: string
}
