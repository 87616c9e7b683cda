// Request and response sanity checks before transaction processing (RFC 3261 §8.2, §16.3, §18.3), returned as values.
import { isDigits, isToken, splitTopLevel } from './headers/lexer.js'
import { isSipUri, type Uri } from './headers/uri.js'
import type { HeaderList } from './header-list.js'
import type { SipRequest, SipResponse } from './message.js'
import { reasonPhrase } from './status.js'

/** What to do with a received request: process it, answer statelessly with `status`, or drop it silently. */
export type RequestVerdict =
  | { ok: true; drop?: undefined; maxForwards: number }
  | { ok: false; drop?: undefined; status: number; reason: string; warning?: string; headers: Array<[string, string]> }
  | { ok: false; drop: true; why: string }

/** A response is processed or dropped; RFC 3261 §18.1.2: a malformed response is always dropped (there is no one to answer). */
export type ResponseVerdict = { ok: true; drop?: undefined } | { ok: false; drop: true; why: string }

export interface ValidateOptions {
  /** Option tags we implement (RFC 3261 §8.2.2.3); a Require naming another gets 420. */
  supported: readonly string[]
  /** Request-URI schemes we route (RFC 3261 §8.2.2.1 → 416 otherwise). */
  uriSchemes: readonly string[]
  /** Body types accepted on session-carrying methods (RFC 3261 §8.2.3 → 415 with Accept otherwise). */
  acceptedBodyTypes: readonly string[]
  /** Methods whose body we interpret; other methods' bodies are relayed untouched. */
  sessionMethods: readonly string[]
  /** Methods we answer ourselves when addressed to the node, so Max-Forwards 0 does not stop them (RFC 3261 §11 OPTIONS, RFC 4475 §3.3.11). */
  localMethods: readonly string[]
  /** Hosts (lowercase; IPv6 in brackets) that name this node in a Request-URI: SIP_HOST, SIP_ADVERTISED_HOST. */
  localHosts: readonly string[]
  /** Value assumed when Max-Forwards is absent (RFC 2543 peers). */
  defaultMaxForwards: number
}

export const DEFAULT_VALIDATE_OPTIONS: ValidateOptions = {
  supported: ['100rel', 'timer', 'replaces', 'norefersub'],
  uriSchemes: ['sip', 'sips', 'tel'],
  acceptedBodyTypes: ['application/sdp', 'multipart/mixed'],
  sessionMethods: ['INVITE', 'UPDATE', 'ACK', 'PRACK'],
  localMethods: ['OPTIONS'],
  localHosts: [],
  defaultMaxForwards: 70,
}

/** Headers that RFC 3261 §7.3.1 allows only once (comma lists are not permitted for them). */
const SINGLE = ['from', 'to', 'call-id', 'cseq', 'max-forwards', 'content-length', 'content-type', 'expires'] as const

/** The first of SINGLE (in SINGLE's order) on more than one line, found in one walk over the canonical names. */
function repeatedSingle(h: HeaderList): string | undefined {
  let once = 0
  let twice = 0
  for (let i = 0, n = h.size; i < n; i++) {
    const bit = singleBit(h.nameAt(i))
    if (bit === 0) continue
    twice |= once & bit
    once |= bit
  }
  if (twice === 0) return undefined
  for (let k = 0; k < SINGLE.length; k++) if ((twice & (1 << k)) !== 0) return SINGLE[k]
  return undefined
}

/** 1 << index in SINGLE of a canonical name, 0 for any other name. */
function singleBit(name: string): number {
  switch (name) {
    case 'from': return 1
    case 'to': return 2
    case 'call-id': return 4
    case 'cseq': return 8
    case 'max-forwards': return 16
    case 'content-length': return 32
    case 'content-type': return 64
    case 'expires': return 128
    default: return 0
  }
}

function reject(status: number, warning: string, headers: Array<[string, string]> = []): RequestVerdict {
  return { ok: false, status, reason: reasonPhrase(status), warning, headers }
}

/** Headers without which no response can be built or matched (RFC 3261 §8.1.1), besides Via. */
const MANDATORY = ['from', 'to', 'call-id', 'cseq'] as const

/** Merged options per options object the caller passes (the layer passes the same one for every request). */
const resolved = new WeakMap<Partial<ValidateOptions>, ValidateOptions>()

function resolveOptions(options: Partial<ValidateOptions>): ValidateOptions {
  let o = resolved.get(options)
  if (o === undefined) {
    o = { ...DEFAULT_VALIDATE_OPTIONS, ...options }
    resolved.set(options, o)
  }
  return o
}

/** Checks a parsed request in RFC 3261 §8.2 / §16.3 order and returns the stateless answer if it must be refused. */
export function validateRequest(req: SipRequest, options: Partial<ValidateOptions> = DEFAULT_VALIDATE_OPTIONS): RequestVerdict {
  const o = resolveOptions(options)
  const h = req.headers
  // RFC 3261 §8.1.1: without Via, From, To, Call-ID and CSeq no response can be built or matched.
  if (h.firstLine('via') === undefined) return { ok: false, drop: true, why: 'no Via' }
  // RFC 3261 §7.1 / §21.5.6: we speak SIP/2.0 only.
  if (req.version !== 'SIP/2.0') return reject(505, `SIP version ${req.version} not supported`)
  for (let k = 0; k < MANDATORY.length; k++) if (h.firstLine(MANDATORY[k]!) === undefined) return reject(400, `Missing ${MANDATORY[k]} header`)
  // RFC 4475 §3.3.8: a second From, To, Call-ID, CSeq, Max-Forwards... is a 400.
  const repeated = repeatedSingle(h)
  if (repeated !== undefined) return reject(400, `Multiple ${repeated} headers`)
  const vias = req.vias
  if (vias === undefined || vias.length === 0) return reject(400, 'Malformed Via header')
  for (const v of vias) if (v.protocol !== 'SIP/2.0') return reject(400, `Via protocol ${v.protocol}`)
  if (req.from === undefined) return reject(400, 'Malformed From header')
  if (req.to === undefined) return reject(400, 'Malformed To header')
  if (req.callId === undefined) return reject(400, 'Malformed Call-ID header')
  const cseq = req.cseq
  if (cseq === undefined) return reject(400, 'Malformed CSeq header')
  // RFC 3261 §8.2 / RFC 4475 §3.1.2.17: the CSeq method must match the Request-Line method.
  if (cseq.method !== req.method) return reject(400, 'CSeq method does not match the request method')
  const cl = h.first('content-length')
  if (cl !== undefined && (!isDigits(cl, 10) || Number(cl) !== req.body.length)) return reject(400, 'Content-Length does not match the body')

  // RFC 3261 §8.1.1.6 / §16.3 step 3.
  let maxForwards = o.defaultMaxForwards
  if (h.firstLine('max-forwards') !== undefined) {
    const mf = req.maxForwards
    if (mf === undefined) return reject(400, 'Malformed Max-Forwards header')
    maxForwards = mf
  }
  // Deviation: a missing Max-Forwards (RFC 2543 peers, RFC 4475 §3.4.1) is treated as 70, not refused with 400.

  // RFC 3261 §8.2.2.1: Request-URI scheme; §19.1.1 table: headers are not allowed in a Request-URI.
  const ruri = req.requestUri
  if (ruri === undefined) return reject(400, 'Malformed Request-URI')
  // RFC 3261 §16.3 item 2: a request we would forward with Max-Forwards 0 gets 483 (never an ACK, which is not answered).
  if (maxForwards === 0 && req.method !== 'ACK' && !answeredByNode(req.method, ruri, o)) return reject(483, 'Max-Forwards is 0')
  if (!o.uriSchemes.includes(ruri.scheme)) return reject(416, `Unsupported URI scheme ${ruri.scheme}`)
  if (isSipUri(ruri) && ruri.headers.size > 0) return reject(400, 'Request-URI carries headers')

  if (h.firstLine('contact') !== undefined) {
    const contacts = req.contacts
    if (contacts === undefined) return reject(400, 'Malformed Contact header')
    for (const c of contacts) {
      const e = c.params.get('expires')
      if (e !== undefined && (e === null || !isDigits(e, 10) || Number(e) > 0xffffffff)) return reject(400, 'Contact expires out of range')
    }
  }
  if (h.firstLine('expires') !== undefined && req.expires === undefined) return reject(400, 'Malformed Expires header')
  if (h.firstLine('route') !== undefined && req.routes === undefined) return reject(400, 'Malformed Route header')
  if (h.firstLine('record-route') !== undefined && req.recordRoutes === undefined) return reject(400, 'Malformed Record-Route header')

  // RFC 3261 §8.2.2.3: unknown Require → 420 listing them in Unsupported; never for ACK or CANCEL.
  if (req.method !== 'ACK' && req.method !== 'CANCEL') {
    const unsupported = req.require.filter((t) => !o.supported.includes(t))
    if (unsupported.length > 0) return reject(420, 'Unsupported extension', [['Unsupported', unsupported.join(', ')]])
  }

  // RFC 3261 §8.2.3 / §7.4.1: body type on methods whose body we interpret.
  if (req.body.length > 0 && o.sessionMethods.includes(req.method)) {
    const raw = h.first('content-type')
    if (raw === undefined) return reject(400, 'Body without Content-Type')
    const ct = req.contentType
    if (ct === undefined) return reject(400, 'Malformed Content-Type header')
    if (!o.acceptedBodyTypes.includes(ct)) return reject(415, `Unsupported body type ${ct}`, [['Accept', o.acceptedBodyTypes.join(', ')]])
    const enc = h.first('content-encoding')
    if (enc !== undefined && enc.toLowerCase() !== 'identity') return reject(415, `Unsupported encoding ${enc}`, [['Accept-Encoding', 'identity']])
  }
  // RFC 3261 §21.4.7 / RFC 4475 §3.3.15: we answer INVITE with SDP, so an Accept without it is 406.
  if (req.method === 'INVITE' && h.firstLine('accept') !== undefined) {
    const accept = h.getAll('accept').map((a) => (a.split(';')[0] ?? '').trim().toLowerCase()).filter((a) => a.length > 0)
    if (accept.length > 0 && !accept.some((a) => a === 'application/sdp' || a === 'application/*' || a === '*/*')) {
      return reject(406, 'SDP is not acceptable to the caller', [['Accept', 'application/sdp']])
    }
  }
  return { ok: true, maxForwards }
}

/**
 * True when the node answers the request itself instead of forwarding it: a local method (OPTIONS) whose
 * Request-URI names the node (one of `localHosts`) or has no user part. RFC 3261 §11.1, RFC 4475 §3.3.11.
 */
export function answeredByNode(method: string, ruri: Uri, o: Pick<ValidateOptions, 'localMethods' | 'localHosts'>): boolean {
  if (!o.localMethods.includes(method)) return false
  if (!isSipUri(ruri)) return false
  return ruri.user === undefined || ruri.user === '' || o.localHosts.includes(ruri.host)
}

/** Checks a parsed response; anything a transaction could mis-match on is dropped. RFC 3261 §8.1.3.3, §18.1.2. */
export function validateResponse(res: SipResponse): ResponseVerdict {
  const h = res.headers
  if (res.version !== 'SIP/2.0') return { ok: false, drop: true, why: `version ${res.version}` }
  const repeated = repeatedSingle(h)
  if (repeated !== undefined) return { ok: false, drop: true, why: `multiple ${repeated}` }
  const via = res.topVia
  if (via === undefined) return { ok: false, drop: true, why: 'missing or malformed top Via' }
  if (res.from === undefined) return { ok: false, drop: true, why: 'missing or malformed From' }
  if (res.to === undefined) return { ok: false, drop: true, why: 'missing or malformed To' }
  if (res.callId === undefined) return { ok: false, drop: true, why: 'missing or malformed Call-ID' }
  const cseq = res.cseq
  if (cseq === undefined) return { ok: false, drop: true, why: 'missing or malformed CSeq' }
  const cl = h.first('content-length')
  if (cl !== undefined && (!isDigits(cl, 10) || Number(cl) !== res.body.length)) return { ok: false, drop: true, why: 'bad Content-Length' }
  return { ok: true }
}

/** Splits an option-tag list and keeps only well-formed tokens (RFC 3261 §19.2). */
export function optionTagList(value: string): string[] {
  return splitTopLevel(value).filter(isToken)
}
