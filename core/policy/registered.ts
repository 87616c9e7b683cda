// What admission reads of the registrar (declared here, implemented by core/registrar): which dynamic mapping gateway a source is, and where a dynamic routing gateway is reached now.
import type { SipTransport } from '../call/ports.js'
import type { RemoteAddr } from '../transport/types.js'

/** Where a call to a dynamic routing gateway goes. */
export interface GatewayReach {
  /** Host and port of its registered Contact: the Request-URI names them. */
  readonly host: string
  readonly port: number
  readonly transport: SipTransport
  /** Where its REGISTER came from: the INVITE is sent there, through the gateway's NAT. */
  readonly nextHop: RemoteAddr
}

/** Live registrations as admission needs them. */
export interface RegisteredGateways {
  /** The dynamic mapping gateway registered from exactly this source address (IP and port), if any. */
  mappingGatewayAt(source: RemoteAddr): string | undefined
  /** Where a dynamic routing gateway is reached now; undefined without a live binding. */
  reach(routingGatewayId: string): GatewayReach | undefined
  /** Routing gateways with a live binding (routing skips dynamic ones not in it). */
  readonly registeredRouting: Pick<ReadonlySet<string>, 'has'>
}
