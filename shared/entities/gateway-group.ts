// Zod schemas, types and row mapping for gateway groups (docs/api.md /v1/gateway-groups).
import { z } from 'zod'
import type { gatewayGroups } from '../db/tables/gateway-groups.js'
import { calendarWindow, entityId, entityName, isoFromMs, isoTime, lineLimit, patchSchema, reservedLine } from './fields.js'

/** Row shapes of the `gateway_groups` table. */
export type GatewayGroupRow = typeof gatewayGroups.$inferSelect
export type GatewayGroupInsert = typeof gatewayGroups.$inferInsert

const fields = {
  name: entityName,
  lineLimit: lineLimit.describe('concurrent calls over all gateways of the group; 0 = unlimited'),
  reservedLines: z
    .array(reservedLine)
    .max(1000)
    .refine((r) => new Set(r.map((x) => x.mappingGatewayId)).size === r.length, 'one entry per mapping gateway')
    .describe('lines kept free for specific mapping gateways'),
  calendar: z.array(calendarWindow).max(100).describe('weekly work windows; empty = always open'),
}

/** Issue when the reserved lines add up to more than a non-zero line limit. */
export function reservedLinesIssue(limit: number, reserved: readonly { lines: number }[]): string | null {
  const total = reserved.reduce((sum, r) => sum + r.lines, 0)
  return limit > 0 && total > limit ? `reserved lines (${total}) exceed lineLimit (${limit})` : null
}

/** POST /v1/gateway-groups body. */
export const gatewayGroupCreate = z
  .strictObject({
    ...fields,
    lineLimit: fields.lineLimit.default(0),
    reservedLines: fields.reservedLines.default([]),
    calendar: fields.calendar.default([]),
  })
  .superRefine((b, ctx) => {
    const issue = reservedLinesIssue(b.lineLimit, b.reservedLines)
    if (issue) ctx.addIssue({ code: 'custom', path: ['reservedLines'], message: issue })
  })

/** PATCH /v1/gateway-groups/{id} body (check `reservedLinesIssue` again on the merged row). */
export const gatewayGroupUpdate = patchSchema(fields)

/** Public JSON shape of a gateway group. */
export const gatewayGroup = z.object({ id: entityId, ...fields, createdAt: isoTime, updatedAt: isoTime })

/** Inferred types of the schemas above. */
export type GatewayGroupCreate = z.infer<typeof gatewayGroupCreate>
export type GatewayGroupUpdate = z.infer<typeof gatewayGroupUpdate>
export type GatewayGroup = z.infer<typeof gatewayGroup>

/** Maps a `gateway_groups` row to the public JSON shape. */
export function gatewayGroupFromRow(row: GatewayGroupRow): GatewayGroup {
  const { createdAtMs, updatedAtMs, ...rest } = row
  return { ...rest, createdAt: isoFromMs(createdAtMs), updatedAt: isoFromMs(updatedAtMs) }
}

/** Builds the insert row for a validated create body. */
export function gatewayGroupToRow(input: GatewayGroupCreate, ctx: { id: string; nowMs: number }): GatewayGroupRow {
  return { id: ctx.id, ...input, createdAtMs: ctx.nowMs, updatedAtMs: ctx.nowMs }
}

/** Builds the update set for a validated PATCH body. */
export function gatewayGroupUpdateToRow(input: GatewayGroupUpdate, ctx: { nowMs: number }): Partial<GatewayGroupInsert> {
  return { ...input, updatedAtMs: ctx.nowMs }
}
