// What digest adds per call on the screen's path (`npm run bench -- digest-path`): the challenged INVITE, the ACK of its 407 (at the layer, and at a worker's dispatch) and the credentialed INVITE through a real transaction layer, router and gates, against an IP-authenticated INVITE; CPU µs per call.
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { computeHa1, type DigestAlgorithm } from '../../../shared/auth/digest-hash.js'
import type { ConfigSnapshot } from '../../config/snapshot.js'
import { ManualClock } from '../../lib/clock.js'
import { Metrics } from '../../lib/metrics.js'
import { silentLogger } from '../../lib/log.js'
import { buildResponse } from '../../sip/message/build.js'
import { TransactionLayer } from '../../sip/transaction/layer.js'
import { RequestRouter } from '../../sip/ua/router.js'
import { WorkerDispatch } from '../../sip/ua/worker-dispatch.js'
import type { RemoteAddr, Transport } from '../../transport/types.js'
import { digestResponse } from '../digest.js'
import { mappingGateway, policySnapshot, REALM, routingGateway } from '../test-support/policy-inputs.js'
import { AuthRefusalFanout } from './auth-refusals.js'
import { BlacklistGate, IngressAuthGate, PikeGate, SourceTransactionsGate } from './gates.js'
import { IngressAuth } from './ingress-auth.js'
import { SourceGuard } from './source-guard.js'

const N = 30_000
const URI = 'sip:4930123@127.0.0.1:5060'
const CUSTOMER = '203.0.113.9'
const clock = new ManualClock(Date.UTC(2024, 0, 3, 12))
const config = { current: policySnapshot({
  mappingGateways: [
    mappingGateway('mgIp', { authMode: 'ip', ips: ['192.0.2.10'] }),
    mappingGateway('mgPw', { authMode: 'password', username: 'alice', password: 'secret' }),
  ],
  // The customer's address is a vendor's too, as on the SIPp bench (everything on 127.0.0.1): trusted, so pike and
  // the per-source cap pass it, as they pass any configured gateway's.
  routingGateways: [routingGateway('rg1', { host: CUSTOMER })],
}) as ConfigSnapshot }
const metrics = new Metrics()
const router = new RequestRouter({ log: silentLogger, metrics })
// The call layer's place: every admitted INVITE is refused at once (the same cost for both kinds of call).
router.handle('INVITE', { onRequest: (req, tx) => void tx.respond(buildResponse(req, 603, { toTag: 'b' })) })
const guard = new SourceGuard({ config, metrics })
const refusals = new AuthRefusalFanout()
refusals.add(guard)
const auth = new IngressAuth({ metrics, guard, refusals })
const layer = new TransactionLayer({ clock, user: router, autoTrying: false, metrics, validate: { localHosts: ['127.0.0.1'] } })
router.addGate(new BlacklistGate(config, guard, clock))
router.addGate(new PikeGate(config, guard, clock))
router.addGate(new SourceTransactionsGate(config, guard, { serverTransactionsFrom: (a) => layer.serverTransactionsFrom(a) }))
router.addGate(new IngressAuthGate(config, auth, guard, clock, null))

// A node of two workers receives through a dispatch (core/worker.ts); this one is worker 0, the minter of every tag here.
let forwarded = 0
const dispatch = new WorkerDispatch({ self: 0, workers: 2, local: layer, metrics, forward: () => void forwarded++ })

let last: Buffer = Buffer.alloc(0)
/** Every datagram sent, while a step's heap is measured (its text is read afterwards). */
let kept: Buffer[] | null = null
const transport: Transport = {
  protocol: 'UDP', reliable: false, local: { address: '127.0.0.1', port: 5060, family: 'IPv4' },
  send: (buf) => {
    last = buf
    kept?.push(buf)
  },
  close: async () => {},
}
const source = (ip: string): RemoteAddr => ({ address: ip, port: 5060, family: 'IPv4' })
const IP_GATEWAY = source('192.0.2.10')
const PASSWORD_GATEWAY = source(CUSTOMER)

function invite(i: number, kind: string, cseq: number, authorization?: string): Buffer {
  return Buffer.from(
    `INVITE ${URI} SIP/2.0\r\nVia: SIP/2.0/UDP 203.0.113.9:5060;branch=z9hG4bK${kind}${cseq}-${i}\r\nMax-Forwards: 70\r\n` +
      `From: "cps" <sip:cps@203.0.113.9:5060>;tag=${i}SIPpTag00${i}\r\nTo: <sip:4930123@127.0.0.1:5060>\r\nCall-ID: ${kind}-${i}@203.0.113.9\r\n` +
      `CSeq: ${cseq} INVITE\r\nContact: <sip:cps@203.0.113.9:5060>\r\n${authorization === undefined ? '' : `Proxy-Authorization: ${authorization}\r\n`}` +
      `Content-Type: application/sdp\r\nContent-Length: 0\r\n\r\n`,
  )
}

function ackOf(i: number, kind: string, response: string): Buffer {
  const to = /^To: (.*)$/m.exec(response)![1]!.trim()
  return Buffer.from(
    `ACK ${URI} SIP/2.0\r\nVia: SIP/2.0/UDP 203.0.113.9:5060;branch=z9hG4bK${kind}1-${i}\r\nFrom: "cps" <sip:cps@203.0.113.9:5060>;tag=${i}SIPpTag00${i}\r\n` +
      `To: ${to}\r\nCall-ID: ${kind}-${i}@203.0.113.9\r\nCSeq: 1 ACK\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n`,
  )
}

function credentials(algorithm: DigestAlgorithm, nonce: string, i: number): string {
  const ha1 = computeHa1(algorithm, 'alice', REALM, 'secret')
  const cnonce = `c${i}`
  const response = digestResponse(algorithm, ha1, 'INVITE', URI, nonce, '00000001', cnonce)
  return `Digest username="alice",realm="${REALM}",cnonce="${cnonce}",nc=00000001,qop=auth,uri="${URI}",nonce="${nonce}",response="${response}",algorithm=${algorithm}`
}

// gc() at run time, so the heap a step allocates can be read as heapUsed grows between two collections.
setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

/** Heap bytes one step allocates: the median of 20 batches of 40 steps, each after a full collection (a batch a scavenge cut short reads less). */
function bytesPer(step: (i: number) => void, from: number): number {
  const grew: number[] = []
  for (let b = 0; b < 20; b++) {
    gc()
    const h0 = process.memoryUsage().heapUsed
    for (let i = 0; i < 40; i++) step(from + b * 40 + i)
    grew.push(process.memoryUsage().heapUsed - h0)
  }
  grew.sort((a, b) => a - b)
  return Math.round(grew[10]! / 40)
}

const cpuUs = (): number => {
  const u = process.cpuUsage()
  return u.user + u.system
}

/** Runs `n` of `step` and returns CPU µs per step. */
function measure(n: number, step: (i: number) => void): number {
  const t0 = cpuUs()
  for (let i = 0; i < n; i++) step(i)
  return (cpuUs() - t0) / n
}

function expectStatus(status: number): string {
  const text = last.toString('latin1')
  if (!text.startsWith(`SIP/2.0 ${status} `)) throw new Error(`expected ${status}, got ${text.slice(0, 40)}`)
  return text
}

let round = 0
function run(algorithm: DigestAlgorithm): void {
  const r = round++
  const ip = (i: number): void => {
    layer.onMessage(invite(i, `ip${r}`, 1), IP_GATEWAY, transport)
    expectStatus(603)
  }
  const challenges: string[] = []
  const challenge = (i: number): void => {
    layer.onMessage(invite(i, `dg${r}`, 1), PASSWORD_GATEWAY, transport)
    challenges.push(expectStatus(407))
  }
  const acks = challenges.map((c, i) => ackOf(i, `dg${r}`, c))
  const ack = (i: number): void => layer.onMessage(acks[i]!, PASSWORD_GATEWAY, transport)
  const ackAtWorker = (i: number): void => dispatch.onMessage(acks[i]!, PASSWORD_GATEWAY, transport)
  const retried = challenges.map((c, i) => invite(i, `dg${r}`, 2, credentials(algorithm, /nonce="([^"]+)"/.exec(c)![1]!, i)))
  const credentialed = (i: number): void => {
    layer.onMessage(retried[i]!, PASSWORD_GATEWAY, transport)
    expectStatus(603)
  }
  const ipUs = measure(N, ip)
  const challengeUs = measure(N, challenge)
  acks.push(...challenges.map((c, i) => ackOf(i, `dg${r}`, c)))
  retried.push(...challenges.map((c, i) => invite(i, `dg${r}`, 2, credentials(algorithm, /nonce="([^"]+)"/.exec(c)![1]!, i))))
  const ackUs = measure(N, ack)
  const ackAtWorkerUs = measure(N, ackAtWorker)
  const credentialedUs = measure(N, credentialed)
  // Heap per step (the INVITEs' bytes built beforehand, as a datagram arrives built): IP, challenge, ACK at a worker, credentialed.
  const ipInvites = Array.from({ length: 800 }, (_, i) => invite(N + i, `ip${r}`, 1))
  const firstInvites = Array.from({ length: 800 }, (_, i) => invite(N + i, `dg${r}`, 1))
  const ipBytes = bytesPer((i) => layer.onMessage(ipInvites[i]!, IP_GATEWAY, transport), 0)
  kept = []
  const challengeBytes = bytesPer((i) => layer.onMessage(firstInvites[i]!, PASSWORD_GATEWAY, transport), 0)
  const sent = kept.map((b) => b.toString('latin1'))
  kept = null
  const newAcks = sent.map((c, i) => ackOf(N + i, `dg${r}`, c))
  const newRetried = sent.map((c, i) => invite(N + i, `dg${r}`, 2, credentials(algorithm, /nonce="([^"]+)"/.exec(c)![1]!, N + i)))
  const bytes = {
    ip: ipBytes,
    challenge: challengeBytes,
    ackAtWorker: bytesPer((i) => dispatch.onMessage(newAcks[i]!, PASSWORD_GATEWAY, transport), 0),
    credentialed: bytesPer((i) => layer.onMessage(newRetried[i]!, PASSWORD_GATEWAY, transport), 0),
  }
  if (!last.toString('latin1').startsWith('SIP/2.0 603 ')) throw new Error('the credentialed INVITEs were not admitted')
  clock.advance(64_000)
  const round1 = (x: number): number => Math.round(x * 10) / 10
  console.log(JSON.stringify({
    name: `digest path ${algorithm}: CPU µs per call`, ip: round1(ipUs), challenge: round1(challengeUs), ack: round1(ackUs), ackAtWorker: round1(ackAtWorkerUs), credentialed: round1(credentialedUs),
    extra: round1(challengeUs + ackUs + credentialedUs - ipUs), nsPerOp: Math.round((challengeUs + ackUs + credentialedUs - ipUs) * 1000),
    bytes: { ...bytes, extra: bytes.challenge + bytes.ackAtWorker + bytes.credentialed - bytes.ip },
  }))
}

for (let i = 0; i < 2; i++) run('MD5')
run('SHA-256')
