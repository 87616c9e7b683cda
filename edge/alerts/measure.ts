// Measures every enabled rule's metric in a few grouped queries per window length: calls by gateway/account/reason/code, attempts per routing gateway, prefixes, live status, bans, and the window's diagnosis for rules on a finding kind.
import { sql } from 'drizzle-orm'
import { cdrs, ipAccessList } from '../../shared/db/schema.js'
import type { AlertRuleRow } from '../../shared/entities/alert-rule.js'
import type { Queryable } from '../env.js'
import { readGatewayStatus } from '../live/gateway-status.js'
import { roundTo } from '../analysis/calls.js'
import { diagnoseWindow } from '../analysis/diagnosis.js'
import { isFindingMetric, type Measurement } from './evaluate.js'
import { findingsForScope } from './finding-scope.js'

/** Calls (or attempts) of one scope, folded from grouped rows. */
interface ScopeStats {
  calls: number
  answered: number
  pddSum: number
  pddCount: number
  byReason: Map<string, number>
  failedByReason: Map<string, number>
  bySipCode: Map<number, number>
}

interface CallPart { mgw: string | null; acc: string | null; rgw: string | null; reason: string; sipCode: number | null; calls: number; answered: number; pddSum: number; pddCount: number }
interface AttemptPart { gw: string; reason: string; sipCode: number | null; n: number }

const emptyStats = (): ScopeStats => ({ calls: 0, answered: 0, pddSum: 0, pddCount: 0, byReason: new Map(), failedByReason: new Map(), bySipCode: new Map() })
const bump = <K>(m: Map<K, number>, k: K, n: number): void => void m.set(k, (m.get(k) ?? 0) + n)

/** Adds `calls` calls (of which `answered` answered) with one reason and code to the stats. */
function addTo(s: ScopeStats, p: { reason: string; sipCode: number | null; calls: number; answered: number; pddSum: number; pddCount: number }): void {
  s.calls += p.calls
  s.answered += p.answered
  s.pddSum += p.pddSum
  s.pddCount += p.pddCount
  bump(s.byReason, p.reason, p.calls)
  if (p.calls > p.answered) bump(s.failedByReason, p.reason, p.calls - p.answered)
  if (p.sipCode !== null) bump(s.bySipCode, p.sipCode, p.calls)
}

/** The rule's metric from its scope's stats (null when there is nothing to compute it from). */
export function metricValue(rule: Pick<AlertRuleRow, 'metric' | 'reason' | 'sipCode'>, s: ScopeStats): number | null {
  switch (rule.metric) {
    case 'failureRatio': return s.calls === 0 ? null : roundTo((s.calls - s.answered) / s.calls, 4)
    case 'asr': return s.calls === 0 ? null : roundTo(s.answered / s.calls, 4)
    case 'reasonCount': return rule.reason === null ? null : (s.byReason.get(rule.reason) ?? 0)
    case 'sipCodeCount': return rule.sipCode === null ? null : (s.bySipCode.get(rule.sipCode) ?? 0)
    case 'avgPddMs': return s.pddCount === 0 ? null : Math.round(s.pddSum / s.pddCount)
    case 'authFailures': return s.byReason.get('AuthenticationFailed') ?? 0
    case 'blockedDestinations': return s.byReason.get('DestinationBlocked') ?? 0
    default: return null
  }
}

/** Failure reasons of the stats, most frequent first (at most five). */
function topReasons(s: ScopeStats): Measurement['topReasons'] {
  return [...s.failedByReason].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, 5).map(([reason, count]) => ({ reason, count }))
}

/** Measures each rule over [nowMs - windowSec, nowMs); rules sharing a window length share its queries. */
export async function measureRules(db: Queryable, rules: readonly AlertRuleRow[], nowMs: number): Promise<Map<string, Measurement>> {
  const out = new Map<string, Measurement>()
  const byWindow = new Map<number, AlertRuleRow[]>()
  for (const r of rules) byWindow.set(r.windowSec, [...(byWindow.get(r.windowSec) ?? []), r])
  const offlineRules = rules.filter((r) => r.metric === 'gatewayOffline')
  const findingRules = rules.filter((r) => isFindingMetric(r.metric))
  const banRules = rules.filter((r) => r.metric === 'sourceBans')
  const status = offlineRules.length === 0 ? [] : (await readGatewayStatus(db, 'routing', nowMs)).map((r) => ({ id: r.gatewayId, online: r.online }))

  for (const [windowSec, windowRules] of byWindow) {
    const window = { fromMs: nowMs - windowSec * 1000, toMs: nowMs }
    const inWindow = sql`${cdrs.startedAtMs} >= ${window.fromMs} and ${cdrs.startedAtMs} < ${window.toMs}`
    const callRules = windowRules.filter((r) => r.metric !== 'gatewayOffline' && r.metric !== 'sourceBans' && !isFindingMetric(r.metric))
    const diagnosis = findingRules.some((r) => r.windowSec === windowSec) ? await diagnoseWindow(db, window) : undefined
    const bans = !banRules.some((r) => r.windowSec === windowSec) ? 0 : (await db.all<{ n: number }>(sql`
      select count(*) as n from ${ipAccessList} where ${ipAccessList.origin} = 'core'
        and ${ipAccessList.updatedAtMs} >= ${window.fromMs} and ${ipAccessList.updatedAtMs} < ${window.toMs}`))[0]?.n ?? 0
    const calls = callRules.length === 0 ? [] : await db.all<CallPart>(sql`
      select ${cdrs.mappingGatewayId} as mgw, ${cdrs.accountId} as acc, ${cdrs.routingGatewayId} as rgw, ${cdrs.terminationReason} as reason,
        ${cdrs.sipCode} as sipCode, count(*) as calls, count(${cdrs.answeredAtMs}) as answered, total(${cdrs.pddMs}) as pddSum, count(${cdrs.pddMs}) as pddCount
      from ${cdrs} where ${inWindow} group by 1, 2, 3, 4, 5`)
    const needsAttempts = callRules.some((r) => r.scope.kind === 'routingGateway')
    const attempts = !needsAttempts ? [] : await db.all<AttemptPart>(sql`
      select json_extract(a.value, '$.routingGatewayId') as gw, json_extract(a.value, '$.reason') as reason,
        json_extract(a.value, '$.sipCode') as sipCode, count(*) as n
      from ${cdrs}, json_each(${cdrs.attempts}) as a where ${inWindow} group by 1, 2, 3`)
    const prefixStats = new Map<string, ScopeStats>()
    for (const r of callRules) {
      if (r.scope.kind !== 'prefix' || prefixStats.has(r.scope.prefix)) continue
      const p = r.scope.prefix
      const parts = await db.all<CallPart>(sql`
        select ${cdrs.terminationReason} as reason, ${cdrs.sipCode} as sipCode, count(*) as calls, count(${cdrs.answeredAtMs}) as answered,
          total(${cdrs.pddMs}) as pddSum, count(${cdrs.pddMs}) as pddCount
        from ${cdrs} where ${inWindow} and substr(${cdrs.callee}, 1, ${p.length}) = ${p} group by 1, 2`)
      const s = emptyStats()
      for (const part of parts) addTo(s, part)
      prefixStats.set(p, s)
    }

    for (const rule of windowRules) {
      if (diagnosis !== undefined && isFindingMetric(rule.metric)) {
        const found = findingsForScope(diagnosis, rule.scope).filter((f) => f.kind === rule.metric)
        out.set(rule.id, { window, attempts: found.length, value: found.length, topReasons: [], diagnosis })
        continue
      }
      if (rule.metric === 'sourceBans') {
        out.set(rule.id, { window, attempts: bans, value: bans, topReasons: [] })
        continue
      }
      if (rule.metric === 'gatewayOffline') {
        const judged = rule.scope.kind === 'routingGateway' ? status.filter((s) => s.id === (rule.scope as { id: string }).id) : status
        const value = judged.length === 0 ? null : judged.filter((s) => !s.online).length
        out.set(rule.id, { window, attempts: judged.length, value, topReasons: [] })
        continue
      }
      const s = emptyStats()
      const scope = rule.scope
      if (scope.kind === 'prefix') Object.assign(s, prefixStats.get(scope.prefix) ?? emptyStats())
      else if (scope.kind === 'routingGateway') {
        for (const a of attempts) {
          if (a.gw !== scope.id) continue
          const answered = a.sipCode !== null && a.sipCode >= 200 && a.sipCode < 300 ? a.n : 0
          addTo(s, { reason: a.reason, sipCode: a.sipCode, calls: a.n, answered, pddSum: 0, pddCount: 0 })
        }
        for (const c of calls) if (c.rgw === scope.id) Object.assign(s, { pddSum: s.pddSum + c.pddSum, pddCount: s.pddCount + c.pddCount })
      } else {
        for (const c of calls) {
          if (scope.kind === 'all' || (scope.kind === 'mappingGateway' && c.mgw === scope.id) || (scope.kind === 'account' && c.acc === scope.id)) addTo(s, c)
        }
      }
      out.set(rule.id, { window, attempts: s.calls, value: metricValue(rule, s), topReasons: topReasons(s) })
    }
  }
  return out
}
