// Reads live registrar bindings (rows not yet expired) for the registrations list and the gateways' status.
import { and, asc, desc, eq, gt, type SQL } from 'drizzle-orm'
import { registrations } from '../../shared/db/schema.js'
import type { GatewayKind } from '../../shared/entities/enums.js'
import { registrationSummaryFromRow, type RegistrationRow, type RegistrationSummary } from '../../shared/entities/registration.js'
import type { Queryable } from '../env.js'

/** Bindings still valid at `nowMs`, optionally of one kind or one gateway, by gateway then contact. */
export async function readRegistrations(db: Queryable, nowMs: number, filter: { kind?: GatewayKind; gatewayId?: string } = {}): Promise<RegistrationRow[]> {
  const where: SQL[] = [gt(registrations.expiresAtMs, nowMs)]
  if (filter.kind !== undefined) where.push(eq(registrations.kind, filter.kind))
  if (filter.gatewayId !== undefined) where.push(eq(registrations.gatewayId, filter.gatewayId))
  return db.select().from(registrations).where(and(...where)).orderBy(asc(registrations.gatewayId), asc(registrations.contact))
}

/** The freshest live binding of each gateway of `kind`, as the status endpoints show it. */
export async function registrationsByGateway(db: Queryable, nowMs: number, kind: GatewayKind): Promise<Map<string, RegistrationSummary>> {
  const rows = await db.select().from(registrations)
    .where(and(eq(registrations.kind, kind), gt(registrations.expiresAtMs, nowMs)))
    .orderBy(desc(registrations.updatedAtMs))
  const out = new Map<string, RegistrationSummary>()
  for (const r of rows) if (!out.has(r.gatewayId)) out.set(r.gatewayId, registrationSummaryFromRow(r))
  return out
}
