// Test support for core/gateway-reports: a migrated libSQL file in a temp dir and a snapshot with routing gateways rg1 (checked) and rg2 and mapping gateway mg1.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { accountCreate, accountToRow } from '../../../shared/entities/account.js'
import { mappingGatewayCreate, mappingGatewayToRow } from '../../../shared/entities/mapping-gateway.js'
import { routingGatewayCreate, routingGatewayToRow } from '../../../shared/entities/routing-gateway.js'
import { buildSnapshot, type ConfigSnapshot } from '../../config/snapshot.js'
import { applyMigrations, openDatabase, type Database } from '../../../shared/db/node/database.js'

/** Opens a migrated database in a new temp dir; `dispose` closes and removes it. */
export async function tempDatabase(): Promise<{ database: Database; dispose(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'softswitch-live-'))
  const database = openDatabase({ url: pathToFileURL(join(dir, 'core.db')).href })
  await applyMigrations(database.db)
  return {
    database,
    async dispose() {
      database.close()
      await rm(dir, { recursive: true, force: true })
    },
  }
}

/** Snapshot with the given routing gateway ids (rg1 has optionsCheck) and mapping gateway mg1. */
export function liveSnapshot(routing: string[] = ['rg1', 'rg2']): ConfigSnapshot {
  return buildSnapshot({
    version: 1, loadedAtMs: 0, parameters: [], gatewayGroups: [],
    accounts: [accountToRow(accountCreate.parse({ name: 'acc1', balance: 1 }), { id: 'acc1', nowMs: 1 })],
    mappingGateways: [mappingGatewayToRow(mappingGatewayCreate.parse({ name: 'mg1', accountId: 'acc1', authMode: 'ip', ips: ['192.0.2.1'] }), { id: 'mg1', nowMs: 1, realm: 'x' })],
    routingGateways: routing.map((id) => routingGatewayToRow(routingGatewayCreate.parse({ name: id, host: '192.0.2.9', optionsCheck: id === 'rg1' }), { id, nowMs: 1 })),
  })
}
