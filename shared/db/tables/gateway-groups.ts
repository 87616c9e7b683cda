// Drizzle table of routing gateway groups: shared line limit, reserved lines and work calendar.
import { sqliteTable, text, integer, uniqueIndex } from 'drizzle-orm/sqlite-core'
import { createdAtMs, idColumn, jsonText, updatedAtMs } from '../columns.js'
import type { CalendarWindow, ReservedLine } from '../../entities/fields.js'

/** `gateway_groups`: capacity and schedule shared by the routing gateways in the group. */
export const gatewayGroups = sqliteTable(
  'gateway_groups',
  {
    id: idColumn(),
    name: text('name').notNull(),
    lineLimit: integer('line_limit').notNull(),
    reservedLines: jsonText<ReservedLine[]>('reserved_lines').notNull(),
    calendar: jsonText<CalendarWindow[]>('calendar').notNull(),
    createdAtMs: createdAtMs(),
    updatedAtMs: updatedAtMs(),
  },
  (t) => [uniqueIndex('gateway_groups_name_idx').on(t.name)],
)
