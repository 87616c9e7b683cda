// The few SQL aggregates (over the indexed time window) and configuration rows that diagnosis classifies.
import { and, eq, gte, lt, sql, type SQL } from 'drizzle-orm'
import { accounts, cdrs, gatewayStatus, ipAccessList, mappingGateways, routingGateways } from '../../shared/db/schema.js'
import type { Queryable } from '../env.js'
import { readEffectiveParams } from '../params-store.js'
import { NO_ROUTE_MAX_PREFIX } from './diagnose.js'
import { EXAMPLE_CDRS, FAS_BUCKET_MS, FAS_SHORT_SEC, type MoneyFacts } from './diagnose-money.js'
import type { DiagnosisFacts } from './finding.js'
import { TIMEOUT_BUCKET_MS } from './diagnose-network.js'

const HOUR_MS = 3_600_000

/** Reads everything `diagnose` needs for [fromMs, toMs). */
export async function readDiagnosisFacts(db: Queryable, window: { fromMs: number; toMs: number }): Promise<DiagnosisFacts> {
  const inWindow = sql`${cdrs.startedAtMs} >= ${window.fromMs} and ${cdrs.startedAtMs} < ${window.toMs}`
  const reason = (r: string) => sql`${cdrs.terminationReason} = ${r} and ${inWindow}`
  const attemptField = (field: string) => sql.raw(`json_extract(a.value, '$.${field}')`)
  const money = readMoneyFacts(db, inWindow)
  const [reasonsByHour, noRouteByCallee, callLimitByMappingGateway, attemptsByBucket, pddByGateway, authRows] = await Promise.all([
    db.all<{ hourMs: number; reason: string; calls: number }>(sql`
      select ${cdrs.startedAtMs} - ${cdrs.startedAtMs} % ${HOUR_MS} as hourMs, ${cdrs.terminationReason} as reason, count(*) as calls
      from ${cdrs} where ${inWindow} group by 1, 2`),
    db.all<{ callee: string; calls: number }>(sql`
      select substr(${cdrs.callee}, 1, ${NO_ROUTE_MAX_PREFIX}) as callee, count(*) as calls
      from ${cdrs} where ${reason('NoAvailableRouter')} group by 1`),
    db.all<{ mappingGatewayId: string | null; calls: number }>(sql`
      select ${cdrs.mappingGatewayId} as mappingGatewayId, count(*) as calls from ${cdrs} where ${reason('CallLimitExceeded')} group by 1`),
    db.all<DiagnosisFacts['attemptsByBucket'][number]>(sql`
      select ${cdrs.startedAtMs} - ${cdrs.startedAtMs} % ${TIMEOUT_BUCKET_MS} as bucketMs, ${attemptField('routingGatewayId')} as routingGatewayId,
        count(*) as attempts, total(${attemptField('reason')} = 'InviteTimeout') as inviteTimeouts,
        total(${attemptField('reason')} = 'GatewayTimeout') as gatewayTimeouts
      from ${cdrs}, json_each(${cdrs.attempts}) as a where ${inWindow} group by 1, 2`),
    db.all<DiagnosisFacts['pddByGateway'][number]>(sql`
      select ${cdrs.routingGatewayId} as routingGatewayId, count(${cdrs.pddMs}) as withPdd, coalesce(avg(${cdrs.pddMs}), 0) as avgPddMs
      from ${cdrs} where ${inWindow} and ${cdrs.routingGatewayId} is not null group by 1`),
    db.all<{ sourceIp: string; sourcePort: number; n: number; digest: number }>(sql`
      select ${cdrs.sourceIp} as sourceIp, ${cdrs.sourcePort} as sourcePort, count(*) as n, total(${cdrs.sipCode} in (401, 407)) as digest
      from ${cdrs} where ${reason('AuthenticationFailed')} group by 1, 2`),
  ])
  const [gateways, clearingAccounts, params, mapping, status, bans] = await Promise.all([
    db.select({ id: routingGateways.id, clearingAccountId: routingGateways.clearingAccountId, optionsCheck: routingGateways.optionsCheck }).from(routingGateways),
    db.select({ id: accounts.id, balance: accounts.balance, status: accounts.status }).from(accounts),
    readEffectiveParams(db),
    db.select({ id: mappingGateways.id, authMode: mappingGateways.authMode, ips: mappingGateways.ips, port: mappingGateways.port }).from(mappingGateways),
    db.select({ routingGatewayId: gatewayStatus.gatewayId, online: gatewayStatus.online, lossRatio: gatewayStatus.lossRatio })
      .from(gatewayStatus).where(eq(gatewayStatus.kind, 'routing')),
    db.select({ cidr: ipAccessList.cidr, reason: ipAccessList.reason, offences: ipAccessList.offences, expiresAtMs: ipAccessList.expiresAtMs, updatedAtMs: ipAccessList.updatedAtMs })
      .from(ipAccessList)
      .where(and(eq(ipAccessList.origin, 'core'), gte(ipAccessList.updatedAtMs, window.fromMs), lt(ipAccessList.updatedAtMs, window.toMs))),
  ])
  return {
    calls: reasonsByHour.reduce((s, r) => s + r.calls, 0),
    reasonsByHour,
    noRouteByCallee,
    callLimitByMappingGateway,
    attemptsByBucket,
    pddByGateway,
    authFailuresBySource: foldAuthFailures(authRows),
    routingGateways: gateways,
    clearingAccounts,
    clearingLimit: params.SERVER_VERIFY_CLEARING_CUSTOMER_REMAIN_MONEY_LIMIT,
    mappingGateways: mapping,
    gatewayStatus: status,
    bans,
    ...(await money),
  }
}

/** Answered calls per vendor: short ones by bucket (false answer supervision) and those at a loss, each with the newest examples. */
async function readMoneyFacts(db: Queryable, inWindow: SQL): Promise<MoneyFacts> {
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
  const [answeredByBucket, shortExamples, lossByGateway, lossExamples] = await Promise.all([
    db.all<MoneyFacts['answeredByBucket'][number]>(sql`
      select ${cdrs.routingGatewayId} as routingGatewayId, ${cdrs.startedAtMs} - ${cdrs.startedAtMs} % ${FAS_BUCKET_MS} as bucketMs,
        count(*) as answered, total(${short}) as short, avg(case when ${short} then ${cdrs.pddMs} end) as shortAvgPddMs
      from ${cdrs} where ${answered} group by 1, 2`),
    newest(short),
    db.all<MoneyFacts['lossByGateway'][number]>(sql`
      select ${cdrs.routingGatewayId} as routingGatewayId, count(*) as answered, total(${loss}) as lossCalls,
        total(case when ${loss} then ${cdrs.vendorCost} - ${cdrs.cost} else 0 end) as loss
      from ${cdrs} where ${answered} and ${rated} group by 1`),
    newest(sql`${rated} and ${loss}`),
  ])
  return { answeredByBucket, shortExamples, lossByGateway, lossExamples }
}

/** Folds (source IP, port) counts into one row per IP with its distinct and most used port. */
function foldAuthFailures(rows: { sourceIp: string; sourcePort: number; n: number; digest: number }[]): DiagnosisFacts['authFailuresBySource'] {
  const byIp = new Map<string, DiagnosisFacts['authFailuresBySource'][number] & { topCount: number }>()
  for (const r of rows) {
    const s = byIp.get(r.sourceIp) ?? { sourceIp: r.sourceIp, failures: 0, distinctPorts: 0, digestFailures: 0, topPort: r.sourcePort, topCount: 0 }
    s.failures += r.n
    s.distinctPorts += 1
    s.digestFailures += r.digest
    if (r.n > s.topCount) Object.assign(s, { topPort: r.sourcePort, topCount: r.n })
    byIp.set(r.sourceIp, s)
  }
  return [...byIp.values()].map(({ topCount: _unused, ...s }) => s)
}
