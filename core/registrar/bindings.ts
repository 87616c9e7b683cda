// The registrar's bindings in memory (RFC 3261 §10.3): contacts per gateway with their expiry, the source each REGISTER came from, and the lookups admission makes.
import type { GatewayKind } from '../../shared/entities/enums.js'
import type { SipTransport } from '../call/ports.js'
import type { Clock } from '../lib/clock.js'
import type { GatewayReach, RegisteredGateways } from '../policy/registered.js'
import { addrOf } from '../sip/dialog/dialog.js'
import type { RemoteAddr } from '../transport/types.js'

/** One registered contact of one gateway. */
export interface Binding {
  /** Row id in `registrations`. */
  readonly id: string
  readonly kind: GatewayKind
  readonly gatewayId: string
  readonly aor: string
  /** The Contact URI as registered. */
  readonly contact: string
  readonly q: number | null
  readonly expiresAtMs: number
  readonly callId: string
  readonly cseq: number
  readonly userAgent: string | null
  /** Where the REGISTER came from, and over what: the NAT binding calls and keep-alives go to. */
  readonly source: RemoteAddr
  readonly transport: SipTransport
  readonly registeredAtMs: number
  readonly updatedAtMs: number
}

/** Map key of a gateway. */
function gatewayKey(kind: GatewayKind, id: string): string {
  return kind + '|' + id
}

function sourceKey(a: RemoteAddr): string {
  return a.address + '|' + a.port
}

/** Every live binding, by gateway and (mapping gateways) by source; expired ones are ignored on read and dropped by `sweep`. */
export class BindingTable implements RegisteredGateways {
  private readonly byGateway = new Map<string, Binding[]>()
  private readonly mappingBySource = new Map<string, Binding>()
  readonly registeredRouting: Pick<ReadonlySet<string>, 'has'>

  constructor(private readonly clock: Clock) {
    this.registeredRouting = { has: (id) => this.live('routing', id).length > 0 }
  }

  /** Live bindings of a gateway, most preferred first (highest q, then the freshest). */
  live(kind: GatewayKind, gatewayId: string): Binding[] {
    const all = this.byGateway.get(gatewayKey(kind, gatewayId))
    if (all === undefined) return []
    const now = this.clock.now()
    return all.filter((b) => b.expiresAtMs > now).sort((a, b) => (b.q ?? 1) - (a.q ?? 1) || b.updatedAtMs - a.updatedAtMs)
  }

  /** Every live binding (status and keep-alives). */
  all(): Binding[] {
    const now = this.clock.now()
    const out: Binding[] = []
    for (const list of this.byGateway.values()) for (const b of list) if (b.expiresAtMs > now) out.push(b)
    return out
  }

  /** Number of bindings held (expired ones until the next sweep included). */
  get size(): number {
    let n = 0
    for (const list of this.byGateway.values()) n += list.length
    return n
  }

  /** Replaces the gateway's bindings with `bindings` (the result of one REGISTER, or the rows loaded at start). */
  set(kind: GatewayKind, gatewayId: string, bindings: readonly Binding[]): void {
    const key = gatewayKey(kind, gatewayId)
    for (const old of this.byGateway.get(key) ?? []) {
      const k = sourceKey(old.source)
      if (this.mappingBySource.get(k) === old) this.mappingBySource.delete(k)
    }
    if (bindings.length === 0) this.byGateway.delete(key)
    else this.byGateway.set(key, [...bindings])
    if (kind === 'mapping') for (const b of bindings) this.mappingBySource.set(sourceKey(b.source), b)
  }

  /** Sets every gateway `all` has bindings of to exactly those (rows loaded at start, a greeting). */
  setAll(all: readonly Binding[]): void {
    const byGateway = new Map<string, Binding[]>()
    for (const b of all) {
      const key = gatewayKey(b.kind, b.gatewayId)
      const list = byGateway.get(key)
      if (list === undefined) byGateway.set(key, [b])
      else list.push(b)
    }
    for (const list of byGateway.values()) this.set(list[0]!.kind, list[0]!.gatewayId, list)
  }

  /** Drops the expired bindings; returns them (their rows are deleted by the caller). */
  sweep(): Binding[] {
    const now = this.clock.now()
    const gone: Binding[] = []
    for (const [key, list] of this.byGateway) {
      const keep = list.filter((b) => b.expiresAtMs > now)
      if (keep.length === list.length) continue
      for (const b of list) if (b.expiresAtMs <= now) gone.push(b)
      const [kind, id] = key.split('|') as [GatewayKind, string]
      this.set(kind, id, keep)
    }
    return gone
  }

  mappingGatewayAt(source: RemoteAddr): string | undefined {
    const b = this.mappingBySource.get(sourceKey(source))
    return b !== undefined && b.expiresAtMs > this.clock.now() ? b.gatewayId : undefined
  }

  reach(routingGatewayId: string): GatewayReach | undefined {
    const b = this.live('routing', routingGatewayId)[0]
    if (b === undefined) return undefined
    // Deviation: a Contact host that is a name (no DNS here) is written as the source address.
    const c = addrOf(b.contact)
    return { host: c?.address ?? b.source.address, port: c?.port ?? b.source.port, transport: b.transport, nextHop: b.source }
  }
}

/**
 * Admission's view of a node's registrations: its own bindings first, then customer (mapping) gateways' bindings other
 * nodes published (shared through Redis), which identify a gateway by the source it registered from. A dynamic routing
 * gateway is reached only from the node that holds its registration: its NAT binding points there.
 */
export class NodeRegistrations implements RegisteredGateways {
  readonly registeredRouting: Pick<ReadonlySet<string>, 'has'>

  constructor(private readonly local: BindingTable, readonly remote: BindingTable) {
    this.registeredRouting = local.registeredRouting
  }

  mappingGatewayAt(source: RemoteAddr): string | undefined {
    return this.local.mappingGatewayAt(source) ?? this.remote.mappingGatewayAt(source)
  }

  reach(routingGatewayId: string): GatewayReach | undefined {
    return this.local.reach(routingGatewayId)
  }
}
