// Drizzle table of operator hang-up requests: the edge inserts one for a live call, the owning core claims it and ends the call.
import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core'
import { HANGUP_STATUSES } from '../../entities/enums.js'
import { epochMs, idColumn } from '../columns.js'

/** `call_hangups`: one row per POST /v1/calls/{id}/hangup. */
export const callHangups = sqliteTable(
  'call_hangups',
  {
    id: idColumn(),
    /** The live call's id (its CDR id). */
    callId: text('call_id').notNull(),
    /** The node that published the call; only it claims the request. */
    nodeId: text('node_id').notNull(),
    status: text('status', { enum: HANGUP_STATUSES }).notNull(),
    requestedAtMs: integer('requested_at_ms').notNull(),
    requestedByKeyId: text('requested_by_key_id').notNull(),
    completedAtMs: epochMs('completed_at_ms'),
    error: text('error'),
  },
  (t) => [index('call_hangups_node_id_status_idx').on(t.nodeId, t.status), index('call_hangups_call_id_idx').on(t.callId)],
)
