// The single catalogue of system parameters, keyed by VOS3000 name: type, default, bounds, unit and meaning, as zod.
import { z } from 'zod'

/** Value kinds a parameter can have. */
export type ParamType = 'integer' | 'boolean' | 'string' | 'money' | 'enum'

/** One catalogue entry. */
export interface ParamSpec<T = unknown> {
  readonly type: ParamType
  readonly schema: z.ZodType<T>
  readonly default: T
  readonly unit: string
  readonly min: number | null
  readonly max: number | null
  readonly description: string
}

const int = (unit: string, def: number, min: number, max: number, description: string): ParamSpec<number> => ({
  type: 'integer', unit, default: def, min, max, description,
  schema: z.number().int().min(min).max(max).describe(`${unit}; ${min}..${max}; ${description}`),
})
const bool = (def: boolean, description: string): ParamSpec<boolean> => ({
  type: 'boolean', unit: 'bool', default: def, min: null, max: null, description,
  schema: z.boolean().describe(description),
})
const str = (def: string, description: string): ParamSpec<string> => ({
  type: 'string', unit: 'text', default: def, min: null, max: null, description,
  schema: z.string().min(1).max(128).regex(/^[^"\\\s]+$/, 'no quotes, backslashes or whitespace').describe(description),
})
const money = (def: number, description: string): ParamSpec<number> => ({
  type: 'money', unit: 'money', default: def, min: -1e12, max: 1e12, description,
  schema: z.number().min(-1e12).max(1e12).describe(`money; ${description}`),
})
/** True when the runtime's Intl knows `name` as a time zone (IANA names such as Europe/Berlin, or UTC). */
export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name })
    return true
  } catch {
    return false
  }
}
const zone = (def: string, description: string): ParamSpec<string> => ({
  type: 'string', unit: 'IANA zone', default: def, min: null, max: null, description,
  schema: z.string().min(1).max(64).refine(isTimeZone, 'unknown IANA time zone').describe(`IANA time zone; ${description}`),
})
const choice = <const V extends readonly [string, ...string[]]>(values: V, def: V[number], description: string): ParamSpec<V[number]> => ({
  type: 'enum', unit: values.join('|'), default: def, min: null, max: null, description,
  schema: z.enum(values).describe(`${values.join(' | ')}; ${description}`) as unknown as z.ZodType<V[number]>,
})

const DAY = 86_400

/** Every system parameter (VOS3000 names where VOS3000 has the setting; the README table is generated from this). */
export const SYSTEM_PARAMS = {
  SS_MAXCALLDURATION: int('s', 0, 0, 7 * DAY, 'hard cap for every call, BYE to both legs; 0 = no cap; a shorter account limit wins'),
  SS_CALLREMINTIME: int('s', 0, 0, 3600, 'play the warning prompt this long before the cap; 0 = no warning'),
  SS_NOMEDIAHANGUP: int('s', 0, 0, 3600, 'hang up a connected call after this long without RTP; 0 = off (needs media relay)'),
  SS_NOMEDIAHANGUP_SIDE: choice(['either', 'both'] as const, 'both', 'silence that counts: either leg alone, or both legs'),
  SS_SIP_TIMEOUT_INVITE: int('s', 10, 1, 300, 'no response at all to INVITE (not even 100 Trying): try the next gateway, finally 408 InviteTimeout'),
  SS_SIP_TIMEOUT_TRYING: int('s', 20, 1, 3600, '100 Trying received but neither 18x nor an answer: give up this attempt, finally 408 TryingTimeout (a slow vendor, not an unreachable one)'),
  SS_SIP_TIMEOUT_RINGING: int('s', 120, 1, 3600, '180 received but no answer: give up this attempt'),
  SS_SIP_TIMEOUT_SESSION_PROGRESS: int('s', 20, 1, 3600, '183 without SDP but no answer: give up this attempt'),
  SS_SIP_TIMEOUT_SESSION_PROGRESS_SDP: int('s', 120, 1, 3600, '183 with SDP (early media) but no answer: give up this attempt'),
  SS_SIP_OPTIONS_CHECK_PERIOD: int('s', 60, 5, 3600, 'period of OPTIONS online checks to routing gateways that enable them'),
  SS_OPTIONS_FAILURES_TO_OFFLINE: int('count', 3, 1, 100, 'consecutive failed OPTIONS checks that mark a gateway offline'),
  SS_OPTIONS_SUCCESSES_TO_ONLINE: int('count', 2, 1, 100, 'consecutive answered OPTIONS checks that mark it online again'),
  SS_OPTIONS_TIMEOUT: int('s', 5, 1, 64, 'an OPTIONS check unanswered this long fails (at most Timer F): a dead gateway is offline within failures x period + this'),
  SS_REGISTER_MIN_EXPIRES: int('s', 60, 1, DAY, 'shortest registration a gateway may ask for; shorter ones get 423 with Min-Expires (RFC 3261 §10.3)'),
  SS_REGISTER_MAX_EXPIRES: int('s', 3600, 1, 7 * DAY, 'longest registration granted (longer requests are cut to it; also the default when none is asked for)'),
  SS_REGISTER_KEEPALIVE: int('s', 30, 0, 3600, 'NAT keep-alive to registered gateways: OPTIONS over UDP, a CRLF ping over TCP/TLS, this often; 0 = off'),
  SS_REPLY_UNAUTHORIZED: bool(true, 'answer a request failing IP/IP+port authentication with 403; false = drop it silently'),
  SS_RECORD_UNKNOWN_SOURCE: bool(false, 'write a CDR for requests from unknown sources (AuthenticationFailed)'),
  SS_AUTH_REALM: str('softswitch', 'digest realm challenged and hashed into stored passwords; changing it invalidates them until reset'),
  SS_AUTH_DIGEST_FIRST: choice(['MD5', 'SHA-256'] as const, 'MD5', 'digest algorithm challenged first (both are always offered): MD5 first suits clients that read only the first challenge (SIPp, older PJSIP, much gateway firmware), as Kamailio, OpenSIPS, Asterisk and FreeSWITCH do'),
  SS_AUTH_NONCE_TTL: int('s', 300, 10, DAY, 'lifetime of a digest nonce before the client is challenged again (stale=true)'),
  SS_TIMEZONE: zone('UTC', 'wall clock of gateway-group work calendars (e.g. Europe/Berlin)'),
  SS_SESSION_EXPIRES: int('s', 1800, 0, DAY, 'RFC 4028 session interval offered/accepted; 0 = session timers off'),
  SS_SESSION_MIN_SE: int('s', 90, 90, DAY, 'RFC 4028 Min-SE: smallest session interval accepted (RFC floor 90)'),
  SS_SIP_T1_MS: int('ms', 500, 100, 10_000, 'RFC 3261 T1, RTT estimate; base of timers A, B, E, F, H, J'),
  SS_SIP_T2_MS: int('ms', 4000, 1000, 64_000, 'RFC 3261 T2, cap on non-INVITE and 2xx retransmit interval'),
  SS_SIP_T4_MS: int('ms', 5000, 1000, 64_000, 'RFC 3261 T4, longest time a message stays in the network; timers I and K'),
  SS_MAX_ROUTING_ATTEMPTS: int('count', 5, 1, 50, 'most routing gateways tried for one call before giving up'),
  SS_REDIRECT_MODE: choice(['failover', 'follow', 'relay'] as const, 'failover', 'a vendor\'s 3xx: failover = a failure like any other (next gateway, stop-switching codes apply); follow = the switch sends the call to the Contact targets itself (SS_REDIRECT_FOLLOW_TARGETS, SS_REDIRECT_MAX_FOLLOW); relay = the 3xx goes to the caller with its Contact'),
  SS_REDIRECT_FOLLOW_TARGETS: choice(['gateways', 'any'] as const, 'gateways', 'follow: which Contacts are tried: gateways = only the address of a configured, unlocked routing gateway (sent and billed as that gateway); any = any IP address a Contact names (no DNS), as the redirecting gateway (a vendor then decides where your calls go)'),
  SS_REDIRECT_MAX_FOLLOW: int('count', 3, 1, 10, 'follow: most redirect targets tried for one call (across all its 3xx); each is also a routing attempt'),
  SS_NAT_MEDIA_SDP_IP_FIRST: bool(false, 'relayed media goes to the SDP address until the peer\'s RTP latches it; false = when the SDP address is private and the signalling source is not, to the source instead'),
  SS_GATEWAY_FEE_RATE_ROUTE_SORT_CONFIG: bool(false, 'least-cost routing: order routing gateways by the vendor price for the callee as sent (their clearing account\'s rate table), cheapest first, within SS_ROUTE_SORT_SCOPE; equal prices share load'),
  SS_GATEWAY_ASR_ROUTE_SORT_CONFIG: choice(['off', 'demote', 'score'] as const, 'off', 'quality routing per gateway and route prefix: demote = gateways under SS_ROUTE_ASR_MIN_PERCENT or over SS_ROUTE_PDD_MAX_MS go after the others; score = order by ASR scaled down by excess PDD'),
  SS_GATEWAY_FEE_RATE_ROUTE_BEFORE_ASR: bool(false, 'when price and quality both sort: true = price first, quality breaks ties; false = quality first, price orders within equal quality'),
  SS_ROUTE_SORT_SCOPE: choice(['priority', 'all'] as const, 'priority', 'what price and quality reorder: priority = only gateways of equal priority and prefix length; all = across priorities and prefix lengths (protect routes stay last)'),
  SS_ROUTE_UNPRICED_GATEWAYS: choice(['last', 'skip'] as const, 'last', 'with least-cost routing, gateways without a vendor price for the number go after the priced ones, or are skipped'),
  SS_ROUTE_MARGIN_GUARD: bool(true, 'skip a vendor priced above what a rated customer pays for the callee (per minute) unless its mapping or routing gateway allows loss routes; no vendor left = 503 NoProfitableRoute'),
  SS_ROUTE_QUALITY_WINDOW_CALLS: int('count', 100, 1, 1000, 'quality window: the last this many attempts per routing gateway and route prefix'),
  SS_ROUTE_QUALITY_WINDOW_MINUTES: int('min', 60, 1, 1440, 'quality window: only attempts of calls that ended this recently'),
  SS_ROUTE_QUALITY_MIN_CALLS: int('count', 20, 1, 1000, 'attempts in the window before a gateway is judged (demoted or scored)'),
  SS_ROUTE_ASR_MIN_PERCENT: int('%', 20, 0, 100, 'quality demotion: ASR under this percentage'),
  SS_ROUTE_PDD_MAX_MS: int('ms', 10000, 0, 120_000, 'quality demotion: mean post-dial delay over this; 0 = no PDD limit'),
  SS_ROUTE_PROBE_PERCENT: int('%', 5, 0, 100, 'share of calls on which a demoted gateway keeps its place, so its figures can recover'),
  SS_AUTH_FAIL_LIMIT: int('count', 10, 1, 10_000, 'failed digest attempts from one source IP within SS_AUTH_FAIL_WINDOW that ban the source (dynamic blacklist)'),
  SS_AUTH_FAIL_WINDOW: int('s', 300, 10, DAY, 'sliding window of failed authentications counted per source IP and per username'),
  SS_AUTH_BAN_TIME: int('s', 600, 10, 30 * DAY, 'first ban of a source; each repeat doubles it up to SS_AUTH_BAN_TIME_MAX'),
  SS_AUTH_BAN_TIME_MAX: int('s', DAY, 10, 365 * DAY, 'longest automatic ban; a source clean for this long starts again from SS_AUTH_BAN_TIME'),
  SS_AUTH_USER_LOCK_FAILURES: int('count', 30, 1, 100_000, 'failed attempts on one username within SS_AUTH_FAIL_WINDOW, from sources other than its gateway\'s known addresses, that lock it; above SS_AUTH_FAIL_LIMIT so one address is banned first'),
  SS_AUTH_USER_LOCK_TIME: int('s', 60, 0, DAY, 'how long a locked username refuses digest from sources other than its known addresses (never grows); 0 = no lock'),
  SS_AUTH_CHALLENGE_LIMIT: int('count', 20, 1, 100_000, 'challenges one source may leave unanswered (no credentials since) within SS_AUTH_FAIL_WINDOW; each time it is reached counts as one failed attempt'),
  SS_PIKE_RATE: int('count', 20, 1, 100_000, 'requests per second a source that is no configured gateway may send (pike); the excess bans it for SS_PIKE_BAN_TIME'),
  SS_PIKE_BURST: int('count', 100, 1, 1_000_000, 'requests such a source may send at once above SS_PIKE_RATE before it is banned'),
  SS_PIKE_BAN_TIME: int('s', 300, 10, 30 * DAY, 'ban of a source over its request rate; repeats double it up to SS_AUTH_BAN_TIME_MAX'),
  SS_MAX_TRANSACTIONS_PER_SOURCE: int('count', 500, 1, 1_000_000, 'server transactions a source that is no configured gateway may hold at once; requests over it are dropped'),
  SS_BLACKLIST_REPLY: bool(false, 'answer requests from blacklisted sources with one stateless 403; false = silence'),
  SERVER_VERIFY_CLEARING_CUSTOMER_REMAIN_MONEY_LIMIT: money(0, 'skip a routing gateway whose clearing (vendor) balance is below this'),
  SERVER_BILLING_FEE_PRECISION: int('digits', 4, 0, 8, 'decimal places kept when rounding call costs'),
} as const

type Catalogue = typeof SYSTEM_PARAMS
/** Union of every parameter name. */
export type ParamName = keyof Catalogue

/** Tuple of every parameter name, in catalogue order. */
export const PARAM_NAMES = Object.keys(SYSTEM_PARAMS) as [ParamName, ...ParamName[]]

/** Zod enum over parameter names (path parameter of /v1/parameters/{NAME}). */
export const paramName = z.enum(PARAM_NAMES).describe('system parameter name')

type Shape = { [K in ParamName]: z.ZodDefault<Catalogue[K]['schema']> }

/** A rule between two parameters that was broken; `path` is reported, `related` is the other one. */
export interface ParamsConsistencyIssue {
  path: ParamName
  related: ParamName
  message: string
}

/** Cross-parameter rules that single bounds cannot express (all defaults satisfy them). */
export function paramsConsistencyIssues(p: SystemParams): ParamsConsistencyIssue[] {
  const issues: ParamsConsistencyIssue[] = []
  if (p.SS_SESSION_EXPIRES !== 0 && p.SS_SESSION_EXPIRES < p.SS_SESSION_MIN_SE) {
    issues.push({ path: 'SS_SESSION_EXPIRES', related: 'SS_SESSION_MIN_SE', message: 'must be 0 or at least SS_SESSION_MIN_SE' })
  }
  if (p.SS_SIP_T2_MS < p.SS_SIP_T1_MS) {
    issues.push({ path: 'SS_SIP_T2_MS', related: 'SS_SIP_T1_MS', message: 'must be at least SS_SIP_T1_MS' })
  }
  if (p.SS_MAXCALLDURATION !== 0 && p.SS_CALLREMINTIME >= p.SS_MAXCALLDURATION) {
    issues.push({ path: 'SS_CALLREMINTIME', related: 'SS_MAXCALLDURATION', message: 'must be shorter than SS_MAXCALLDURATION' })
  }
  if (p.SS_ROUTE_QUALITY_MIN_CALLS > p.SS_ROUTE_QUALITY_WINDOW_CALLS) {
    issues.push({ path: 'SS_ROUTE_QUALITY_MIN_CALLS', related: 'SS_ROUTE_QUALITY_WINDOW_CALLS', message: 'must not exceed SS_ROUTE_QUALITY_WINDOW_CALLS (a gateway would never be judged)' })
  }
  return issues
}

const shape = Object.fromEntries(
  PARAM_NAMES.map((n) => [n, (SYSTEM_PARAMS[n].schema as z.ZodType).default(SYSTEM_PARAMS[n].default)]),
) as unknown as Shape

/** Every parameter with its default, so `systemParams.parse({})` yields the defaults; unknown names are dropped. */
export const systemParams = z.object(shape).superRefine((p, ctx) => {
  for (const i of paramsConsistencyIssues(p as SystemParams)) ctx.addIssue({ code: 'custom', path: [i.path], message: i.message })
})

/** Fully resolved parameter values. */
export type SystemParams = { [K in ParamName]: z.infer<Catalogue[K]['schema']> }

/** True when the string names a catalogue parameter. */
export function isParamName(name: string): name is ParamName {
  return Object.hasOwn(SYSTEM_PARAMS, name)
}

/** Validates one value against its parameter's schema. */
export function parseParamValue<N extends ParamName>(name: N, value: unknown) {
  return (SYSTEM_PARAMS[name].schema as z.ZodType<SystemParams[N]>).safeParse(value)
}

/** Builds the effective values from stored overrides: invalid or unknown entries fall back to defaults and are reported. */
export function resolveParams(stored: Readonly<Record<string, unknown>>): {
  params: SystemParams
  invalid: { name: string; message: string }[]
} {
  const values: Record<string, unknown> = {}
  const invalid: { name: string; message: string }[] = []
  for (const [name, value] of Object.entries(stored)) {
    if (!isParamName(name)) { invalid.push({ name, message: 'unknown parameter' }); continue }
    const r = parseParamValue(name, value)
    if (r.success) values[name] = r.data
    else invalid.push({ name, message: r.error.issues.map((i) => i.message).join('; ') })
  }
  const params = { ...(systemParams.parse({}) as SystemParams), ...values } as SystemParams
  const mutable = params as Record<string, unknown>
  for (const i of paramsConsistencyIssues(params)) {
    invalid.push({ name: i.path, message: `${i.message}; ${i.path} and ${i.related} fall back to defaults` })
    mutable[i.path] = SYSTEM_PARAMS[i.path].default
    mutable[i.related] = SYSTEM_PARAMS[i.related].default
  }
  return { params, invalid }
}

/** One item of GET /v1/parameters. */
export interface ParamDescription {
  name: ParamName
  type: ParamType
  value: unknown
  default: unknown
  unit: string
  min: number | null
  max: number | null
  description: string
}

/** The API list of every parameter; `value` is the stored override when given, else the default. */
export function describeParams(values: Readonly<Partial<Record<string, unknown>>> = {}): ParamDescription[] {
  return PARAM_NAMES.map((name) => {
    const spec: ParamSpec = SYSTEM_PARAMS[name]
    const stored = values[name]
    return {
      name, type: spec.type, value: stored === undefined ? spec.default : stored, default: spec.default,
      unit: spec.unit, min: spec.min, max: spec.max, description: spec.description,
    }
  })
}
