// Admission micro-benchmark (run by `npm run bench` or `npx tsx core/policy/controller.bench.ts`): admit() for IP auth and for digest, JSON lines { name, opsPerSec, nsPerOp }.
import { computeHa1 } from '../../shared/auth/digest-hash.js'
import type { Decision } from '../call/ports.js'
import { Metrics } from '../lib/metrics.js'
import { PolicyController } from './controller.js'
import { digestResponse } from './digest.js'
import { admission, invite, mappingGateway, policySnapshot, REALM, routingGateway } from './test-support/policy-inputs.js'
import type { AdmissionRequest } from '../call/ports.js'

const URI = 'sip:4930123@203.0.113.1'
const NOW = Date.UTC(2024, 0, 3, 12)

// Demo-like routing plus some breadth: 200 routing gateways over 1,000 prefixes, the callee matching a handful.
const snapshot = policySnapshot({
  mappingGateways: [
    mappingGateway('mgIp', { authMode: 'ip', ips: ['192.0.2.10'] }),
    mappingGateway('mgPw', { authMode: 'password', username: 'alice', password: 'secret' }),
  ],
  routingGateways: Array.from({ length: 200 }, (_, i) => routingGateway(`rg${i}`, {
    prefixes: Array.from({ length: 5 }, (_, j) => `${49 + (i % 3)}${(i * 5 + j) % 100}`),
    priority: i % 4, lineLimit: 1000,
  })),
})
const controller = new PolicyController({ config: { current: snapshot }, metrics: new Metrics() })

function bench(name: string, requests: readonly AdmissionRequest[], expect: Decision['kind'], warm = true): void {
  const run = (count: number): number => {
    const start = process.hrtime.bigint()
    for (let i = 0; i < count; i++) {
      const d = controller.admit(requests[i % requests.length]!)
      if (d.kind !== expect) throw new Error(`${name}: expected ${expect}, got ${JSON.stringify(d)}`)
      if (d.kind === 'route') d.release()
    }
    return Number(process.hrtime.bigint() - start)
  }
  if (warm) run(Math.min(20_000, requests.length))
  const ns = run(requests.length)
  const nsPerOp = ns / requests.length
  console.log(JSON.stringify({ name, opsPerSec: Math.round(1e9 / nsPerOp), nsPerOp: Math.round(nsPerOp) }))
}

// Distinct parsed INVITEs for every case, so each pays the same cache and GC cost of a live request.
const COUNT = 60_000
bench('policy.admit ip', Array.from({ length: COUNT }, () => admission(invite(URI), '192.0.2.10', 5060, NOW)), 'route')

bench('policy.admit digest challenge (nonce + HMAC)', Array.from({ length: COUNT }, () => admission(invite(URI), '203.0.113.50', 5060, NOW)), 'challenge')

// Credentials as a UAC sends them: a fresh nonce for every call (warm-up and measured runs each need their own).
function credentialed(count: number, algorithm: 'SHA-256' | 'MD5'): AdmissionRequest[] {
  const ha1 = computeHa1(algorithm, 'alice', REALM, 'secret')
  const out: AdmissionRequest[] = []
  for (let i = 0; i < count; i++) {
    // A fresh INVITE per nonce: IngressAuth keeps one verdict per parsed request, so reusing one would repeat its nonce.
    const d = controller.admit(admission(invite(URI), '203.0.113.50', 5060, NOW))
    if (d.kind !== 'challenge') throw new Error('expected a challenge')
    const nonce = /nonce="([^"]+)"/.exec(d.headers[0]![1])![1]!
    const cnonce = `c${i}`
    const response = digestResponse(algorithm, ha1, 'INVITE', URI, nonce, '00000001', cnonce)
    const header = `Proxy-Authorization: Digest username="alice", realm="${REALM}", nonce="${nonce}", uri="${URI}", response="${response}", algorithm=${algorithm}, qop=auth, nc=00000001, cnonce="${cnonce}"`
    out.push(admission(invite(URI, [header]), '203.0.113.50', 5060, NOW))
  }
  return out
}
for (const algorithm of ['SHA-256', 'MD5'] as const) {
  const warm = credentialed(20_000, algorithm)
  for (const r of warm) {
    const d = controller.admit(r)
    if (d.kind === 'route') d.release()
  }
  bench(`policy.admit digest credentials ${algorithm}`, credentialed(COUNT, algorithm), 'route', false)
}
