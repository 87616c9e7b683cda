// How the calling number goes out to one routing gateway: From user or anonymous (RFC 3323), Privacy header, P-Asserted-Identity (RFC 3325).
import type { CallerIdRule } from '../entities/number-rules.js'

/** The caller-ID fields of one outgoing INVITE. */
export interface CallerIdOut {
  /** From is `"Anonymous" <sip:anonymous@anonymous.invalid>` (RFC 3323 §4.1.1.3) instead of the calling number. */
  anonymous: boolean
  /** Privacy header value, or null for none. */
  privacy: string | null
  /** User part of P-Asserted-Identity, or null for no header. */
  assertedIdentity: string | null
}

const NO_TOKENS: readonly string[] = Object.freeze([])

/** Privacy tokens (RFC 3323 §4.2, RFC 3325 §9.3) of a header value, lowercased; `none` means no privacy. */
export function privacyTokens(header: string | undefined): readonly string[] {
  if (header === undefined) return NO_TOKENS
  const tokens = header.split(/[;,]/).map((t) => t.trim().toLowerCase()).filter((t) => t !== '')
  return tokens.includes('none') ? [] : tokens
}

const ANONYMOUS = /^anonymous$/i

/**
 * Caller ID for one gateway. `callerOut` is the calling number after the dial plans; `tokens` the caller's own Privacy
 * request (`privacyTokens`). The caller asked for privacy when it has `user` or `header`, or its From user is anonymous.
 */
export function callerIdFor(rule: CallerIdRule, callerOut: string, tokens: readonly string[]): CallerIdOut {
  const hidden = ANONYMOUS.test(callerOut)
  const asked = hidden || tokens.includes('user') || tokens.includes('header')
  const anonymous = rule.presentation === 'anonymous' || (rule.presentation === 'pass' && asked)
  const privacy = rule.privacy === 'id' ? 'id' : rule.privacy === 'pass' && tokens.length > 0 ? tokens.join(';') : null
  const assertedIdentity = rule.assertedIdentity && !hidden && callerOut !== '' ? callerOut : null
  return { anonymous, privacy, assertedIdentity }
}
