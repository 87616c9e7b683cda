// Demo configuration for a new local database (docs/operations.md "First start"): one account, one IP-authenticated mapping gateway, one catch-all route.
import { sql } from 'drizzle-orm'
import { accounts, mappingGateways, routingGateways } from '../../shared/db/schema.js'
import { accountCreate, accountToRow } from '../../shared/entities/account.js'
import { mappingGatewayCreate, mappingGatewayToRow } from '../../shared/entities/mapping-gateway.js'
import { routingGatewayCreate, routingGatewayToRow } from '../../shared/entities/routing-gateway.js'
import { runConfigWrite } from '../config-write.js'
import type { Db } from '../env.js'
import { readEffectiveParams } from '../params-store.js'

/** Fixed ids, so a second seeder (e.g. the core starting at the same time) inserts nothing. */
export const DEMO_IDS = { account: 'acc_demo', mappingGateway: 'mgw_demo', routingGateway: 'rgw_demo' } as const

/** True when the database has never been migrated (no drizzle migrations table yet). */
export async function isNewDatabase(db: Db): Promise<boolean> {
  const rows = await db.all<{ name: string }>(
    sql`select name from sqlite_master where type = 'table' and name = '__drizzle_migrations'`,
  )
  return rows.length === 0
}

/** Inserts the demo configuration and bumps the config version; rows that already exist are left alone. */
export async function seedDemoConfig(db: Db): Promise<void> {
  await runConfigWrite(db, async (tx, nowMs) => {
    const { SS_AUTH_REALM: realm } = await readEffectiveParams(tx)
    // postpaid, so demo calls are not refused for a zero balance
    const account = accountCreate.parse({ name: 'demo', type: 'postpaid' })
    const ingress = mappingGatewayCreate.parse({
      name: 'demo-ingress',
      accountId: DEMO_IDS.account,
      authMode: 'ip',
      ips: ['127.0.0.1'],
    })
    const route = routingGatewayCreate.parse({ name: 'demo-vendor', host: '127.0.0.1', port: 5070, prefixes: [] })
    await tx.insert(accounts).values(accountToRow(account, { id: DEMO_IDS.account, nowMs })).onConflictDoNothing()
    await tx
      .insert(mappingGateways)
      .values(mappingGatewayToRow(ingress, { id: DEMO_IDS.mappingGateway, nowMs, realm }))
      .onConflictDoNothing()
    await tx
      .insert(routingGateways)
      .values(routingGatewayToRow(route, { id: DEMO_IDS.routingGateway, nowMs }))
      .onConflictDoNothing()
  })
}
