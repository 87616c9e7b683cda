// The Contacts of a vendor's 3xx (RFC 3261 §21.3, §8.1.3.4) in the order a UAC tries them: highest q first, then as listed.
import { isSipUri, parseUri } from '../sip/message/headers/uri.js'
import type { SipResponse } from '../sip/message/message.js'
import type { RedirectContact } from './ports.js'

/** One Contact of a 3xx: its URI as written, and what the call layer understood of it (null: not a usable SIP URI). */
export interface RedirectChoice {
  uri: string
  contact: RedirectContact | null
}

/** RFC 3261 §20.10: q is 0 to 1 with up to three decimals; absent = 1 (our choice; the RFC leaves it open). */
function qOf(v: string | null | undefined): number {
  if (v === undefined || v === null) return 1
  const n = Number(v)
  return Number.isFinite(n) && n >= 0 && n <= 1 ? n : 0
}

/** The 3xx's Contacts, highest q first (§8.1.3.4: the UAC tries them in q order); a malformed Contact list gives none. */
export function redirectChoices(res: SipResponse): RedirectChoice[] {
  const list = res.contacts ?? []
  const ranked = list.map((c, i) => ({ c, i, q: qOf(c.params.get('q')) }))
  ranked.sort((x, y) => y.q - x.q || x.i - y.i)
  return ranked.map(({ c }) => ({ uri: c.uri, contact: toContact(c.uri) }))
}

function toContact(text: string): RedirectContact | null {
  const u = parseUri(text)
  if (u === undefined || !isSipUri(u)) return null
  const t = u.params.get('transport')
  const named = typeof t === 'string' ? t.toLowerCase() : null
  const transport = named === 'udp' || named === 'tcp' || named === 'tls' ? named : u.scheme === 'sips' ? 'tls' : null
  if (named !== null && transport !== named) return null
  const host = u.host.charCodeAt(0) === 91 ? u.host.slice(1, -1) : u.host
  return { user: u.user === undefined || u.user === '' ? null : u.user, host, port: u.port ?? null, transport }
}
