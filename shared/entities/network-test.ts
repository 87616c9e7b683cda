// Zod schemas and row mapping for on-demand network tests (POST /v1/routing-gateways/{id}/network-test), shared by the edge that asks and the core that answers.
import { z } from 'zod'
import type { networkTests } from '../db/tables/network-tests.js'
import { NETWORK_TEST_STATUSES } from './enums.js'
import { entityId, isoFromMs, isoFromMsOrNull, isoTime } from './fields.js'

/** Row shape of the `network_tests` table. */
export type NetworkTestRow = typeof networkTests.$inferSelect

/** Body of POST /v1/routing-gateways/{id}/network-test (all optional). */
export const networkTestRequest = z.strictObject({
  count: z.number().int().min(1).max(20).default(5).describe('OPTIONS probes to send'),
  intervalMs: z.number().int().min(20).max(2000).default(200).describe('gap between probes (ms)'),
  waitMs: z.number().int().min(0).max(60_000).default(15_000).describe('how long the request waits for a core to finish'),
})

/** Public JSON shape of a network test. */
export const networkTest = z.object({
  id: entityId,
  routingGatewayId: entityId,
  status: z.enum(NETWORK_TEST_STATUSES),
  sent: z.number().int().nullable(),
  received: z.number().int().nullable(),
  lossRatio: z.number().min(0).max(1).nullable(),
  rttMs: z.object({ min: z.number().int(), avg: z.number().int(), max: z.number().int() }).nullable().describe('null when no probe was answered'),
  lastCode: z.number().int().nullable().describe('status of the last answer'),
  nodeId: z.string().nullable().describe('core node that ran the test'),
  error: z.string().nullable(),
  requestedAt: isoTime,
  completedAt: isoTime.nullable(),
})

/** Inferred types of the schemas above. */
export type NetworkTestRequest = z.infer<typeof networkTestRequest>
export type NetworkTest = z.infer<typeof networkTest>

/** Maps a `network_tests` row to the public shape. */
export function networkTestFromRow(r: NetworkTestRow): NetworkTest {
  const rttMs = r.rttMinMs === null || r.rttAvgMs === null || r.rttMaxMs === null ? null : { min: r.rttMinMs, avg: r.rttAvgMs, max: r.rttMaxMs }
  return {
    id: r.id, routingGatewayId: r.routingGatewayId, status: r.status, sent: r.sent, received: r.received, lossRatio: r.lossRatio,
    rttMs, lastCode: r.lastCode, nodeId: r.nodeId, error: r.error, requestedAt: isoFromMs(r.requestedAtMs), completedAt: isoFromMsOrNull(r.completedAtMs),
  }
}
