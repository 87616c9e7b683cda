// Bindings in libSQL (`registrations`): a gateway's rows are rewritten in one batch after each REGISTER, read back at start, deleted when they expire.
import { and, eq, gt, inArray } from 'drizzle-orm'
import { registrations } from '../../shared/db/schema.js'
import type { Db } from '../../shared/db/node/database.js'
import type { GatewayKind } from '../../shared/entities/enums.js'
import type { RegistrationInsert, RegistrationRow } from '../../shared/entities/registration.js'
import type { Binding } from './bindings.js'

/** Where the registrar keeps its bindings: the database, or (a worker of a node) the primary that writes them. */
export interface BindingStorage {
  load(nowMs: number): Promise<Binding[]>
  replace(kind: GatewayKind, gatewayId: string, bindings: readonly Binding[]): Promise<void>
  delete(ids: readonly string[]): Promise<void>
}

/** Reads and writes the bindings of one core node. */
export class BindingStore implements BindingStorage {
  constructor(private readonly db: Db, private readonly nodeId: string) {}

  /** Every binding still valid at `nowMs` (a restart, even after kill -9, keeps what was answered 200). */
  async load(nowMs: number): Promise<Binding[]> {
    const rows = await this.db.select().from(registrations).where(gt(registrations.expiresAtMs, nowMs))
    return rows.map(bindingOf)
  }

  /** Makes the stored bindings of one gateway exactly `bindings` (one transaction). */
  async replace(kind: GatewayKind, gatewayId: string, bindings: readonly Binding[]): Promise<void> {
    const mine = and(eq(registrations.kind, kind), eq(registrations.gatewayId, gatewayId))
    const del = this.db.delete(registrations).where(mine)
    if (bindings.length === 0) {
      await del
      return
    }
    await this.db.batch([del, this.db.insert(registrations).values(bindings.map((b) => this.rowOf(b)))])
  }

  /** Deletes expired bindings' rows. */
  async delete(ids: readonly string[]): Promise<void> {
    if (ids.length > 0) await this.db.delete(registrations).where(inArray(registrations.id, [...ids]))
  }

  private rowOf(b: Binding): RegistrationInsert {
    return {
      id: b.id, kind: b.kind, gatewayId: b.gatewayId, aor: b.aor, contact: b.contact, q: b.q, expiresAtMs: b.expiresAtMs,
      callId: b.callId, cseq: b.cseq, userAgent: b.userAgent, sourceIp: b.source.address, sourcePort: b.source.port,
      transport: b.transport, nodeId: this.nodeId, registeredAtMs: b.registeredAtMs, updatedAtMs: b.updatedAtMs,
    }
  }
}

function bindingOf(r: RegistrationRow): Binding {
  return {
    id: r.id, kind: r.kind, gatewayId: r.gatewayId, aor: r.aor, contact: r.contact, q: r.q, expiresAtMs: r.expiresAtMs,
    callId: r.callId, cseq: r.cseq, userAgent: r.userAgent,
    source: { address: r.sourceIp, port: r.sourcePort, family: r.sourceIp.includes(':') ? 'IPv6' : 'IPv4' },
    transport: r.transport, registeredAtMs: r.registeredAtMs, updatedAtMs: r.updatedAtMs,
  }
}
