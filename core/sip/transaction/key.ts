// Transaction matching keys: RFC 3261 §17.1.3 (client), §17.2.3 (server, with the RFC 2543 fallback) and §9.2 (CANCEL -> INVITE).
import { BRANCH_COOKIE } from '../message/build.js'
import type { SipRequest } from '../message/message.js'

const SEP = '\u0000'

/** True when a branch carries the RFC 3261 magic cookie, so it alone identifies the transaction (§8.1.1.7). */
export function isRfc3261Branch(branch: string | undefined): branch is string {
  return branch !== undefined && branch.startsWith(BRANCH_COOKIE)
}

/** Default sent-by port for a Via transport when the port is omitted (RFC 3261 §18.2.2, §19.1.2). */
export function defaultPort(viaTransport: string): number {
  return viaTransport === 'TLS' ? 5061 : 5060
}

/** Client transaction key: our branch plus the CSeq method (§17.1.3); CANCEL shares the INVITE's branch but not its key. */
export function clientKey(branch: string, method: string): string {
  return branch + SEP + method
}

const RFC2543_PREFIX = '2543' + SEP

/** True for a server key made by the RFC 2543 fallback (a request without the magic cookie). */
export function isRfc2543Key(key: string): boolean {
  return key.startsWith(RFC2543_PREFIX)
}

/**
 * Server transaction key of `req` looked up as `method` (§17.2.3): branch + sent-by + method, where ACK looks up
 * INVITE and CANCEL looks up INVITE for §9.2. Without the magic cookie falls back to RFC 2543 matching on
 * Request-URI, To tag, From tag, Call-ID, CSeq number and the raw top Via; `toTag` overrides the request's To tag
 * (an ACK to a non-2xx carries the response's tag, not the INVITE's). Undefined when the request lacks the fields.
 */
export function serverKey(req: SipRequest, method: string, toTag?: string): string | undefined {
  const via = req.topVia
  if (via === undefined) return undefined
  if (isRfc3261Branch(via.branch)) {
    return via.branch + SEP + via.host + ':' + (via.port ?? defaultPort(via.transport)) + SEP + method
  }
  const cseq = req.cseq
  const callId = req.callId
  const from = req.from
  const rawVia = req.headers.first('via')
  if (cseq === undefined || callId === undefined || from === undefined || rawVia === undefined) return undefined
  const tag = toTag ?? req.to?.tag ?? ''
  return RFC2543_PREFIX + method + SEP + req.uri + SEP + tag + SEP + (from.tag ?? '') + SEP + callId + SEP + cseq.seq + SEP + rawVia
}
