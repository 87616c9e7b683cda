// Enum tuples shared by the zod entities and the drizzle text-enum columns, so both always agree.

/** Account types (docs/api.md /v1/accounts). */
export const ACCOUNT_TYPES = ['prepaid', 'postpaid'] as const
/** Account statuses; `locked` refuses calls with AccountLocked. */
export const ACCOUNT_STATUSES = ['normal', 'locked'] as const
/** Ingress authentication modes of a mapping gateway. */
export const AUTH_MODES = ['ip', 'ip_port', 'password'] as const
/** Lock types of mapping and routing gateways; `bar_all` takes the gateway out of service. */
export const LOCK_TYPES = ['none', 'bar_all'] as const
/** Prefix match modes (docs/architecture.md "Routing"). */
export const PREFIX_MODES = ['extension', 'expiration'] as const
/** SIP transports (RFC 3261 §18): a routing gateway's, and each call leg's in CDRs. */
export const SIP_TRANSPORTS = ['udp', 'tcp', 'tls'] as const
/** API key roles: admin may write, viewer may only GET. */
export const API_KEY_ROLES = ['admin', 'viewer'] as const
/** Which party ended a call. */
export const ENDED_BY = ['caller', 'callee', 'switch'] as const
/** Kinds of gateway whose live status the core publishes. */
export const GATEWAY_KINDS = ['routing', 'mapping'] as const
/** One gateway kind. */
export type GatewayKind = (typeof GATEWAY_KINDS)[number]
/** Life of an on-demand network test request: the edge inserts `pending`, a core claims it (`running`) and finishes it. */
export const NETWORK_TEST_STATUSES = ['pending', 'running', 'done', 'failed'] as const
/** What an alert rule watches: every call, one gateway, one account or a callee prefix. */
export const ALERT_SCOPE_KINDS = ['all', 'routingGateway', 'mappingGateway', 'account', 'prefix'] as const
/** What the automatic diagnosis reports (docs/diagnosis.md): each a failure pattern with its own cause and advice. */
export const FINDING_KINDS = [
  'NoRouteForPrefix', 'CapacityExhausted', 'VendorBalanceLow', 'GatewayUnreachable', 'OwnNetworkDown', 'SlowGateway',
  'AuthFailuresBehindNat', 'CredentialMismatch', 'OneWayAudio', 'AuthenticationAttack', 'FalseAnswerSupervision',
  'NewCostlyDestination', 'LossRoutes', 'SourcesBanned',
] as const
/** One finding kind. */
export type FindingKind = (typeof FINDING_KINDS)[number]
/**
 * What an alert rule measures over its window: call metrics, live gateway state, bans, and every finding kind (the
 * number of findings of that kind in the rule's scope).
 */
export const ALERT_METRICS = [
  'failureRatio', 'asr', 'reasonCount', 'sipCodeCount', 'gatewayOffline', 'avgPddMs', 'authFailures', 'blockedDestinations', 'sourceBans',
  ...FINDING_KINDS,
] as const
/** Alert and finding severities; webhooks filter on them. */
export const ALERT_SEVERITIES = ['info', 'warning', 'critical'] as const
/** One alert severity (also what webhooks filter on). */
export type AlertSeverity = (typeof ALERT_SEVERITIES)[number]
/** Life of an alert: firing until the metric recovers, then resolved. */
export const ALERT_STATES = ['firing', 'resolved'] as const
/** Event types of a webhook delivery (the body's `type`). */
export const ALERT_EVENT_TYPES = ['alert.firing', 'alert.resolved'] as const
/** Life of one webhook delivery: pending (retrying) until delivered or failed after the last attempt. */
export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const
/** States of a call in progress as the core publishes them (`ended` calls are not published). */
export const CALL_STATES = ['routing', 'early', 'connecting', 'connected'] as const
/** Life of an operator hang-up request: the edge inserts `pending`, the owning core ends the call (`done`) or cannot (`failed`). */
export const HANGUP_STATUSES = ['pending', 'done', 'failed'] as const
/** The two IP access lists (VOS3000's dynamic blacklist and whitelist). */
export const ACCESS_LISTS = ['blacklist', 'whitelist'] as const
/**
 * Why a source is on a list: `manual` (an operator), `auth_failures` (SS_AUTH_FAIL_LIMIT failed digests, unanswered
 * challenges included), `request_flood` (over SS_PIKE_RATE/SS_PIKE_BURST).
 */
export const ACCESS_REASONS = ['manual', 'auth_failures', 'request_flood'] as const
/** Who wrote an access-list entry: an operator through the API, or a core banning by itself. */
export const ACCESS_ORIGINS = ['operator', 'core'] as const
/**
 * Why ingress authentication refused an attempt (docs/diagnosis.md "Refused attempts"): no gateway has the source,
 * an IP+port gateway has the IP but not the port, a known username with a wrong digest, an unknown username, the
 * right password from an unlisted IP, credentials we cannot check, challenges left unanswered, a locked username.
 */
export const AUTH_REFUSAL_REASONS = [
  'unknown_source', 'ip_port_mismatch', 'wrong_password', 'unknown_user', 'source_not_allowed', 'bad_credentials', 'challenge_unanswered', 'user_locked',
] as const
/** One reason for refusing an authentication attempt. */
export type AuthRefusalReason = (typeof AUTH_REFUSAL_REASONS)[number]
