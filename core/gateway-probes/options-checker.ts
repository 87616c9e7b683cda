// The OPTIONS online check: a non-INVITE client of the transaction layer per routing gateway with optionsCheck, over its transport, every SS_SIP_OPTIONS_CHECK_PERIOD from a random phase, failing after SS_OPTIONS_TIMEOUT, with hysteresis; policy reads it as GatewayHealth.
import { isIP } from 'node:net'
import type { RoutingGatewayRow } from '../../shared/entities/routing-gateway.js'
import type { ConfigSnapshot } from '../config/snapshot.js'
import type { Clock, TimerHandle } from '../lib/clock.js'
import type { Logger } from '../lib/log.js'
import type { Histogram, Metric, Metrics } from '../lib/metrics.js'
import type { SipResponse } from '../sip/message/message.js'
import type { TransactionLayer } from '../sip/transaction/layer.js'
import type { ClientTransaction, TransactionUser } from '../sip/transaction/types.js'
import type { RemoteAddr, Transport, TransportProtocol } from '../transport/types.js'
import { buildOptions, hostPort, summariseProbes, type NetworkTestResult } from './options-request.js'
import { ProbeState, type Hysteresis, type ProbeOutcome, type ProbeView } from './probe-state.js'

/** Options for the checker; `random` spreads the checks over the period (default Math.random). */
export interface OptionsCheckerOptions {
  clock: Clock
  log: Logger
  metrics: Metrics
  random?: () => number
}

/** Checks per gateway that may be unanswered at once (the period can be shorter than the timeout). */
const MAX_IN_FLIGHT = 4

/** One checked gateway: its address, state and timer. */
interface Checked {
  readonly id: string
  /** host:port, plus `;transport=` for TCP and TLS (the Request-URI; a change re-adds the gateway). */
  readonly target: string
  readonly protocol: TransportProtocol
  readonly remote: RemoteAddr
  readonly state: ProbeState
  timer: TimerHandle | null
  /** When the next check is due: checks sit on a fixed grid, so failures x period + timeout bounds the time to offline. */
  nextAtMs: number
  inFlight: number
}

/** The Via token of a gateway's transport. */
function protocolOf(g: Pick<RoutingGatewayRow, 'transport'>): TransportProtocol {
  return g.transport === 'tcp' ? 'TCP' : g.transport === 'tls' ? 'TLS' : 'UDP'
}

/** The Request-URI target of a gateway's OPTIONS (RFC 3263 §4.1: a stream transport is named in the URI). */
function targetOf(g: Pick<RoutingGatewayRow, 'host' | 'port' | 'transport'>): string {
  return hostPort(g.host, g.port) + (g.transport === 'udp' ? '' : ';transport=' + g.transport)
}

/** The address a gateway row resolves to (numeric hosts only; a name is used as is and fails as a transport error). */
function remoteOf(g: Pick<RoutingGatewayRow, 'host' | 'port'>): RemoteAddr {
  return { address: g.host, port: g.port, family: isIP(g.host) === 6 ? 'IPv6' : 'IPv4' }
}

/**
 * Sends one OPTIONS and resolves with its outcome: any final response is an answer; no answer within `timeoutMs` (or
 * Timer F, whichever comes first) or a transport error is not. A late answer after the timeout changes nothing.
 */
function probeOnce(layer: TransactionLayer, clock: Clock, transport: Transport, target: string, remote: RemoteAddr, timeoutMs: number): Promise<ProbeOutcome> {
  return new Promise((resolve) => {
    const local = transport.local
    const req = buildOptions(target, hostPort(local.address, local.port))
    layer.addVia(req, transport)
    const sentAt = clock.now()
    let timer: TimerHandle | null = null
    const done = (o: ProbeOutcome): void => {
      timer?.cancel()
      timer = null
      resolve(o)
    }
    timer = clock.after(timeoutMs, () => done({ ok: false, why: 'timeout' }))
    const user: TransactionUser = {
      onResponse(res: SipResponse, _tx: ClientTransaction) {
        // RFC 3261 §11.2: any final status means the host's SIP stack answered (even 404/405/503).
        if (res.status >= 200) done({ ok: true, rttMs: clock.now() - sentAt, status: res.status })
      },
      onTimeout: () => done({ ok: false, why: 'timeout' }),
      onTransportError: () => done({ ok: false, why: 'transport' }),
    }
    try {
      layer.sendRequest(req, transport, remote, user)
    } catch {
      done({ ok: false, why: 'transport' })
    }
  })
}

/** Periodic OPTIONS checks; `online` is the policy's GatewayHealth (missing = online). */
export class OptionsChecker {
  /** Online state of checked routing gateways (policy `GatewayHealth`); unchecked gateways are absent. */
  readonly online = new Map<string, boolean>()
  private readonly checked = new Map<string, Checked>()
  private readonly random: () => number
  private readonly onlineGauge: Metric
  private readonly checks: Metric
  private readonly changes: Metric
  private readonly rtt: Histogram
  private transport: Transport | null = null
  private layer: TransactionLayer | null = null
  private periodMs = 60_000
  private timeoutMs = 5_000
  private hysteresis: Hysteresis = { failuresToOffline: 3, successesToOnline: 2 }

  constructor(private readonly opts: OptionsCheckerOptions) {
    this.random = opts.random ?? Math.random
    const m = opts.metrics
    this.onlineGauge = m.gauge('gateway_online', 'Routing gateway online by OPTIONS check (1) or offline (0)', ['gateway'])
    this.checks = m.counter('sip_options_checks_total', 'OPTIONS checks by result', ['result'])
    this.changes = m.counter('gateway_state_changes_total', 'Routing gateways going online or offline', ['state'])
    this.rtt = m.histogram('sip_options_rtt_seconds', 'Round trip of answered OPTIONS checks', ['gateway'], [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5])
  }

  /** Starts checking through `layer` over `transport` with the gateways and params of `snapshot` (the policy may read `online` before). */
  start(layer: TransactionLayer, transport: Transport, snapshot: ConfigSnapshot): void {
    this.layer = layer
    this.transport = transport
    this.apply(snapshot)
  }

  /** A config swap: adds and removes gateways, keeps the state of the others (reset when the address changed). */
  apply(snapshot: ConfigSnapshot): void {
    const p = snapshot.params
    this.periodMs = p.SS_SIP_OPTIONS_CHECK_PERIOD * 1000
    this.timeoutMs = p.SS_OPTIONS_TIMEOUT * 1000
    this.hysteresis = { failuresToOffline: p.SS_OPTIONS_FAILURES_TO_OFFLINE, successesToOnline: p.SS_OPTIONS_SUCCESSES_TO_ONLINE }
    const wanted = new Map<string, Readonly<RoutingGatewayRow>>()
    // A dynamic gateway is checked by its registration (and kept reachable by the registrar's keep-alives).
    for (const g of snapshot.routingGateways.values()) if (g.optionsCheck && !g.dynamic) wanted.set(g.id, g)
    for (const [id, c] of this.checked) {
      const g = wanted.get(id)
      if (g === undefined || targetOf(g) !== c.target) this.forget(id)
    }
    for (const g of wanted.values()) if (!this.checked.has(g.id)) this.add(g)
  }

  /** The check state of a gateway (undefined when it is not checked). */
  view(id: string): ProbeView | undefined {
    return this.checked.get(id)?.state
  }

  /** Ids of the checked gateways. */
  get ids(): string[] {
    return [...this.checked.keys()]
  }

  /** On-demand network test: `count` OPTIONS `intervalMs` apart to the gateway's address, RTT and loss of those. */
  async networkTest(gateway: Pick<RoutingGatewayRow, 'host' | 'port'>, count: number, intervalMs: number): Promise<NetworkTestResult> {
    const transport = this.transport
    const layer = this.layer
    if (transport === null || layer === null) throw new Error('network test before the checker started')
    const target = hostPort(gateway.host, gateway.port)
    const remote = remoteOf(gateway)
    const probes: Promise<ProbeOutcome>[] = []
    for (let i = 0; i < count; i++) {
      if (i > 0) await new Promise<void>((ok) => this.opts.clock.after(intervalMs, ok))
      probes.push(probeOnce(layer, this.opts.clock, transport, target, remote, this.timeoutMs))
    }
    const outcomes = await Promise.all(probes)
    const rtts: number[] = []
    let lastCode: number | null = null
    for (const o of outcomes) {
      if (!o.ok) continue
      rtts.push(o.rttMs)
      lastCode = o.status
    }
    return summariseProbes(count, rtts, lastCode)
  }

  /** Stops every check (shutdown). */
  stop(): void {
    for (const id of [...this.checked.keys()]) this.forget(id)
    this.transport = null
    this.layer = null
  }

  private add(g: Readonly<RoutingGatewayRow>): void {
    // The first check comes within one period, at a random phase so a big table does not probe in one burst.
    const nextAtMs = this.opts.clock.now() + this.random() * this.periodMs
    const c: Checked = { id: g.id, target: targetOf(g), protocol: protocolOf(g), remote: remoteOf(g), state: new ProbeState(), timer: null, nextAtMs, inFlight: 0 }
    this.checked.set(g.id, c)
    this.online.set(g.id, true)
    this.onlineGauge.set(1, g.id)
    this.schedule(c)
  }

  private forget(id: string): void {
    const c = this.checked.get(id)
    if (c === undefined) return
    c.timer?.cancel()
    this.checked.delete(id)
    this.online.delete(id)
    this.onlineGauge.remove(id)
    this.rtt.remove(id)
  }

  private schedule(c: Checked): void {
    c.timer = this.opts.clock.after(Math.max(0, c.nextAtMs - this.opts.clock.now()), () => this.check(c))
  }

  /**
   * One periodic check; the next is scheduled at once, one period after this one was due. Checks overlap when the
   * period is shorter than the timeout, so a dead gateway goes offline within failures x period + timeout.
   */
  private check(c: Checked): void {
    if (this.checked.get(c.id) !== c) return
    c.nextAtMs = Math.max(c.nextAtMs + this.periodMs, this.opts.clock.now())
    this.schedule(c)
    const layer = this.layer
    const transport = this.transportFor(c.protocol)
    if (c.inFlight >= MAX_IN_FLIGHT || layer === null) return
    c.inFlight++
    if (transport === undefined) {
      // TLS to a gateway while the node has no certificate: nothing can answer, which is what offline means.
      this.record(c, { ok: false, why: 'transport' })
      return
    }
    probeOnce(layer, this.opts.clock, transport, c.target, c.remote, this.timeoutMs)
      .then((o) => this.record(c, o))
      .catch((err: unknown) => this.opts.log.error('OPTIONS check failed unexpectedly', { err, routingGatewayId: c.id }))
  }

  /** The layer's transport for `protocol`; UDP falls back to the one given to start (layers without a transport set). */
  private transportFor(protocol: TransportProtocol): Transport | undefined {
    return this.layer?.transports.get(protocol) ?? (protocol === 'UDP' ? this.transport ?? undefined : undefined)
  }

  private record(c: Checked, o: ProbeOutcome): void {
    c.inFlight--
    if (this.checked.get(c.id) !== c) return
    this.checks.labels(o.ok ? 'answered' : o.why).inc()
    if (o.ok) this.rtt.labels(c.id).observe(o.rttMs / 1000)
    const change = c.state.record(o, Math.floor(this.opts.clock.now()), this.hysteresis)
    if (change === null) return
    this.online.set(c.id, change === 'online')
    this.onlineGauge.set(change === 'online' ? 1 : 0, c.id)
    this.changes.labels(change).inc()
    const fields = { routingGatewayId: c.id, target: c.target, lossRatio: c.state.lossRatio, lastCode: c.state.lastCode }
    if (change === 'offline') this.opts.log.warn('routing gateway offline: OPTIONS unanswered', fields)
    else this.opts.log.info('routing gateway online again: OPTIONS answered', fields)
  }
}
