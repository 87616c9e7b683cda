// One event per refused authentication attempt, and the observer interface the ban logic, metrics and later a persisted diagnosis listen on.

/**
 * Why an attempt was refused: no mapping gateway has the source IP (`unknown_source`), an `ip_port` gateway has the
 * IP but not the port (`ip_port_mismatch`), a known username with a wrong digest (`wrong_password`), a username no
 * gateway has (`unknown_user`), the right password from an IP the gateway does not list (`source_not_allowed`),
 * credentials we cannot check (`bad_credentials`: algorithm, qop, nc, uri), SS_AUTH_CHALLENGE_LIMIT challenges
 * left unanswered by the source (`challenge_unanswered`), a username locked by guessing from other sources
 * (`user_locked`).
 */
export type AuthRefusalReason =
  | 'unknown_source'
  | 'ip_port_mismatch'
  | 'wrong_password'
  | 'unknown_user'
  | 'source_not_allowed'
  | 'bad_credentials'
  | 'challenge_unanswered'
  | 'user_locked'

/** Every reason, for metrics labels and documentation. */
export const AUTH_REFUSAL_REASONS: readonly AuthRefusalReason[] = [
  'unknown_source', 'ip_port_mismatch', 'wrong_password', 'unknown_user', 'source_not_allowed', 'bad_credentials', 'challenge_unanswered', 'user_locked',
]

/** One refused authentication attempt. */
export interface AuthRefusal {
  readonly atMs: number
  /** Source IP as the socket saw it (IPv4-mapped IPv6 as IPv4), never a Via host. */
  readonly sourceIp: string
  readonly sourcePort: number
  readonly reason: AuthRefusalReason
  /** The mapping gateway the attempt names (by IP for ip_port, by username for digest), when there is one. */
  readonly mappingGatewayId: string | null
  /** The digest username offered, when there was one (attacker-chosen text: bounded, never used as a key unless a gateway has it). */
  readonly username: string | null
}

/** Listens to refused authentication attempts; must be cheap and must not throw (it runs on the receive path). */
export interface AuthRefusalObserver {
  onAuthRefused(refusal: AuthRefusal): void
}

/** Calls every observer in order (one event, several listeners: bans, metrics, a persisted diagnosis). */
export class AuthRefusalFanout implements AuthRefusalObserver {
  private observers: readonly AuthRefusalObserver[] = []

  /** Adds a listener. */
  add(observer: AuthRefusalObserver): void {
    this.observers = [...this.observers, observer]
  }

  onAuthRefused(refusal: AuthRefusal): void {
    for (const o of this.observers) o.onAuthRefused(refusal)
  }
}
