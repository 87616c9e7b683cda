// Ingress identification: which mapping gateway an INVITE comes from by its source address (ip_port, then ip mode), before any digest.
import type { MappingGatewayRow } from '../../shared/entities/mapping-gateway.js'
import { sourceIp } from '../config/access-list.js'
import { findMappingGatewayBySource, type ConfigSnapshot } from '../config/snapshot.js'
import type { RemoteAddr } from '../transport/types.js'

export { sourceIp }

/**
 * The mapping gateway owning the datagram's source address: an `ip_port` gateway needs IP and port, an `ip` gateway the
 * IP alone. Password gateways are never found here; they are identified by the digest username (see digest.ts).
 */
export function identifySource(snapshot: ConfigSnapshot, source: RemoteAddr): Readonly<MappingGatewayRow> | undefined {
  return findMappingGatewayBySource(snapshot, sourceIp(source.address), source.port)
}

/** True when an unidentified source may still be a password gateway, so it gets a digest challenge instead of a 403. */
export function acceptsDigest(snapshot: ConfigSnapshot): boolean {
  return snapshot.mappingGatewaysByUsername.size > 0
}

/** A password gateway that lists IPs accepts its credentials only from them; an empty list accepts any source. */
export function passwordSourceAllowed(gateway: Readonly<MappingGatewayRow>, source: RemoteAddr): boolean {
  return gateway.ips.length === 0 || gateway.ips.includes(sourceIp(source.address))
}
