// Test bench for the call layer: the B2BUA behind a real transaction layer on the loop transport and a manual clock, a scripted caller and gateways, a small real controller and a recording observer.
import { cdrCreate, type CdrCreate } from '../../../shared/entities/cdr.js'
import { systemParams, type SystemParams } from '../../../shared/params/system-params.js'
import { ManualClock } from '../../lib/clock.js'
import { silentLogger } from '../../lib/log.js'
import { Metrics } from '../../lib/metrics.js'
import type { MediaEnvironment } from '../../media/media-session.js'
import { buildAckForNon2xx, buildCancel, buildResponse, generateBranch } from '../../sip/message/build.js'
import { HeaderList } from '../../sip/message/header-list.js'
import { EMPTY_BODY, SipRequest, type SipMessage, type SipResponse } from '../../sip/message/message.js'
import { parseMessage } from '../../sip/message/parse.js'
import { serializeMessage } from '../../sip/message/serialize.js'
import { DEFAULT_VALIDATE_OPTIONS } from '../../sip/message/validate.js'
import { TransactionLayer } from '../../sip/transaction/layer.js'
import { OptionsAnswerer } from '../../sip/ua/options.js'
import { RequestRouter } from '../../sip/ua/router.js'
import { LoopNetwork, type LoopTransport } from '../../transport/loop.js'
import type { RemoteAddr } from '../../transport/types.js'
import { B2bua } from '../b2bua.js'
import type { AdmissionRequest, CallAnswer, CallController, CallObserver, CallSkeleton, Decision, RedirectContact, RouteDecision, RouteTarget } from '../ports.js'

export const SDP_A = 'v=0\r\no=a 1 1 IN IP4 127.0.0.2\r\ns=-\r\nc=IN IP4 127.0.0.2\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n'
export const SDP_B = 'v=0\r\no=b 1 1 IN IP4 127.0.0.3\r\ns=-\r\nc=IN IP4 127.0.0.3\r\nt=0 0\r\nm=audio 6000 RTP/AVP 0\r\n'

/** A route target on 127.0.0.x:5080 with the usual failover settings. */
export function target(id: string, host: string, o: Partial<RouteTarget> = {}): RouteTarget {
  return {
    routingGatewayId: id, priority: 1, matchedPrefix: '', protectRoute: false, calleeOut: '0049301234', callerOut: '100',
    host, port: 5080, transport: 'udp', switchUntilConnect: true, stopSwitchingCodes: [], mediaProxy: false, groupId: null, ...o,
  }
}

/** A real controller: one fixed route decision (or refusal) for every INVITE, counting lines as the policy would. */
export class FixedController implements CallController {
  acquired = 0
  releasedTargets = 0
  released = 0
  busy = new Set<string>()
  refusal: Decision | null = null
  admissions: AdmissionRequest[] = []
  /** Seconds the prepaid balance pays for at the answer (null = no money cap, as for unrated accounts). */
  paidSec: number | null = null
  /** Money per billed second written into `cost` (null = unrated); `events` records bill/release order. */
  costPerSec: number | null = null
  events: string[] = []
  /** SS_REDIRECT_MODE follow: the target a 3xx Contact becomes (null: not allowed); default: none allowed. */
  redirectTo: (c: RedirectContact, from: RouteTarget) => RouteTarget | null = () => null

  constructor(public targets: RouteTarget[], public params: SystemParams = systemParams.parse({}), public maxCallDurationSec = 0) {}

  admit(req: AdmissionRequest): Decision {
    this.admissions.push(req)
    if (this.refusal !== null) return this.refusal
    const self = this
    const d: RouteDecision = {
      kind: 'route', mappingGatewayId: 'mg1', accountId: 'acc1', caller: req.caller, callee: req.callee, params: this.params,
      maxCallDurationSec: this.maxCallDurationSec, mediaProxy: false, targets: this.targets, rejected: [],
      acquire(t) {
        if (self.busy.has(t.routingGatewayId)) return false
        self.acquired++
        return true
      },
      releaseTarget() {
        self.releasedTargets++
      },
      redirectTarget(c, from) {
        return self.redirectTo(c, from)
      },
      release() {
        self.released++
        self.events.push('release')
      },
      answered() {
        self.events.push('answered')
        return self.paidSec
      },
      bill(cdr) {
        self.events.push('bill')
        cdr.cost = self.costPerSec === null ? null : cdr.durationSec * self.costPerSec
      },
    }
    return d
  }
}

/** Records what the observer is told. */
export class RecordingObserver implements CallObserver {
  started: CallSkeleton[] = []
  answered: Array<{ id: string; answer: CallAnswer }> = []
  ended: CdrCreate[] = []
  /** CDRs that fail the shared schema (the sink would refuse them). */
  invalid: unknown[] = []
  onCallStarted(call: CallSkeleton): Promise<void> {
    this.started.push(call)
    return Promise.resolve()
  }
  onCallAnswered(id: string, answer: CallAnswer): Promise<void> {
    this.answered.push({ id, answer })
    return Promise.resolve()
  }
  onCallEnded(cdr: CdrCreate): Promise<void> {
    const r = cdrCreate.safeParse(cdr)
    if (!r.success) this.invalid.push(r.error.issues)
    this.ended.push(cdr)
    return Promise.resolve()
  }
}

/** An observer whose journal writes of starts and answers settle only when the test says, like a slow disk. */
export class HeldObserver extends RecordingObserver {
  private readonly waiting: Array<() => void> = []
  override onCallStarted(call: CallSkeleton): Promise<void> {
    void super.onCallStarted(call)
    return new Promise((ok) => this.waiting.push(ok))
  }
  override onCallAnswered(id: string, answer: CallAnswer): Promise<void> {
    void super.onCallAnswered(id, answer)
    return new Promise((ok) => this.waiting.push(ok))
  }
  /** Settles every write so far and lets the queued sends run. */
  async flush(): Promise<void> {
    for (const ok of this.waiting.splice(0)) ok()
    await new Promise((ok) => setImmediate(ok))
  }
}

/** A scripted SIP endpoint: records everything it receives and sends what the test builds. */
export class Peer {
  readonly got: Array<{ at: number; msg: SipMessage }> = []
  readonly t: LoopTransport
  private cseq = 1

  constructor(private readonly s: { net: LoopNetwork; clock: ManualClock; core: RemoteAddr }, readonly address: string, readonly port: number) {
    this.t = s.net.open({ onMessage: (buf: Buffer) => this.receive(buf) }, address, port)
  }

  private receive(buf: Buffer): void {
    const r = parseMessage(buf)
    if (!r.ok) throw new Error(`peer ${this.address} got unparseable bytes: ${r.error.message}`)
    this.got.push({ at: this.s.clock.now(), msg: r.message })
  }

  get contact(): string {
    return `<sip:peer@${this.address}:${this.port}>`
  }

  /** Sends a message to the core. */
  send(msg: SipMessage): void {
    this.t.send(serializeMessage(msg), this.s.core)
  }

  requests(method: string): SipRequest[] {
    return this.got.flatMap((g) => (g.msg.isRequest && g.msg.method === method ? [g.msg] : []))
  }

  responses(method?: string): SipResponse[] {
    return this.got.flatMap((g) => (!g.msg.isRequest && (method === undefined || g.msg.cseq?.method === method) ? [g.msg] : []))
  }

  /** Status codes received for `method`, in order. */
  statuses(method = 'INVITE'): number[] {
    return this.responses(method).map((r) => r.status)
  }

  /** The last request of `method` received. */
  last(method: string): SipRequest {
    const all = this.requests(method)
    const r = all[all.length - 1]
    if (r === undefined) throw new Error(`peer ${this.address} got no ${method}`)
    return r
  }

  /** Answers a received request (To tag `tag`, our Contact unless `headers` bring one, optional SDP). */
  reply(req: SipRequest, status: number, o: { tag?: string; sdp?: string; reason?: string; headers?: Array<[string, string]> } = {}): SipResponse {
    const body = o.sdp === undefined ? EMPTY_BODY : Buffer.from(o.sdp)
    const ownContact = status > 100 && !(o.headers ?? []).some(([n]) => n.toLowerCase() === 'contact')
    const res = buildResponse(req, status, {
      toTag: o.tag ?? 'gwtag', headers: [...(ownContact ? [['Contact', this.contact] as [string, string]] : []), ...(o.headers ?? [])], body, contentType: 'application/sdp', ...(o.reason === undefined ? {} : { reason: o.reason }),
    })
    this.send(res)
    return res
  }

  /** ACK for a non-2xx final to an INVITE this peer sent (RFC 3261 §17.1.1.3). */
  ackNon2xx(invite: SipRequest, res: SipResponse): void {
    this.send(buildAckForNon2xx(invite, res))
  }

  /** A new INVITE from this peer to the core (the caller). */
  invite(o: { sdp?: string | null; callId?: string; user?: string; maxForwards?: number; cseq?: number; headers?: Array<[string, string]> } = {}): SipRequest {
    const h = new HeaderList()
    h.append('via', `SIP/2.0/UDP ${this.address}:${this.port};branch=${generateBranch()};rport`)
    h.append('max-forwards', String(o.maxForwards ?? 70))
    h.append('from', `<sip:${o.user ?? '5551000'}@${this.address}>;tag=calltag`)
    h.append('to', '<sip:0049301234@127.0.0.1>')
    h.append('call-id', o.callId ?? 'a-call-1@127.0.0.2')
    h.append('cseq', `${o.cseq ?? 1} INVITE`)
    h.append('contact', this.contact)
    for (const [n, v] of o.headers ?? []) h.append(n, v)
    const sdp = o.sdp === undefined ? SDP_A : o.sdp
    if (sdp !== null) h.append('content-type', 'application/sdp')
    const req = new SipRequest('INVITE', 'sip:0049301234@127.0.0.1:5060', h, sdp === null ? EMPTY_BODY : Buffer.from(sdp))
    this.send(req)
    return req
  }

  /** CANCEL for an INVITE this peer sent (RFC 3261 §9.1). */
  cancel(invite: SipRequest): void {
    this.send(buildCancel(invite))
  }

  /**
   * A request in the dialog that `req`/`res` formed: as the UAC (`res` answered our `req`) or as the UAS (we answered
   * `req` with `res`). ACK reuses the INVITE's CSeq number.
   */
  inDialog(method: string, d: { req: SipRequest; res: SipResponse; asUac: boolean }, o: { sdp?: string; cseq?: number; headers?: Array<[string, string]> } = {}): SipRequest {
    const h = new HeaderList()
    h.append('via', `SIP/2.0/UDP ${this.address}:${this.port};branch=${generateBranch()};rport`)
    h.append('max-forwards', '70')
    const from = d.asUac ? d.req.headers.first('from')! : d.res.headers.first('to')!
    const to = d.asUac ? d.res.headers.first('to')! : d.req.headers.first('from')!
    h.append('from', from)
    h.append('to', to)
    h.append('call-id', d.req.callId!)
    const seq = method === 'ACK' ? d.req.cseq!.seq : (o.cseq ?? ++this.cseq + (d.asUac ? d.req.cseq!.seq : 0))
    h.append('cseq', `${seq} ${method}`)
    if (method !== 'ACK' && method !== 'BYE') h.append('contact', this.contact)
    for (const [n, v] of o.headers ?? []) h.append(n, v)
    const target = d.asUac ? d.res.contact!.uri : d.req.contact!.uri
    if (o.sdp !== undefined) h.append('content-type', 'application/sdp')
    const out = new SipRequest(method, target, h, o.sdp === undefined ? EMPTY_BODY : Buffer.from(o.sdp))
    this.send(out)
    return out
  }
}

/** The whole bench: core on 127.0.0.1:5060, caller on 127.0.0.2:5070, gateways gw1..gw3 on 127.0.0.3-5:5080. */
export function callBench(
  targets?: RouteTarget[], params: Partial<SystemParams> = {}, opts: { media?: MediaEnvironment; clock?: ManualClock; journalBarrier?: boolean; observer?: RecordingObserver } = {},
) {
  // A fractional start, as SystemClock (timeOrigin + performance.now()) gives: CDR times must still be integers.
  const clock = opts.clock ?? new ManualClock(1_700_000_000_000.25)
  const net = new LoopNetwork({ clock })
  const metrics = new Metrics()
  const controller = new FixedController(targets ?? [target('gw1', '127.0.0.3'), target('gw2', '127.0.0.4'), target('gw3', '127.0.0.5')], systemParams.parse(params))
  const observer = opts.observer ?? new RecordingObserver()
  let ids = 0
  const b2bua = new B2bua({
    log: silentLogger, metrics, supported: DEFAULT_VALIDATE_OPTIONS.supported, controller, observer, nodeId: 'test-node', newCdrId: () => `cdr-${++ids}`,
    journalBarrier: opts.journalBarrier ?? false,
    ...(opts.media === undefined ? {} : { media: opts.media }),
  })
  const router = new RequestRouter({ log: silentLogger, metrics })
  b2bua.register(router)
  router.handle('OPTIONS', new OptionsAnswerer({ allow: () => router.allow, supported: DEFAULT_VALIDATE_OPTIONS.supported, accept: ['application/sdp'] }))
  const layer = new TransactionLayer({ clock, user: router, metrics, autoTrying: false, validate: { localHosts: ['127.0.0.1'] } })
  b2bua.attach(layer)
  const coreT = net.open(layer, '127.0.0.1', 5060)
  const env = { net, clock, core: coreT.local }
  const caller = new Peer(env, '127.0.0.2', 5070)
  const gw1 = new Peer(env, '127.0.0.3', 5080)
  const gw2 = new Peer(env, '127.0.0.4', 5080)
  const gw3 = new Peer(env, '127.0.0.5', 5080)
  const settle = (ms = 0): void => clock.advance(ms)
  /** Caller INVITE -> gw1 (or `gw`) 180 then 200 with SDP -> caller ACK: a connected call and both dialogs' messages. */
  const connect = (gw: Peer = gw1, o: { sdp?: string | null; headers?: Array<[string, string]>; okHeaders?: Array<[string, string]> } = {}) => {
    const invite = caller.invite(o)
    settle()
    const bInvite = gw.last('INVITE')
    gw.reply(bInvite, 180)
    settle()
    const bOk = gw.reply(bInvite, 200, { sdp: SDP_B, ...(o.okHeaders === undefined ? {} : { headers: o.okHeaders }) })
    settle()
    const ok = caller.responses('INVITE').find((r) => r.status === 200)!
    const ack = caller.inDialog('ACK', { req: invite, res: ok, asUac: true }, o.sdp === null ? { sdp: SDP_A } : {})
    settle()
    return { invite, bInvite, bOk, ok, ack, a: { req: invite, res: ok, asUac: true }, b: { req: bInvite, res: bOk, asUac: false } }
  }
  /** The caller sends BYE on the connected call `c` and gw1 answers it 200: the call ends as CallerHangup. */
  const hangUp = (c: ReturnType<typeof connect>): void => {
    caller.inDialog('BYE', c.a)
    settle()
    gw1.reply(gw1.last('BYE'), 200)
    settle()
  }
  /** Everything the scenario left behind, all expected to be zero after the quiet period. */
  const leftovers = () => {
    clock.advance(40_000)
    return { calls: b2bua.activeCalls, transactions: layer.size, timers: clock.pending, userErrors: net.userErrors.length, lines: controller.acquired - controller.releasedTargets, invalidCdrs: observer.invalid.length }
  }
  return { clock, net, metrics, controller, observer, b2bua, router, layer, caller, gw1, gw2, gw3, settle, connect, hangUp, leftovers }
}

/** What `leftovers()` returns when nothing leaked. */
export const CLEAN = { calls: 0, transactions: 0, timers: 0, userErrors: 0, lines: 0, invalidCdrs: 0 }
