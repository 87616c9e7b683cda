// CDR search benchmark through the app (`npx tsx edge/app.bench.ts`): 5,000,000 CDRs in a temp libSQL file, then p50/p95 of typical searches, analysis and CSV rows/s.
import { mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { sql } from 'drizzle-orm'
import { createApp } from './app.js'
import { insertApiKey } from './auth/insert-api-key.js'
import { encodeCdrCursor } from '../shared/entities/cdr-query.js'
import { cdrPageSql, chooseCdrPlan, type CdrFilters } from './cdr/query.js'
import { applyMigrations, openDatabase } from '../shared/db/node/database.js'

const TOTAL = Number(process.env.BENCH_CDRS ?? 5_000_000)
const DAYS = 30
const DAY_MS = 86_400_000
const T0 = Date.UTC(2024, 0, 1)
const STEP = Math.floor((DAYS * DAY_MS) / TOTAL)
const CHUNK = 500_000
const RUNS = 40
/** Deep pages start half a day (or half a gateway's month) below the newest row. */
const DAY_DEPTH = Math.floor(TOTAL / DAYS / 2)
const GATEWAY_DEPTH = Math.floor(TOTAL / 50 / 2)

const dir = await mkdtemp(join(tmpdir(), 'softswitch-cdr-bench-'))
const file = join(dir, 'bench.db')
const { db, client } = openDatabase({ url: pathToFileURL(file).href })
const out = (line: Record<string, unknown>) => console.log(JSON.stringify(line))

/** One chunk of realistic CDRs: 30 days, 50 vendors, 20 destinations, 200 accounts, ~56 % answered, the usual failure mix. */
function fillSql(start: number, end: number): string {
  return `
    with recursive n(i) as (select ${start} union all select i + 1 from n where i < ${end}),
    r as (select i, abs(random() % 1000) as p, abs(random() % 1000000007) as x from n),
    c as (select i, x, ${T0} + i * ${STEP} + x % ${STEP} as t, 'rgw_' || printf('%02d', (x / 7) % 50) as gw,
      case when p < 300 then 'CallerHangup' when p < 560 then 'CalleeHangup' when p < 680 then 'GatewayRejected'
        when p < 760 then 'CallerCancel' when p < 810 then 'NoAvailableRouter' when p < 840 then 'InviteTimeout'
        when p < 870 then 'GatewayTimeout' when p < 890 then 'AllGatewayBusy' when p < 910 then 'AuthenticationFailed'
        when p < 930 then 'AccountBalanceNotEnough' when p < 950 then 'CallLimitExceeded' else 'CalleeHangup' end as reason from r),
    d as (select *, reason in ('CallerHangup', 'CalleeHangup') as ok,
      reason in ('NoAvailableRouter', 'AllGatewayBusy', 'AuthenticationFailed', 'AccountBalanceNotEnough', 'CallLimitExceeded') as unrouted,
      case reason when 'CallerHangup' then 200 when 'CalleeHangup' then 200 when 'GatewayRejected' then (case x % 3 when 0 then 486 when 1 then 480 else 404 end)
        when 'CallerCancel' then 487 when 'InviteTimeout' then 408 when 'GatewayTimeout' then 408 when 'AuthenticationFailed' then 403 else 503 end as code,
      800 + x % 5000 as pdd from c)
    insert into cdrs select printf('cdr_%012d', i), 'c' || i || '@bench', t, case when ok then t + pdd end, t + case when ok then pdd + (x % 600) * 1000 else pdd end,
      case when ok then x % 600 else 0 end, case when unrouted then null else pdd end,
      '49' || printf('%09d', (x * 104729 + i) % 1000000000), '00' || (30 + (x / 13) % 20) || printf('%09d', (x * 7919 + i) % 1000000000),
      case when unrouted then null else '00' || (30 + (x / 13) % 20) || printf('%09d', (x * 7919 + i) % 1000000000) end,
      case when reason = 'AuthenticationFailed' then null else 'acc_' || printf('%03d', (x / 23) % 200) end,
      case when reason = 'AuthenticationFailed' then null else 'mgw_' || printf('%03d', (x / 29) % 300) end,
      case when unrouted then null else gw end, reason, code,
      case when reason in ('CallerHangup', 'CallerCancel') then 'caller' when reason in ('CalleeHangup', 'GatewayRejected') then 'callee' else 'switch' end,
      case when unrouted then '[]' else json_array(json_object('routingGatewayId', gw, 'sipCode', case when reason in ('InviteTimeout') then null else code end,
        'reason', reason, 'startedAtMs', t, 'endedAtMs', t + pdd)) end,
      case when ok then (x % 1000) / 100.0 end, '10.0.' || (x % 250) || '.' || ((x / 250) % 250), 5060, 'node-1', 0, '[]'
    from d`
}

/** Loads TOTAL rows with the cdrs indexes dropped, then builds them (sorted builds beat 5M random index inserts). */
async function fill(): Promise<void> {
  const indexes = await db.all<{ name: string; sql: string }>(sql`select name, sql from sqlite_master where type = 'index' and tbl_name = 'cdrs' and sql is not null`)
  for (const i of indexes) await client.execute(`drop index ${i.name}`)
  await client.execute('pragma journal_mode = wal')
  await client.execute('pragma synchronous = off')
  let t = performance.now()
  for (let start = 1; start <= TOTAL; start += CHUNK) await client.execute(fillSql(start, Math.min(TOTAL, start + CHUNK - 1)))
  out({ name: 'fill cdrs', rows: TOTAL, sec: Math.round((performance.now() - t) / 100) / 10, days: DAYS, rowsPerDay: Math.round(TOTAL / DAYS) })
  t = performance.now()
  for (const i of indexes) await client.execute(i.sql)
  await client.execute('pragma synchronous = normal')
  out({ name: 'build cdrs indexes', indexes: indexes.length, sec: Math.round((performance.now() - t) / 100) / 10, fileMiB: Math.round((await stat(file)).size / 2 ** 20) })
}

const percentile = (sorted: number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!
const round = (ms: number) => Math.round(ms * 10) / 10
/** CPU ms this process used since `from` (libSQL runs in-process), a load-independent companion to wall time. */
const cpuMsSince = (from: NodeJS.CpuUsage): number => {
  const d = process.cpuUsage(from)
  return (d.user + d.system) / 1000
}
/** Wall and CPU percentiles of measured runs. */
const summary = (wall: number[], cpu: number[]) => {
  wall.sort((a, b) => a - b)
  cpu.sort((a, b) => a - b)
  return { p50Ms: round(percentile(wall, 0.5)), p95Ms: round(percentile(wall, 0.95)), cpuP50Ms: round(percentile(cpu, 0.5)), cpuP95Ms: round(percentile(cpu, 0.95)) }
}

try {
  await applyMigrations(db)
  await fill()
  const key = await insertApiKey(db, 'bench viewer', 'viewer')
  const app = createApp({ getDb: () => db })
  const get = async (path: string): Promise<Response> => {
    const res = await app.request(path, { headers: { authorization: `Bearer ${key}` } })
    if (res.status !== 200) throw new Error(`${path} → ${res.status}: ${await res.text()}`)
    return res
  }
  const iso = (ms: number) => new Date(ms).toISOString()
  const dayOf = (k: number) => ({ from: iso(T0 + (k % DAYS) * DAY_MS), to: iso(T0 + ((k % DAYS) + 1) * DAY_MS) })
  /** Keyset cursor `depth` rows below the newest row matching `where` before `beforeMs`. */
  const cursorAt = async (beforeMs: number, depth: number, gateway?: string): Promise<string> => {
    const rows = await db.all<{ t: number; id: string }>(sql`select started_at_ms as t, id from cdrs
      where started_at_ms < ${beforeMs} ${gateway === undefined ? sql`` : sql`and routing_gateway_id = ${gateway}`}
      order by started_at_ms desc, id desc limit 1 offset ${depth}`)
    return encodeCdrCursor({ startedAtMs: rows[0]!.t, id: rows[0]!.id })
  }

  const searches: { name: string; filters: (k: number) => Promise<Record<string, string>> }[] = [
    { name: 'search one day, first page', filters: async (k) => dayOf(k) },
    { name: `search one day, deep page (cursor ${DAY_DEPTH} rows in)`, filters: async (k) => ({ ...dayOf(k), cursor: await cursorAt(Date.parse(dayOf(k).to), DAY_DEPTH) }) },
    { name: 'search one gateway in one day, first page', filters: async (k) => ({ ...dayOf(k), routingGatewayId: `rgw_${String(k % 50).padStart(2, '0')}` }) },
    { name: `search one gateway, deep page (cursor ${GATEWAY_DEPTH} rows in)`, filters: async (k) => ({ routingGatewayId: `rgw_${String(k % 50).padStart(2, '0')}`, cursor: await cursorAt(T0 + DAYS * DAY_MS, GATEWAY_DEPTH, `rgw_${String(k % 50).padStart(2, '0')}`) }) },
    { name: 'search one reason (InviteTimeout) in one day', filters: async (k) => ({ ...dayOf(k), reason: 'InviteTimeout' }) },
    { name: 'search common callee prefix (4 digits) in one day', filters: async (k) => ({ ...dayOf(k), callee: `00${30 + (k % 20)}` }) },
    { name: 'search rare callee prefix (6 digits), all time', filters: async (k) => ({ callee: `00${30 + (k % 20)}${k % 10}${(k * 7) % 10}` }) },
    { name: 'search rare callee prefix (6 digits), deep page', filters: async (k) => ({ callee: `00${30 + (k % 20)}${k % 10}${(k * 7) % 10}`, cursor: await cursorAt(T0 + 15 * DAY_MS, 0) }) },
    { name: 'search caller prefix + gateway + min duration in one day', filters: async (k) => ({ ...dayOf(k), caller: '491', routingGatewayId: `rgw_${String(k % 50).padStart(2, '0')}`, minDurationSec: '300' }) },
  ]
  for (const s of searches) {
    const plan = await chooseCdrPlan(db, (await s.filters(1)) as CdrFilters)
    const explain = await db.all<{ detail: string }>(sql`explain query plan ${cdrPageSql(db, { ...((await s.filters(1)) as CdrFilters) }, plan, null, 100)}`)
    const wall: number[] = []
    const cpu: number[] = []
    let rows = 0
    for (let k = 0; k < RUNS + 3; k++) {
      const qs = new URLSearchParams({ ...(await s.filters(k)), limit: '100' })
      const c0 = process.cpuUsage()
      const t = performance.now()
      const body = (await (await get(`/v1/cdrs?${qs}`)).json()) as { items: unknown[] }
      if (k >= 3) {
        wall.push(performance.now() - t)
        cpu.push(cpuMsSince(c0))
      }
      rows += body.items.length
    }
    out({ name: s.name, ...summary(wall, cpu), runs: RUNS, avgRows: Math.round(rows / (RUNS + 3)), plan, explain: explain.map((e) => e.detail).join(' | ') })
  }

  for (const [name, path] of [
    ['call analysis 24 h by routing gateway', (k: number) => `/v1/analysis/calls?${new URLSearchParams({ ...dayOf(k), groupBy: 'routingGateway' })}`],
    ['call analysis 24 h by hour', (k: number) => `/v1/analysis/calls?${new URLSearchParams({ ...dayOf(k), groupBy: 'hour' })}`],
    ['gateway fail analysis 24 h (every attempt)', (k: number) => `/v1/analysis/gateway-failures?${new URLSearchParams(dayOf(k))}`],
    ['diagnosis 24 h', (k: number) => `/v1/analysis/diagnosis?${new URLSearchParams(dayOf(k))}`],
    ['call analysis 7 days by routing gateway', (k: number) => `/v1/analysis/calls?${new URLSearchParams({ from: dayOf(k).from, to: iso(Date.parse(dayOf(k).from) + 7 * DAY_MS), groupBy: 'routingGateway' })}`],
  ] as const) {
    const wall: number[] = []
    const cpu: number[] = []
    for (let k = 0; k < 8; k++) {
      const c0 = process.cpuUsage()
      const t = performance.now()
      await (await get(path(k + 5))).json()
      if (k >= 1) {
        wall.push(performance.now() - t)
        cpu.push(cpuMsSince(c0))
      }
    }
    out({ name, ...summary(wall, cpu), runs: wall.length })
  }

  const rssBefore = process.memoryUsage().rss
  let peakRss = rssBefore
  const c0 = process.cpuUsage()
  const t = performance.now()
  const res = await get(`/v1/cdrs?${new URLSearchParams({ ...dayOf(10), format: 'csv' })}`)
  const reader = res.body!.getReader()
  let bytes = 0
  let lines = 0
  for (let r = await reader.read(); !r.done; r = await reader.read()) {
    bytes += r.value.length
    for (let at = r.value.indexOf(10); at !== -1; at = r.value.indexOf(10, at + 1)) lines++
    peakRss = Math.max(peakRss, process.memoryUsage().rss)
  }
  const sec = (performance.now() - t) / 1000
  const cpuSec = cpuMsSince(c0) / 1000
  out({ name: 'CSV export one day through the app', rows: lines - 1, rowsPerSec: Math.round((lines - 1) / sec), rowsPerCpuSec: Math.round((lines - 1) / cpuSec), MiB: Math.round(bytes / 2 ** 20), peakRssGrowthMiB: Math.round((peakRss - rssBefore) / 2 ** 20) })
} finally {
  client.close()
  await rm(dir, { recursive: true, force: true })
}
