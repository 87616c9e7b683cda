// Drizzle table of calls in progress as published by the core node that owns each one.
import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core'
import { epochMs, jsonText } from '../columns.js'
import { CALL_STATES } from '../../entities/enums.js'

/** Media of a live call: whether the core relays it and the RTP packets relayed from each side so far. */
export interface LiveCallMedia {
  relayed: boolean
  rtpPacketsFromCaller: number | null
  rtpPacketsFromCallee: number | null
}

/** `live_calls`: the id is the call's CDR id; rows of a node are replaced as its calls change and deleted when they end. */
export const liveCalls = sqliteTable(
  'live_calls',
  {
    id: text('id').primaryKey(),
    nodeId: text('node_id').notNull(),
    callId: text('call_id').notNull(),
    state: text('state', { enum: CALL_STATES }).notNull(),
    caller: text('caller').notNull(),
    callee: text('callee').notNull(),
    calleeOut: text('callee_out'),
    accountId: text('account_id').notNull(),
    mappingGatewayId: text('mapping_gateway_id').notNull(),
    routingGatewayId: text('routing_gateway_id'),
    startedAtMs: integer('started_at_ms').notNull(),
    answeredAtMs: epochMs('answered_at_ms'),
    attempts: integer('attempts').notNull(),
    media: jsonText<LiveCallMedia>('media'),
    updatedAtMs: integer('updated_at_ms').notNull(),
  },
  (t) => [index('live_calls_node_id_idx').on(t.nodeId), index('live_calls_started_at_ms_idx').on(t.startedAtMs)],
)
