// Example CDR ids for each finding: the newest few CDRs of the window that show its pattern on its scope (one bounded, indexed query per finding).
import { sql, type SQL } from 'drizzle-orm'
import { accounts, cdrs } from '../../shared/db/schema.js'
import { gatewaySkipNote } from '../../shared/routing/skip-notes.js'
import type { Queryable } from '../env.js'
import { ONE_WAY_MIN_SEC } from './diagnose-media.js'
import { EXAMPLE_CDRS } from './diagnose-money.js'
import { SLOW_PDD_MS } from './diagnose-network.js'
import { calleeRange, notOverridden } from './diagnosis-facts.js'
import type { Finding } from './finding.js'

/** Findings given examples at most (the rest keep an empty list). */
const MAX_FINDINGS = 50

/** An attempt of the CDR on `gateway` whose reason is one of `reasons`. */
const attemptOn = (gateway: string, reasons: readonly string[]): SQL => sql`exists (
  select 1 from json_each(${cdrs.attempts}) as a where json_extract(a.value, '$.routingGatewayId') = ${gateway}
    and json_extract(a.value, '$.reason') in (${sql.join(reasons.map((r) => sql`${r}`), sql`, `)}))`

/** A note of the CDR that is one of `notes`, or starts with `prefix`. */
const noteIs = (notes: readonly string[]): SQL =>
  sql`exists (select 1 from json_each(${cdrs.notes}) as n where n.value in (${sql.join(notes.map((x) => sql`${x}`), sql`, `)}))`
const noteStarts = (prefix: string): SQL => sql`exists (select 1 from json_each(${cdrs.notes}) as n where substr(n.value, 1, ${prefix.length}) = ${prefix})`

/** The CDRs that show the finding's pattern on its scope; null when none can (refusals without a CDR). */
function examplesOf(f: Finding): SQL | null {
  const s = f.scope
  const reasonIs = (r: string): SQL => sql`${cdrs.terminationReason} = ${r}`
  switch (f.kind) {
    case 'NoRouteForPrefix':
      return s.prefix === undefined ? null : sql`${reasonIs('NoAvailableRouter')} and ${calleeRange(s.prefix)}`
    case 'CapacityExhausted':
      if (s.mappingGatewayId !== undefined) return sql`${reasonIs('CallLimitExceeded')} and ${cdrs.mappingGatewayId} = ${s.mappingGatewayId}`
      if (s.routingGatewayId === undefined) return null
      return sql`${reasonIs('AllGatewayBusy')} and ${noteIs([gatewaySkipNote(s.routingGatewayId, 'lineLimit', s.prefix ?? ''), gatewaySkipNote(s.routingGatewayId, 'groupLineLimit', s.prefix ?? '')])}`
    case 'VendorBalanceLow':
      return s.routingGatewayId === undefined ? null : sql`${reasonIs('AccountBalanceNotEnough')} and ${noteStarts(`routing skipped ${s.routingGatewayId}: clearing balance low`)}`
    case 'GatewayUnreachable':
      return s.routingGatewayId === undefined ? null : attemptOn(s.routingGatewayId, ['InviteTimeout'])
    case 'OwnNetworkDown':
      return sql`exists (select 1 from json_each(${cdrs.attempts}) as a where json_extract(a.value, '$.reason') = 'InviteTimeout')
        and ${cdrs.startedAtMs} >= ${Date.parse(String(f.evidence.firstAt))} and ${cdrs.startedAtMs} < ${Date.parse(String(f.evidence.lastAt))}`
    case 'SlowGateway':
      return s.routingGatewayId === undefined ? null
        : sql`(${attemptOn(s.routingGatewayId, ['TryingTimeout', 'GatewayTimeout'])} or (${cdrs.routingGatewayId} = ${s.routingGatewayId} and ${cdrs.pddMs} >= ${SLOW_PDD_MS}))`
    case 'OneWayAudio':
      if (s.routingGatewayId !== undefined) {
        return sql`${cdrs.routingGatewayId} = ${s.routingGatewayId} and ${cdrs.rtpPacketsFromCallee} = 0 and ${cdrs.rtpPacketsFromCaller} > 0 and ${cdrs.durationSec} > ${ONE_WAY_MIN_SEC}`
      }
      return s.mappingGatewayId === undefined ? null
        : sql`${cdrs.mappingGatewayId} = ${s.mappingGatewayId} and ${cdrs.rtpPacketsFromCaller} = 0 and ${cdrs.rtpPacketsFromCallee} > 0 and ${cdrs.durationSec} > ${ONE_WAY_MIN_SEC}`
    case 'AuthFailuresBehindNat':
    case 'CredentialMismatch':
    case 'AuthenticationAttack':
      if (s.sourceIp !== undefined) return sql`${reasonIs('AuthenticationFailed')} and ${cdrs.sourceIp} = ${s.sourceIp}`
      return s.mappingGatewayId === undefined ? null : sql`${reasonIs('AuthenticationFailed')} and ${cdrs.mappingGatewayId} = ${s.mappingGatewayId}`
    case 'SourcesBanned': {
      const ips = s.sourceIp !== undefined ? [s.sourceIp] : (s.sourceIps ?? [])
      return ips.length === 0 ? null : sql`${reasonIs('AuthenticationFailed')} and ${cdrs.sourceIp} in (${sql.join(ips.map((ip) => sql`${ip}`), sql`, `)})`
    }
    case 'NewCostlyDestination': {
      if (s.accountId === undefined || s.prefix === undefined) return null
      const table = sql`(select ${accounts.rateTableId} from ${accounts} where ${accounts.id} = ${s.accountId})`
      return sql`${cdrs.accountId} = ${s.accountId} and ${calleeRange(s.prefix)} and ${notOverridden(table, sql`${s.prefix}`, sql`${Number(f.evidence.medianPricePerMinute)}`)}`
    }
    case 'FalseAnswerSupervision':
    case 'LossRoutes':
      return null
  }
}

/** Fills each finding's `exampleCdrIds` (newest first) where the rule left it empty; findings are changed in place and returned. */
export async function attachExamples(db: Queryable, window: { fromMs: number; toMs: number }, findings: Finding[]): Promise<Finding[]> {
  const inWindow = sql`${cdrs.startedAtMs} >= ${window.fromMs} and ${cdrs.startedAtMs} < ${window.toMs}`
  await Promise.all(findings.slice(0, MAX_FINDINGS).map(async (f) => {
    if ((f.evidence.exampleCdrIds as string[]).length > 0) return
    const where = examplesOf(f)
    if (where === null) return
    const rows = await db.all<{ id: string }>(sql`
      select ${cdrs.id} as id from ${cdrs} where ${inWindow} and ${where} order by ${cdrs.startedAtMs} desc, ${cdrs.id} desc limit ${EXAMPLE_CDRS}`)
    f.evidence.exampleCdrIds = rows.map((r) => r.id)
  }))
  return findings
}
