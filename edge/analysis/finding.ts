// What a diagnosis reads (the window's aggregates) and what it reports (findings with scope, evidence, cause and advice), shared by every diagnosis rule.
import { z } from 'zod'
import { ALERT_SEVERITIES, FINDING_KINDS, type AlertSeverity, type FindingKind } from '../../shared/entities/enums.js'
import type { AuthRefusalRow } from '../../shared/db/tables/auth-refusals.js'

export { FINDING_KINDS }

/** What a finding is about: the exact gateway, prefix, account or source an operator acts on. */
export const findingScope = z.object({
  routingGatewayId: z.string().optional().describe('the vendor gateway'),
  mappingGatewayId: z.string().optional().describe('the customer gateway'),
  accountId: z.string().optional().describe('the customer account'),
  clearingAccountId: z.string().optional().describe('the vendor\'s clearing account'),
  prefix: z.string().optional().describe('a callee prefix (the gateway\'s matched prefix, or a destination)'),
  sourceIp: z.string().optional().describe('the signalling source address'),
  sourceIps: z.array(z.string()).optional().describe('several sources (banned strangers)'),
  side: z.literal('switch').optional().describe('our own node and its network'),
})
/** Inferred scope type. */
export type FindingScope = z.infer<typeof findingScope>

/** One finding of GET /v1/analysis/diagnosis. */
export const finding = z.object({
  kind: z.enum(FINDING_KINDS),
  severity: z.enum(ALERT_SEVERITIES),
  scope: findingScope,
  evidence: z.record(z.string(), z.unknown()).describe('the numbers behind it: counts, the window ({ from, to }) and exampleCdrIds (newest first, possibly empty)'),
  cause: z.string().describe('what is going on'),
  advice: z.string().describe('what to do about it'),
})
/** Inferred finding type. */
export type Finding = z.infer<typeof finding>

/** A finding as a rule builds it (the diagnosis adds the window and example CDR ids to its evidence). */
export interface RuleFinding {
  kind: FindingKind
  severity: AlertSeverity
  scope: FindingScope
  evidence: Record<string, unknown>
  cause: string
  advice: string
}

/** The aggregates one diagnosis reads (fetched by `readDiagnosisFacts`, or built by hand in tests). */
export interface DiagnosisFacts {
  /** The window judged, epoch ms: buckets start at `fromMs`. */
  window: { fromMs: number; toMs: number }
  calls: number
  /** Calls per termination reason and UTC hour start. */
  reasonsByHour: { hourMs: number; reason: string; calls: number }[]
  /** NoAvailableRouter calls by the first NO_ROUTE_MAX_PREFIX characters of the callee. */
  noRouteByCallee: { callee: string; calls: number }[]
  /** CallLimitExceeded calls per mapping gateway. */
  callLimitByMappingGateway: { mappingGatewayId: string | null; calls: number }[]
  /** Failed calls (AllGatewayBusy, AccountBalanceNotEnough) per hour and routing gateway their CDR notes name as skipped. */
  skippedByGateway: { hourMs: number; reason: string; routingGatewayId: string; skip: 'lineLimit' | 'groupLineLimit' | 'clearingBalanceLow'; matchedPrefix: string; calls: number }[]
  /** Attempts per routing gateway and TIMEOUT_BUCKET_MS bucket (from the window's start). */
  attemptsByBucket: { bucketMs: number; routingGatewayId: string; attempts: number; inviteTimeouts: number; tryingTimeouts: number; gatewayTimeouts: number }[]
  /** Post-dial delay of calls per final routing gateway. */
  pddByGateway: { routingGatewayId: string; withPdd: number; avgPddMs: number }[]
  /** Relayed answered calls longer than ONE_WAY_MIN_SEC per routing and mapping gateway, with those silent from one side. */
  mediaByGateway: { routingGatewayId: string | null; mappingGatewayId: string | null; relayed: number; calleeSilent: number; callerSilent: number }[]
  /** An account's calls to a rate prefix priced far above its table's median that it had not called in the history before the window. */
  newCostlyDestinations: { accountId: string; prefix: string; pricePerMinute: number; medianPricePerMinute: number; calls: number; answered: number; cost: number; firstAtMs: number }[]
  routingGateways: { id: string; clearingAccountId: string | null; optionsCheck: boolean }[]
  clearingAccounts: { id: string; balance: number; status: string }[]
  clearingLimit: number
  mappingGateways: { id: string; authMode: string; ips: string[]; port: number | null }[]
  gatewayStatus: { routingGatewayId: string; online: boolean; lossRatio: number | null }[]
  /** Automatic bans the cores made or renewed in the window (from ip_access_list). */
  bans: { cidr: string; reason: string; offences: number; expiresAtMs: number | null; updatedAtMs: number }[]
  /** Answered calls per routing gateway and FAS_BUCKET_MS bucket (from the window's start), with those that lasted at most FAS_SHORT_SEC. */
  answeredByBucket: { routingGatewayId: string; bucketMs: number; answered: number; short: number; shortAvgPddMs: number | null }[]
  /** The newest few short answered calls per routing gateway. */
  shortExamples: { routingGatewayId: string; cdrId: string }[]
  /** Answered calls with both prices per routing gateway, and those whose vendor cost exceeded their cost. */
  lossByGateway: { routingGatewayId: string; answered: number; lossCalls: number; loss: number }[]
  /** The newest few loss calls per routing gateway. */
  lossExamples: { routingGatewayId: string; cdrId: string }[]
  /** Refused attempts (auth_refusals) per mapping gateway ('' none), source IP ('*' folded sources) and reason, for sources refused at least AUTH_SOURCE_MIN times. */
  refusals: Omit<AuthRefusalRow, 'bucketMs'>[]
  /** Per mapping gateway: distinct sources with credential refusals on it (a '*' row means many), their attempts, and user_locked refusals. */
  refusalsByGateway: { mappingGatewayId: string; sources: number; folded: boolean; attempts: number; userLocked: number }[]
  /** Blacklist entries (an operator's or the cores' bans) of the sources in `refusals`. */
  sourceBans: { cidr: string; origin: string; reason: string; offences: number; expiresAtMs: number | null }[]
}
