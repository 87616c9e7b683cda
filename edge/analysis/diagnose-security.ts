// Diagnosis of the window's automatic bans: sources the cores shut out for guessing passwords or flooding, and what to do when one is a customer.
import type { DiagnosisFacts, Finding } from './finding.js'

/** Most banned sources listed in one finding's evidence. */
const LISTED = 10
/** Bans in one window from which the finding is critical (a distributed guessing campaign, not a stray scanner). */
const CAMPAIGN = 20

/** The bans the cores made in the window (one finding), most repeated first. */
export function findSourceBans(f: Pick<DiagnosisFacts, 'bans' | 'mappingGateways'>): Finding[] {
  if (f.bans.length === 0) return []
  const byReason: Record<string, number> = {}
  for (const b of f.bans) byReason[b.reason] = (byReason[b.reason] ?? 0) + 1
  const configured = new Set(f.mappingGateways.flatMap((m) => m.ips))
  const customers = f.bans.filter((b) => configured.has(b.cidr.replace(/\/\d+$/, '')))
  const sources = [...f.bans].sort((a, b) => b.offences - a.offences || b.updatedAtMs - a.updatedAtMs).slice(0, LISTED)
    .map((b) => ({ cidr: b.cidr, reason: b.reason, count: b.offences, expiresAt: b.expiresAtMs === null ? null : new Date(b.expiresAtMs).toISOString() }))
  return [{
    kind: 'SourcesBanned',
    severity: f.bans.length >= CAMPAIGN ? 'critical' : 'warning',
    scope: {},
    evidence: { bans: f.bans.length, byReason, sources, customerAddresses: customers.map((b) => b.cidr) },
    cause:
      `${f.bans.length} source(s) were banned automatically (${Object.entries(byReason).map(([r, n]) => `${n} ${r}`).join(', ')}): ` +
      'auth_failures are digest guesses or unknown sources past SS_AUTH_FAIL_LIMIT, request_flood is traffic over SS_PIKE_RATE.',
    advice:
      'Strangers need nothing: their bans expire and grow on repeat (GET /v1/blacklist). If a customer\'s device is among them, ' +
      'fix its credentials, add its address to the whitelist (POST /v1/whitelist) and DELETE its blacklist entry. Many sources ' +
      'guessing one username point to a campaign: use long random passwords, prefer IP authentication, keep SS_AUTH_USER_LOCK_TIME on.',
  }]
}
