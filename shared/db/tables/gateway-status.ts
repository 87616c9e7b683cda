// Drizzle table of live gateway state (OPTIONS checks, current calls) as last published by each core node.
import { sqliteTable, text, integer, real, primaryKey, index } from 'drizzle-orm/sqlite-core'
import { bool, epochMs, updatedAtMs } from '../columns.js'
import { GATEWAY_KINDS } from '../../entities/enums.js'

/** `gateway_status`: one row per (kind, gateway id, node), each node overwriting its own every few seconds; readers sum them. */
export const gatewayStatus = sqliteTable(
  'gateway_status',
  {
    kind: text('kind', { enum: GATEWAY_KINDS }).notNull(),
    gatewayId: text('gateway_id').notNull(),
    online: bool('online').notNull(),
    lastCheckAtMs: epochMs('last_check_at_ms'),
    rttMs: integer('rtt_ms'),
    lossRatio: real('loss_ratio'),
    lastCode: integer('last_code'),
    currentCalls: integer('current_calls').notNull(),
    callsPerSec: real('calls_per_sec').notNull(),
    nodeId: text('node_id').notNull(),
    updatedAtMs: updatedAtMs(),
  },
  (t) => [
    primaryKey({ name: 'gateway_status_kind_gateway_id_node_id_pk', columns: [t.kind, t.gatewayId, t.nodeId] }),
    index('gateway_status_node_id_idx').on(t.nodeId),
  ],
)
