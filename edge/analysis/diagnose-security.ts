// Diagnosis of the window's automatic bans no other finding explains: a customer's own address shut out, and the strangers the cores banned for guessing or flooding.
import type { DiagnosisFacts, RuleFinding } from './finding.js'

/** Most banned sources listed in one finding's scope. */
const LISTED = 10
/** Bans in one window from which the strangers' finding is critical (a distributed guessing campaign, not a stray scanner). */
export const BAN_CAMPAIGN = 20

const ipOf = (cidr: string): string => cidr.replace(/\/\d+$/, '')

/**
 * The bans the cores made in the window, leaving out sources another finding already names (`reported`): one finding
 * per customer address banned (scope its mapping gateway), one for the strangers (scope the most repeated of them).
 */
export function findSourceBans(f: Pick<DiagnosisFacts, 'bans' | 'mappingGateways'>, reported: ReadonlySet<string> = new Set()): RuleFinding[] {
  const bans = f.bans.filter((b) => !reported.has(ipOf(b.cidr)))
  if (bans.length === 0) return []
  const found: RuleFinding[] = []
  const owner = new Map<string, string>()
  for (const m of f.mappingGateways) for (const ip of m.ips) owner.set(ip, m.id)
  const expires = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString())
  const strangers = []
  for (const b of bans) {
    const gateway = owner.get(ipOf(b.cidr))
    if (gateway === undefined) {
      strangers.push(b)
      continue
    }
    found.push({
      kind: 'SourcesBanned',
      severity: 'critical',
      scope: { mappingGatewayId: gateway, sourceIp: ipOf(b.cidr) },
      evidence: { reason: b.reason, offences: b.offences, expiresAt: expires(b.expiresAtMs) },
      cause: `An address of mapping gateway ${gateway} (${ipOf(b.cidr)}) was banned automatically (${b.reason}): the customer's calls from it are refused.`,
      advice:
        'Fix what made it fail (its credentials, or its request rate), then DELETE its /v1/blacklist entry; an address configured on a ' +
        'gateway (or whitelisted, POST /v1/whitelist) is not banned again.',
    })
  }
  if (strangers.length === 0) return found
  const byReason: Record<string, number> = {}
  for (const b of strangers) byReason[b.reason] = (byReason[b.reason] ?? 0) + 1
  const sources = [...strangers].sort((a, b) => b.offences - a.offences || b.updatedAtMs - a.updatedAtMs).slice(0, LISTED)
  found.push({
    kind: 'SourcesBanned',
    severity: strangers.length >= BAN_CAMPAIGN ? 'critical' : 'warning',
    scope: { sourceIps: sources.map((b) => ipOf(b.cidr)) },
    evidence: { bans: strangers.length, byReason, sources: sources.map((b) => ({ cidr: b.cidr, reason: b.reason, count: b.offences, expiresAt: expires(b.expiresAtMs) })) },
    cause:
      `${strangers.length} source(s) that are no customer of ours were banned automatically (${Object.entries(byReason).map(([r, n]) => `${n} ${r}`).join(', ')}): ` +
      'auth_failures are digest guesses or unknown sources past SS_AUTH_FAIL_LIMIT, request_flood is traffic over SS_PIKE_RATE.',
    advice:
      'Nothing is needed: their bans expire and grow on repeat (GET /v1/blacklist). Many at once point to a campaign: use long random ' +
      'passwords, prefer IP authentication, keep SS_AUTH_USER_LOCK_TIME on.',
  })
  return found
}
