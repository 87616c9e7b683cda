// The few SQL aggregates (over the indexed time window) and configuration rows that diagnosis classifies.
import { and, eq, gte, inArray, lt, sql, type SQL } from 'drizzle-orm'
import { accounts, authRefusals, cdrs, ipAccessList, mappingGateways, rates, routingGateways } from '../../shared/db/schema.js'
import { FOLDED_SOURCES } from '../../shared/db/tables/auth-refusals.js'
import { GATEWAY_SKIP_NOTE_LIKE, parseGatewaySkipNote } from '../../shared/routing/skip-notes.js'
import type { Queryable } from '../env.js'
import { readGatewayStatus } from '../live/gateway-status.js'
import { readEffectiveParams } from '../params-store.js'
import { NO_ROUTE_MAX_PREFIX } from './diagnose.js'
import { AUTH_SOURCE_MIN } from './diagnose-auth.js'
import { ONE_WAY_MIN_SEC } from './diagnose-media.js'
import { EXAMPLE_CDRS, FAS_BUCKET_MS, FAS_SHORT_SEC, NEW_DEST_HISTORY_DAYS, NEW_DEST_MIN_CALLS, NEW_DEST_PRICE_FACTOR, type MoneyFacts } from './diagnose-money.js'
import type { DiagnosisFacts } from './finding.js'
import { TIMEOUT_BUCKET_MS } from './diagnose-network.js'

const HOUR_MS = 3_600_000
const DAY_MS = 86_400_000
/** Candidate destinations checked against an account's history at most (each is one indexed look-up). */
const NEW_DEST_CANDIDATES = 50

/** Callee in [prefix, prefix + '~'): a range the callee index serves (digits, '+', '*' and '#' sort below '~'). */
export function calleeRange(prefix: string): SQL {
  return sql`${cdrs.callee} >= ${prefix} and ${cdrs.callee} < ${prefix + '~'}`
}

/** No longer, ordinary prefix of rate table `table` overrides the costly `prefix` for the CDR's callee (the longest prefix wins). */
export function notOverridden(table: SQL, prefix: SQL, median: SQL): SQL {
  return sql`not exists (
    select 1 from ${rates} o where o.rate_table_id = ${table} and length(o.prefix) > length(${prefix})
      and substr(${cdrs.callee}, 1, length(o.prefix)) = o.prefix and o.price_per_minute < ${NEW_DEST_PRICE_FACTOR} * ${median})`
}

/** Reads everything `diagnose` needs for [fromMs, toMs). */
export async function readDiagnosisFacts(db: Queryable, window: { fromMs: number; toMs: number }): Promise<DiagnosisFacts> {
  const inWindow = sql`${cdrs.startedAtMs} >= ${window.fromMs} and ${cdrs.startedAtMs} < ${window.toMs}`
  const reason = (r: string) => sql`${cdrs.terminationReason} = ${r} and ${inWindow}`
  const attemptField = (field: string) => sql.raw(`json_extract(a.value, '$.${field}')`)
  const bucket = (span: number) => sql`${cdrs.startedAtMs} - (${cdrs.startedAtMs} - ${window.fromMs}) % ${span}`
  const money = readMoneyFacts(db, inWindow, window)
  const auth = readAuthFacts(db, window)
  const skipLike = sql.join(Object.values(GATEWAY_SKIP_NOTE_LIKE).map((p) => sql`n.value like ${p}`), sql` or `)
  const [reasonsByHour, noRouteByCallee, callLimitByMappingGateway, skipNotes, attemptsByBucket, pddByGateway, mediaByGateway] = await Promise.all([
    db.all<{ hourMs: number; reason: string; calls: number }>(sql`
      select ${cdrs.startedAtMs} - ${cdrs.startedAtMs} % ${HOUR_MS} as hourMs, ${cdrs.terminationReason} as reason, count(*) as calls
      from ${cdrs} where ${inWindow} group by 1, 2`),
    db.all<{ callee: string; calls: number }>(sql`
      select substr(${cdrs.callee}, 1, ${NO_ROUTE_MAX_PREFIX}) as callee, count(*) as calls
      from ${cdrs} where ${reason('NoAvailableRouter')} group by 1`),
    db.all<{ mappingGatewayId: string | null; calls: number }>(sql`
      select ${cdrs.mappingGatewayId} as mappingGatewayId, count(*) as calls from ${cdrs} where ${reason('CallLimitExceeded')} group by 1`),
    db.all<{ hourMs: number; reason: string; note: string; calls: number }>(sql`
      select ${cdrs.startedAtMs} - ${cdrs.startedAtMs} % ${HOUR_MS} as hourMs, ${cdrs.terminationReason} as reason, n.value as note, count(*) as calls
      from ${cdrs}, json_each(${cdrs.notes}) as n
      where ${cdrs.terminationReason} in ('AllGatewayBusy', 'AccountBalanceNotEnough') and ${inWindow} and (${skipLike}) group by 1, 2, 3`),
    db.all<DiagnosisFacts['attemptsByBucket'][number]>(sql`
      select ${bucket(TIMEOUT_BUCKET_MS)} as bucketMs, ${attemptField('routingGatewayId')} as routingGatewayId,
        count(*) as attempts, total(${attemptField('reason')} = 'InviteTimeout') as inviteTimeouts,
        total(${attemptField('reason')} = 'TryingTimeout') as tryingTimeouts, total(${attemptField('reason')} = 'GatewayTimeout') as gatewayTimeouts
      from ${cdrs}, json_each(${cdrs.attempts}) as a where ${inWindow} group by 1, 2`),
    db.all<DiagnosisFacts['pddByGateway'][number]>(sql`
      select ${cdrs.routingGatewayId} as routingGatewayId, count(${cdrs.pddMs}) as withPdd, coalesce(avg(${cdrs.pddMs}), 0) as avgPddMs
      from ${cdrs} where ${inWindow} and ${cdrs.routingGatewayId} is not null group by 1`),
    db.all<DiagnosisFacts['mediaByGateway'][number]>(sql`
      select ${cdrs.routingGatewayId} as routingGatewayId, ${cdrs.mappingGatewayId} as mappingGatewayId, count(*) as relayed,
        total(${cdrs.rtpPacketsFromCallee} = 0 and ${cdrs.rtpPacketsFromCaller} > 0) as calleeSilent,
        total(${cdrs.rtpPacketsFromCaller} = 0 and ${cdrs.rtpPacketsFromCallee} > 0) as callerSilent
      from ${cdrs} where ${inWindow} and ${cdrs.answeredAtMs} is not null and ${cdrs.durationSec} > ${ONE_WAY_MIN_SEC}
        and ${cdrs.rtpPacketsFromCaller} is not null and ${cdrs.rtpPacketsFromCallee} is not null group by 1, 2`),
  ])
  const [gateways, clearingAccounts, params, mapping, status, bans] = await Promise.all([
    db.select({ id: routingGateways.id, clearingAccountId: routingGateways.clearingAccountId, optionsCheck: routingGateways.optionsCheck }).from(routingGateways),
    db.select({ id: accounts.id, balance: accounts.balance, status: accounts.status }).from(accounts),
    readEffectiveParams(db),
    db.select({ id: mappingGateways.id, authMode: mappingGateways.authMode, ips: mappingGateways.ips, port: mappingGateways.port }).from(mappingGateways),
    readGatewayStatus(db, 'routing', Date.now()).then((rows) => rows.map((r) => ({ routingGatewayId: r.gatewayId, online: r.online, lossRatio: r.lossRatio }))),
    db.select({ cidr: ipAccessList.cidr, reason: ipAccessList.reason, offences: ipAccessList.offences, expiresAtMs: ipAccessList.expiresAtMs, updatedAtMs: ipAccessList.updatedAtMs })
      .from(ipAccessList)
      .where(and(eq(ipAccessList.origin, 'core'), gte(ipAccessList.updatedAtMs, window.fromMs), lt(ipAccessList.updatedAtMs, window.toMs))),
  ])
  const skippedByGateway: DiagnosisFacts['skippedByGateway'] = []
  for (const r of skipNotes) {
    const n = parseGatewaySkipNote(r.note)
    if (n !== null) skippedByGateway.push({ hourMs: r.hourMs, reason: r.reason, routingGatewayId: n.routingGatewayId, skip: n.skip, matchedPrefix: n.matchedPrefix, calls: r.calls })
  }
  return {
    window,
    calls: reasonsByHour.reduce((s, r) => s + r.calls, 0),
    reasonsByHour,
    noRouteByCallee,
    callLimitByMappingGateway,
    skippedByGateway,
    attemptsByBucket,
    pddByGateway,
    mediaByGateway,
    routingGateways: gateways,
    clearingAccounts,
    clearingLimit: params.SERVER_VERIFY_CLEARING_CUSTOMER_REMAIN_MONEY_LIMIT,
    mappingGateways: mapping,
    gatewayStatus: status,
    bans,
    ...(await money),
    ...(await auth),
  }
}

/** Answered calls per vendor (short ones by bucket, those at a loss, each with the newest examples) and accounts' new costly destinations. */
async function readMoneyFacts(db: Queryable, inWindow: SQL, window: { fromMs: number; toMs: number }): Promise<MoneyFacts> {
  const answered = sql`${inWindow} and ${cdrs.answeredAtMs} is not null and ${cdrs.routingGatewayId} is not null`
  const short = sql`${cdrs.durationSec} <= ${FAS_SHORT_SEC}`
  const rated = sql`${cdrs.cost} is not null and ${cdrs.vendorCost} is not null`
  const loss = sql`${cdrs.vendorCost} > ${cdrs.cost}`
  const newest = (where: SQL) => db.all<{ routingGatewayId: string; cdrId: string }>(sql`
    select routingGatewayId, cdrId from (
      select ${cdrs.routingGatewayId} as routingGatewayId, ${cdrs.id} as cdrId,
        row_number() over (partition by ${cdrs.routingGatewayId} order by ${cdrs.startedAtMs} desc, ${cdrs.id} desc) as n
      from ${cdrs} where ${answered} and ${where})
    where n <= ${EXAMPLE_CDRS} order by routingGatewayId, n`)
  const [answeredByBucket, shortExamples, lossByGateway, lossExamples, newCostlyDestinations] = await Promise.all([
    db.all<MoneyFacts['answeredByBucket'][number]>(sql`
      select ${cdrs.routingGatewayId} as routingGatewayId, ${cdrs.startedAtMs} - (${cdrs.startedAtMs} - ${window.fromMs}) % ${FAS_BUCKET_MS} as bucketMs,
        count(*) as answered, total(${short}) as short, avg(case when ${short} then ${cdrs.pddMs} end) as shortAvgPddMs
      from ${cdrs} where ${answered} group by 1, 2`),
    newest(short),
    db.all<MoneyFacts['lossByGateway'][number]>(sql`
      select ${cdrs.routingGatewayId} as routingGatewayId, count(*) as answered, total(${loss}) as lossCalls,
        total(case when ${loss} then ${cdrs.vendorCost} - ${cdrs.cost} else 0 end) as loss
      from ${cdrs} where ${answered} and ${rated} group by 1`),
    newest(sql`${rated} and ${loss}`),
    readNewCostlyDestinations(db, inWindow, window),
  ])
  return { answeredByBucket, shortExamples, lossByGateway, lossExamples, newCostlyDestinations }
}

/**
 * Calls of the window to a rate prefix priced NEW_DEST_PRICE_FACTOR times its table's median or more (and not
 * overridden by a longer, ordinary prefix), per account with at least NEW_DEST_MIN_CALLS of them; then only those
 * the account never called in the NEW_DEST_HISTORY_DAYS before the window (one indexed look-up each).
 */
async function readNewCostlyDestinations(db: Queryable, inWindow: SQL, window: { fromMs: number }): Promise<MoneyFacts['newCostlyDestinations']> {
  const candidates = await db.all<MoneyFacts['newCostlyDestinations'][number] & { rateTableId: string }>(sql`
    with ranked as (
      select ${rates.rateTableId} as t, ${rates.pricePerMinute} as price,
        row_number() over (partition by ${rates.rateTableId} order by ${rates.pricePerMinute}) as rn, count(*) over (partition by ${rates.rateTableId}) as n
      from ${rates}),
    medians as (select t, price as median from ranked where rn = (n + 1) / 2),
    dear as (
      select r.rate_table_id as t, r.prefix as prefix, max(r.price_per_minute) as price, m.median as median
      from ${rates} r join medians m on m.t = r.rate_table_id
      where r.prefix <> '' and m.median > 0 and r.price_per_minute >= ${NEW_DEST_PRICE_FACTOR} * m.median group by 1, 2)
    select ${cdrs.accountId} as accountId, d.t as rateTableId, d.prefix as prefix, d.price as pricePerMinute, d.median as medianPricePerMinute,
      count(*) as calls, count(${cdrs.answeredAtMs}) as answered, total(${cdrs.cost}) as cost, min(${cdrs.startedAtMs}) as firstAtMs
    from ${cdrs} join ${accounts} on ${accounts.id} = ${cdrs.accountId}
      join dear d on d.t = ${accounts.rateTableId} and substr(${cdrs.callee}, 1, length(d.prefix)) = d.prefix
    where ${inWindow} and ${notOverridden(sql`d.t`, sql`d.prefix`, sql`d.median`)}
    group by 1, 2, 3 having count(*) >= ${NEW_DEST_MIN_CALLS} order by calls desc limit ${NEW_DEST_CANDIDATES}`)
  const historyFrom = window.fromMs - NEW_DEST_HISTORY_DAYS * DAY_MS
  const out: MoneyFacts['newCostlyDestinations'] = []
  for (const { rateTableId, ...c } of candidates) {
    const seen = await db.all<{ one: number }>(sql`
      select 1 as one from ${cdrs} where ${calleeRange(c.prefix)} and ${cdrs.startedAtMs} >= ${historyFrom} and ${cdrs.startedAtMs} < ${window.fromMs}
        and ${cdrs.accountId} = ${c.accountId} and ${notOverridden(sql`${rateTableId}`, sql`${c.prefix}`, sql`${c.medianPricePerMinute}`)} limit 1`)
    if (seen.length === 0) out.push(c)
  }
  return out
}

/**
 * Refused attempts overlapping the window, for sources refused at least AUTH_SOURCE_MIN times (each row's top port
 * taken from its busiest bucket), per-gateway source counts, and the blacklist entries of those sources.
 */
async function readAuthFacts(db: Queryable, window: { fromMs: number; toMs: number }): Promise<Pick<DiagnosisFacts, 'refusals' | 'refusalsByGateway' | 'sourceBans'>> {
  const overlaps = sql`${authRefusals.lastAtMs} >= ${window.fromMs} and ${authRefusals.firstAtMs} < ${window.toMs}`
  const credential = sql`${authRefusals.reason} in ('wrong_password', 'bad_credentials', 'source_not_allowed', 'unknown_user', 'user_locked')`
  const [refusals, refusalsByGateway] = await Promise.all([
    db.all<DiagnosisFacts['refusals'][number]>(sql`
      with w as (
        select *, row_number() over (partition by mapping_gateway_id, source_ip, reason order by attempts desc) as rn
        from ${authRefusals} where ${overlaps}),
      busy as (select source_ip from w group by 1 having sum(attempts) >= ${AUTH_SOURCE_MIN})
      select mapping_gateway_id as mappingGatewayId, source_ip as sourceIp, reason, sum(attempts) as attempts,
        max(distinct_ports) as distinctPorts, max(distinct_users) as distinctUsers, max(case when rn = 1 then top_port end) as topPort,
        min(first_at_ms) as firstAtMs, max(last_at_ms) as lastAtMs
      from w where source_ip in (select source_ip from busy) group by 1, 2, 3`),
    db.all<{ mappingGatewayId: string; sources: number; folded: number; attempts: number; userLocked: number }>(sql`
      select ${authRefusals.mappingGatewayId} as mappingGatewayId, count(distinct ${authRefusals.sourceIp}) as sources,
        max(${authRefusals.sourceIp} = ${FOLDED_SOURCES}) as folded, sum(${authRefusals.attempts}) as attempts,
        total(case when ${authRefusals.reason} = 'user_locked' then ${authRefusals.attempts} end) as userLocked
      from ${authRefusals} where ${overlaps} and ${credential} and ${authRefusals.mappingGatewayId} <> '' group by 1`),
  ])
  const cidrs = [...new Set(refusals.map((r) => r.sourceIp).filter((ip) => ip !== FOLDED_SOURCES))].map((ip) => (ip.includes(':') ? `${ip}/128` : `${ip}/32`))
  const sourceBans = cidrs.length === 0 ? [] : await db
    .select({ cidr: ipAccessList.cidr, origin: ipAccessList.origin, reason: ipAccessList.reason, offences: ipAccessList.offences, expiresAtMs: ipAccessList.expiresAtMs })
    .from(ipAccessList)
    .where(and(eq(ipAccessList.list, 'blacklist'), inArray(ipAccessList.cidr, cidrs.slice(0, 500)), sql`(${ipAccessList.expiresAtMs} is null or ${ipAccessList.expiresAtMs} > ${window.toMs})`))
  return {
    refusals,
    refusalsByGateway: refusalsByGateway.map((g) => ({ ...g, folded: g.folded === 1, sources: g.sources - g.folded })),
    sourceBans,
  }
}
