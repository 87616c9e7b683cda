// Covers the OPTIONS online check (RFC 3261 §11): any final answer is alive, no answer within SS_OPTIONS_TIMEOUT or a transport error is a failure, hysteresis, the fixed period from a random phase and the time to offline it bounds, the gateway's transport, config swaps, RTT/loss and the on-demand network test.
import { describe, expect, it } from 'vitest'
import { buildSnapshot, type ConfigSnapshot } from '../config/snapshot.js'
import { routingGatewayCreate, routingGatewayToRow } from '../../shared/entities/routing-gateway.js'
import { ManualClock } from '../lib/clock.js'
import { createLogger } from '../lib/log.js'
import { Metrics } from '../lib/metrics.js'
import { parsePrometheusText, sampleValue } from '../lib/test-support/prometheus-text.js'
import { buildResponse } from '../sip/message/build.js'
import { parseMessage } from '../sip/message/parse.js'
import { serializeMessage } from '../sip/message/serialize.js'
import { RecordingCore } from '../sip/transaction/test-support/loop-stack.js'
import { TransactionLayer } from '../sip/transaction/layer.js'
import { LoopNetwork } from '../transport/loop.js'
import { TransportSet, type Transport } from '../transport/types.js'
import { OptionsChecker } from './options-checker.js'

type Mode = { answer: number } | 'silent'

/** Snapshot with the given routing gateways (id → host/port/optionsCheck) and check parameters. */
function snapshot(gws: Array<{ id: string; host?: string; port?: number; optionsCheck?: boolean; transport?: 'udp' | 'tcp' | 'tls' }>, params: Record<string, unknown> = {}): ConfigSnapshot {
  return buildSnapshot({
    version: 1, loadedAtMs: 0,
    parameters: Object.entries({ SS_SIP_OPTIONS_CHECK_PERIOD: 10, SS_OPTIONS_FAILURES_TO_OFFLINE: 2, SS_OPTIONS_SUCCESSES_TO_ONLINE: 2, ...params }).map(([name, value]) => ({ name, value })),
    accounts: [], mappingGateways: [], gatewayGroups: [],
    routingGateways: gws.map((g) => routingGatewayToRow(routingGatewayCreate.parse({ name: g.id, host: g.host ?? '127.0.0.2', port: g.port ?? 5070, optionsCheck: g.optionsCheck ?? true, transport: g.transport ?? 'udp' }), { id: g.id, nowMs: 1 })),
  })
}

/** Layer + checker on the loop network (10 ms one way), gateways as scripted peers answering OPTIONS by `mode`. */
function bench(random = () => 0.5) {
  const clock = new ManualClock()
  const net = new LoopNetwork({ clock, latencyMs: 10 })
  const metrics = new Metrics()
  const lines: Array<Record<string, unknown>> = []
  const log = createLogger({ sink: (l) => lines.push(JSON.parse(l) as Record<string, unknown>), now: () => clock.now() })
  const layer = new TransactionLayer({ clock, user: new RecordingCore(), metrics, timers: { T1: 500, T2: 4000, T4: 5000 } })
  const local = net.open(layer, '127.0.0.1', 5060)
  const modes = new Map<string, Mode>()
  const received = new Map<string, number>()
  const requests: string[] = []
  const peer = (host: string, port: number): void => {
    const key = `${host}:${port}`
    modes.set(key, { answer: 200 })
    const t = net.open({
      onMessage(buf, from) {
        const r = parseMessage(buf)
        if (!r.ok || !r.message.isRequest) return
        received.set(key, (received.get(key) ?? 0) + 1)
        requests.push(buf.toString('latin1'))
        const m = modes.get(key)!
        if (m !== 'silent') t.send(serializeMessage(buildResponse(r.message, m.answer)), from)
      },
    }, host, port)
  }
  const checker = new OptionsChecker({ clock, log, metrics, random })
  /** Advances `ms` in 50 ms steps, letting the checker's promises settle between steps. */
  const run = async (ms: number): Promise<void> => {
    for (let t = 0; t < ms; t += 50) {
      clock.advance(50)
      await new Promise((ok) => setImmediate(ok))
    }
  }
  return { clock, net, metrics, lines, layer, local, modes, received, requests, peer, checker, run }
}

describe('OptionsChecker', () => {
  it('keeps a gateway online while it answers, even with 404 or 503, and records RTT and last code', async () => {
    const b = bench()
    b.peer('127.0.0.2', 5070)
    b.checker.start(b.layer, b.local, snapshot([{ id: 'rg1' }]))
    await b.run(6_000)
    expect(b.received.get('127.0.0.2:5070')).toBe(1)
    expect(b.checker.view('rg1')).toMatchObject({ online: true, rttMs: 20, lossRatio: 0, lastCode: 200 })
    b.modes.set('127.0.0.2:5070', { answer: 404 })
    await b.run(10_000)
    b.modes.set('127.0.0.2:5070', { answer: 503 })
    await b.run(10_000)
    expect(b.checker.online.get('rg1')).toBe(true)
    expect(b.checker.view('rg1')?.lastCode).toBe(503)
  })

  it('goes offline after SS_OPTIONS_FAILURES_TO_OFFLINE checks unanswered for SS_OPTIONS_TIMEOUT, and back after SS_OPTIONS_SUCCESSES_TO_ONLINE answers', async () => {
    const b = bench()
    b.peer('127.0.0.2', 5070)
    b.modes.set('127.0.0.2:5070', 'silent')
    b.checker.start(b.layer, b.local, snapshot([{ id: 'rg1' }]))
    // checks at 5 s and 15 s each fail 5 s later (SS_OPTIONS_TIMEOUT, well before Timer F's 32 s): the second, offline, at 20 s
    await b.run(19_950)
    expect(b.checker.online.get('rg1')).toBe(true)
    await b.run(100)
    expect(b.checker.online.get('rg1')).toBe(false)
    expect(b.checker.view('rg1')?.lossRatio).toBe(1)
    expect(b.lines).toContainEqual(expect.objectContaining({ level: 'warn', msg: 'routing gateway offline: OPTIONS unanswered', routingGatewayId: 'rg1' }))
    b.modes.set('127.0.0.2:5070', { answer: 200 })
    // the checks at 25 s and 35 s are answered; late answers to the timed-out ones change nothing
    await b.run(14_900)
    expect(b.checker.online.get('rg1')).toBe(false)
    await b.run(100)
    expect(b.checker.online.get('rg1')).toBe(true)
    const fams = parsePrometheusText(await b.metrics.render())
    expect(sampleValue(fams, 'softswitch_gateway_state_changes_total', { state: 'offline' })).toBe(1)
    expect(sampleValue(fams, 'softswitch_gateway_state_changes_total', { state: 'online' })).toBe(1)
    expect(sampleValue(fams, 'softswitch_gateway_online', { gateway: 'rg1' })).toBe(1)
    expect(sampleValue(fams, 'softswitch_sip_options_rtt_seconds_count', { gateway: 'rg1' })).toBeGreaterThanOrEqual(2)
  })

  it('counts a transport error as a failed check', async () => {
    const b = bench()
    b.checker.start(b.layer, b.local, snapshot([{ id: 'rg1', host: '127.0.0.9' }], { SS_OPTIONS_FAILURES_TO_OFFLINE: 1 }))
    b.net.failSends(() => 'EHOSTUNREACH')
    await b.run(6_000)
    expect(b.checker.online.get('rg1')).toBe(false)
    expect(sampleValue(parsePrometheusText(await b.metrics.render()), 'softswitch_sip_options_checks_total', { result: 'transport' })).toBe(1)
  })

  it('checks on a fixed period after a random phase, without drift', async () => {
    const b = bench(() => 0.25)
    b.peer('127.0.0.2', 5070)
    b.checker.start(b.layer, b.local, snapshot([{ id: 'rg1' }]))
    // random 0.25: first check at 2.5 s, then at 12.5, 22.5, 32.5 s (the peer sees each 10 ms later)
    await b.run(32_500)
    expect(b.received.get('127.0.0.2:5070')).toBe(3)
    await b.run(50)
    expect(b.received.get('127.0.0.2:5070')).toBe(4)
  })

  it('takes a gateway that falls silent offline within failures x period + timeout (3 x 5 s + 5 s, default T1)', async () => {
    const b = bench(() => 0.25)
    b.peer('127.0.0.2', 5070)
    b.checker.start(b.layer, b.local, snapshot([{ id: 'rg1' }], { SS_SIP_OPTIONS_CHECK_PERIOD: 5, SS_OPTIONS_FAILURES_TO_OFFLINE: 3 }))
    // checks at 1.25, 6.25, 11.25... s; the one at 6.25 is answered, then the gateway dies (the worst moment to)
    await b.run(6_300)
    expect(b.checker.view('rg1')?.lastCode).toBe(200)
    b.modes.set('127.0.0.2:5070', 'silent')
    await b.run(19_900)
    expect(b.checker.online.get('rg1')).toBe(true)
    await b.run(100)
    expect(b.checker.online.get('rg1')).toBe(false)
  })

  it('checks a TCP gateway over the layer\'s TCP transport, naming it in the Request-URI', async () => {
    const b = bench()
    b.peer('127.0.0.2', 5070)
    // A loop endpoint presented as TCP stands for the node's stream transport: the answer still reaches the layer.
    const tcp: Transport = { protocol: 'TCP', reliable: true, local: b.local.local, send: (buf, r, l) => b.local.send(buf, r, l), close: () => Promise.resolve() }
    b.layer.useTransports(new TransportSet([b.local, tcp]))
    b.checker.start(b.layer, b.local, snapshot([{ id: 'rg1', transport: 'tcp' }, { id: 'rgTls', host: '127.0.0.3', transport: 'tls' }], { SS_OPTIONS_FAILURES_TO_OFFLINE: 1 }))
    await b.run(6_000)
    expect(b.requests[0]).toMatch(/^OPTIONS sip:127\.0\.0\.2:5070;transport=tcp SIP\/2\.0\r\nVia: SIP\/2\.0\/TCP /)
    expect(b.checker.view('rg1')).toMatchObject({ online: true, lastCode: 200 })
    // no TLS transport on this node: the TLS gateway cannot be reached, so it is offline
    expect(b.checker.online.get('rgTls')).toBe(false)
  })

  it('adds and removes gateways on a config swap without resetting the others', async () => {
    const b = bench()
    b.peer('127.0.0.2', 5070)
    b.peer('127.0.0.3', 5070)
    b.modes.set('127.0.0.2:5070', 'silent')
    b.checker.start(b.layer, b.local, snapshot([{ id: 'rg1' }, { id: 'rgOff', optionsCheck: false }], { SS_OPTIONS_FAILURES_TO_OFFLINE: 1 }))
    expect(b.checker.ids).toEqual(['rg1'])
    await b.run(37_100)
    expect(b.checker.online.get('rg1')).toBe(false)
    b.checker.apply(snapshot([{ id: 'rg1' }, { id: 'rg2', host: '127.0.0.3' }], { SS_OPTIONS_FAILURES_TO_OFFLINE: 1 }))
    expect(b.checker.online.get('rg1')).toBe(false)
    await b.run(6_000)
    expect(b.checker.view('rg2')).toMatchObject({ online: true, lastCode: 200 })
    b.checker.apply(snapshot([{ id: 'rg2', host: '127.0.0.3' }], { SS_OPTIONS_FAILURES_TO_OFFLINE: 1 }))
    expect(b.checker.online.has('rg1')).toBe(false)
    expect(await b.metrics.render()).not.toContain('gateway="rg1"')
  })

  it('runs a network test: count OPTIONS apart, with RTT min/avg/max and loss', async () => {
    const b = bench()
    b.peer('127.0.0.2', 5070)
    b.checker.start(b.layer, b.local, snapshot([]))
    let lost = 0
    b.net.drop((p) => p.to.address === '127.0.0.2' && lost++ === 1)
    const result = b.checker.networkTest({ host: '127.0.0.2', port: 5070 }, 3, 200)
    // the dropped request is retransmitted by Timer E at 500 ms and answered then
    await b.run(2_000)
    expect(await result).toEqual({ sent: 3, received: 3, lossRatio: 0, rttMs: { min: 20, avg: 187, max: 520 }, lastCode: 200 })
    b.modes.set('127.0.0.2:5070', 'silent')
    const silent = b.checker.networkTest({ host: '127.0.0.2', port: 5070 }, 2, 100)
    await b.run(33_000)
    expect(await silent).toEqual({ sent: 2, received: 0, lossRatio: 1, rttMs: null, lastCode: null })
  })
})
