// Drizzle table of registrar bindings (RFC 3261 §10): the contacts dynamic gateways registered, kept across restarts of the core.
import { sqliteTable, text, integer, real, index, uniqueIndex } from 'drizzle-orm/sqlite-core'
import { epochMs, idColumn, updatedAtMs } from '../columns.js'
import { GATEWAY_KINDS, SIP_TRANSPORTS } from '../../entities/enums.js'

/** `registrations`: one row per (gateway, contact), written by the core before it answers the REGISTER 200. */
export const registrations = sqliteTable(
  'registrations',
  {
    id: idColumn(),
    kind: text('kind', { enum: GATEWAY_KINDS }).notNull(),
    gatewayId: text('gateway_id').notNull(),
    aor: text('aor').notNull(),
    contact: text('contact').notNull(),
    q: real('q'),
    expiresAtMs: epochMs('expires_at_ms').notNull(),
    callId: text('call_id').notNull(),
    cseq: integer('cseq').notNull(),
    userAgent: text('user_agent'),
    sourceIp: text('source_ip').notNull(),
    sourcePort: integer('source_port').notNull(),
    transport: text('transport', { enum: SIP_TRANSPORTS }).notNull(),
    nodeId: text('node_id').notNull(),
    registeredAtMs: epochMs('registered_at_ms').notNull(),
    updatedAtMs: updatedAtMs(),
  },
  (t) => [
    uniqueIndex('registrations_kind_gateway_id_contact_idx').on(t.kind, t.gatewayId, t.contact),
    index('registrations_expires_at_ms_idx').on(t.expiresAtMs),
  ],
)
