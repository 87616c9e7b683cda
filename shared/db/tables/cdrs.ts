// Drizzle table of call detail records, one per call, indexed for the API's newest-first keyset queries.
import { sqliteTable, text, integer, real, index } from 'drizzle-orm/sqlite-core'
import { bool, jsonText } from '../columns.js'
import { ENDED_BY, SIP_TRANSPORTS } from '../../entities/enums.js'
import { TERMINATION_REASONS } from '../../termination/reasons.js'
import type { CdrAttemptRow } from '../../entities/fields.js'

/**
 * `cdrs`: no foreign keys, because CDRs outlive the configuration rows they mention. Each equality filter has a
 * `(col, started_at_ms, id)` index, so a filtered newest-first keyset page is one ordered range scan without a sort.
 * No index serves no query: each costs the CDR writer's insert (call_id has none: nothing looks a CDR up by it).
 */
export const cdrs = sqliteTable(
  'cdrs',
  {
    id: text('id').primaryKey(), // assigned at call start, so replaying the journal is idempotent
    callId: text('call_id').notNull(),
    startedAtMs: integer('started_at_ms').notNull(),
    answeredAtMs: integer('answered_at_ms'),
    endedAtMs: integer('ended_at_ms').notNull(),
    durationSec: integer('duration_sec').notNull(),
    pddMs: integer('pdd_ms'),
    caller: text('caller').notNull(),
    callee: text('callee').notNull(),
    calleeOut: text('callee_out'),
    accountId: text('account_id'),
    mappingGatewayId: text('mapping_gateway_id'),
    routingGatewayId: text('routing_gateway_id'),
    terminationReason: text('termination_reason', { enum: TERMINATION_REASONS }).notNull(),
    sipCode: integer('sip_code'),
    endedBy: text('ended_by', { enum: ENDED_BY }).notNull(),
    attempts: jsonText<CdrAttemptRow[]>('attempts').notNull(),
    cost: real('cost'), // customer charge (revenue)
    vendorCost: real('vendor_cost'), // what the routing gateway's clearing account is charged (cost)
    sourceIp: text('source_ip').notNull(),
    sourcePort: integer('source_port').notNull(),
    sourceTransport: text('source_transport', { enum: SIP_TRANSPORTS }).notNull().default('udp'),
    nodeId: text('node_id').notNull(),
    warningPlayed: bool('warning_played').notNull(),
    // RTP counted by the core's relay (null: media was not relayed); zero from one side is the one-way-audio signature.
    rtpPacketsFromCaller: integer('rtp_packets_from_caller'),
    rtpBytesFromCaller: integer('rtp_bytes_from_caller'),
    rtpPacketsFromCallee: integer('rtp_packets_from_callee'),
    rtpBytesFromCallee: integer('rtp_bytes_from_callee'),
    notes: jsonText<string[]>('notes').notNull(),
  },
  (t) => [
    index('cdrs_started_at_ms_id_idx').on(t.startedAtMs, t.id),
    index('cdrs_account_id_started_at_ms_id_idx').on(t.accountId, t.startedAtMs, t.id),
    index('cdrs_mapping_gateway_id_started_at_ms_id_idx').on(t.mappingGatewayId, t.startedAtMs, t.id),
    index('cdrs_routing_gateway_id_started_at_ms_id_idx').on(t.routingGatewayId, t.startedAtMs, t.id),
    index('cdrs_termination_reason_started_at_ms_id_idx').on(t.terminationReason, t.startedAtMs, t.id),
    index('cdrs_sip_code_started_at_ms_id_idx').on(t.sipCode, t.startedAtMs, t.id),
    index('cdrs_callee_started_at_ms_idx').on(t.callee, t.startedAtMs),
    index('cdrs_caller_started_at_ms_idx').on(t.caller, t.startedAtMs),
    // Quality windows read the attempts of calls that ended recently (routing analysis).
    index('cdrs_ended_at_ms_idx').on(t.endedAtMs),
  ],
)
