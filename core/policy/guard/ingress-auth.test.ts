// Ingress authentication seen twice for one INVITE (the screen, then the controller): a verified digest stays verified without moving its nonce count again, and a challenge's header text.
import { describe, expect, it } from 'vitest'
import type { RemoteAddr } from '../../transport/types.js'
import { Metrics } from '../../lib/metrics.js'
import { DigestAuthenticator } from '../digest.js'
import { credentialsFor, invite, policySnapshot, REALM } from '../test-support/policy-inputs.js'
import { IngressAuth } from './ingress-auth.js'

const URI = 'sip:4930123@203.0.113.1'
const NOW = 1_700_000_000_000
const PASSWORD_SOURCE: RemoteAddr = { address: '203.0.113.50', port: 5060, family: 'IPv4' }
const IP_SOURCE: RemoteAddr = { address: '192.0.2.10', port: 5060, family: 'IPv4' }

function setup() {
  const metrics = new Metrics()
  const auth = new IngressAuth({ metrics, digest: new DigestAuthenticator({ secret: new Uint8Array(32).fill(3) }) })
  const snapshot = policySnapshot()
  const challenge = (): string => {
    const v = auth.authenticate(invite(URI), PASSWORD_SOURCE, snapshot, NOW)
    if (v.kind !== 'challenge') throw new Error(`expected a challenge, got ${v.kind}`)
    return v.headers.find(([, value]) => value.includes('algorithm=MD5'))![1]
  }
  return { metrics, auth, snapshot, challenge }
}

describe('IngressAuth', () => {
  it('keeps a verified digest verified for the same INVITE, while the same credentials on another request are a replay (stale)', () => {
    const { metrics, auth, snapshot, challenge } = setup()
    const credentials = credentialsFor(challenge(), { username: 'alice', password: 'secret', algorithm: 'MD5', uri: URI })
    const req = invite(URI, [`Proxy-Authorization: ${credentials}`])
    const first = auth.authenticate(req, PASSWORD_SOURCE, snapshot, NOW + 10)
    expect(first).toMatchObject({ kind: 'gateway', gateway: { id: 'mgPw' } })
    expect(auth.authenticate(req, PASSWORD_SOURCE, snapshot, NOW + 20)).toBe(first)
    const replay = auth.authenticate(invite(URI, [`Proxy-Authorization: ${credentials}`]), PASSWORD_SOURCE, snapshot, NOW + 30)
    expect(replay).toMatchObject({ kind: 'challenge', status: 407 })
    expect(replay.kind === 'challenge' && replay.headers.every(([, v]) => v.endsWith('stale=true'))).toBe(true)
    const outcomes = metrics.get('policy_digest_total')!
    expect([outcomes.get('ok'), outcomes.get('stale'), outcomes.get('challenge')]).toEqual([1, 1, 1])
  })

  it('identifies an IP gateway the same way each time it is asked', () => {
    const { auth, snapshot } = setup()
    const req = invite(URI)
    expect(auth.authenticate(req, IP_SOURCE, snapshot, NOW)).toEqual({ kind: 'gateway', gateway: snapshot.mappingGateways.get('mgIp') })
    expect(auth.authenticate(req, IP_SOURCE, snapshot, NOW)).toEqual({ kind: 'gateway', gateway: snapshot.mappingGateways.get('mgIp') })
  })

  it('challenges with both algorithms over one nonce, MD5 first, the rest of the text the same every time', () => {
    const { auth, snapshot } = setup()
    const texts = [0, 1].map(() => {
      const v = auth.authenticate(invite(URI), PASSWORD_SOURCE, snapshot, NOW)
      if (v.kind !== 'challenge') throw new Error('expected a challenge')
      return v.headers
    })
    for (const headers of texts) {
      expect(headers.map(([name]) => name)).toEqual(['Proxy-Authenticate', 'Proxy-Authenticate'])
      const nonces = headers.map(([, v]) => /nonce="([^"]+)"/.exec(v)![1])
      expect(nonces[0]).toBe(nonces[1])
      expect(headers.map(([, v]) => v.replace(nonces[0]!, 'N'))).toEqual([
        expect.stringMatching(new RegExp(`^Digest realm="${REALM}", nonce="N", opaque="[A-Za-z0-9_-]+", algorithm=MD5, qop="auth"$`)),
        expect.stringMatching(new RegExp(`^Digest realm="${REALM}", nonce="N", opaque="[A-Za-z0-9_-]+", algorithm=SHA-256, qop="auth"$`)),
      ])
    }
    expect(texts[0]![0]![1]).not.toBe(texts[1]![0]![1])
  })
})
