// RFC 4475 torture messages (§3.1.1 valid, §3.1.2 invalid, §3.2 transaction id, §3.3 application-layer, §3.4 RFC 2543) against parse + validate + serialize.
import { readFileSync, readdirSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import type { SipMessage } from '../message/message.js'
import { parseMessage } from '../message/parse.js'
import { serializeMessage } from '../message/serialize.js'
import { validateRequest, validateResponse } from '../message/validate.js'

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'test-support/rfc4475')

type Expect = { kind: 'ok' } | { kind: 'reject'; status: number } | { kind: 'drop' }
const ok: Expect = { kind: 'ok' }
const status = (s: number): Expect => ({ kind: 'reject', status: s })
const drop: Expect = { kind: 'drop' }

/** Expected outcome per file, with the RFC 4475 section; comments mark where a B2BUA's answer is a choice. */
const CASES: Record<string, { section: string; expect: Expect }> = {
  'wsinv.dat': { section: '3.1.1.1', expect: ok },
  'intmeth.dat': { section: '3.1.1.2', expect: ok },
  'esc01.dat': { section: '3.1.1.3', expect: ok },
  'escnull.dat': { section: '3.1.1.4', expect: ok },
  'esc02.dat': { section: '3.1.1.5', expect: ok },
  'lwsdisp.dat': { section: '3.1.1.6', expect: ok },
  'longreq.dat': { section: '3.1.1.7', expect: ok },
  'dblreq.dat': { section: '3.1.1.8', expect: ok },
  'semiuri.dat': { section: '3.1.1.9', expect: ok },
  'transports.dat': { section: '3.1.1.10', expect: ok },
  'mpart01.dat': { section: '3.1.1.11', expect: ok },
  'unreason.dat': { section: '3.1.1.12', expect: ok },
  'noreason.dat': { section: '3.1.1.13', expect: ok },
  'badinv01.dat': { section: '3.1.2.1', expect: status(400) },
  'clerr.dat': { section: '3.1.2.2', expect: status(400) },
  'ncl.dat': { section: '3.1.2.3', expect: status(400) },
  'scalar02.dat': { section: '3.1.2.4', expect: status(400) },
  'scalarlg.dat': { section: '3.1.2.5', expect: drop },
  'quotbal.dat': { section: '3.1.2.6', expect: status(400) },
  'ltgtruri.dat': { section: '3.1.2.7', expect: status(400) },
  'lwsruri.dat': { section: '3.1.2.8', expect: status(400) },
  // §3.1.2.9 / §3.1.2.10 allow "liberal" acceptance of extra SP; we accept and serialize single SPs.
  'lwsstart.dat': { section: '3.1.2.9', expect: ok },
  'trws.dat': { section: '3.1.2.10', expect: ok },
  'escruri.dat': { section: '3.1.2.11', expect: status(400) },
  // §3.1.2.12: a B2BUA never uses Date, so it ignores the bad zone as the RFC permits instead of answering 400.
  'baddate.dat': { section: '3.1.2.12', expect: ok },
  'regbadct.dat': { section: '3.1.2.13', expect: status(400) },
  'badaspec.dat': { section: '3.1.2.14', expect: status(400) },
  'baddn.dat': { section: '3.1.2.15', expect: status(400) },
  'badvers.dat': { section: '3.1.2.16', expect: status(505) },
  'mismatch01.dat': { section: '3.1.2.17', expect: status(400) },
  'mismatch02.dat': { section: '3.1.2.18', expect: status(400) },
  'bigcode.dat': { section: '3.1.2.19', expect: drop },
  // §3.2.1: a bare magic cookie is a valid branch; the transaction layer falls back to RFC 2543 matching.
  'badbranch.dat': { section: '3.2.1', expect: ok },
  'insuf.dat': { section: '3.3.1', expect: status(400) },
  'unkscm.dat': { section: '3.3.2', expect: status(416) },
  // §3.3.3: we route only sip/sips/tel, so soap.beep gets 416 like any scheme we cannot handle.
  'novelsc.dat': { section: '3.3.3', expect: status(416) },
  'unksm2.dat': { section: '3.3.4', expect: ok },
  // §3.3.5: as a UAS (B2BUA) Proxy-Require is ignored; the unknown Require gives 420 + Unsupported.
  'bext01.dat': { section: '3.3.5', expect: status(420) },
  'invut.dat': { section: '3.3.6', expect: status(415) },
  // §3.3.7: well formed; the unknown scheme is the authentication layer's business (401/403 there).
  'regaut01.dat': { section: '3.3.7', expect: ok },
  'multi01.dat': { section: '3.3.8', expect: status(400) },
  'mcl01.dat': { section: '3.3.9', expect: status(400) },
  // §3.3.10: well formed; the transport must never send to the broadcast Via (not a message-layer matter).
  'bcast.dat': { section: '3.3.10', expect: ok },
  // §3.3.11: the OPTIONS is for sip:user@example.com, a user behind us that a B2BUA would have to forward to:
  // 483 (§16.3 item 2). An OPTIONS for the node itself is answered even with Max-Forwards 0 (validate.test.ts).
  'zeromf.dat': { section: '3.3.11', expect: status(483) },
  'cparam01.dat': { section: '3.3.12', expect: ok },
  'cparam02.dat': { section: '3.3.13', expect: ok },
  'regescrt.dat': { section: '3.3.14', expect: ok },
  // §3.3.15: the caller accepts no SDP, and our answer to an INVITE is SDP: 406.
  'sdp01.dat': { section: '3.3.15', expect: status(406) },
  'inv2543.dat': { section: '3.4.1', expect: ok },
  // Not an RFC 4475 message: an extra php-sip fixture with no SIP-Version and a header without a colon.
  'test.dat': { section: 'extra', expect: drop },
}

/** What the transaction layer does with a datagram: process it, answer statelessly, or drop it. */
function outcome(buf: Buffer): Expect & { message?: SipMessage; headers?: Array<[string, string]> } {
  const r = parseMessage(buf)
  if (!r.ok) return r.error.partial !== undefined ? { kind: 'reject', status: 400 } : drop
  const m = r.message
  if (!m.isRequest) return validateResponse(m).ok ? { kind: 'ok', message: m } : drop
  const v = validateRequest(m)
  if (v.ok) return { kind: 'ok', message: m }
  if (v.drop) return drop
  return { kind: 'reject', status: v.status, headers: v.headers }
}

/** Structure compared across parse -> serialize -> parse. */
function structure(m: SipMessage): unknown {
  return {
    start: m.isRequest ? [m.method, m.uri, m.version] : [m.status, m.reason, m.version],
    headers: [...m.headers.entries()].filter(([n]) => n !== 'content-length'),
    body: m.body.toString('hex'),
    vias: m.vias,
    from: m.from,
    to: m.to,
    cseq: m.cseq,
    callId: m.callId,
    contacts: m.contacts,
    routes: m.routes,
    maxForwards: m.maxForwards,
    requestUri: m.isRequest ? m.requestUri : undefined,
  }
}

describe('RFC 4475 torture messages', () => {
  const files = readdirSync(dir).filter((f) => f.endsWith('.dat')).sort()

  it('finds all 50 fixture files and has an expectation for each', () => {
    expect(files).toHaveLength(50)
    expect(files.filter((f) => CASES[f] === undefined)).toEqual([])
    expect(Object.keys(CASES).filter((f) => !files.includes(f))).toEqual([])
  })

  for (const file of files) {
    const c = CASES[file]
    const expectation = c === undefined ? 'unknown' : c.expect.kind === 'reject' ? `answers ${c.expect.status}` : c.expect.kind === 'ok' ? 'accepts and round-trips' : 'drops'
    it(`${file} (§${c?.section ?? '?'}) ${expectation}`, () => {
      expect(c).toBeDefined()
      const buf = readFileSync(path.join(dir, file))
      const got = outcome(buf)
      expect({ kind: got.kind, status: got.kind === 'reject' ? got.status : undefined }).toEqual({
        kind: c!.expect.kind,
        status: c!.expect.kind === 'reject' ? c!.expect.status : undefined,
      })
      if (got.kind === 'ok' && got.message !== undefined) {
        const again = parseMessage(serializeMessage(got.message))
        expect(again.ok).toBe(true)
        if (again.ok) expect(structure(again.message)).toEqual(structure(got.message))
      }
    })
  }
})

describe('RFC 4475 details', () => {
  const load = (f: string) => {
    const r = parseMessage(readFileSync(path.join(dir, f)))
    if (!r.ok) throw new Error(`${f}: ${r.error.message}`)
    return r.message
  }

  it('wsinv.dat: unfolds headers and parses three Vias, quoted display names and spaced params', () => {
    const m = load('wsinv.dat')
    expect(m.vias?.map((v) => [v.transport, v.host, v.branch])).toEqual([
      ['UDP', '192.0.2.2', '390skdjuw'],
      ['TCP', 'spindle.example.com', 'z9hG4bK9ikj8'],
      ['UDP', '192.168.255.111', 'z9hG4bK30239'],
    ])
    expect(m.from).toMatchObject({ displayName: 'J Rosenberg \\"', tag: '98asjd8' })
    expect(m.to?.tag).toBe('1918181833n')
    expect(m.contact?.params.get('q')).toBe('0.33')
    expect(m.headers.get('newfangledheader')).toBe('newfangled value continued newfangled value')
    expect(m.cseq).toEqual({ seq: 9, method: 'INVITE' })
    expect(m.maxForwards).toBe(68)
  })

  it('intmeth.dat: splits user and password at the first colon and keeps the odd method', () => {
    const m = load('intmeth.dat')
    if (!m.isRequest) throw new Error('expected request')
    expect(m.method).toBe("!interesting-Method0123456789_*+`.%indeed'~")
    const u = m.requestUri
    expect(u && 'user' in u ? [u.user, u.password, u.host] : undefined).toEqual([
      "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*",
      "&it+has=1,weird!*pas$wo~d_too.(doesn't-it)",
      'example.com',
    ])
    expect(m.to?.displayName).toBe('BEL:\x07 NUL:\x00 DEL:\x7f')
  })

  it('esc01.dat and escnull.dat: unescape the user part, including %00', () => {
    const m = load('esc01.dat')
    expect(m.isRequest && m.requestUri && 'user' in m.requestUri ? m.requestUri.user : '').toBe('sips:user@example.com')
    const n = load('escnull.dat')
    expect(n.contacts).toHaveLength(2)
  })

  it('dblreq.dat: ignores the second request after Content-Length 0', () => {
    const m = load('dblreq.dat')
    expect(m.isRequest && m.method).toBe('REGISTER')
    expect(m.body.length).toBe(0)
  })

  it('bext01.dat: names both unknown extensions in Unsupported', () => {
    const got = outcome(readFileSync(path.join(dir, 'bext01.dat')))
    expect(got.headers).toEqual([['Unsupported', 'nothingSupportsThis, nothingSupportsThisEither']])
  })

  it('invut.dat: lists the accepted body types in Accept with the 415', () => {
    const got = outcome(readFileSync(path.join(dir, 'invut.dat')))
    expect(got.headers?.[0]?.[0]).toBe('Accept')
  })

  it('zeromf.dat sent as an INVITE (which a B2BUA forwards) gets 483', () => {
    const text = readFileSync(path.join(dir, 'zeromf.dat'), 'latin1').replaceAll('OPTIONS', 'INVITE')
    expect(outcome(Buffer.from(text, 'latin1'))).toMatchObject({ kind: 'reject', status: 483 })
  })

  it('clerr.dat: the parse error carries a partial request for the stateless 400', () => {
    const r = parseMessage(readFileSync(path.join(dir, 'clerr.dat')))
    expect(r.ok).toBe(false)
    if (!r.ok) {
      expect(r.error.code).toBe('body-truncated')
      expect(r.error.partial?.callId).toBe('clerr.0ha0isndaksdjweiafasdk3')
    }
  })
})
