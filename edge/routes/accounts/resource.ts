// Descriptor of /v1/accounts for the shared configuration operations; deleting a referenced account is a 409.
import { eq } from 'drizzle-orm'
import { accounts, mappingGateways, rateTables, routingGateways } from '../../../shared/db/schema.js'
import {
  account, accountCreate, accountFromRow, accountToRow, accountUpdate, accountUpdateToRow,
  type Account, type AccountCreate, type AccountUpdate,
} from '../../../shared/entities/account.js'
import type { ConfigResource } from '../config-resource.js'
import { refuseWhileReferenced } from '../references.js'

/** Accounts: customers' balances and limits, and vendors' clearing accounts. */
export const accountsResource: ConfigResource<typeof accounts, Account, AccountCreate, AccountUpdate> = {
  table: accounts,
  noun: 'account',
  typeName: 'Account',
  idPrefix: 'acc',
  schemas: { entity: account, create: accountCreate, update: accountUpdate },
  fromRow: accountFromRow,
  toInsert: async (_tx, input, ctx) => accountToRow(input, ctx),
  toUpdate: async (_tx, _current, input, ctx) => accountUpdateToRow(input, ctx),
  references: (values) => {
    const id = values.rateTableId
    return typeof id === 'string' ? [{ table: rateTables, noun: 'rate table', path: 'rateTableId', id }] : []
  },
  beforeDelete: async (tx, id) => {
    const mapping = await tx.select({ id: mappingGateways.id }).from(mappingGateways).where(eq(mappingGateways.accountId, id))
    const routing = await tx
      .select({ id: routingGateways.id })
      .from(routingGateways)
      .where(eq(routingGateways.clearingAccountId, id))
    refuseWhileReferenced('account', id, [
      { kind: 'mapping gateways', ids: mapping.map((r) => r.id) },
      { kind: 'routing gateways (as clearing account)', ids: routing.map((r) => r.id) },
    ])
  },
}
