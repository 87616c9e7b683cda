// Zod schemas and row mapping for calls in progress (GET /v1/calls) and operator hang-ups (POST /v1/calls/{id}/hangup).
import { z } from 'zod'
import type { callHangups } from '../db/tables/call-hangups.js'
import type { coreNodes } from '../db/tables/core-nodes.js'
import type { liveCalls } from '../db/tables/live-calls.js'
import { CALL_STATES, HANGUP_STATUSES } from './enums.js'
import { entityId, isoFromMs, isoFromMsOrNull, isoTime } from './fields.js'

/** Row shapes of the live tables. */
export type LiveCallRow = typeof liveCalls.$inferSelect
export type CoreNodeRow = typeof coreNodes.$inferSelect
export type CallHangupRow = typeof callHangups.$inferSelect

/** A node's rows count as live while its last publish is younger than this many publish periods (plus LIVE_GRACE_MS). */
export const LIVE_STALE_PERIODS = 3
/** Slack added to the staleness bound for clock skew and a slow database. */
export const LIVE_GRACE_MS = 2_000

/** True when a node's last publish is too old for its rows to be trusted. */
export function isStaleNode(node: Pick<CoreNodeRow, 'publishedAtMs' | 'publishPeriodMs'>, nowMs: number): boolean {
  return nowMs - node.publishedAtMs > node.publishPeriodMs * LIVE_STALE_PERIODS + LIVE_GRACE_MS
}

/** Public JSON shape of one call in progress. */
export const liveCall = z.object({
  id: entityId.describe('the call id, also the id of its CDR once it ends'),
  nodeId: z.string().describe('core node that owns the call'),
  callId: z.string().describe("SIP Call-ID of the caller's leg"),
  state: z.enum(CALL_STATES).describe('routing: attempt in flight; early: ringing/progress relayed; connecting: answered, ACK pending; connected'),
  caller: z.string(),
  callee: z.string().describe('as received'),
  calleeOut: z.string().nullable().describe('as sent to the current routing gateway'),
  accountId: entityId,
  mappingGatewayId: entityId,
  routingGatewayId: entityId.nullable(),
  startedAt: isoTime,
  answeredAt: isoTime.nullable(),
  durationSec: z.number().int().describe('seconds since the start'),
  talkSec: z.number().int().nullable().describe('seconds since the answer'),
  attempts: z.number().int().describe('routing attempts so far'),
  media: z
    .object({ relayed: z.boolean(), rtpPacketsFromCaller: z.number().int().nullable(), rtpPacketsFromCallee: z.number().int().nullable() })
    .nullable()
    .describe('RTP relayed so far; null when the node did not report media'),
  updatedAt: isoTime.describe('when the owning node last published this call'),
})
/** Inferred type. */
export type LiveCall = z.infer<typeof liveCall>

/** Public JSON shape of one core node's heartbeat. */
export const coreNode = z.object({
  nodeId: z.string(),
  publishedAt: isoTime,
  publishPeriodMs: z.number().int(),
  activeCalls: z.number().int(),
  draining: z.boolean(),
  startedAt: isoTime,
  stale: z.boolean().describe('no publish for several periods: its calls are not listed'),
})
/** Inferred type. */
export type CoreNode = z.infer<typeof coreNode>

/** Maps a `live_calls` row to the public shape at `nowMs`. */
export function liveCallFromRow(r: LiveCallRow, nowMs: number): LiveCall {
  const { startedAtMs, answeredAtMs, updatedAtMs, media, ...rest } = r
  return {
    ...rest,
    startedAt: isoFromMs(startedAtMs),
    answeredAt: isoFromMsOrNull(answeredAtMs),
    durationSec: Math.max(0, Math.floor((nowMs - startedAtMs) / 1000)),
    talkSec: answeredAtMs === null ? null : Math.max(0, Math.floor((nowMs - answeredAtMs) / 1000)),
    media: media ?? null,
    updatedAt: isoFromMs(updatedAtMs),
  }
}

/** Maps a `core_nodes` row to the public shape at `nowMs`. */
export function coreNodeFromRow(r: CoreNodeRow, nowMs: number): CoreNode {
  return {
    nodeId: r.nodeId, publishedAt: isoFromMs(r.publishedAtMs), publishPeriodMs: r.publishPeriodMs, activeCalls: r.activeCalls,
    draining: r.draining, startedAt: isoFromMs(r.startedAtMs), stale: isStaleNode(r, nowMs),
  }
}

/** Body of POST /v1/calls/{id}/hangup (all optional). */
export const hangupRequest = z.strictObject({
  waitMs: z.number().int().min(0).max(30_000).default(5_000).describe('how long the request waits for the owning core to end the call'),
})

/** Public JSON shape of a hang-up request. */
export const callHangup = z.object({
  id: entityId,
  callId: entityId,
  nodeId: z.string(),
  status: z.enum(HANGUP_STATUSES).describe('pending until the owning core acts; done: the call ended with OperatorHangup'),
  requestedAt: isoTime,
  requestedByKeyId: entityId,
  completedAt: isoTime.nullable(),
  error: z.string().nullable(),
})
/** Inferred type. */
export type CallHangup = z.infer<typeof callHangup>

/** Maps a `call_hangups` row to the public shape. */
export function callHangupFromRow(r: CallHangupRow): CallHangup {
  const { requestedAtMs, completedAtMs, ...rest } = r
  return { ...rest, requestedAt: isoFromMs(requestedAtMs), completedAt: isoFromMsOrNull(completedAtMs) }
}
