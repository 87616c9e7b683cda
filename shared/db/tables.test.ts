// Covers the storage contract: entity/table parity, the naming rules of docs/architecture.md "Data", migrations up to date, and a round trip on real libSQL.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createClient, type Client } from '@libsql/client'
import { eq, getTableColumns, getTableName, is } from 'drizzle-orm'
import { drizzle, type LibSQLDatabase } from 'drizzle-orm/libsql'
import { migrate } from 'drizzle-orm/libsql/migrator'
import { getTableConfig, SQLiteTable } from 'drizzle-orm/sqlite-core'
import { generateSQLiteDrizzleJson, generateSQLiteMigration } from 'drizzle-kit/api'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { z } from 'zod'
import * as schema from './schema.js'
import { account, accountCreate, accountToRow } from '../entities/account.js'
import { alert, alertDelivery } from '../entities/alert.js'
import { alertRule } from '../entities/alert-rule.js'
import { apiKey, apiKeyToRow } from '../entities/api-key.js'
import { cdr, cdrCreate, cdrToRow } from '../entities/cdr.js'
import { gatewayGroup, gatewayGroupCreate, gatewayGroupToRow } from '../entities/gateway-group.js'
import { gatewayStatus, gatewayStatusCreate, gatewayStatusToRow } from '../entities/gateway-status.js'
import { mappingGateway, mappingGatewayCreate, mappingGatewayToRow } from '../entities/mapping-gateway.js'
import { parameter } from '../entities/parameter.js'
import { payment, paymentCreate, paymentToRow } from '../entities/payment.js'
import { rate, rateCreate, rateToRow } from '../entities/rate.js'
import { rateTable, rateTableCreate, rateTableToRow } from '../entities/rate-table.js'
import { routingGateway, routingGatewayCreate, routingGatewayToRow } from '../entities/routing-gateway.js'
import { registration } from '../entities/registration.js'
import { webhook } from '../entities/webhook.js'

const MIGRATIONS = new URL('../../migrations/', import.meta.url).pathname
const snake = (s: string) => s.replace(/[A-Z]/g, (m) => `_${m.toLowerCase()}`)
/** Public JSON key -> table property: ISO `...At` and `...From` fields are stored as `...AtMs` / `...FromMs`. */
const toColumnKey = (key: string) => (key.endsWith('At') || key.endsWith('From') ? `${key}Ms` : key)

interface Parity {
  entity: z.ZodObject
  table: SQLiteTable
  publicOnly?: string[] // derived in the API, not stored
  storedOnly?: string[] // write-only or internal, never in the API
}

const PARITY: Record<string, Parity> = {
  accounts: { entity: account, table: schema.accounts },
  mappingGateways: { entity: mappingGateway, table: schema.mappingGateways, storedOnly: ['digestRealm', 'ha1Md5', 'ha1Sha256'] },
  routingGateways: { entity: routingGateway, table: schema.routingGateways, storedOnly: ['digestRealm', 'ha1Md5', 'ha1Sha256'] },
  registrations: { entity: registration, table: schema.registrations },
  gatewayGroups: { entity: gatewayGroup, table: schema.gatewayGroups },
  apiKeys: { entity: apiKey, table: schema.apiKeys, storedOnly: ['secretHash'] },
  cdrs: { entity: cdr, table: schema.cdrs },
  gatewayStatus: { entity: gatewayStatus, table: schema.gatewayStatus },
  alertRules: { entity: alertRule, table: schema.alertRules },
  webhooks: { entity: webhook, table: schema.webhooks, storedOnly: ['secret'] },
  alerts: { entity: alert, table: schema.alerts },
  alertDeliveries: { entity: alertDelivery, table: schema.alertDeliveries, storedOnly: ['alertId', 'body', 'createdAtMs'] },
  rateTables: { entity: rateTable, table: schema.rateTables },
  rates: { entity: rate, table: schema.rates },
  payments: { entity: payment, table: schema.payments },
  systemParameters: {
    entity: parameter, table: schema.systemParameters,
    publicOnly: ['type', 'default', 'unit', 'min', 'max', 'description'], // from the catalogue
  },
}

describe('entity / table parity', () => {
  it.each(Object.entries(PARITY))('%s: every public key has a column and every column a public key', (_, p) => {
    const publicKeys = Object.keys(p.entity.shape).filter((k) => !(p.publicOnly ?? []).includes(k)).map(toColumnKey)
    const columns = Object.keys(getTableColumns(p.table)).filter((k) => !(p.storedOnly ?? []).includes(k))
    expect(publicKeys.sort()).toEqual(columns.sort())
  })
})

describe('naming (snake_case tables and columns, <table>_<columns>_idx indexes)', () => {
  const tables = (Object.values(schema) as unknown[]).filter((v): v is SQLiteTable => is(v, SQLiteTable))

  it('exports all twenty-six tables from schema.ts', () => {
    expect(tables.map((t) => getTableName(t)).sort()).toEqual([
      'accounts', 'alert_deliveries', 'alert_rules', 'alerts', 'api_keys', 'audit_log', 'auth_refusals', 'billed_cdrs', 'call_hangups', 'cdrs',
      'config_version', 'console_sessions', 'core_nodes', 'gateway_groups', 'gateway_status', 'ip_access_list', 'job_leases', 'live_calls',
      'mapping_gateways', 'network_tests', 'payments', 'rate_tables', 'rates', 'registrations', 'routing_gateways', 'system_parameters',
      'webhooks',
    ])
  })

  it.each(tables.map((t) => [getTableName(t), t] as const))('%s uses snake_case columns and epoch-ms times', (_, t) => {
    for (const [key, col] of Object.entries(getTableColumns(t))) {
      expect(col.name).toBe(snake(key))
      if (/At$|AtMs$/.test(key)) expect(col.name).toMatch(/_at_ms$/)
    }
  })

  it.each(tables.map((t) => [getTableName(t), t] as const))('%s names indexes <table>_<cols>_idx', (name, t) => {
    for (const idx of getTableConfig(t).indexes) {
      const cols = idx.config.columns.map((c) => ('name' in c ? c.name : '')).join('_')
      expect(idx.config.name).toBe(`${name}_${cols}_idx`)
    }
  })

  it('puts a unique index on name wherever a duplicate name is a 409, and on the digest username', () => {
    for (const t of [schema.accounts, schema.mappingGateways, schema.routingGateways, schema.gatewayGroups, schema.apiKeys, schema.alertRules, schema.webhooks, schema.rateTables]) {
      const byName = getTableConfig(t).indexes.find((i) => i.config.name === `${getTableName(t)}_name_idx`)
      expect(byName?.config.unique, getTableName(t)).toBe(true)
    }
    const byUser = getTableConfig(schema.mappingGateways).indexes.find((i) => i.config.name === 'mapping_gateways_username_idx')
    expect(byUser?.config.unique).toBe(true)
  })
})

describe('migrations', () => {
  it('are up to date with the tables (drizzle-kit finds nothing to generate)', async () => {
    const journal = JSON.parse(readFileSync(join(MIGRATIONS, 'meta/_journal.json'), 'utf8')) as { entries: { idx: number }[] }
    const last = journal.entries.at(-1)?.idx ?? 0
    const prev = JSON.parse(readFileSync(join(MIGRATIONS, `meta/${String(last).padStart(4, '0')}_snapshot.json`), 'utf8'))
    const cur = await generateSQLiteDrizzleJson(schema as Record<string, unknown>)
    expect(await generateSQLiteMigration(prev, cur)).toEqual([])
  })
})

describe('libSQL round trip', () => {
  let dir: string
  let client: Client
  let db: LibSQLDatabase<typeof schema>
  const ctx = { nowMs: 1_700_000_000_000 }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'softswitch-shared-'))
    client = createClient({ url: `file:${join(dir, 'test.db')}` })
    db = drizzle(client, { schema })
    await migrate(db, { migrationsFolder: MIGRATIONS })
  })
  afterAll(() => {
    client.close()
    rmSync(dir, { recursive: true, force: true })
  })

  const rt = rateTableToRow(rateTableCreate.parse({ name: 'Retail' }), { id: 't1', ...ctx })
  const rt1 = rateToRow(rateCreate.parse({ prefix: '0033', pricePerMinute: 0.015, firstIncrementSec: 30, nextIncrementSec: 6, effectiveFrom: '2026-01-01T00:00:00Z' }), { id: 'rt1', rateTableId: 't1' })
  const acc = accountToRow(accountCreate.parse({ name: 'Acme', balance: 10.25, rateTableId: 't1' }), { id: 'a1', ...ctx })
  const pay = paymentToRow(paymentCreate.parse({ amount: -2.5, note: 'correction' }), { id: 'p1', accountId: 'a1', balanceAfter: 7.75, ...ctx })
  const grp = gatewayGroupToRow(
    gatewayGroupCreate.parse({ name: 'G', lineLimit: 5, calendar: [{ days: [1, 2], from: '08:00', to: '18:00' }] }),
    { id: 'g1', ...ctx },
  )
  const mgw = mappingGatewayToRow(
    mappingGatewayCreate.parse({ name: 'M', accountId: 'a1', authMode: 'password', username: 'u', password: 'p', ips: ['2001:db8::1'] }),
    { id: 'm1', realm: 'softswitch', ...ctx },
  )
  const rgw = routingGatewayToRow(
    routingGatewayCreate.parse({
      name: 'R', host: 'sip.vendor.example', prefixes: ['0033', '+44'], stopSwitchingCodes: [486], groupId: 'g1',
      clearingAccountId: 'a1', mappingGatewayRule: { mode: 'forbid', ids: ['m9'] }, calleeRewrite: { strip: 2, add: '+' },
    }),
    { id: 'r1', ...ctx },
  )
  const key = apiKeyToRow({ name: 'ci', role: 'admin' }, { id: 'k1', secret: 'ssk_secret', ...ctx })
  const call = cdrToRow(cdrCreate.parse({
    id: 'c1', callId: 'x@y', startedAtMs: ctx.nowMs, answeredAtMs: null, endedAtMs: ctx.nowMs + 900, durationSec: 0,
    pddMs: 300, caller: '1001', callee: '0033155', calleeOut: '33155', accountId: 'a1', mappingGatewayId: 'm1',
    routingGatewayId: 'r1', terminationReason: 'GatewayRejected', sipCode: 486, endedBy: 'callee', cost: null,
    sourceIp: '192.0.2.1', sourcePort: 5060, nodeId: 'core-1', warningPlayed: false, notes: ['x'],
    attempts: [{ routingGatewayId: 'r1', sipCode: 486, reason: 'GatewayRejected', startedAtMs: ctx.nowMs, endedAtMs: ctx.nowMs + 900 }],
  }))
  const status = gatewayStatusToRow(gatewayStatusCreate.parse({
    kind: 'routing', gatewayId: 'r1', online: false, lastCheckAtMs: null, rttMs: null, lossRatio: 1, lastCode: null,
    currentCalls: 0, callsPerSec: 0, nodeId: 'core-1', updatedAtMs: ctx.nowMs,
  }))

  it('stores and reads back one row of every table unchanged (JSON, booleans, nulls, reals)', async () => {
    await db.insert(schema.rateTables).values(rt)
    await db.insert(schema.rates).values(rt1)
    await db.insert(schema.accounts).values(acc)
    await db.insert(schema.payments).values(pay)
    await db.insert(schema.gatewayGroups).values(grp)
    await db.insert(schema.mappingGateways).values(mgw)
    await db.insert(schema.routingGateways).values(rgw)
    await db.insert(schema.apiKeys).values(key)
    await db.insert(schema.cdrs).values(call)
    await db.insert(schema.gatewayStatus).values(status)
    await db.insert(schema.systemParameters).values({ name: 'SS_MAXCALLDURATION', value: 3600, updatedAtMs: ctx.nowMs })
    await db.insert(schema.configVersion).values({ id: schema.CONFIG_VERSION_ROW_ID, version: 1, updatedAtMs: ctx.nowMs })

    expect(await db.select().from(schema.accounts)).toEqual([acc])
    expect(await db.select().from(schema.rateTables)).toEqual([rt])
    expect(await db.select().from(schema.rates)).toEqual([rt1])
    expect(await db.select().from(schema.payments)).toEqual([pay])
    expect(await db.select().from(schema.gatewayGroups)).toEqual([grp])
    expect(await db.select().from(schema.mappingGateways)).toEqual([mgw])
    expect(await db.select().from(schema.routingGateways)).toEqual([rgw])
    expect(await db.select().from(schema.apiKeys).where(eq(schema.apiKeys.secretHash, key.secretHash))).toEqual([key])
    expect(await db.select().from(schema.cdrs)).toEqual([call])
    expect(await db.select().from(schema.gatewayStatus)).toEqual([status])
    expect(await db.select().from(schema.systemParameters)).toEqual([{ name: 'SS_MAXCALLDURATION', value: 3600, updatedAtMs: ctx.nowMs }])
    expect(await db.select().from(schema.configVersion)).toEqual([{ id: 1, version: 1, updatedAtMs: ctx.nowMs }])
  })

  it('rejects a duplicate account name (the API answers 409)', async () => {
    await expect(db.insert(schema.accounts).values({ ...acc, id: 'a2' })).rejects.toThrow()
  })

  it('rejects a second mapping gateway with the same digest username', async () => {
    await expect(db.insert(schema.mappingGateways).values({ ...mgw, id: 'm2', name: 'M2' })).rejects.toThrow()
  })

  it('ignores a replayed CDR with onConflictDoNothing on id', async () => {
    await db.insert(schema.cdrs).values(call).onConflictDoNothing()
    expect(await db.$count(schema.cdrs)).toBe(1)
  })

  it('refuses a second rate for the same table, prefix and effective-from (the CSV upsert key)', async () => {
    await expect(db.insert(schema.rates).values({ ...rt1, id: 'rt2', pricePerMinute: 1 })).rejects.toThrow()
  })

  it('records a CDR charge once: a replayed billed_cdrs insert adds no row', async () => {
    const charge = { cdrId: 'c1', accountId: 'a1', amount: 0.12, vendorAccountId: null, vendorAmount: 0, appliedAtMs: ctx.nowMs }
    const first = await db.insert(schema.billedCdrs).values(charge).onConflictDoNothing().returning()
    const again = await db.insert(schema.billedCdrs).values(charge).onConflictDoNothing().returning()
    expect([first.length, again.length]).toEqual([1, 0])
  })

  it('refuses deleting a rate table an account still uses', async () => {
    await expect(db.delete(schema.rateTables).where(eq(schema.rateTables.id, 't1'))).rejects.toThrow()
  })

  it('refuses deleting an account a gateway still uses (foreign keys are on in libSQL)', async () => {
    await expect(db.delete(schema.accounts).where(eq(schema.accounts.id, 'a1'))).rejects.toThrow()
  })

  it('detaches routing gateways when their group is deleted', async () => {
    await db.delete(schema.gatewayGroups).where(eq(schema.gatewayGroups.id, 'g1'))
    expect((await db.select().from(schema.routingGateways))[0]?.groupId).toBeNull()
  })

  it('refuses a second config_version row', async () => {
    await expect(db.insert(schema.configVersion).values({ id: 2, version: 1, updatedAtMs: 0 })).rejects.toThrow()
  })
})
