// The registrar (RFC 3261 §10.3): REGISTER handler of the request router for password gateways (digest, 401), with Expires/Min-Expires (423), unregister, several contacts, Call-ID/CSeq ordering, bindings persisted before the 200, expiry and NAT keep-alives.
import { randomUUID } from 'node:crypto'
import type { GatewayKind } from '../../shared/entities/enums.js'
import { sipTransport } from '../call/ports.js'
import type { SnapshotSource } from '../policy/controller.js'
import type { ConfigSnapshot } from '../config/snapshot.js'
import type { Clock, TimerHandle } from '../lib/clock.js'
import type { Logger } from '../lib/log.js'
import type { CounterSeries, Metric, Metrics } from '../lib/metrics.js'
import { buildOptions, hostPort } from '../gateway-probes/options-request.js'
import type { DigestAuthenticator, DigestSecret } from '../policy/digest.js'
import type { AuthRefusalObserver } from '../policy/guard/auth-refusals.js'
import { buildResponse, generateTag } from '../sip/message/build.js'
import { isSipUri, parseUri } from '../sip/message/headers/uri.js'
import type { NameAddr, SipRequest } from '../sip/message/message.js'
import type { TransactionLayer } from '../sip/transaction/layer.js'
import type { ServerTransaction, TransactionUser } from '../sip/transaction/types.js'
import type { RequestHandler } from '../sip/ua/router.js'
import type { Binding, BindingTable } from './bindings.js'
import type { BindingStorage } from './store.js'

/** Contacts one gateway may keep registered at once: a gateway and its standby, a few SBC legs; a flood is refused. */
export const MAX_CONTACTS = 10

/** How often expired bindings are dropped (and failed writes retried). */
const SWEEP_MS = 1000

/** Options for the registrar. */
export interface RegistrarOptions {
  config: SnapshotSource
  bindings: BindingTable
  store: BindingStorage
  /** Shared with admission, so both issue and check nonces alike. */
  digest: DigestAuthenticator
  /** Told of every refused REGISTER digest (the ban logic counts them with refused INVITEs). */
  refusals?: AuthRefusalObserver
  clock: Clock
  log: Logger
  metrics: Metrics
}

/** A gateway that may register: found by its digest username in either gateway table. */
interface Account extends DigestSecret {
  readonly kind: GatewayKind
  readonly id: string
  readonly username: string
}

function accountOf(snapshot: ConfigSnapshot, username: string): Account | undefined {
  const m = snapshot.mappingGatewaysByUsername.get(username)
  if (m !== undefined) return { kind: 'mapping', id: m.id, username, digestRealm: m.digestRealm, ha1Md5: m.ha1Md5, ha1Sha256: m.ha1Sha256 }
  const r = snapshot.routingGatewaysByUsername.get(username)
  if (r !== undefined) return { kind: 'routing', id: r.id, username, digestRealm: r.digestRealm, ha1Md5: r.ha1Md5, ha1Sha256: r.ha1Sha256 }
  return undefined
}

/** A REGISTER the registrar refuses, as the status and what to say. */
class Refusal {
  constructor(readonly status: number, readonly reason: string, readonly result: string, readonly headers: ReadonlyArray<readonly [string, string]> = []) {}
}

/** Delta-seconds (RFC 3261 §25.1) or undefined when malformed. */
function deltaSeconds(v: string | null | undefined): number | undefined {
  if (v === null || v === undefined || !/^\d{1,10}$/.test(v)) return undefined
  return Number(v)
}

/** A Contact q value 0..1 (RFC 3261 §20.10), null when absent, undefined when malformed. */
function qValue(v: string | null | undefined): number | null | undefined {
  if (v === undefined) return null
  if (v === null || !/^(0(\.\d{0,3})?|1(\.0{0,3})?)$/.test(v)) return undefined
  return Number(v)
}

/** The REGISTER handler and the life of the bindings it makes. */
export class Registrar implements RequestHandler {
  private readonly results: Metric
  private readonly digestOutcomes: Metric
  private readonly keepalives: Metric
  private readonly expired: CounterSeries
  private readonly writeErrors: CounterSeries
  /** Gateways whose rows could not be written; rewritten on the next sweep. */
  private readonly dirty = new Map<string, { kind: GatewayKind; id: string }>()
  /** Per gateway, the write in progress (writes of one gateway happen in order). */
  private readonly writing = new Map<string, Promise<void>>()
  private sweepTimer: TimerHandle | null = null
  private keepaliveTimer: TimerHandle | null = null
  private layer: TransactionLayer | null = null

  constructor(private readonly opts: RegistrarOptions) {
    const m = opts.metrics
    this.results = m.counter('sip_registrations_total', 'REGISTER requests by result (ok, removed, query, challenged, failed, refused...)', ['result'])
    // The digest outcome counter admission uses: failed REGISTERs count with failed INVITEs.
    this.digestOutcomes = m.counter('policy_digest_total', 'digest checks by outcome', ['outcome'])
    this.keepalives = m.counter('sip_registrar_keepalives_total', 'NAT keep-alives sent to registered contacts, by transport', ['transport'])
    this.expired = m.counter('sip_registrar_expired_total', 'Bindings that expired without a refresh').labels()
    this.writeErrors = m.counter('sip_registrar_write_errors_total', 'Binding writes to the database that failed (retried)').labels()
    m.gauge('sip_registrar_bindings', 'Bindings held (registered contacts)', [], () => opts.bindings.size)
  }

  /** Loads the stored bindings (a restart keeps registrations) and starts expiry and keep-alives through `layer`. */
  async start(layer: TransactionLayer): Promise<number> {
    this.layer = layer
    const now = this.opts.clock.now()
    const loaded = await this.opts.store.load(now)
    const byGateway = new Map<string, Binding[]>()
    for (const b of loaded) {
      const k = b.kind + '|' + b.gatewayId
      byGateway.set(k, [...(byGateway.get(k) ?? []), b])
    }
    for (const list of byGateway.values()) this.opts.bindings.set(list[0]!.kind, list[0]!.gatewayId, list)
    this.sweepTimer = this.opts.clock.after(SWEEP_MS, () => this.sweep())
    this.scheduleKeepalive()
    return loaded.length
  }

  /** Stops the timers (shutdown); bindings stay in the database. */
  stop(): void {
    this.sweepTimer?.cancel()
    this.sweepTimer = null
    this.keepaliveTimer?.cancel()
    this.keepaliveTimer = null
    this.layer = null
  }

  /** A new REGISTER: answered once its bindings are stored. */
  onRequest(req: SipRequest, tx: ServerTransaction): void {
    this.register(req, tx).catch((err: unknown) => {
      this.opts.log.error('REGISTER failed', { err, callId: req.callId })
      if (tx.state === 'trying' || tx.state === 'proceeding') tx.respond(buildResponse(req, 500, { toTag: generateTag() }))
    })
  }

  private async register(req: SipRequest, tx: ServerTransaction): Promise<void> {
    const snapshot = this.opts.config.current
    const p = snapshot.params
    const now = this.opts.clock.now()
    const realm = p.SS_AUTH_REALM
    // RFC 3261 §10.3 steps 4-5: a registrar authenticates (401 WWW-Authenticate, §22.1).
    const outcome = this.opts.digest.verifyAgainst(req, (u) => accountOf(snapshot, u), realm, now, p.SS_AUTH_NONCE_TTL * 1000)
    if (outcome.kind === 'challenge') {
      this.digestOutcomes.inc(1, outcome.stale ? 'stale' : 'challenge')
      this.results.inc(1, 'challenged')
      const headers = this.opts.digest.challengeHeaders(401, realm, now, outcome.stale, p.SS_AUTH_DIGEST_FIRST)
      tx.respond(buildResponse(req, 401, { toTag: generateTag(), headers }))
      return
    }
    if (outcome.kind === 'failed') {
      this.digestOutcomes.inc(1, 'failed')
      const known = outcome.gateway
      this.opts.refusals?.onAuthRefused({
        atMs: now, sourceIp: tx.source.address, sourcePort: tx.source.port,
        reason: outcome.why === 'malformed' ? 'bad_credentials' : known === null ? 'unknown_user' : 'wrong_password',
        mappingGatewayId: known?.kind === 'mapping' ? known.id : null, username: known?.username ?? null,
      })
      return this.refuse(req, tx, new Refusal(403, 'Forbidden', 'failed'))
    }
    this.digestOutcomes.inc(1, 'ok')
    const account = outcome.gateway
    let next: Binding[]
    try {
      next = this.apply(req, tx, account, now, p.SS_REGISTER_MIN_EXPIRES, p.SS_REGISTER_MAX_EXPIRES)
    } catch (err) {
      if (err instanceof Refusal) return this.refuse(req, tx, err)
      throw err
    }
    const before = this.opts.bindings.live(account.kind, account.id)
    const changed = req.contactIsStar || (req.contacts?.length ?? 0) > 0
    if (changed) {
      this.opts.bindings.set(account.kind, account.id, next)
      await this.persist(account.kind, account.id)
      if (before.length === 0 && next.length > 0) this.opts.log.info('gateway registered', { kind: account.kind, gatewayId: account.id, contact: next[0]!.contact, source: `${tx.source.address}:${tx.source.port}` })
      if (before.length > 0 && next.length === 0) this.opts.log.info('gateway unregistered', { kind: account.kind, gatewayId: account.id })
    }
    this.results.inc(1, !changed ? 'query' : next.length === 0 ? 'removed' : 'ok')
    // RFC 3261 §10.3 step 8: the 200 lists every current binding with its remaining time, and a Date.
    const headers: Array<readonly [string, string]> = next.map((b) => ['Contact', `<${b.contact}>;expires=${Math.max(0, Math.round((b.expiresAtMs - now) / 1000))}`] as const)
    headers.push(['Date', new Date(now).toUTCString()])
    tx.respond(buildResponse(req, 200, { toTag: generateTag(), headers }))
  }

  /**
   * RFC 3261 §10.3 steps 6-7: the bindings the REGISTER leaves (only the account's own address of record may change),
   * or a Refusal. Nothing is changed here; the caller stores the result.
   */
  private apply(req: SipRequest, tx: ServerTransaction, account: Account, now: number, minExpires: number, maxExpires: number): Binding[] {
    const to = req.to?.uri
    const toUri = to === undefined ? undefined : parseUri(to)
    if (toUri === undefined || !isSipUri(toUri) || toUri.user !== account.username) {
      throw new Refusal(403, 'Forbidden', 'refused-aor')
    }
    const current = this.opts.bindings.live(account.kind, account.id)
    const callId = req.callId ?? ''
    const cseq = req.cseq?.seq ?? 0
    const headerExpires = req.headers.first('expires')
    const defaultExpires = headerExpires === undefined ? maxExpires : deltaSeconds(headerExpires)
    if (defaultExpires === undefined) throw new Refusal(400, 'Bad Expires', 'bad')
    if (req.contactIsStar) {
      // RFC 3261 §10.2.2 / §10.3 step 6: "*" only with Expires: 0 and no other Contact; it removes every binding.
      if (defaultExpires !== 0 || req.headers.all('contact').length !== 1) throw new Refusal(400, 'Invalid Contact *', 'bad')
      for (const b of current) if (b.callId === callId && cseq <= b.cseq) throw new Refusal(500, 'Out of Order', 'out-of-order')
      return []
    }
    const contacts: NameAddr[] | undefined = req.contacts
    if (contacts === undefined) throw new Refusal(400, 'Bad Contact', 'bad')
    const next = new Map(current.map((b) => [b.contact, b]))
    const userAgent = req.headers.first('user-agent')?.slice(0, 256) ?? null
    for (const c of contacts) {
      const u = parseUri(c.uri)
      if (u === undefined || !isSipUri(u)) throw new Refusal(400, 'Contact Not A SIP URI', 'bad')
      const asked = c.params.has('expires') ? deltaSeconds(c.params.get('expires')) : defaultExpires
      const q = qValue(c.params.get('q'))
      if (asked === undefined || q === undefined) throw new Refusal(400, 'Bad Contact Parameter', 'bad')
      // RFC 3261 §10.3 step 7: a non-zero interval below the minimum gets 423 with Min-Expires.
      if (asked > 0 && asked < minExpires) throw new Refusal(423, 'Interval Too Brief', 'too-brief', [['Min-Expires', String(minExpires)]])
      const existing = next.get(c.uri)
      if (existing !== undefined && existing.callId === callId && cseq <= existing.cseq) throw new Refusal(500, 'Out of Order', 'out-of-order')
      if (asked === 0) {
        next.delete(c.uri)
        continue
      }
      next.set(c.uri, {
        id: existing?.id ?? randomUUID(), kind: account.kind, gatewayId: account.id, aor: to!, contact: c.uri, q,
        expiresAtMs: now + Math.min(asked, maxExpires) * 1000, callId, cseq, userAgent, source: tx.source,
        transport: sipTransport(tx.transport), registeredAtMs: existing?.registeredAtMs ?? now, updatedAtMs: now,
      })
    }
    if (next.size > MAX_CONTACTS) throw new Refusal(403, 'Too Many Contacts', 'too-many')
    return [...next.values()]
  }

  private refuse(req: SipRequest, tx: ServerTransaction, r: Refusal): void {
    this.results.inc(1, r.result)
    tx.respond(buildResponse(req, r.status, { reason: r.reason, toTag: generateTag(), headers: r.headers }))
  }

  /** Writes the gateway's bindings as they are now, after any write of the same gateway still running. */
  private persist(kind: GatewayKind, id: string): Promise<void> {
    const key = kind + '|' + id
    const write = (this.writing.get(key) ?? Promise.resolve()).then(async () => {
      try {
        await this.opts.store.replace(kind, id, this.opts.bindings.live(kind, id))
        this.dirty.delete(key)
      } catch (err) {
        // The 200 still goes out (the binding works in memory); the sweep writes it again until the database takes it.
        this.writeErrors.inc()
        this.dirty.set(key, { kind, id })
        this.opts.log.error('binding not stored; retrying', { err, kind, gatewayId: id })
      }
    })
    this.writing.set(key, write)
    void write.then(() => {
      if (this.writing.get(key) === write) this.writing.delete(key)
    })
    return write
  }

  /** Drops expired bindings (deleting their rows) and retries failed writes. */
  private sweep(): void {
    this.sweepTimer = this.opts.clock.after(SWEEP_MS, () => this.sweep())
    const gone = this.opts.bindings.sweep()
    if (gone.length > 0) {
      this.expired.inc(gone.length)
      for (const b of gone) this.opts.log.info('binding expired', { kind: b.kind, gatewayId: b.gatewayId, contact: b.contact })
      this.opts.store.delete(gone.map((b) => b.id)).catch((err: unknown) => this.opts.log.warn('expired bindings not deleted (they are ignored on load)', { err }))
    }
    for (const { kind, id } of [...this.dirty.values()]) void this.persist(kind, id)
  }

  private scheduleKeepalive(): void {
    const sec = this.opts.config.current.params.SS_REGISTER_KEEPALIVE
    // Re-read every 5 s while off, so turning it on takes effect without a restart.
    this.keepaliveTimer = this.opts.clock.after(sec === 0 ? 5_000 : sec * 1000, () => {
      if (sec > 0) this.keepAlive()
      this.scheduleKeepalive()
    })
  }

  /**
   * NAT keep-alive to every binding's source: a CRLFCRLF ping on its TCP/TLS connection (RFC 5626 §3.5.1), an OPTIONS
   * over UDP (which every gateway answers, and whose answer refreshes the NAT mapping both ways).
   */
  private keepAlive(): void {
    const layer = this.layer
    if (layer === null) return
    for (const b of this.opts.bindings.all()) {
      const t = layer.transports.get(b.transport === 'tcp' ? 'TCP' : b.transport === 'tls' ? 'TLS' : 'UDP')
      if (t === undefined) continue
      if (t.reliable) {
        if (t.hasFlow?.(b.source) !== true) continue
        t.send(Buffer.from('\r\n\r\n'), b.source)
      } else {
        const target = b.contact.replace(/^sips?:/i, '')
        const req = buildOptions(target, hostPort(t.local.address, t.local.port))
        layer.addVia(req, t)
        try {
          layer.sendRequest(req, t, b.source, IGNORE)
        } catch (err) {
          this.opts.log.warn('keep-alive OPTIONS not sent', { err, gatewayId: b.gatewayId })
          continue
        }
      }
      this.keepalives.inc(1, b.transport)
    }
  }
}

/** Keep-alive OPTIONS need no answer: their purpose is the packet. */
const IGNORE: TransactionUser = { onResponse: () => {}, onTimeout: () => {}, onTransportError: () => {} }
