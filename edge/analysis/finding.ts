// What a diagnosis reads (the window's aggregates) and what it reports (findings with cause, evidence and advice), shared by every diagnosis rule.
import { z } from 'zod'
import { MONEY_FINDING_KINDS, type MoneyFacts } from './diagnose-money.js'

/** Finding kinds (docs/api.md "Queries", diagnosis). */
export const FINDING_KINDS = [
  'NoRouteForPrefix', 'CapacityExhausted', 'VendorBalanceLow', 'GatewayUnreachable', 'OwnNetworkDown', 'SlowGateway',
  'AuthFailuresBehindNat', 'CredentialMismatch', ...MONEY_FINDING_KINDS, 'SourcesBanned',
] as const
/** Severities, the same words webhooks filter on. */
export const SEVERITIES = ['info', 'warning', 'critical'] as const

/** One finding of GET /v1/analysis/diagnosis. */
export const finding = z.object({
  kind: z.enum(FINDING_KINDS),
  severity: z.enum(SEVERITIES),
  scope: z.record(z.string(), z.unknown()).describe('what the finding is about, e.g. { routingGatewayId } or { prefix } or { sourceIp }'),
  evidence: z.record(z.string(), z.unknown()).describe('the numbers behind it'),
  cause: z.string().optional().describe('what is going on, apart from what to do about it'),
  advice: z.string().describe('what to do (kinds without a separate cause say both here)'),
})
/** Inferred finding type. */
export type Finding = z.infer<typeof finding>

/** The aggregates one diagnosis reads (fetched by `readDiagnosisFacts`, or built by hand in tests). */
export interface DiagnosisFacts extends MoneyFacts {
  calls: number
  /** Calls per termination reason and UTC hour start. */
  reasonsByHour: { hourMs: number; reason: string; calls: number }[]
  /** NoAvailableRouter calls by the first NO_ROUTE_MAX_PREFIX characters of the callee. */
  noRouteByCallee: { callee: string; calls: number }[]
  /** CallLimitExceeded calls per mapping gateway. */
  callLimitByMappingGateway: { mappingGatewayId: string | null; calls: number }[]
  /** Attempts per routing gateway and TIMEOUT_BUCKET_MS bucket. */
  attemptsByBucket: { bucketMs: number; routingGatewayId: string; attempts: number; inviteTimeouts: number; gatewayTimeouts: number }[]
  /** Post-dial delay of calls per final routing gateway. */
  pddByGateway: { routingGatewayId: string; withPdd: number; avgPddMs: number }[]
  /** AuthenticationFailed calls per source IP. */
  authFailuresBySource: { sourceIp: string; failures: number; distinctPorts: number; digestFailures: number; topPort: number }[]
  routingGateways: { id: string; clearingAccountId: string | null; optionsCheck: boolean }[]
  clearingAccounts: { id: string; balance: number; status: string }[]
  clearingLimit: number
  mappingGateways: { id: string; authMode: string; ips: string[]; port: number | null }[]
  gatewayStatus: { routingGatewayId: string; online: boolean; lossRatio: number | null }[]
  /** Automatic bans the cores made or renewed in the window (from ip_access_list). */
  bans: { cidr: string; reason: string; offences: number; expiresAtMs: number | null; updatedAtMs: number }[]
}
