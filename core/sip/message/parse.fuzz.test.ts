// Robustness and round-trip properties of the message layer: RFC 3261 §7 / §25 grammar (generated valid messages) and "bad bytes are values, never exceptions" (mutation fuzzing, >= 100,000 cases).
import { readFileSync, readdirSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { MessageBuildError, buildCancel, buildResponse } from './build.js'
import { parseAuthHeader, parseDigestCredentials } from './headers/auth.js'
import { parseUri } from './headers/uri.js'
import type { SipMessage } from './message.js'
import { parseMessage } from './parse.js'
import { serializeMessage } from './serialize.js'
import { validateRequest, validateResponse } from './validate.js'

const torture = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../conformance/test-support/rfc4475')

// ---- generated valid messages -------------------------------------------------------------------------

const tokenChar = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.!%*_+`\'~'.split(''))
const token = fc.string({ unit: tokenChar, minLength: 1, maxLength: 12 })
const alnum = fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789'.split('')), minLength: 1, maxLength: 10 })
const host = fc.oneof(
  fc.array(alnum, { minLength: 1, maxLength: 3 }).map((p) => p.join('.') + '.example.com'),
  fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((o) => o.join('.')),
  fc.constantFrom('[2001:db8::1]', '[::1]'),
)
const port = fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined })
const sipUri = fc
  .record({ scheme: fc.constantFrom('sip', 'sips'), user: fc.option(alnum, { nil: undefined }), host, port, params: fc.array(fc.tuple(alnum, fc.option(alnum, { nil: undefined })), { maxLength: 3 }) })
  .map((u) => `${u.scheme}:${u.user === undefined ? '' : u.user + '@'}${u.host}${u.port === undefined ? '' : ':' + u.port}${u.params.map(([k, v]) => ';' + k + (v === undefined ? '' : '=' + v)).join('')}`)
const displayName = fc.oneof(
  fc.constant(''),
  fc.string({ unit: fc.constantFrom(...'abc XYZ,;:<>@"\\éü東'.split('')), maxLength: 12 }).map((s) => '"' + s.replace(/(["\\])/g, '\\$1') + '" '),
  fc.array(token, { minLength: 1, maxLength: 3 }).map((t) => t.join(' ') + ' '),
)
const nameAddr = fc.tuple(displayName, sipUri, fc.option(token, { nil: undefined })).map(([d, u, tag]) => `${d}<${u}>${tag === undefined ? '' : ';tag=' + tag}`)
const headerValue = fc.string({ unit: fc.constantFrom(...'abc XYZ 019,;:=<>@"/é'.split('')), maxLength: 30 }).map((s) => s.trim())
const method = fc.oneof(fc.constantFrom('INVITE', 'ACK', 'BYE', 'CANCEL', 'OPTIONS', 'REGISTER', 'UPDATE', 'INFO'), token)
const caseOf = (name: string) => fc.constantFrom(name, name.toLowerCase(), name.toUpperCase())

const validMessage = fc
  .record({
    isRequest: fc.boolean(),
    method,
    status: fc.integer({ min: 100, max: 699 }),
    reason: fc.string({ unit: fc.constantFrom(...'abc XYZ é'.split('')), maxLength: 15 }).map((s) => s.trim()),
    ruri: sipUri,
    branch: token.map((t) => 'z9hG4bK' + t),
    viaHost: host,
    extraVias: fc.array(host, { maxLength: 3 }),
    from: nameAddr,
    fromTag: token,
    to: nameAddr,
    callId: fc.tuple(token, fc.option(host, { nil: undefined })).map(([a, h]) => (h === undefined ? a : a + '@' + h)),
    seq: fc.integer({ min: 0, max: 0x7fffffff }),
    maxForwards: fc.integer({ min: 0, max: 255 }),
    contacts: fc.array(nameAddr, { maxLength: 2 }),
    extras: fc.array(fc.tuple(token, headerValue), { maxLength: 4 }),
    compactVia: fc.boolean(),
    callIdName: caseOf('Call-ID').chain((n) => fc.constantFrom(n, 'i')),
    fold: fc.boolean(),
    body: fc.uint8Array({ maxLength: 64 }),
  })
  .map((g) => {
    const start = g.isRequest ? `${g.method} ${g.ruri} SIP/2.0` : `SIP/2.0 ${g.status} ${g.reason}`
    const vias = [`SIP/2.0/UDP ${g.viaHost};branch=${g.branch}`, ...g.extraVias.map((h, i) => `SIP/2.0/TCP ${h};branch=z9hG4bK${i}`)]
    const lines = [
      start,
      `${g.compactVia ? 'v' : 'Via'}: ${vias.join(g.fold ? ',\r\n   ' : ', ')}`,
      // strip only the header-level tag after '>': a URI parameter may itself be named "tag" (fast-check found it)
      `From: ${g.from.replace(/>;tag=[^>]*$/, '>')};tag=${g.fromTag}`,
      `To: ${g.to}`,
      `${g.callIdName}: ${g.callId}`,
      `CSeq: ${g.seq} ${g.isRequest ? g.method : 'INVITE'}`,
      `Max-Forwards: ${g.maxForwards}`,
      ...g.contacts.map((c) => `m: ${c}`),
      ...g.extras.map(([n, v]) => `X-${n}: ${v}`),
      `Content-Length: ${g.body.length}`,
      '',
      '',
    ]
    return { g, buf: Buffer.concat([Buffer.from(lines.join('\r\n')), Buffer.from(g.body)]) }
  })

function structure(m: SipMessage): unknown {
  return {
    start: m.isRequest ? [m.method, m.uri, m.version] : [m.status, m.reason, m.version],
    headers: [...m.headers.entries()].filter(([n]) => n !== 'content-length'),
    body: m.body.toString('hex'),
    vias: m.vias, from: m.from, to: m.to, cseq: m.cseq, callId: m.callId, contacts: m.contacts, maxForwards: m.maxForwards,
  }
}

describe('generated valid messages', () => {
  it('parse -> serialize -> parse is stable and keeps the generated values', () => {
    fc.assert(
      fc.property(validMessage, ({ g, buf }) => {
        const r = parseMessage(buf)
        if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}\n${buf.toString()}`)
        const m = r.message
        expect(m.topVia?.branch).toBe(g.branch)
        expect(m.vias).toHaveLength(1 + g.extraVias.length)
        expect(m.callId).toBe(g.callId)
        expect(m.cseq?.seq).toBe(g.seq)
        expect(m.from?.tag).toBe(g.fromTag)
        expect(m.to).toBeDefined()
        expect(m.contacts).toHaveLength(g.contacts.length)
        expect(Buffer.from(g.body).equals(m.body)).toBe(true)
        const again = parseMessage(serializeMessage(m))
        expect(again.ok).toBe(true)
        if (again.ok) expect(structure(again.message)).toEqual(structure(m))
      }),
      { numRuns: 3000 },
    )
  })
})

// ---- mutation fuzzing ---------------------------------------------------------------------------------

const seeds: Buffer[] = readdirSync(torture).filter((f) => f.endsWith('.dat')).sort().map((f) => readFileSync(path.join(torture, f)))

function touchEverything(buf: Buffer): void {
  const r = parseMessage(buf)
  const m = r.ok ? r.message : r.error.partial
  if (m === undefined) return
  void [m.vias, m.topVia, m.callId, m.cseq, m.from, m.to, m.contacts, m.contact, m.contactIsStar, m.maxForwards, m.contentLength, m.contentType]
  void [m.routes, m.recordRoutes, m.expires, m.require, m.supported, m.sessionExpires]
  for (const na of [m.from, m.to, ...(m.contacts ?? []), ...(m.routes ?? [])]) if (na !== undefined) parseUri(na.uri)
  for (const [name, value] of m.headers.entries()) {
    m.headers.getAll(name)
    if (name.endsWith('authorization') || name.endsWith('authenticate')) {
      // The digest fields' scan accepts exactly what the general parse accepts, for the Digest scheme.
      const general = parseAuthHeader(value)
      const digest = parseDigestCredentials(value)
      if ((digest !== undefined) !== (general !== undefined && general.scheme.toLowerCase() === 'digest')) throw new Error(`auth parses disagree on ${value}`)
    }
  }
  if (m.isRequest) {
    void m.requestUri
    validateRequest(m)
    buildResponse(m, 400, { toTag: 'x' })
    if (m.method === 'INVITE') {
      try {
        buildCancel(m)
      } catch (e) {
        if (!(e instanceof MessageBuildError)) throw e
      }
    }
  } else validateResponse(m)
  const out = serializeMessage(m)
  if (r.ok) {
    const again = parseMessage(out)
    if (!again.ok) throw new Error(`re-parse failed: ${again.error.code} ${again.error.message}`)
  }
}

const CRLF_GAMES = ['\r\n', '\r\n\r\n', '\n', '\r', '\r\n ', '\r\n\t', ':', ';', ',', '"', '<', '>', '\\', '%', '\0', '=', ' ', '@', '[', ']']

const mutation = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }), count: fc.integer({ min: 1, max: 8 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.constantFrom(...CRLF_GAMES), times: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ kind: fc.constant('huge' as const), at: fc.nat(), len: fc.integer({ min: 1000, max: 70_000 }), ch: fc.constantFrom('9', 'a', ' ', ',', ';', '"', '<') }),
  fc.record({ kind: fc.constant('splice' as const), at: fc.nat(), other: fc.nat(), len: fc.integer({ min: 1, max: 200 }) }),
)

function mutate(seed: Buffer, muts: ReadonlyArray<{ kind: string; [k: string]: unknown }>): Buffer {
  let b = seed
  for (const mu of muts) {
    const at = (mu.at as number) % (b.length + 1)
    switch (mu.kind) {
      case 'flip': {
        b = Buffer.from(b)
        for (let k = 0; k < (mu.count as number) && at + k < b.length; k++) b[at + k] = ((mu.byte as number) + k * 37) & 0xff
        break
      }
      case 'truncate':
        b = b.subarray(0, at)
        break
      case 'insert':
        b = Buffer.concat([b.subarray(0, at), Buffer.from((mu.text as string).repeat(mu.times as number), 'latin1'), b.subarray(at)])
        break
      case 'delete':
        b = Buffer.concat([b.subarray(0, at), b.subarray(at + (mu.len as number))])
        break
      case 'huge':
        b = Buffer.concat([b.subarray(0, at), Buffer.alloc(mu.len as number, mu.ch as string), b.subarray(at)])
        break
      case 'splice': {
        const other = seeds[(mu.other as number) % seeds.length] as Buffer
        const from = (mu.at as number) % (other.length + 1)
        b = Buffer.concat([b.subarray(0, at), other.subarray(from, from + (mu.len as number)), b.subarray(at)])
        break
      }
    }
  }
  return b
}

describe('mutation fuzzing', () => {
  const RUNS_PER_BLOCK = 25_000
  // CPU-bound work of fixed size (seeded), not a timing claim: a block takes about 5 s alone and may take four times
  // that on a shared, loaded machine.
  const BLOCK_TIMEOUT_MS = 120_000
  for (const block of [1, 2, 3, 4]) {
    it(`never throws from parse, accessors, validate, build or serialize (block ${block}: ${RUNS_PER_BLOCK} cases)`, () => {
      fc.assert(
        fc.property(fc.nat(seeds.length - 1), fc.array(mutation, { minLength: 1, maxLength: block }), (i, muts) => {
          touchEverything(mutate(seeds[i] as Buffer, muts))
        }),
        { numRuns: RUNS_PER_BLOCK, seed: 4475 + block },
      )
    }, BLOCK_TIMEOUT_MS)
  }

  it('survives random bytes and random text', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 600 }), (a) => touchEverything(Buffer.from(a))), { numRuns: 5000 })
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...'INVITE SIP/2.0\r\n:;,"<>@=Via From To Call-ID CSeq l v i 0 9'.split('')), maxLength: 400 }), (s) =>
        touchEverything(Buffer.from(s)),
      ),
      { numRuns: 5000 },
    )
  })
})
