// Descriptor of /v1/rate-tables for the shared configuration operations; deleting a table an account uses is a 409.
import { eq } from 'drizzle-orm'
import { accounts, rates, rateTables } from '../../../shared/db/schema.js'
import {
  rateTable, rateTableCreate, rateTableFromRow, rateTableToRow, rateTableUpdate, rateTableUpdateToRow,
  type RateTable, type RateTableCreate, type RateTableUpdate,
} from '../../../shared/entities/rate-table.js'
import type { ConfigResource } from '../config-resource.js'
import { refuseWhileReferenced } from '../references.js'

/** Rate tables: named price lists of customer and clearing accounts (writes bump the config version: the core rates from its snapshot). */
export const rateTablesResource: ConfigResource<typeof rateTables, RateTable, RateTableCreate, RateTableUpdate> = {
  table: rateTables,
  noun: 'rate table',
  typeName: 'RateTable',
  idPrefix: 'rtb',
  schemas: { entity: rateTable, create: rateTableCreate, update: rateTableUpdate },
  fromRow: rateTableFromRow,
  toInsert: async (_tx, input, ctx) => rateTableToRow(input, ctx),
  toUpdate: async (_tx, _current, input, ctx) => rateTableUpdateToRow(input, ctx),
  // Its rates go with it (explicitly: the ON DELETE CASCADE only acts where a connection enabled foreign keys).
  beforeDelete: async (tx, id) => {
    const users = await tx.select({ id: accounts.id }).from(accounts).where(eq(accounts.rateTableId, id))
    refuseWhileReferenced('rate table', id, [{ kind: 'accounts', ids: users.map((r) => r.id) }])
    await tx.delete(rates).where(eq(rates.rateTableId, id))
  },
}
