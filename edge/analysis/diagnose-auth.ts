// Diagnosis of refused authentication from the refused-attempt counts (auth_refusals): IP+port customers behind NAT, a customer device with the wrong credentials, and guessing across usernames.
import type { AuthRefusalReason } from '../../shared/entities/enums.js'
import { FOLDED_SOURCES, NO_MAPPING_GATEWAY } from '../../shared/db/tables/auth-refusals.js'
import type { DiagnosisFacts, RuleFinding } from './finding.js'

/** The refused-attempt aggregates the rules read. */
export type AuthFacts = Pick<DiagnosisFacts, 'refusals' | 'refusalsByGateway' | 'sourceBans'>

/** Refused attempts a source needs in the window before its rows are read at all (the smallest threshold below). */
export const AUTH_SOURCE_MIN = 5
/** ip_port_mismatch refusals naming one IP+port gateway from one address: a NAT rewriting the customer's port. */
export const NAT_MIN_REFUSALS = 10
/**
 * Credential refusals (wrong password, credentials we cannot check, right password from an unlisted IP) on one
 * gateway from one source: its device has the wrong settings. Five is half SS_AUTH_FAIL_LIMIT's default, so the
 * operator hears of it before the device is banned.
 */
export const CREDENTIAL_MIN_REFUSALS = 5
/** Usernames one source tries (gateways named plus unknown usernames) before its failures are guessing, not a typo. */
export const ATTACK_MIN_USERNAMES = 3
/** Credential refusals of one guessing source (two tries on each of three usernames). */
export const ATTACK_MIN_REFUSALS = 6
/** Sources failing on one username in the window that make it a campaign against that gateway (a typo has one or two). */
export const ATTACK_MIN_SOURCES = 5

/** Refusals that show a source offering credentials. */
const CREDENTIAL: ReadonlySet<AuthRefusalReason> = new Set(['wrong_password', 'bad_credentials', 'source_not_allowed', 'unknown_user', 'user_locked'])
/** Refusals a customer device with wrong settings produces on its own gateway. */
const DEVICE: ReadonlySet<AuthRefusalReason> = new Set(['wrong_password', 'bad_credentials', 'source_not_allowed'])

const iso = (ms: number): string => new Date(ms).toISOString()
const sum = <T>(rows: readonly T[], f: (r: T) => number): number => rows.reduce((s, r) => s + f(r), 0)

/** Per source: its credential refusals, usernames tried and the gateways it named. */
function bySource(f: AuthFacts): Map<string, { attempts: number; usernames: number; gateways: Set<string>; rows: AuthFacts['refusals'] }> {
  const out = new Map<string, { attempts: number; usernames: number; gateways: Set<string>; rows: AuthFacts['refusals'] }>()
  for (const r of f.refusals) {
    if (r.sourceIp === FOLDED_SOURCES) continue
    const s = out.get(r.sourceIp) ?? { attempts: 0, usernames: 0, gateways: new Set<string>(), rows: [] }
    s.rows.push(r)
    if (CREDENTIAL.has(r.reason)) {
      s.attempts += r.attempts
      if (r.mappingGatewayId !== NO_MAPPING_GATEWAY) s.gateways.add(r.mappingGatewayId)
      else s.usernames = Math.max(s.usernames, r.distinctUsers)
    }
    out.set(r.sourceIp, s)
  }
  for (const s of out.values()) s.usernames += s.gateways.size
  return out
}

/** The ban holding a source (its /32 or /128 entry), as evidence. */
function banOf(f: AuthFacts, ip: string): Record<string, unknown> | null {
  const b = f.sourceBans.find((x) => x.cidr === (ip.includes(':') ? `${ip}/128` : `${ip}/32`))
  return b === undefined ? null : { origin: b.origin, reason: b.reason, offences: b.offences, expiresAt: b.expiresAtMs === null ? null : iso(b.expiresAtMs) }
}

/** Sources guessing across usernames, and gateways whose username many sources guess at. */
export function findAuthenticationAttacks(f: AuthFacts): RuleFinding[] {
  const found: RuleFinding[] = []
  for (const [ip, s] of bySource(f)) {
    if (s.usernames < ATTACK_MIN_USERNAMES || s.attempts < ATTACK_MIN_REFUSALS) continue
    const ban = banOf(f, ip)
    const reasons: Record<string, number> = {}
    for (const r of s.rows) reasons[r.reason] = (reasons[r.reason] ?? 0) + r.attempts
    found.push({
      kind: 'AuthenticationAttack',
      severity: ban === null ? 'critical' : 'warning',
      scope: { sourceIp: ip },
      evidence: {
        refusedAttempts: s.attempts, usernamesTried: s.usernames, mappingGatewaysNamed: [...s.gateways].sort(), byReason: reasons,
        firstAt: iso(Math.min(...s.rows.map((r) => r.firstAtMs))), lastAt: iso(Math.max(...s.rows.map((r) => r.lastAtMs))), ban,
      },
      cause:
        `${ip} offered ${s.usernames} different usernames and was refused ${s.attempts} times: a password-guessing scan, not a ` +
        `customer with a typo (a device has one username).${ban === null ? ' It is not banned.' : ` It is banned (${ban.reason as string}).`}`,
      advice: ban === null
        ? 'Blacklist the address (POST /v1/blacklist) unless it is whitelisted on purpose; check that SS_AUTH_FAIL_LIMIT is not set so high that ' +
          'guessing goes on, and that the named gateways use long random passwords or IP authentication.'
        : 'The core banned it; nothing else is needed for this source. Make the ban permanent with POST /v1/blacklist if it comes back, and ' +
          'check that the named gateways use long random passwords or IP authentication.',
    })
  }
  for (const g of f.refusalsByGateway) {
    if (g.mappingGatewayId === NO_MAPPING_GATEWAY || (g.userLocked === 0 && !g.folded && g.sources < ATTACK_MIN_SOURCES)) continue
    found.push({
      kind: 'AuthenticationAttack',
      severity: 'critical',
      scope: { mappingGatewayId: g.mappingGatewayId },
      evidence: { refusedAttempts: g.attempts, sources: g.folded ? `${g.sources}+` : g.sources, userLockedRefusals: g.userLocked },
      cause:
        `The username of mapping gateway ${g.mappingGatewayId} is being guessed from ${g.folded ? 'many' : g.sources} sources ` +
        `(${g.attempts} refused attempts${g.userLocked > 0 ? ', the username was locked' : ''}): a distributed campaign against this account.`,
      advice:
        'Give the gateway a long random password (and its device the new one), or switch it to IP authentication; keep ' +
        'SS_AUTH_USER_LOCK_TIME above 0 so guessing from strangers is refused while the device\'s own addresses keep working.',
    })
  }
  return found
}

/** IP+port gateways whose address arrives from other ports (NAT), and customer devices failing on their own gateway. */
export function findAuthFailures(f: AuthFacts & { mappingGateways: { id: string; authMode: string; ips: string[]; port: number | null }[] }): RuleFinding[] {
  const found: RuleFinding[] = []
  const attackers = new Set(findAuthenticationAttacks({ ...f, refusalsByGateway: [] }).map((a) => a.scope.sourceIp))
  const gateways = new Map(f.mappingGateways.map((m) => [m.id, m]))
  const pairs = new Map<string, AuthFacts['refusals']>()
  for (const r of f.refusals) {
    if (r.mappingGatewayId === NO_MAPPING_GATEWAY || r.sourceIp === FOLDED_SOURCES || attackers.has(r.sourceIp)) continue
    const k = `${r.mappingGatewayId}\u0000${r.sourceIp}`
    pairs.set(k, [...(pairs.get(k) ?? []), r])
  }
  for (const rows of pairs.values()) {
    const { mappingGatewayId, sourceIp } = rows[0]!
    const gw = gateways.get(mappingGatewayId)
    const nat = rows.filter((r) => r.reason === 'ip_port_mismatch')
    const natCount = sum(nat, (r) => r.attempts)
    const window = { firstAt: iso(Math.min(...rows.map((r) => r.firstAtMs))), lastAt: iso(Math.max(...rows.map((r) => r.lastAtMs))) }
    if (natCount >= NAT_MIN_REFUSALS) {
      const top = nat.reduce((a, b) => (b.attempts > a.attempts ? b : a))
      found.push({
        kind: 'AuthFailuresBehindNat',
        severity: 'critical',
        scope: { mappingGatewayId, sourceIp },
        evidence: { refusedAttempts: natCount, configuredPort: gw?.port ?? null, mostUsedPort: top.topPort, distinctSourcePorts: Math.max(...nat.map((r) => r.distinctPorts)), ...window },
        cause:
          `Mapping gateway ${mappingGatewayId} authenticates by IP and port ${gw?.port ?? '?'}, but ${sourceIp} sends from other ports ` +
          `(mostly ${top.topPort}): a NAT or SBC in front of the customer rewrites the source port, so ${natCount} INVITEs were refused.`,
        advice:
          'Switch the mapping gateway to IP mode (or password mode if several customers share the address), or have the customer pin ' +
          'the NAT mapping to a fixed port.',
      })
    }
    const device = rows.filter((r) => DEVICE.has(r.reason))
    const deviceCount = sum(device, (r) => r.attempts)
    if (deviceCount < CREDENTIAL_MIN_REFUSALS) continue
    const byReason: Record<string, number> = {}
    for (const r of device) byReason[r.reason] = (byReason[r.reason] ?? 0) + r.attempts
    const notListed = (byReason.source_not_allowed ?? 0) >= deviceCount / 2
    const ban = banOf(f, sourceIp)
    found.push({
      kind: 'CredentialMismatch',
      severity: ban === null ? 'warning' : 'critical',
      scope: { mappingGatewayId, sourceIp },
      evidence: { refusedAttempts: deviceCount, byReason, ban, ...window },
      cause: notListed
        ? `The device at ${sourceIp} has the right password for mapping gateway ${mappingGatewayId} but its address is not in the gateway's IP list.`
        : `The device at ${sourceIp} keeps failing digest authentication as mapping gateway ${mappingGatewayId} (${deviceCount} refusals): ` +
          `its password, realm or digest settings do not match.${ban === null ? '' : ' It has been banned for it.'}`,
      advice: (notListed
        ? 'Add the address to the mapping gateway\'s IP list if the device moved, or remove the list to accept the password from anywhere.'
        : 'Compare the realm in our 407 challenge (SS_AUTH_REALM) with the device\'s, and set the same password on both sides (PATCH the ' +
          'mapping gateway with a new password).') +
        (ban === null ? '' : ' Then lift the ban: DELETE its /v1/blacklist entry (or whitelist the address).'),
    })
  }
  return found
}
