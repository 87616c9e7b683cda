// Zod schemas, types and row mapping for call detail records (docs/api.md "Queries"); CDRs are written once and never patched.
import { z } from 'zod'
import type { cdrs } from '../db/tables/cdrs.js'
import { terminationReason } from '../termination/reasons.js'
import { ENDED_BY, SIP_TRANSPORTS } from './enums.js'
import { entityId, ipAddress, isoFromMs, isoFromMsOrNull, isoTime, money, port, sipStatusCode } from './fields.js'

/** Row shapes of the `cdrs` table. */
export type CdrRow = typeof cdrs.$inferSelect
export type CdrInsert = typeof cdrs.$inferInsert

const epochMs = z.number().int().min(0).describe('epoch milliseconds')
const dialled = z.string().max(128).describe('number as signalled')
const rtpCount = (what: string) => z.number().int().min(0).nullable().describe(`${what} received by the media relay; null when media was not relayed`)

const attemptPrefix = z.string().max(32).optional().describe('the routing prefix the gateway matched (quality is kept per gateway and prefix)')
const attemptPdd = z.number().int().min(0).nullable().optional().describe('attempt start to its first 18x or answer; null = neither came')

/** One routing attempt as handed over by the core (epoch ms). */
export const cdrAttemptCreate = z.strictObject({
  routingGatewayId: entityId,
  sipCode: sipStatusCode.nullable().describe('final code of the attempt; null = no response'),
  reason: terminationReason,
  startedAtMs: epochMs,
  endedAtMs: epochMs,
  matchedPrefix: attemptPrefix,
  pddMs: attemptPdd,
  transport: z.enum(SIP_TRANSPORTS).optional().describe('transport the INVITE went out on'),
})

/** The record the core hands to the CDR sink (epoch ms, as stored). */
export const cdrCreate = z
  .strictObject({
    id: entityId.describe('assigned at call start; replay is idempotent'),
    callId: z.string().min(1).max(256).describe('SIP Call-ID of the caller leg'),
    startedAtMs: epochMs,
    answeredAtMs: epochMs.nullable(),
    endedAtMs: epochMs,
    durationSec: z.number().int().min(0).describe('answered seconds; 0 when not answered'),
    pddMs: z.number().int().min(0).nullable().describe('INVITE to first ringing/progress; null when none came'),
    caller: dialled,
    callee: dialled,
    calleeOut: dialled.nullable().describe('callee after rewriting; null when no attempt was made'),
    accountId: entityId.nullable().describe('null when the source was not authenticated'),
    mappingGatewayId: entityId.nullable().describe('null when the source was not authenticated'),
    routingGatewayId: entityId.nullable().describe('gateway of the last attempt; null when none'),
    terminationReason,
    sipCode: sipStatusCode.nullable().describe('final status sent to the caller (200 when answered); null when dropped'),
    endedBy: z.enum(ENDED_BY),
    attempts: z.array(cdrAttemptCreate).max(100),
    cost: money.nullable().describe('customer charge; null when not rated'),
    vendorCost: money.nullable().optional().describe('vendor (clearing account) charge; null or absent when not rated'),
    sourceIp: ipAddress.describe('source address of the caller INVITE'),
    sourcePort: port,
    sourceTransport: z.enum(SIP_TRANSPORTS).optional().describe('transport the caller INVITE came on; absent = udp'),
    nodeId: z.string().min(1).max(128).describe('core node that handled the call'),
    warningPlayed: z.boolean().default(false).describe('the SS_CALLREMINTIME warning prompt was played'),
    rtpPacketsFromCaller: rtpCount('RTP packets from the caller').optional(),
    rtpBytesFromCaller: rtpCount('RTP bytes from the caller').optional(),
    rtpPacketsFromCallee: rtpCount('RTP packets from the callee').optional(),
    rtpBytesFromCallee: rtpCount('RTP bytes from the callee').optional(),
    notes: z.array(z.string().max(500)).max(50).default([]).describe('free-form call events worth keeping'),
  })
  .refine((c) => c.endedAtMs >= c.startedAtMs, { message: 'endedAtMs before startedAtMs', path: ['endedAtMs'] })
  .refine((c) => c.answeredAtMs === null || c.answeredAtMs >= c.startedAtMs, {
    message: 'answeredAtMs before startedAtMs',
    path: ['answeredAtMs'],
  })

/** One attempt in the public CDR shape. */
export const cdrAttempt = z.object({
  routingGatewayId: entityId,
  sipCode: sipStatusCode.nullable(),
  reason: terminationReason,
  startedAt: isoTime,
  endedAt: isoTime,
  matchedPrefix: attemptPrefix,
  pddMs: attemptPdd,
  transport: z.enum(SIP_TRANSPORTS).optional(),
})

/** Public JSON shape of a CDR. */
export const cdr = z.object({
  id: entityId,
  callId: z.string(),
  startedAt: isoTime,
  answeredAt: isoTime.nullable(),
  endedAt: isoTime,
  durationSec: z.number().int(),
  pddMs: z.number().int().nullable(),
  caller: z.string(),
  callee: z.string(),
  calleeOut: z.string().nullable(),
  accountId: entityId.nullable(),
  mappingGatewayId: entityId.nullable(),
  routingGatewayId: entityId.nullable(),
  terminationReason,
  sipCode: z.number().int().nullable(),
  endedBy: z.enum(ENDED_BY),
  attempts: z.array(cdrAttempt),
  cost: z.number().nullable().describe('customer charge (revenue); null when not rated'),
  vendorCost: z.number().nullable().describe('vendor charge (cost); null when not rated'),
  sourceIp: z.string(),
  sourcePort: z.number().int(),
  sourceTransport: z.enum(SIP_TRANSPORTS),
  nodeId: z.string(),
  warningPlayed: z.boolean(),
  rtpPacketsFromCaller: z.number().int().nullable(),
  rtpBytesFromCaller: z.number().int().nullable(),
  rtpPacketsFromCallee: z.number().int().nullable(),
  rtpBytesFromCallee: z.number().int().nullable(),
  notes: z.array(z.string()),
})

/** Inferred types of the schemas above. */
export type CdrCreate = z.infer<typeof cdrCreate>
export type CdrAttempt = z.infer<typeof cdrAttempt>
export type Cdr = z.infer<typeof cdr>

/** Maps a `cdrs` row to the public JSON shape. */
export function cdrFromRow(row: CdrRow): Cdr {
  const { startedAtMs, answeredAtMs, endedAtMs, attempts, ...rest } = row
  return {
    ...rest,
    startedAt: isoFromMs(startedAtMs),
    answeredAt: isoFromMsOrNull(answeredAtMs),
    endedAt: isoFromMs(endedAtMs),
    attempts: attempts.map(({ startedAtMs: s, endedAtMs: e, ...a }) => ({ ...a, startedAt: isoFromMs(s), endedAt: isoFromMs(e) })),
  }
}

/** Builds the `cdrs` insert row for a validated record (insert with onConflictDoNothing on id). */
export function cdrToRow(input: CdrCreate): CdrRow {
  return {
    ...input,
    vendorCost: input.vendorCost ?? null,
    sourceTransport: input.sourceTransport ?? 'udp',
    rtpPacketsFromCaller: input.rtpPacketsFromCaller ?? null,
    rtpBytesFromCaller: input.rtpBytesFromCaller ?? null,
    rtpPacketsFromCallee: input.rtpPacketsFromCallee ?? null,
    rtpBytesFromCallee: input.rtpBytesFromCallee ?? null,
  }
}
