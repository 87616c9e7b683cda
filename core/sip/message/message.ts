// SIP message model: SipRequest and SipResponse with raw headers and lazily parsed, cached structured views (RFC 3261 §7).
import { HeaderList } from './header-list.js'
import { type CSeq, parseCSeq } from './headers/cseq.js'
import { isToken, isWs, parseUint, splitTopLevel, trimWs } from './headers/lexer.js'
import { type NameAddr, parseNameAddr, parseNameAddrList } from './headers/name-addr.js'
import { type SessionExpires, parseSessionExpires } from './headers/session-expires.js'
import { type Uri, parseUri } from './headers/uri.js'
import { type Via, parseVia } from './headers/via.js'

export type { CSeq, NameAddr, SessionExpires, Uri, Via }

/** RFC 3261 §20.19 / §20.22: delta-seconds fit in 32 bits. */
const MAX_DELTA = 0xffffffff

/** Cached structured values; `null` means "looked at: absent or malformed". */
class ParsedCache {
  vias: Via[] | null | undefined = undefined
  topVia: Via | null | undefined = undefined
  callId: string | null | undefined = undefined
  cseq: CSeq | null | undefined = undefined
  from: NameAddr | null | undefined = undefined
  to: NameAddr | null | undefined = undefined
  contacts: NameAddr[] | null | undefined = undefined
  maxForwards: number | null | undefined = undefined
  contentLength: number | null | undefined = undefined
  contentType: string | null | undefined = undefined
  routes: NameAddr[] | null | undefined = undefined
  recordRoutes: NameAddr[] | null | undefined = undefined
  expires: number | null | undefined = undefined
  require: string[] | undefined = undefined
  supported: string[] | undefined = undefined
  sessionExpires: SessionExpires | null | undefined = undefined
  requestUri: Uri | null | undefined = undefined
  requestUriRaw: string | undefined = undefined
}

function orUndef<T>(v: T | null): T | undefined {
  return v === null ? undefined : v
}

/** Fields and accessors shared by requests and responses. */
abstract class SipMessageBase {
  /** 'SIP/2.0' normally; other versions parse and are refused by validation (505). */
  version = 'SIP/2.0'
  headers: HeaderList
  /** Message body; for parsed messages a view on the received datagram. */
  body: Buffer
  private cache: ParsedCache | undefined = undefined
  private cacheVersion = -1

  constructor(headers: HeaderList, body: Buffer) {
    this.headers = headers
    this.body = body
  }

  protected parsed(): ParsedCache {
    if (this.cache === undefined || this.cacheVersion !== this.headers.version) {
      this.cache = new ParsedCache()
      this.cacheVersion = this.headers.version
    }
    return this.cache
  }

  /** All Via values top first; undefined if any is malformed, [] when absent. RFC 3261 §20.42. */
  get vias(): Via[] | undefined {
    const c = this.parsed()
    if (c.vias === undefined) {
      const all = this.headers.all('via')
      // One Via (the usual request) as a literal: an empty array's first push reserves 16 slots.
      if (all.length === 1) {
        const via = c.topVia !== undefined && c.topVia !== null ? c.topVia : parseVia(all[0]!)
        c.vias = via === undefined ? null : [via]
        return orUndef(c.vias)
      }
      const out: Via[] = []
      for (let i = 0; i < all.length; i++) {
        // The top Via may already be parsed (the layer reads it first): reuse it instead of parsing it twice.
        const via = i === 0 && c.topVia !== undefined && c.topVia !== null ? c.topVia : parseVia(all[i]!)
        if (via === undefined) {
          c.vias = null
          return undefined
        }
        out.push(via)
      }
      c.vias = out
    }
    return orUndef(c.vias)
  }

  /** The top Via (parsed alone, without the rest). */
  get topVia(): Via | undefined {
    const c = this.parsed()
    if (c.topVia === undefined) {
      if (c.vias !== undefined && c.vias !== null) {
        c.topVia = c.vias[0] ?? null
      } else {
        const v = this.headers.first('via')
        c.topVia = (v === undefined ? undefined : parseVia(v)) ?? null
      }
    }
    return orUndef(c.topVia)
  }

  /**
   * Drops the cached structured views (URIs, name-addrs, Vias and their parameter Maps), keeping the raw headers and
   * body; a later read parses again. For messages kept alive long after their last use (Timer J/I wait states).
   */
  releaseParsed(): void {
    this.cache = undefined
  }

  /** Adds `value` as the top Via line (RFC 3261 §8.1.1.7), whose parsed form the caller already has. */
  prependVia(value: string, parsed: Via): void {
    const c = this.parsed()
    this.headers.prepend('via', value)
    this.viasChanged(c, parsed)
  }

  /** Replaces the top Via element with `value`, whose parsed form the caller already has (RFC 3261 §18.2.1 stamping). */
  replaceTopVia(value: string, parsed: Via): void {
    const c = this.parsed()
    this.headers.replaceFirst('via', value)
    this.viasChanged(c, parsed)
  }

  /** Only the Vias changed, `top` now first: the other views already parsed in `c` (read before the change) stay valid. */
  private viasChanged(c: ParsedCache, top: Via): void {
    this.cacheVersion = this.headers.version
    c.vias = undefined
    c.topVia = top
  }

  /** Call-ID (RFC 3261 §20.8: word ["@" word]); undefined if absent, empty or containing whitespace. */
  get callId(): string | undefined {
    const c = this.parsed()
    if (c.callId === undefined) {
      const v = this.headers.first('call-id')
      c.callId = v !== undefined && v.length > 0 && !hasWs(v) ? v : null
    }
    return orUndef(c.callId)
  }

  /** CSeq number and method (RFC 3261 §20.16). */
  get cseq(): CSeq | undefined {
    const c = this.parsed()
    if (c.cseq === undefined) {
      const v = this.headers.first('cseq')
      c.cseq = (v === undefined ? undefined : parseCSeq(v)) ?? null
    }
    return orUndef(c.cseq)
  }

  /** From (RFC 3261 §20.20). */
  get from(): NameAddr | undefined {
    const c = this.parsed()
    if (c.from === undefined) {
      const v = this.headers.first('from')
      c.from = (v === undefined ? undefined : parseNameAddr(v)) ?? null
    }
    return orUndef(c.from)
  }

  /** To (RFC 3261 §20.39). */
  get to(): NameAddr | undefined {
    const c = this.parsed()
    if (c.to === undefined) {
      const v = this.headers.first('to')
      c.to = (v === undefined ? undefined : parseNameAddr(v)) ?? null
    }
    return orUndef(c.to)
  }

  /** All Contact addresses; [] for `Contact: *` or when absent; undefined if malformed. RFC 3261 §20.10. */
  get contacts(): NameAddr[] | undefined {
    const c = this.parsed()
    if (c.contacts === undefined) {
      const all = this.headers.all('contact')
      c.contacts = all.length === 1 && all[0] === '*' ? [] : (parseNameAddrList(all) ?? null)
    }
    return orUndef(c.contacts)
  }

  /** First Contact address. */
  get contact(): NameAddr | undefined {
    return this.contacts?.[0]
  }

  /** True for the REGISTER wildcard `Contact: *` (RFC 3261 §10.2.2). */
  get contactIsStar(): boolean {
    return this.headers.first('contact') === '*'
  }

  /** Max-Forwards 0..255 (RFC 3261 §20.22). */
  get maxForwards(): number | undefined {
    const c = this.parsed()
    if (c.maxForwards === undefined) {
      const v = this.headers.first('max-forwards')
      c.maxForwards = (v === undefined ? undefined : parseUint(v, 255)) ?? null
    }
    return orUndef(c.maxForwards)
  }

  /** Content-Length header value (RFC 3261 §20.14); serialization always writes body.length. */
  get contentLength(): number | undefined {
    const c = this.parsed()
    if (c.contentLength === undefined) {
      const v = this.headers.first('content-length')
      c.contentLength = (v === undefined ? undefined : parseUint(v, MAX_DELTA)) ?? null
    }
    return orUndef(c.contentLength)
  }

  /** Lowercase media type without parameters, e.g. 'application/sdp' (RFC 3261 §20.15). */
  get contentType(): string | undefined {
    const c = this.parsed()
    if (c.contentType === undefined) {
      const v = this.headers.first('content-type')
      c.contentType = v === undefined ? null : parseMediaType(v)
    }
    return orUndef(c.contentType)
  }

  /** Route set in order (RFC 3261 §20.34). */
  get routes(): NameAddr[] | undefined {
    const c = this.parsed()
    if (c.routes === undefined) c.routes = parseNameAddrList(this.headers.all('route')) ?? null
    return orUndef(c.routes)
  }

  /** Record-Route set in order (RFC 3261 §20.30). */
  get recordRoutes(): NameAddr[] | undefined {
    const c = this.parsed()
    if (c.recordRoutes === undefined) c.recordRoutes = parseNameAddrList(this.headers.all('record-route')) ?? null
    return orUndef(c.recordRoutes)
  }

  /** Expires delta-seconds (RFC 3261 §20.19). */
  get expires(): number | undefined {
    const c = this.parsed()
    if (c.expires === undefined) {
      const v = this.headers.first('expires')
      c.expires = (v === undefined ? undefined : parseUint(v, MAX_DELTA)) ?? null
    }
    return orUndef(c.expires)
  }

  /** Option tags in Require (RFC 3261 §20.32); malformed elements are kept so a 420 can name them. */
  get require(): string[] {
    const c = this.parsed()
    return (c.require ??= optionTags(this.headers.all('require')))
  }

  /** Option tags in Supported (RFC 3261 §20.37). */
  get supported(): string[] {
    const c = this.parsed()
    return (c.supported ??= optionTags(this.headers.all('supported')))
  }

  /** Session-Expires (RFC 4028 §4). */
  get sessionExpires(): SessionExpires | undefined {
    const c = this.parsed()
    if (c.sessionExpires === undefined) {
      const v = this.headers.first('session-expires')
      c.sessionExpires = (v === undefined ? undefined : parseSessionExpires(v)) ?? null
    }
    return orUndef(c.sessionExpires)
  }
}

function hasWs(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (isWs(s.charCodeAt(i))) return true
  return false
}

function optionTags(values: string[]): string[] {
  const out: string[] = []
  for (const v of values) if (v.length > 0) out.push(v)
  return out
}

/** `type/subtype` lowercased from a Content-Type value, or null when malformed (RFC 3261 §20.15). */
function parseMediaType(v: string): string | null {
  const semi = v.indexOf(';')
  const mt = trimWs(semi === -1 ? v : v.slice(0, semi))
  const slash = mt.indexOf('/')
  if (slash <= 0) return null
  const type = trimWs(mt.slice(0, slash))
  const sub = trimWs(mt.slice(slash + 1))
  return isToken(type) && isToken(sub) ? type.toLowerCase() + '/' + sub.toLowerCase() : null
}

/** A SIP request (RFC 3261 §7.1). */
export class SipRequest extends SipMessageBase {
  readonly isRequest = true as const
  method: string
  /** Request-URI exactly as received; see requestUri for the parsed form. */
  uri: string

  constructor(method: string, uri: string, headers: HeaderList = new HeaderList(), body: Buffer = EMPTY_BODY) {
    super(headers, body)
    this.method = method
    this.uri = uri
  }

  /** Parsed Request-URI, undefined when malformed (RFC 3261 §19.1). Re-parsed when uri is reassigned. */
  get requestUri(): Uri | undefined {
    const c = this.parsed()
    if (c.requestUri === undefined || c.requestUriRaw !== this.uri) {
      c.requestUri = parseUri(this.uri) ?? null
      c.requestUriRaw = this.uri
    }
    return orUndef(c.requestUri)
  }
}

/** A SIP response (RFC 3261 §7.2). */
export class SipResponse extends SipMessageBase {
  readonly isRequest = false as const
  status: number
  reason: string

  constructor(status: number, reason: string, headers: HeaderList = new HeaderList(), body: Buffer = EMPTY_BODY) {
    super(headers, body)
    this.status = status
    this.reason = reason
  }
}

export type SipMessage = SipRequest | SipResponse

/** Shared empty body (never written to). */
export const EMPTY_BODY: Buffer = Buffer.alloc(0)

/** Splits a comma list of tokens such as Allow or Supported into trimmed elements. */
export function splitTokens(value: string): string[] {
  return splitTopLevel(value).map(trimWs).filter((t) => t.length > 0)
}
