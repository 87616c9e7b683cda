// Why each candidate sits where it sits: its sort keys in the order the routing parameters apply them, and the first one that differs from the candidate before it.
import { qualityScore } from './quality.js'
import type { RouteCandidate } from './route.js'
import type { RoutingParams } from './routing-table.js'

/** One sort key of a candidate: its value to compare and the words that name it. */
interface Key {
  readonly value: number
  readonly text: string
}

const pct = (x: number): string => `${Math.round(x * 1000) / 10}%`

function qualityKey(c: RouteCandidate, p: RoutingParams): Key {
  const f = c.quality
  const figures = f === null ? 'no calls in the window' : `ASR ${f.asr === null ? '-' : pct(f.asr)}, PDD ${f.pddMs === null ? '-' : `${Math.round(f.pddMs)} ms`} over ${f.calls} calls`
  if (p.SS_GATEWAY_ASR_ROUTE_SORT_CONFIG === 'score') {
    const score = c.probe ? 1 : qualityScore(f ?? undefined, p)
    return { value: -score, text: `quality score ${score.toFixed(2)} (${c.probe ? 'probe' : figures})` }
  }
  if (c.probe) return { value: 0, text: `probe: judged ${c.qualityVerdict} (${figures}) but kept in place on ${p.SS_ROUTE_PROBE_PERCENT}% of calls` }
  if (c.demoted) {
    const why = c.qualityVerdict === 'lowAsr' ? `ASR under ${p.SS_ROUTE_ASR_MIN_PERCENT}%` : `PDD over ${p.SS_ROUTE_PDD_MAX_MS} ms`
    return { value: 1, text: `demoted: ${why} (${figures})` }
  }
  if (c.qualityVerdict === 'unjudged') return { value: 0, text: `not judged yet: ${f?.calls ?? 0} of ${p.SS_ROUTE_QUALITY_MIN_CALLS} calls` }
  return { value: 0, text: `healthy (${figures})` }
}

/** The candidate's keys in the order routing compared them (route-order.ts). */
function keysOf(c: RouteCandidate, p: RoutingParams): Key[] {
  const keys: Key[] = [{ value: c.protectRoute ? 1 : 0, text: c.protectRoute ? 'protect route (after every normal route)' : 'normal route' }]
  const prefix: Key = { value: -c.matchedPrefix.length, text: `prefix "${c.matchedPrefix}" (${c.matchedPrefix.length} digits, longer first)` }
  const priority: Key = { value: c.priority, text: `priority ${c.priority}` }
  const all = p.SS_ROUTE_SORT_SCOPE === 'all'
  if (!all) keys.push(prefix, priority)
  const price: Key | null = p.SS_GATEWAY_FEE_RATE_ROUTE_SORT_CONFIG
    ? c.vendorPrice === null
      ? { value: Number.POSITIVE_INFINITY, text: 'unpriced (after priced gateways)' }
      : { value: c.vendorPrice, text: `price ${c.vendorPrice}/min` }
    : null
  const quality = p.SS_GATEWAY_ASR_ROUTE_SORT_CONFIG === 'off' ? null : qualityKey(c, p)
  const ordered = p.SS_GATEWAY_FEE_RATE_ROUTE_BEFORE_ASR ? [price, quality] : [quality, price]
  for (const k of ordered) if (k !== null) keys.push(k)
  if (all) keys.push(prefix, priority)
  return keys
}

/**
 * One sentence per candidate: the first names its leading keys; each later one names the first key on which it comes
 * after the candidate before it, or says it ties (equal keys share load at call time).
 */
export function explainOrder(candidates: readonly RouteCandidate[], p: RoutingParams): string[] {
  const keys = candidates.map((c) => keysOf(c, p))
  return candidates.map((c, i) => {
    const mine = keys[i]!
    if (i === 0) return `first: ${mine.map((k) => k.text).join(', ')}`
    const prev = keys[i - 1]!
    const before = candidates[i - 1]!.routingGatewayId
    const at = mine.findIndex((k, j) => k.value !== prev[j]!.value)
    if (at === -1) return `after ${before} only by snapshot order: equal on ${mine.map((k) => k.text).join(', ')} (equal gateways share load at call time)`
    return `after ${before}: ${mine[at]!.text} vs ${prev[at]!.text}`
  })
}
