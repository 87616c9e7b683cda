// Diagnosis of money lost per vendor: false answer supervision (bursts of very short answered calls) and loss routes (answered calls whose vendor cost exceeded their price).
import type { ALERT_SEVERITIES } from '../../shared/entities/enums.js'

/** The finding kinds of this file. */
export const MONEY_FINDING_KINDS = ['FalseAnswerSupervision', 'LossRoutes'] as const

/** A finding of this file; the same shape as every finding, with the cause apart from the advice. */
export interface MoneyFinding {
  kind: (typeof MONEY_FINDING_KINDS)[number]
  severity: (typeof ALERT_SEVERITIES)[number]
  scope: Record<string, unknown>
  evidence: Record<string, unknown>
  cause: string
  advice: string
}

/** The aggregates these rules read (part of DiagnosisFacts). */
export interface MoneyFacts {
  /** Answered calls per routing gateway and FAS_BUCKET_MS bucket, with those that lasted at most FAS_SHORT_SEC. */
  answeredByBucket: { routingGatewayId: string; bucketMs: number; answered: number; short: number; shortAvgPddMs: number | null }[]
  /** The newest few short answered calls per routing gateway. */
  shortExamples: { routingGatewayId: string; cdrId: string }[]
  /** Answered calls with both prices per routing gateway, and those whose vendor cost exceeded their cost. */
  lossByGateway: { routingGatewayId: string; answered: number; lossCalls: number; loss: number }[]
  /** The newest few loss calls per routing gateway. */
  lossExamples: { routingGatewayId: string; cdrId: string }[]
}

/** An answered call this short (billed seconds) counts towards false answer supervision ("under a few seconds"). */
export const FAS_SHORT_SEC = 3
/** Short answered calls are counted per gateway in buckets of this span, so a burst stands out from a day's trickle. */
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
export function findFalseAnswerSupervision(f: MoneyFacts): MoneyFinding[] {
  const bursts = new Map<string, MoneyFacts['answeredByBucket']>()
  for (const b of f.answeredByBucket) {
    if (b.short < FAS_MIN_SHORT_CALLS || b.short < FAS_MIN_SHARE * b.answered) continue
    bursts.set(b.routingGatewayId, [...(bursts.get(b.routingGatewayId) ?? []), b])
  }
  return [...bursts].map(([id, list]) => {
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
export function findLossRoutes(f: MoneyFacts): MoneyFinding[] {
  return f.lossByGateway.filter((g) => g.lossCalls >= LOSS_MIN_CALLS).map((g) => {
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
