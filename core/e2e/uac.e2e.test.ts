// Our client transactions on real UDP against SIPp UASes that lose packets (20% of INVITEs; 10% of all for OPTIONS): RFC 3261 §17.1.1 (INVITE client: Timer A retransmissions, ACK for a non-2xx final, Timer D), §17.1.2 (non-INVITE client: Timer E, Timer K), no transaction left behind.
import { afterEach, describe, expect, it } from 'vitest'
import { SystemClock } from '../lib/clock.js'
import { silentLogger } from '../lib/log.js'
import { Metrics } from '../lib/metrics.js'
import { HeaderList } from '../sip/message/header-list.js'
import { SipRequest, type SipResponse } from '../sip/message/message.js'
import { TransactionLayer } from '../sip/transaction/layer.js'
import type { TransactionFailure } from '../sip/transaction/failures.js'
import type { ClientTransaction, TransactionUser } from '../sip/transaction/types.js'
import { RequestRouter } from '../sip/ua/router.js'
import { openUdpTransport, type UdpTransport } from '../transport/udp.js'
import { freeUdpPort, runSipp, waitFor, type SippResult } from './test-support/harness.js'

/** Records the final outcome of each client transaction. */
class Outcomes implements TransactionUser {
  readonly finals = new Map<ClientTransaction, number>()
  onResponse(res: SipResponse, tx: ClientTransaction): void {
    if (res.status >= 200 && !this.finals.has(tx)) this.finals.set(tx, res.status)
  }
  onTimeout(f: TransactionFailure, tx: ClientTransaction): void {
    this.finals.set(tx, f.status)
  }
  onTransportError(f: TransactionFailure, tx: ClientTransaction): void {
    this.finals.set(tx, f.status)
  }
}

/**
 * A UAC node in this process: real UDP socket, transaction layer and the request router for anything arriving unasked.
 * T1 stays at the RFC's 500 ms so Timer B/F (64*T1 = 32 s) outlast SIPp's own retransmissions even on a loaded
 * machine (with T1 100 ms a slow SIPp could lose the race to a 6.4 s Timer B); T4 1 s keeps Timer K short.
 */
async function uacNode() {
  const clock = new SystemClock()
  const metrics = new Metrics()
  const router = new RequestRouter({ log: silentLogger, metrics })
  const layer = new TransactionLayer({ clock, user: router, metrics, timers: { T1: 500, T2: 4000, T4: 1000 } })
  const transport: UdpTransport = await openUdpTransport({ host: '127.0.0.1', port: 0, user: layer, metrics })
  return { clock, metrics, layer, transport }
}

function request(method: string, i: number, sippPort: number): SipRequest {
  const h = new HeaderList()
  h.append('max-forwards', '70')
  h.append('from', `<sip:switch@127.0.0.1>;tag=uac${i}`)
  h.append('to', `<sip:+4930${i}@127.0.0.1:${sippPort}>`)
  h.append('call-id', `uac-e2e-${method}-${i}-${process.pid}@127.0.0.1`)
  h.append('cseq', `1 ${method}`)
  return new SipRequest(method, `sip:+4930${i}@127.0.0.1:${sippPort}`, h)
}

/** Final statuses by count, so a failure shows what arrived instead of `false`. */
function countStatuses(o: Outcomes): Record<number, number> {
  const out: Record<number, number> = {}
  for (const s of o.finals.values()) out[s] = (out[s] ?? 0) + 1
  return out
}

let node: Awaited<ReturnType<typeof uacNode>> | undefined
afterEach(async () => {
  await node?.transport.close()
  node?.clock.stop()
  node = undefined
})

/** Starts SIPp as a UAS for `calls` calls, gives it time to bind, then sends one `method` per call 20 ms apart. */
async function run(method: 'INVITE' | 'OPTIONS', scenario: string, calls: number, lostPercent: number) {
  const sippPort = await freeUdpPort()
  const sipp: Promise<SippResult> = runSipp({ scenario, calls, localPort: sippPort, lostPercent, timeoutSec: 60, trace: true })
  await new Promise((ok) => setTimeout(ok, 500))
  node = await uacNode()
  const n = node
  const outcomes = new Outcomes()
  const remote = { address: '127.0.0.1', port: sippPort, family: 'IPv4' as const }
  for (let i = 0; i < calls; i++) {
    const req = request(method, i, sippPort)
    n.layer.addVia(req, n.transport)
    n.layer.sendRequest(req, n.transport, remote, outcomes)
    await new Promise((ok) => setTimeout(ok, 20))
  }
  return { n, outcomes, sipp }
}

describe('client transactions against lossy SIPp UASes', () => {
  it('delivers every 486 to the TU, ACKs each one, and leaves no transaction after Timer D', async () => {
    const calls = 50
    // the scenario itself loses 20% of the INVITEs it receives (no global -lost: see the scenario's comment)
    const { n, outcomes, sipp } = await run('INVITE', 'uas-invite-lossy-reject-486-expect-ack.xml', calls, 0)
    expect(await waitFor(async () => outcomes.finals.size === calls, 40_000)).toBe(true)
    expect(countStatuses(outcomes)).toEqual({ 486: calls })
    expect(n.metrics.get('sip_requests_sent_total')?.get('ACK')).toBe(calls)
    const res = await sipp
    if (res.failed > 0) console.log('SIPPERR', res.errors.slice(-4000))
    expect({ ok: res.successful, failed: res.failed }).toEqual({ ok: calls, failed: 0 })
    // Lost INVITEs were repaired by Timer A retransmissions of ours (P(no loss in 50) = 0.8^50, about 1e-5).
    expect(n.metrics.get('sip_retransmissions_total')?.get('ict') ?? 0).toBeGreaterThan(0)
    // Timer D (32 s on UDP) ends each completed ICT.
    expect(await waitFor(async () => n.layer.size === 0, 40_000)).toBe(true)
  }, 90_000)

  it('delivers every OPTIONS 200 to the TU and leaves no transaction after Timer K', async () => {
    const calls = 50
    const { n, outcomes, sipp } = await run('OPTIONS', 'uas-options-expect-200.xml', calls, 10)
    expect(await waitFor(async () => outcomes.finals.size === calls, 40_000)).toBe(true)
    expect(countStatuses(outcomes)).toEqual({ 200: calls })
    expect(await waitFor(async () => n.layer.size === 0, 5_000)).toBe(true)
    const res = await sipp
    expect({ ok: res.successful, failed: res.failed }).toEqual({ ok: calls, failed: 0 })
    expect(res.retransmissions + (n.metrics.get('sip_retransmissions_total')?.get('nict') ?? 0)).toBeGreaterThan(0)
  }, 90_000)
})
