// System-test configuration: migrates a test database, writes accounts/gateways/groups/parameters from plain objects (bumping config_version as the edge does), and polls the cdrs table.
import { sql } from 'drizzle-orm'
import type { z } from 'zod'
import {
  accounts, cdrs, configVersion, CONFIG_VERSION_ROW_ID, gatewayGroups, mappingGateways, rates, rateTables, routingGateways, systemParameters,
  ipAccessList,
} from '../../../shared/db/schema.js'
import { whitelistCreate, whitelistToRow } from '../../../shared/entities/access-list.js'
import { accountCreate, accountToRow } from '../../../shared/entities/account.js'
import type { CdrRow } from '../../../shared/entities/cdr.js'
import { gatewayGroupCreate, gatewayGroupToRow } from '../../../shared/entities/gateway-group.js'
import { mappingGatewayCreate, mappingGatewayToRow } from '../../../shared/entities/mapping-gateway.js'
import { rateCreate, rateToRow } from '../../../shared/entities/rate.js'
import { rateTableCreate, rateTableToRow } from '../../../shared/entities/rate-table.js'
import { routingGatewayCreate, routingGatewayToRow } from '../../../shared/entities/routing-gateway.js'
import { parseParamValue, SYSTEM_PARAMS, type ParamName } from '../../../shared/params/system-params.js'
import { applyMigrations, openDatabase, type Database, type Db } from '../../../shared/db/node/database.js'

/** An account as the API would take it, plus the id the test refers to it by. */
export type AccountSeed = { id: string } & z.input<typeof accountCreate>
/** A mapping (customer) gateway as the API would take it (password in clear: it is hashed here, like the edge does). */
export type MappingGatewaySeed = { id: string } & z.input<typeof mappingGatewayCreate>
/** A routing (vendor) gateway as the API would take it. */
export type RoutingGatewaySeed = { id: string } & z.input<typeof routingGatewayCreate>
/** A gateway group as the API would take it. */
export type GatewayGroupSeed = { id: string } & z.input<typeof gatewayGroupCreate>

/** A rate table as the API would take it. */
export type RateTableSeed = { id: string } & z.input<typeof rateTableCreate>
/** A rate of a rate table as the API would take it. */
export type RateSeed = { id: string; rateTableId: string } & z.input<typeof rateCreate>

/** A configuration to write: rows are upserted by id, parameters by name; `remove` deletes rows by id. */
export interface TestConfig {
  params?: Partial<Record<ParamName, unknown>>
  rateTables?: readonly RateTableSeed[]
  rates?: readonly RateSeed[]
  accounts?: readonly AccountSeed[]
  gatewayGroups?: readonly GatewayGroupSeed[]
  mappingGateways?: readonly MappingGatewaySeed[]
  routingGateways?: readonly RoutingGatewaySeed[]
  remove?: { routingGateways?: readonly string[]; mappingGateways?: readonly string[] }
  /** Addresses or CIDR blocks put on the whitelist (as POST /v1/whitelist does). */
  whitelist?: readonly string[]
}

/** Thrown when a test configuration would be refused by the API's own validation. */
export class TestConfigError extends Error {
  override name = 'TestConfigError'
}

/** Opens the database at `url` and applies the migrations (the core migrates only `file:` databases itself). */
export async function openTestDatabase(url: string): Promise<Database> {
  const database = openDatabase({ url })
  await applyMigrations(database.db)
  return database
}

/** Validates with the shared create schema, so a test cannot seed what the API would refuse. */
function parsed<S extends z.ZodType>(schema: S, seed: { id: string }, what: string): z.output<S> {
  const { id: _id, ...body } = seed
  const r = schema.safeParse(body)
  if (!r.success) throw new TestConfigError(`${what} ${seed.id}: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`)
  return r.data
}

/** Writes `config` in one transaction and bumps config_version; returns the new version. */
export async function writeConfig(db: Db, config: TestConfig): Promise<number> {
  const nowMs = Date.now()
  for (const [name, value] of Object.entries(config.params ?? {})) {
    const r = parseParamValue(name as ParamName, value)
    if (!r.success) throw new TestConfigError(`parameter ${name}: ${r.error.issues.map((i) => i.message).join('; ')}`)
  }
  return db.transaction(async (tx) => {
    for (const [name, value] of Object.entries(config.params ?? {})) {
      await tx.insert(systemParameters).values({ name, value, updatedAtMs: nowMs })
        .onConflictDoUpdate({ target: systemParameters.name, set: { value, updatedAtMs: nowMs } })
    }
    const realmRow = await tx.select({ value: systemParameters.value }).from(systemParameters)
      .where(sql`${systemParameters.name} = 'SS_AUTH_REALM'`)
    const realm = typeof realmRow[0]?.value === 'string' ? realmRow[0].value : SYSTEM_PARAMS.SS_AUTH_REALM.default
    for (const seed of config.rateTables ?? []) {
      const { id, ...set } = rateTableToRow(parsed(rateTableCreate, seed, 'rate table'), { id: seed.id, nowMs })
      await tx.insert(rateTables).values({ id, ...set }).onConflictDoUpdate({ target: rateTables.id, set })
    }
    for (const seed of config.rates ?? []) {
      const { rateTableId: _t, ...body } = seed
      const { id, ...set } = rateToRow(parsed(rateCreate, body, 'rate'), { id: seed.id, rateTableId: seed.rateTableId })
      await tx.insert(rates).values({ id, ...set }).onConflictDoUpdate({ target: rates.id, set })
    }
    for (const seed of config.accounts ?? []) {
      const { id, ...set } = accountToRow(parsed(accountCreate, seed, 'account'), { id: seed.id, nowMs })
      await tx.insert(accounts).values({ id, ...set }).onConflictDoUpdate({ target: accounts.id, set })
    }
    for (const seed of config.gatewayGroups ?? []) {
      const { id, ...set } = gatewayGroupToRow(parsed(gatewayGroupCreate, seed, 'gateway group'), { id: seed.id, nowMs })
      await tx.insert(gatewayGroups).values({ id, ...set }).onConflictDoUpdate({ target: gatewayGroups.id, set })
    }
    for (const seed of config.mappingGateways ?? []) {
      const row = mappingGatewayToRow(parsed(mappingGatewayCreate, seed, 'mapping gateway'), { id: seed.id, nowMs, realm })
      const { id, ...set } = row
      await tx.insert(mappingGateways).values(row).onConflictDoUpdate({ target: mappingGateways.id, set })
    }
    for (const seed of config.routingGateways ?? []) {
      const { id, ...set } = routingGatewayToRow(parsed(routingGatewayCreate, seed, 'routing gateway'), { id: seed.id, nowMs, realm })
      await tx.insert(routingGateways).values({ id, ...set }).onConflictDoUpdate({ target: routingGateways.id, set })
    }
    for (const cidr of config.whitelist ?? []) {
      const row = whitelistToRow(parsed(whitelistCreate, { id: cidr, cidr } as { id: string }, 'whitelist entry'), { id: `wl_${cidr}`, nowMs })
      await tx.insert(ipAccessList).values(row).onConflictDoNothing()
    }
    for (const id of config.remove?.routingGateways ?? []) await tx.delete(routingGateways).where(sql`${routingGateways.id} = ${id}`)
    for (const id of config.remove?.mappingGateways ?? []) await tx.delete(mappingGateways).where(sql`${mappingGateways.id} = ${id}`)
    await tx.insert(configVersion).values({ id: CONFIG_VERSION_ROW_ID, version: 1, updatedAtMs: nowMs })
      .onConflictDoUpdate({ target: configVersion.id, set: { version: sql`${configVersion.version} + 1`, updatedAtMs: nowMs } })
    const [row] = await tx.select({ version: configVersion.version }).from(configVersion)
    return row?.version ?? 0
  })
}

/** Highest rowid in `cdrs` now: pass it as `after` to read only the CDRs a test produced. */
export async function cdrMark(db: Db): Promise<number> {
  const rows = await db.all<{ m: number | null }>(sql`select max(rowid) as m from cdrs`)
  return Number(rows[0]?.m ?? 0)
}

/** Options of `readCdrs`. */
export interface ReadCdrsOptions {
  /** Number of CDRs to wait for. */
  count: number
  /** Only rows inserted after this rowid (from `cdrMark`). */
  after?: number
  /** Give up after this long (default 10 s). */
  timeoutMs?: number
  /** After `count` arrived, wait this long more and fail if any extra CDR shows up (default 0: no check). */
  settleMs?: number
}

/** Thrown when the expected CDRs did not arrive in time, or more arrived than expected. */
export class CdrWaitError extends Error {
  override name = 'CdrWaitError'
}

/** Polls `cdrs` (insertion order) until `count` rows after `after` exist; throws with what was found at the deadline. */
export async function readCdrs(db: Db, opts: ReadCdrsOptions): Promise<CdrRow[]> {
  const after = opts.after ?? 0
  const deadline = Date.now() + (opts.timeoutMs ?? 10_000)
  const read = (): Promise<CdrRow[]> =>
    db.select().from(cdrs).where(sql`rowid > ${after}`).orderBy(sql`rowid`) as Promise<CdrRow[]>
  let rows: CdrRow[] = []
  for (;;) {
    try {
      rows = await read()
    } catch {
      rows = [] // database not reachable right now (e.g. sqld stopped by the test): keep polling
    }
    if (rows.length >= opts.count || Date.now() > deadline) break
    await new Promise((ok) => setTimeout(ok, 100))
  }
  if (rows.length < opts.count) {
    throw new CdrWaitError(`expected ${opts.count} CDR(s) after rowid ${after}, found ${rows.length}: ${JSON.stringify(rows.map(brief))}`)
  }
  if (opts.settleMs) {
    await new Promise((ok) => setTimeout(ok, opts.settleMs))
    rows = await read()
    if (rows.length > opts.count) throw new CdrWaitError(`expected ${opts.count} CDR(s), found ${rows.length}: ${JSON.stringify(rows.map(brief))}`)
  }
  return rows
}

/** The fields a failing assertion needs to show. */
export function brief(c: CdrRow): Record<string, unknown> {
  return {
    callId: c.callId, reason: c.terminationReason, sipCode: c.sipCode, endedBy: c.endedBy, rgw: c.routingGatewayId,
    mgw: c.mappingGatewayId, attempts: c.attempts.map((a) => `${a.routingGatewayId}:${a.sipCode ?? '-'}:${a.reason}`),
  }
}
