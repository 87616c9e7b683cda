// Drizzle table of on-demand network tests: the edge writes a request, a core polls, claims, probes the gateway with OPTIONS and writes the result.
import { index, integer, real, sqliteTable, text } from 'drizzle-orm/sqlite-core'
import { NETWORK_TEST_STATUSES } from '../../entities/enums.js'
import { epochMs, idColumn } from '../columns.js'

/** `network_tests`: one row per POST /v1/routing-gateways/{id}/network-test (request and result). */
export const networkTests = sqliteTable(
  'network_tests',
  {
    id: idColumn(),
    routingGatewayId: text('routing_gateway_id').notNull(),
    /** The gateway's address when the test was asked for (a core may not have loaded a new gateway yet). */
    host: text('host').notNull(),
    port: integer('port').notNull(),
    count: integer('count').notNull(),
    intervalMs: integer('interval_ms').notNull(),
    status: text('status', { enum: NETWORK_TEST_STATUSES }).notNull(),
    nodeId: text('node_id'),
    requestedAtMs: epochMs('requested_at_ms').notNull(),
    startedAtMs: epochMs('started_at_ms'),
    completedAtMs: epochMs('completed_at_ms'),
    sent: integer('sent'),
    received: integer('received'),
    lossRatio: real('loss_ratio'),
    rttMinMs: integer('rtt_min_ms'),
    rttAvgMs: integer('rtt_avg_ms'),
    rttMaxMs: integer('rtt_max_ms'),
    lastCode: integer('last_code'),
    error: text('error'),
  },
  (t) => [index('network_tests_status_requested_at_ms_idx').on(t.status, t.requestedAtMs)],
)
