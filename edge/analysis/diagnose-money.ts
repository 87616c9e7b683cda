// Diagnosis of money lost: false answer supervision (bursts of very short answered calls on a vendor), loss routes (answered calls whose vendor cost exceeded their price), and an account calling costly destinations it never called before (a fraud sign).
import type { DiagnosisFacts, RuleFinding } from './finding.js'

/** The aggregates these rules read. */
export type MoneyFacts = Pick<DiagnosisFacts, 'answeredByBucket' | 'shortExamples' | 'lossByGateway' | 'lossExamples' | 'newCostlyDestinations'>

/** An answered call this short (billed seconds) counts towards false answer supervision ("under a few seconds"). */
export const FAS_SHORT_SEC = 3
/** Short answered calls are counted per gateway in buckets of this span (from the window's start), so a burst stands out from a day's trickle. */
export const FAS_BUCKET_MS = 300_000
/** Short answered calls one gateway needs in one bucket... */
export const FAS_MIN_SHORT_CALLS = 10
/** ...and their share of its answered calls in that bucket (real traffic has some short calls, never most). */
export const FAS_MIN_SHARE = 0.5
/** A burst where this share of the answered calls is short is critical: nearly every "answer" is fake. */
export const FAS_CRITICAL_SHARE = 0.8
/** Example CDR ids each finding carries. */
export const EXAMPLE_CDRS = 5
/** Answered loss calls a gateway needs before it is reported (one can be a rate change in flight). */
export const LOSS_MIN_CALLS = 3
/** Share of a gateway's rated answered calls at a loss above which the finding is critical. */
export const LOSS_CRITICAL_SHARE = 0.2

const examples = (rows: readonly { routingGatewayId: string; cdrId: string }[], id: string): string[] =>
  rows.filter((r) => r.routingGatewayId === id).slice(0, EXAMPLE_CDRS).map((r) => r.cdrId)
const ratio = (a: number, b: number): number => Math.round((a / b) * 1000) / 1000

/** One finding per routing gateway with at least one burst bucket, evidenced by its worst burst. */
export function findFalseAnswerSupervision(f: Pick<MoneyFacts, 'answeredByBucket' | 'shortExamples'>): RuleFinding[] {
  const bursts = new Map<string, MoneyFacts['answeredByBucket']>()
  for (const b of f.answeredByBucket) {
    if (b.short < FAS_MIN_SHORT_CALLS || b.short < FAS_MIN_SHARE * b.answered) continue
    bursts.set(b.routingGatewayId, [...(bursts.get(b.routingGatewayId) ?? []), b])
  }
  return [...bursts].map(([id, list]): RuleFinding => {
    const worst = list.reduce((a, b) => (b.short > a.short ? b : a))
    const share = ratio(worst.short, worst.answered)
    return {
      kind: 'FalseAnswerSupervision',
      severity: share >= FAS_CRITICAL_SHARE ? 'critical' : 'warning',
      scope: { routingGatewayId: id },
      evidence: {
        burstStart: new Date(worst.bucketMs).toISOString(), burstMinutes: FAS_BUCKET_MS / 60_000, shortAnsweredCalls: worst.short,
        answeredCalls: worst.answered, shortShare: share, shortMaxSec: FAS_SHORT_SEC,
        shortAvgPddMs: worst.shortAvgPddMs === null ? null : Math.round(worst.shortAvgPddMs), burstBuckets: list.length,
        exampleCdrIds: examples(f.shortExamples, id),
      },
      cause:
        `${worst.short} of the ${worst.answered} calls routing gateway ${id} answered in ${FAS_BUCKET_MS / 60_000} minutes lasted ` +
        `${FAS_SHORT_SEC} s or less: the signature of false answer supervision, where the vendor sends 200 OK before the callee ` +
        'answers (on ringback, an announcement or a failed call), so calls are billed that nobody talked on.',
      advice:
        'Check the example CDRs (answered at once, hung up after seconds, often no RTP from the callee) and place test calls ' +
        'through this vendor. Send the vendor the CDR ids and claim the billed seconds back; until it fixes its answer ' +
        'supervision, lower its priority, turn on quality routing (SS_GATEWAY_ASR_ROUTE_SORT_CONFIG) or lock it (lockType bar_all).',
    }
  })
}

/** Routing gateways whose rated answered calls cost more at the vendor than the customer paid, LOSS_MIN_CALLS or more. */
export function findLossRoutes(f: Pick<MoneyFacts, 'lossByGateway' | 'lossExamples'>): RuleFinding[] {
  return f.lossByGateway.filter((g) => g.lossCalls >= LOSS_MIN_CALLS).map((g): RuleFinding => {
    const share = ratio(g.lossCalls, g.answered)
    return {
      kind: 'LossRoutes',
      severity: share >= LOSS_CRITICAL_SHARE ? 'critical' : 'warning',
      scope: { routingGatewayId: g.routingGatewayId },
      evidence: {
        lossCalls: g.lossCalls, ratedAnsweredCalls: g.answered, lossShare: share, loss: Math.round(g.loss * 1e6) / 1e6,
        exampleCdrIds: examples(f.lossExamples, g.routingGatewayId),
      },
      cause:
        `${g.lossCalls} answered calls through routing gateway ${g.routingGatewayId} cost more at the vendor than the customer ` +
        `paid for them (loss ${Math.round(g.loss * 1e4) / 1e4} in the window): the vendor's rate for these destinations is above ` +
        "the customer's, and the margin guard let them through (SS_ROUTE_MARGIN_GUARD off, allowLossRoutes on the mapping or " +
        'routing gateway, or a rate that changed after the call was routed).',
      advice:
        'Compare both prices for the example CDRs\' callees (GET /v1/analysis/rating, GET /v1/analysis/routing shows each ' +
        'candidate\'s margin), then reprice the customer, route these prefixes to a cheaper vendor, or turn the margin guard ' +
        'back on (SS_ROUTE_MARGIN_GUARD, allowLossRoutes false) so loss routes are skipped with 503 NoProfitableRoute.',
    }
  })
}

/** A destination counts as costly when its rate is at least this many times its rate table's median price per minute (premium and satellite ranges sit 10-100x above ordinary ones; mobile vs fixed is 2-3x). */
export const NEW_DEST_PRICE_FACTOR = 5
/** Calls from one account to one such destination in the window (one call somewhere unusual is ordinary; fraud pumps several). */
export const NEW_DEST_MIN_CALLS = 3
/** How far before the window an account's history is searched for the destination. */
export const NEW_DEST_HISTORY_DAYS = 30

/** Accounts calling a costly destination (by their rate table) they had not called in NEW_DEST_HISTORY_DAYS. */
export function findNewCostlyDestinations(f: Pick<MoneyFacts, 'newCostlyDestinations'>): RuleFinding[] {
  return f.newCostlyDestinations.filter((d) => d.calls >= NEW_DEST_MIN_CALLS).map((d): RuleFinding => ({
    kind: 'NewCostlyDestination',
    severity: d.answered > 0 ? 'critical' : 'warning',
    scope: { accountId: d.accountId, prefix: d.prefix },
    evidence: {
      calls: d.calls, answeredCalls: d.answered, cost: Math.round(d.cost * 1e4) / 1e4, pricePerMinute: d.pricePerMinute,
      medianPricePerMinute: d.medianPricePerMinute, priceFactor: Math.round((d.pricePerMinute / d.medianPricePerMinute) * 10) / 10,
      firstAt: new Date(d.firstAtMs).toISOString(), historyDays: NEW_DEST_HISTORY_DAYS,
    },
    cause:
      `Account ${d.accountId} made ${d.calls} calls to ${d.prefix}…, priced ${d.pricePerMinute}/min (${Math.round(d.pricePerMinute / d.medianPricePerMinute)}x ` +
      `the median of its rate table), a destination it had not called in the ${NEW_DEST_HISTORY_DAYS} days before: the pattern of toll ` +
      'fraud (a hacked PBX or stolen credentials pumping calls to premium or international revenue-share numbers).',
    advice:
      'Ask the customer whether these calls are theirs. If not, lock the account (PATCH status locked) or block the prefix for it ' +
      '(blockedPrefixes), change its gateway credentials, and cap it with maxConcurrentCalls and dailySpendLimit.',
  }))
}
