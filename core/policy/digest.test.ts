// Covers RFC 3261 §22 and RFC 7616 §3.3-§3.4 (MD5) with RFC 8760 (SHA-256): challenge shape, response formula (§3.9.1 vectors), stale nonces, nonce-count replay, uri check, unknown users.
import { createHmac } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { computeHa1 } from '../../shared/auth/digest-hash.js'
import { ManualClock } from '../lib/clock.js'
import { setIdMark } from '../sip/message/build.js'
import { constantTimeEqual, digestResponse, DigestAuthenticator } from './digest.js'
import { credentialsFor, invite, policySnapshot, REALM, type UacAnswer } from './test-support/policy-inputs.js'

const URI = 'sip:4930123@203.0.113.1'
const SECRET = new Uint8Array(32).fill(7)
const ALICE: UacAnswer = { username: 'alice', password: 'secret', algorithm: 'SHA-256', uri: URI }

function setup(replayWindow?: number) {
  const clock = new ManualClock(1_700_000_000_000)
  const auth = new DigestAuthenticator({ secret: SECRET, ...(replayWindow === undefined ? {} : { replayWindow }) })
  const snapshot = policySnapshot()
  const challenge = (algorithm: 'SHA-256' | 'MD5' = 'SHA-256'): string => {
    const headers = auth.challengeHeaders(407, REALM, clock.now(), false)
    return headers.find(([, v]) => v.includes(`algorithm=${algorithm}`))![1]
  }
  const verify = (credentials: string, uri = URI) =>
    auth.verify(invite(uri, [`Proxy-Authorization: ${credentials}`]), snapshot, REALM, clock.now())
  return { clock, auth, snapshot, challenge, verify }
}

describe('digestResponse', () => {
  // RFC 7616 §3.9.1: Mufasa / "Circle of Life" at http-auth@example.org, GET /dir/index.html.
  const v = {
    realm: 'http-auth@example.org', nonce: '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v',
    cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ', uri: '/dir/index.html',
  }

  it('computes the RFC 7616 §3.9.1 MD5 response', () => {
    const ha1 = computeHa1('MD5', 'Mufasa', v.realm, 'Circle of Life')
    expect(digestResponse('MD5', ha1, 'GET', v.uri, v.nonce, '00000001', v.cnonce)).toBe('8ca523f5e9506fed4657c9700eebdbec')
  })

  it('computes the RFC 7616 §3.9.1 SHA-256 response', () => {
    const ha1 = computeHa1('SHA-256', 'Mufasa', v.realm, 'Circle of Life')
    expect(digestResponse('SHA-256', ha1, 'GET', v.uri, v.nonce, '00000001', v.cnonce))
      .toBe('753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1')
  })

  it('compares equal strings as equal and any difference or length change as different', () => {
    expect(constantTimeEqual('abc', 'abc')).toBe(true)
    expect(constantTimeEqual('abc', 'abd')).toBe(false)
    expect(constantTimeEqual('abc', 'abcd')).toBe(false)
  })
})

describe('DigestAuthenticator', () => {
  describe('challenge', () => {
    it('offers MD5 then SHA-256 in Proxy-Authenticate with one nonce, qop="auth", realm and opaque', () => {
      const { auth, clock } = setup()
      const headers = auth.challengeHeaders(407, REALM, clock.now(), false)
      expect(headers.map(([n]) => n)).toEqual(['Proxy-Authenticate', 'Proxy-Authenticate'])
      const [md5, sha] = headers.map(([, v]) => v)
      expect(sha).toMatch(/^Digest realm="softswitch", nonce="[0-9a-z][A-Za-z0-9_-]{40}", opaque="[^"]+", algorithm=SHA-256, qop="auth"$/)
      expect(md5).toBe(sha!.replace('algorithm=SHA-256', 'algorithm=MD5'))
    })

    it('leads with SHA-256 when SS_AUTH_DIGEST_FIRST asks for it, still offering MD5', () => {
      const { auth, clock } = setup()
      const values = auth.challengeHeaders(407, REALM, clock.now(), false, 'SHA-256').map(([, v]) => v)
      expect(values.map((v) => /algorithm=([A-Z0-9-]+)/.exec(v)?.[1])).toEqual(['SHA-256', 'MD5'])
    })

    it('uses WWW-Authenticate for 401 and adds stale=true when asked', () => {
      const { auth } = setup()
      const [[name, value]] = auth.challengeHeaders(401, REALM, 0, true) as [[string, string]]
      expect(name).toBe('WWW-Authenticate')
      expect(value.endsWith(', qop="auth", stale=true')).toBe(true)
    })

    it('signs each nonce with HMAC-SHA-256 of its secret, short or longer than a block (RFC 2104)', () => {
      for (const secret of [SECRET, new Uint8Array(100).map((_, i) => i)]) {
        const nonce = Buffer.from(new DigestAuthenticator({ secret }).issueNonce(1_700_000_000_000).slice(1), 'base64url')
        const mac = createHmac('sha256', secret).update(nonce.subarray(0, 14)).digest().subarray(0, 16)
        expect(nonce.subarray(14).equals(mac)).toBe(true)
      }
    })

    it('issues a different nonce every time', () => {
      const { auth } = setup()
      expect(new Set(Array.from({ length: 100 }, () => auth.issueNonce(5))).size).toBe(100)
    })
  })

  describe('verify', () => {
    it('asks for credentials when the INVITE carries none, or only for another realm', () => {
      const { verify, challenge, auth, snapshot, clock } = setup()
      expect(auth.verify(invite(URI), snapshot, REALM, clock.now())).toEqual({ kind: 'challenge', stale: false })
      expect(verify(credentialsFor(challenge(), { ...ALICE, realm: 'elsewhere' }))).toEqual({ kind: 'challenge', stale: false })
    })

    it('accepts credentials computed as a UAC would, with SHA-256 and with MD5', () => {
      const { verify, challenge } = setup()
      expect(verify(credentialsFor(challenge('SHA-256'), ALICE))).toMatchObject({ kind: 'ok', gateway: { id: 'mgPw' } })
      expect(verify(credentialsFor(challenge('MD5'), { ...ALICE, algorithm: 'MD5' }))).toMatchObject({ kind: 'ok', gateway: { id: 'mgPw' } })
    })

    it('accepts credentials in Authorization after a 401', () => {
      const { auth, challenge, snapshot, clock } = setup()
      const req = invite(URI, [`Authorization: ${credentialsFor(challenge(), ALICE)}`])
      expect(auth.verify(req, snapshot, REALM, clock.now())).toMatchObject({ kind: 'ok' })
    })

    it('fails a known user with a wrong password and names the gateway', () => {
      const { verify, challenge } = setup()
      expect(verify(credentialsFor(challenge(), { ...ALICE, password: 'guess' }))).toMatchObject({ kind: 'failed', gateway: { id: 'mgPw' }, why: 'mismatch' })
    })

    it('fails an unknown user without naming any gateway', () => {
      const { verify, challenge } = setup()
      expect(verify(credentialsFor(challenge(), { ...ALICE, username: 'mallory' }))).toEqual({ kind: 'failed', gateway: null, why: 'mismatch' })
    })

    it('fails credentials whose digest uri is not the Request-URI', () => {
      const { verify, challenge } = setup()
      const creds = credentialsFor(challenge(), { ...ALICE, uri: 'sip:4930999@203.0.113.1' })
      expect(verify(creds)).toMatchObject({ kind: 'failed' })
    })

    it('fails an algorithm that was not offered', () => {
      const { verify, challenge } = setup()
      expect(verify(credentialsFor(challenge(), ALICE).replace('algorithm=SHA-256', 'algorithm=SHA-512-256'))).toMatchObject({ kind: 'failed', why: 'malformed' })
    })

    it('answers stale=true for an expired nonce with a correct digest', () => {
      const { verify, challenge, clock, snapshot } = setup()
      const creds = credentialsFor(challenge(), ALICE)
      clock.advance(snapshot.params.SS_AUTH_NONCE_TTL * 1000)
      expect(verify(creds)).toEqual({ kind: 'challenge', stale: true })
    })

    it('accepts a nonce just before it expires', () => {
      const { verify, challenge, clock, snapshot } = setup()
      const creds = credentialsFor(challenge(), ALICE)
      clock.advance(snapshot.params.SS_AUTH_NONCE_TTL * 1000 - 1)
      expect(verify(creds)).toMatchObject({ kind: 'ok' })
    })

    it('fails a wrong password over an expired nonce instead of calling it stale', () => {
      const { verify, challenge, clock } = setup()
      const creds = credentialsFor(challenge(), { ...ALICE, password: 'guess' })
      clock.advance(3_600_000)
      expect(verify(creds)).toMatchObject({ kind: 'failed' })
    })

    it('re-challenges a replayed nonce count and a lower one, and accepts a higher one', () => {
      const { verify, challenge } = setup()
      const c = challenge()
      expect(verify(credentialsFor(c, { ...ALICE, nc: '00000002' }))).toMatchObject({ kind: 'ok' })
      expect(verify(credentialsFor(c, { ...ALICE, nc: '00000002' }))).toEqual({ kind: 'challenge', stale: true })
      expect(verify(credentialsFor(c, { ...ALICE, nc: '00000001' }))).toEqual({ kind: 'challenge', stale: true })
      expect(verify(credentialsFor(c, { ...ALICE, nc: '0000000A' }))).toMatchObject({ kind: 'ok' })
    })

    it('does not let a failed attempt with a high nonce count burn the count of the real client', () => {
      const { verify, challenge } = setup()
      const c = challenge()
      expect(verify(credentialsFor(c, { ...ALICE, password: 'guess', nc: 'ffffffff' }))).toMatchObject({ kind: 'failed' })
      expect(verify(credentialsFor(c, ALICE))).toMatchObject({ kind: 'ok' })
    })

    it('answers stale=true for a nonce signed by another process (restart) or altered in transit', () => {
      const { verify, clock } = setup()
      const other = new DigestAuthenticator().challengeHeaders(407, REALM, clock.now(), false)[0]![1]
      expect(verify(credentialsFor(other, ALICE))).toEqual({ kind: 'challenge', stale: true })
      const mine = setup().challenge()
      const nonce = /nonce="([^"]+)"/.exec(mine)![1]!
      const altered = mine.replace(nonce, nonce[0] + (nonce[1] === 'A' ? 'B' : 'A') + nonce.slice(2))
      expect(verify(credentialsFor(altered, ALICE))).toEqual({ kind: 'challenge', stale: true })
    })

    it("answers stale=true for another worker's nonce: its count is kept there", () => {
      const { verify, challenge } = setup()
      let theirs: string
      try {
        setIdMark(1)
        theirs = challenge()
      } finally {
        setIdMark(0)
      }
      expect(/nonce="1/.test(theirs)).toBe(true)
      expect(verify(credentialsFor(theirs, ALICE))).toEqual({ kind: 'challenge', stale: true })
      expect(verify(credentialsFor(challenge(), ALICE)).kind).toBe('ok')
    })

    it('answers stale=true for a nonce older than the replay window', () => {
      const { verify, challenge } = setup(2)
      const first = challenge()
      challenge()
      challenge()
      expect(verify(credentialsFor(first, ALICE))).toEqual({ kind: 'challenge', stale: true })
    })
  })
})
