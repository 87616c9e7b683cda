// Builders for responses (RFC 3261 §8.2.6), ACK for non-2xx (§17.1.1.3) and CANCEL (§9.1), plus branch/tag/Call-ID generators.
import { randomFillSync } from 'node:crypto'
import { HeaderList, responseCopies } from './header-list.js'
import { EMPTY_BODY, SipRequest, SipResponse } from './message.js'
import { reasonPhrase } from './status.js'

/** Thrown when our own code asks for an impossible message (a bug, never network input). */
export class MessageBuildError extends Error {
  override name = 'MessageBuildError'
}

export interface ResponseOptions {
  reason?: string
  /** To-tag to add when the request's To has none and status > 100 (RFC 3261 §8.2.6.2). */
  toTag?: string
  /** Extra header lines appended in order, e.g. [['Unsupported', 'foo'], ['Warning', '399 host "text"']]. */
  headers?: ReadonlyArray<readonly [string, string]>
  body?: Buffer
  /** Content-Type for the body. */
  contentType?: string
}

/** The request's Vias while buildResponse copies them (never re-entered; emptied after each use). */
const VIAS: string[] = []

/** Builds a response to a request: Via(s), From, To (+tag), Call-ID, CSeq copied; 100 copies Timestamp. RFC 3261 §8.2.6. */
export function buildResponse(req: SipRequest, status: number, opts: ResponseOptions = {}): SipResponse {
  if (!Number.isInteger(status) || status < 100 || status > 699) throw new MessageBuildError(`invalid status ${status}`)
  const h = new HeaderList()
  const { from, to, callId, cseq, ts, vias } = responseCopies(req.headers, VIAS)
  for (let i = 0; i < vias; i++) {
    h.appendCanonical('via', VIAS[i]!)
    VIAS[i] = ''
  }
  if (from !== undefined) h.appendCanonical('from', from)
  if (to !== undefined) {
    // RFC 3261 §8.2.6.2: add a tag when the To has none (a 100 Trying MAY omit it; we always do).
    h.appendCanonical('to', status > 100 && opts.toTag !== undefined && req.to?.tag === undefined ? to + ';tag=' + opts.toTag : to)
  }
  if (callId !== undefined) h.appendCanonical('call-id', callId)
  if (cseq !== undefined) h.appendCanonical('cseq', cseq)
  // RFC 3261 §8.2.6.1: a 100 Trying copies the request's Timestamp.
  if (status === 100 && ts !== undefined) h.appendCanonical('timestamp', ts)
  const extra = opts.headers
  if (extra !== undefined) for (let i = 0; i < extra.length; i++) h.append(extra[i]![0], extra[i]![1])
  const body = opts.body ?? EMPTY_BODY
  if (body.length > 0 && opts.contentType !== undefined) h.append('content-type', opts.contentType)
  return new SipResponse(status, opts.reason ?? reasonPhrase(status), h, body)
}

/** Builds the ACK for a non-2xx final response to an INVITE. RFC 3261 §17.1.1.3. */
export function buildAckForNon2xx(invite: SipRequest, response: SipResponse): SipRequest {
  if (invite.method !== 'INVITE') throw new MessageBuildError('ACK is only built for INVITE')
  if (response.status < 300) throw new MessageBuildError('ACK for 2xx belongs to the dialog layer (RFC 3261 §13.2.2.4)')
  const h = new HeaderList()
  const src = invite.headers
  // §17.1.1.3: one Via equal to the top Via of the original request (same branch).
  const topVia = src.get('via')
  if (topVia === undefined) throw new MessageBuildError('INVITE has no Via')
  h.append('via', topVia)
  copyFirst(src, h, 'max-forwards', '70')
  for (const r of src.lines('route')) h.append('route', r)
  copyFirst(src, h, 'from')
  // §17.1.1.3: To equal to the To of the response being acknowledged.
  const to = response.headers.firstLine('to') ?? src.firstLine('to')
  if (to !== undefined) h.append('to', to)
  copyFirst(src, h, 'call-id')
  const seq = invite.cseq?.seq
  if (seq === undefined) throw new MessageBuildError('INVITE has no valid CSeq')
  h.append('cseq', seq + ' ACK')
  return new SipRequest('ACK', invite.uri, h, EMPTY_BODY)
}

/** Builds a CANCEL for a pending INVITE: same Request-URI, Call-ID, From, To, CSeq number, top Via, Route. RFC 3261 §9.1. */
export function buildCancel(invite: SipRequest): SipRequest {
  if (invite.method !== 'INVITE') throw new MessageBuildError('CANCEL is only built for INVITE here')
  const h = new HeaderList()
  const src = invite.headers
  const topVia = src.get('via')
  if (topVia === undefined) throw new MessageBuildError('INVITE has no Via')
  h.append('via', topVia)
  copyFirst(src, h, 'max-forwards', '70')
  for (const r of src.lines('route')) h.append('route', r)
  copyFirst(src, h, 'from')
  copyFirst(src, h, 'to')
  copyFirst(src, h, 'call-id')
  const seq = invite.cseq?.seq
  if (seq === undefined) throw new MessageBuildError('INVITE has no valid CSeq')
  h.append('cseq', seq + ' CANCEL')
  return new SipRequest('CANCEL', invite.uri, h, EMPTY_BODY)
}

function copyFirst(src: HeaderList, dst: HeaderList, name: string, fallback?: string): void {
  const v = src.firstLine(name) ?? fallback
  if (v !== undefined) dst.appendCanonical(name, v)
}

// Random identifiers come from a pooled CSPRNG buffer: one randomFillSync per 4 KiB instead of per id.
const POOL_SIZE = 4096
const pool = Buffer.allocUnsafe(POOL_SIZE)
let poolPos = POOL_SIZE

function randomHex(bytes: number): string {
  if (poolPos + bytes > POOL_SIZE) {
    randomFillSync(pool)
    poolPos = 0
  }
  const s = pool.toString('hex', poolPos, poolPos + bytes)
  poolPos += bytes
  return s
}

/** RFC 3261 §8.1.1.7 magic cookie. */
export const BRANCH_COOKIE = 'z9hG4bK'

/** Most workers one node can run: the mark is one base-36 digit. */
export const MAX_MARKS = 36

let mark = '0'

/**
 * Makes every identifier this process mints from now on carry `index` (the worker's, base 36) at a fixed place: the
 * first character of tags and Call-IDs, the first after the magic cookie in branches. What a peer sends back names
 * one of them (routing-key.ts), so a node with several workers hands each message to the worker that minted it.
 */
export function setIdMark(index: number): void {
  if (!Number.isInteger(index) || index < 0 || index >= MAX_MARKS) throw new MessageBuildError(`worker mark ${index} out of 0..${MAX_MARKS - 1}`)
  mark = index.toString(36)
}

/** This process's mark (one base-36 character), for identifiers minted outside this module (digest nonces). */
export function idMark(): string {
  return mark
}

/** The worker index an identifier minted by generateTag or generateCallId carries (at `at`: 7 for a branch), or -1 when it carries none. */
export function markOf(id: string, at = 0): number {
  const c = id.charCodeAt(at)
  if (c >= 48 && c <= 57) return c - 48
  if (c >= 97 && c <= 122) return c - 87
  return -1
}

/** New Via branch: the magic cookie, this worker's mark and 96 random bits. RFC 3261 §8.1.1.7. */
export function generateBranch(): string {
  return BRANCH_COOKIE + mark + randomHex(12)
}

/** New From/To tag: this worker's mark and 64 random bits (RFC 3261 §19.3 asks for at least 32). */
export function generateTag(): string {
  return mark + randomHex(8)
}

/** The character a stateless answer's To tag has after the mark; never a hex digit, so no dialog tag has it. */
const STATELESS = 's'

/**
 * New To tag of a stateless answer (RFC 3261 §8.2.7: a challenge, a refusal, a validation failure): this worker's
 * mark, `s`, 64 random bits. No transaction or dialog ever holds it, so the ACK of such an answer is known by its tag.
 */
export function generateStatelessTag(): string {
  return mark + STATELESS + randomHex(8)
}

/** Whether `tag` is one generateStatelessTag minted (by any worker of the node). */
export function isStatelessTag(tag: string): boolean {
  return tag.length === 18 && tag.charCodeAt(1) === 115
}

/** New Call-ID: this worker's mark and 128 random bits, optionally `@host` (RFC 3261 §8.1.1.4). */
export function generateCallId(host?: string): string {
  const id = mark + randomHex(16)
  return host === undefined ? id : id + '@' + host
}
