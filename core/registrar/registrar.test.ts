// Covers the registrar (RFC 3261 §10.3, §22) behind the real router and transaction layer on the loop network, with bindings in a real libSQL file: digest, 423, several contacts, unregister, ordering, expiry, restart and keep-alives.
import { afterEach, describe, expect, it } from 'vitest'
import { computeHa1 } from '../../shared/auth/digest-hash.js'
import { accountCreate, accountToRow } from '../../shared/entities/account.js'
import { mappingGatewayCreate, mappingGatewayToRow } from '../../shared/entities/mapping-gateway.js'
import { routingGatewayCreate, routingGatewayToRow } from '../../shared/entities/routing-gateway.js'
import { buildSnapshot, type ConfigSnapshot } from '../config/snapshot.js'
import { tempDatabase } from '../gateway-reports/test-support/database.js'
import { ManualClock } from '../lib/clock.js'
import { silentLogger } from '../lib/log.js'
import { Metrics } from '../lib/metrics.js'
import { DigestAuthenticator, digestResponse } from '../policy/digest.js'
import { parseAuthHeader } from '../sip/message/headers/auth.js'
import type { SipMessage, SipResponse } from '../sip/message/message.js'
import { parseMessage } from '../sip/message/parse.js'
import { TransactionLayer } from '../sip/transaction/layer.js'
import { RequestRouter } from '../sip/ua/router.js'
import { LoopNetwork } from '../transport/loop.js'
import { TransportSet, type RemoteAddr } from '../transport/types.js'
import { BindingTable } from './bindings.js'
import { Registrar } from './registrar.js'
import { BindingStore } from './store.js'

const REALM = 'softswitch'

function snapshot(params: Record<string, unknown> = {}): ConfigSnapshot {
  return buildSnapshot({
    version: 1, loadedAtMs: 0, gatewayGroups: [],
    parameters: Object.entries({ SS_REGISTER_MIN_EXPIRES: 60, SS_REGISTER_MAX_EXPIRES: 3600, SS_REGISTER_KEEPALIVE: 30, ...params }).map(([name, value]) => ({ name, value })),
    accounts: [accountToRow(accountCreate.parse({ name: 'acc1' }), { id: 'acc1', nowMs: 1 })],
    mappingGateways: [mappingGatewayToRow(mappingGatewayCreate.parse({ name: 'pbx', accountId: 'acc1', authMode: 'password', username: 'pbx', password: 'pw', dynamic: true }), { id: 'mgDyn', nowMs: 1, realm: REALM })],
    routingGateways: [routingGatewayToRow(routingGatewayCreate.parse({ name: 'vendor', dynamic: true, username: 'vendor', password: 'vpw' }), { id: 'rgDyn', nowMs: 1, realm: REALM })],
  })
}

interface Bench {
  clock: ManualClock
  net: LoopNetwork
  metrics: Metrics
  bindings: BindingTable
  registrar: Registrar
  store: BindingStore
  got: SipMessage[]
  peer: RemoteAddr
  /** Sends a REGISTER from the peer and returns the final answer (401 challenges are answered with credentials first when `password` is given). */
  register(o: RegisterOpts): Promise<SipResponse>
  restart(): Promise<{ registrar: Registrar; bindings: BindingTable; loaded: number }>
  dispose(): Promise<void>
}

interface RegisterOpts {
  user?: string
  password?: string
  contacts?: string[]
  expires?: number
  callId?: string
  cseq?: number
  toUser?: string
}

const disposers: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const d of disposers.splice(0)) await d()
})

async function bench(params: Record<string, unknown> = {}): Promise<Bench> {
  const { database, dispose } = await tempDatabase()
  const clock = new ManualClock(1_700_000_000_000)
  const net = new LoopNetwork({ clock })
  const metrics = new Metrics()
  const config = { current: snapshot(params) }
  const digest = new DigestAuthenticator()
  const router = new RequestRouter({ log: silentLogger, metrics })
  const layer = new TransactionLayer({ clock, user: router, metrics })
  const make = (bindings: BindingTable): Registrar => new Registrar({ config, bindings, store: new BindingStore(database.db, 'n1'), digest, clock, log: silentLogger, metrics })
  const bindings = new BindingTable(clock)
  const registrar = make(bindings)
  router.handle('REGISTER', registrar)
  const core = net.open(layer, '127.0.0.1', 5060)
  layer.useTransports(new TransportSet([core]))
  await registrar.start(layer)
  const got: SipMessage[] = []
  const peerT = net.open({
    onMessage(buf) {
      const r = parseMessage(buf)
      if (r.ok) got.push(r.message)
      // Keep-alive OPTIONS get their answer, as a gateway's stack would.
      if (r.ok && r.message.isRequest && r.message.method === 'OPTIONS') {
        const m = r.message
        const h = (n: string) => m.headers.first(n)
        peerT.send(Buffer.from(`SIP/2.0 200 OK\r\nVia: ${h('via')}\r\nFrom: ${h('from')}\r\nTo: ${h('to')};tag=p\r\nCall-ID: ${h('call-id')}\r\nCSeq: ${h('cseq')}\r\nContent-Length: 0\r\n\r\n`), core.local)
      }
    },
  }, '127.0.0.2', 5070)
  let branch = 0
  const settle = async (until: () => boolean): Promise<void> => {
    for (let i = 0; i < 200 && !until(); i++) {
      clock.flush()
      await new Promise((r) => setTimeout(r, 2))
    }
    expect(until()).toBe(true)
  }
  const send = async (o: RegisterOpts, authorization?: string): Promise<SipResponse> => {
    const before = got.length
    const contacts = o.contacts ?? ['<sip:pbx@127.0.0.2:5070>']
    const lines = [
      `REGISTER sip:127.0.0.1 SIP/2.0`, `Via: SIP/2.0/UDP 127.0.0.2:5070;branch=z9hG4bKreg${++branch};rport`, 'Max-Forwards: 70',
      `From: <sip:${o.toUser ?? o.user ?? 'pbx'}@127.0.0.1>;tag=r${branch}`, `To: <sip:${o.toUser ?? o.user ?? 'pbx'}@127.0.0.1>`,
      `Call-ID: ${o.callId ?? 'reg-1@127.0.0.2'}`, `CSeq: ${o.cseq ?? branch} REGISTER`,
      ...contacts.map((c) => `Contact: ${c}`), ...(o.expires === undefined ? [] : [`Expires: ${o.expires}`]),
      'User-Agent: TestPBX/1.0', ...(authorization === undefined ? [] : [`Authorization: ${authorization}`]), 'Content-Length: 0', '', '',
    ]
    peerT.send(Buffer.from(lines.join('\r\n')), core.local)
    await settle(() => got.slice(before).some((m) => !m.isRequest && m.status >= 200))
    return got.slice(before).find((m): m is SipResponse => !m.isRequest && m.status >= 200)!
  }
  const b: Bench = {
    clock, net, metrics, bindings, registrar, store: new BindingStore(database.db, 'n1'), got, peer: peerT.local,
    async register(o) {
      const first = await send(o)
      if (first.status !== 401 || o.password === undefined) return first
      const ch = parseAuthHeader(first.headers.first('www-authenticate')!)!
      const user = o.user ?? 'pbx'
      const nonce = ch.params.get('nonce')!
      const ha1 = computeHa1('MD5', user, REALM, o.password)
      const response = digestResponse('MD5', ha1, 'REGISTER', 'sip:127.0.0.1', nonce, '00000001', 'c0ffee')
      return send({ ...o, cseq: (o.cseq ?? branch + 1) + 0 }, `Digest username="${user}", realm="${REALM}", nonce="${nonce}", uri="sip:127.0.0.1", response="${response}", algorithm=MD5, qop=auth, nc=00000001, cnonce="c0ffee"`)
    },
    async restart() {
      registrar.stop()
      const fresh = new BindingTable(clock)
      const r = make(fresh)
      const loaded = await r.start(layer)
      disposers.push(async () => r.stop())
      return { registrar: r, bindings: fresh, loaded }
    },
    async dispose() {
      registrar.stop()
      await dispose()
    },
  }
  disposers.push(() => b.dispose())
  return b
}

const contactsOf = (res: SipResponse): string[] => res.headers.all('contact')

describe('Registrar', () => {
  it('challenges with 401 (MD5 first), then binds the contact from the REGISTER source and answers 200 with it, its expiry and a Date', async () => {
    const b = await bench()
    const first = await b.register({})
    expect(first.status).toBe(401)
    expect(first.headers.all('www-authenticate').map((v) => /algorithm=([\w-]+)/.exec(v)?.[1])).toEqual(['MD5', 'SHA-256'])
    const ok = await b.register({ password: 'pw' })
    expect(ok.status).toBe(200)
    expect(contactsOf(ok)).toEqual(['<sip:pbx@127.0.0.2:5070>;expires=3600'])
    expect(ok.headers.first('date')).toMatch(/GMT$/)
    expect(b.bindings.mappingGatewayAt(b.peer)).toBe('mgDyn')
    expect(b.bindings.mappingGatewayAt({ ...b.peer, port: 5071 })).toBeUndefined()
    const [row] = await b.store.load(b.clock.now())
    expect(row).toMatchObject({ kind: 'mapping', gatewayId: 'mgDyn', contact: 'sip:pbx@127.0.0.2:5070', userAgent: 'TestPBX/1.0', transport: 'udp', source: { address: '127.0.0.2', port: 5070 } })
    expect(b.metrics.get('policy_digest_total')?.get('ok')).toBe(1)
  })

  it('answers 423 with Min-Expires to a too brief interval, and caps a long one at the maximum', async () => {
    const b = await bench()
    const brief = await b.register({ password: 'pw', expires: 30 })
    expect(brief.status).toBe(423)
    expect(brief.headers.first('min-expires')).toBe('60')
    expect(b.bindings.live('mapping', 'mgDyn')).toEqual([])
    const long = await b.register({ password: 'pw', expires: 90_000 })
    expect(contactsOf(long)).toEqual(['<sip:pbx@127.0.0.2:5070>;expires=3600'])
  })

  it('keeps several contacts, removes one with expires=0 and all with *', async () => {
    const b = await bench()
    const two = await b.register({ password: 'pw', contacts: ['<sip:pbx@127.0.0.2:5070>;q=0.5', '<sip:pbx@127.0.0.2:5080>;expires=120;q=1'] })
    expect(contactsOf(two).sort()).toEqual(['<sip:pbx@127.0.0.2:5070>;expires=3600', '<sip:pbx@127.0.0.2:5080>;expires=120'])
    expect(b.bindings.live('mapping', 'mgDyn').map((x) => x.contact)).toEqual(['sip:pbx@127.0.0.2:5080', 'sip:pbx@127.0.0.2:5070'])
    const one = await b.register({ password: 'pw', contacts: ['<sip:pbx@127.0.0.2:5080>;expires=0'] })
    expect(contactsOf(one)).toEqual(['<sip:pbx@127.0.0.2:5070>;expires=3600'])
    expect((await b.register({ password: 'pw', contacts: ['*'] })).status).toBe(400)
    const none = await b.register({ password: 'pw', contacts: ['*'], expires: 0 })
    expect(none.status).toBe(200)
    expect(contactsOf(none)).toEqual([])
    expect(await b.store.load(b.clock.now())).toEqual([])
    expect(b.metrics.get('sip_registrations_total')?.get('removed')).toBe(1)
  })

  it('refuses an out-of-order REGISTER of the same Call-ID with 500 and lets a new Call-ID replace the binding', async () => {
    const b = await bench()
    expect((await b.register({ password: 'pw', callId: 'c1', cseq: 10 })).status).toBe(200)
    expect((await b.register({ password: 'pw', callId: 'c1', cseq: 5 })).status).toBe(500)
    expect((await b.register({ password: 'pw', callId: 'c2', cseq: 1 })).status).toBe(200)
    expect(b.bindings.live('mapping', 'mgDyn')[0]?.callId).toBe('c2')
  })

  it('answers a wrong password and a foreign address of record with 403, counting the digest failure as admission does', async () => {
    const b = await bench()
    expect((await b.register({ password: 'wrong' })).status).toBe(403)
    expect(b.metrics.get('policy_digest_total')?.get('failed')).toBe(1)
    expect((await b.register({ password: 'pw', toUser: 'someoneelse', user: 'pbx' })).status).toBe(403)
    expect(b.bindings.live('mapping', 'mgDyn')).toEqual([])
  })

  it('lets the binding expire: gone from memory and from the database', async () => {
    const b = await bench()
    await b.register({ password: 'pw', expires: 60 })
    b.clock.advance(59_000)
    expect(b.bindings.mappingGatewayAt(b.peer)).toBe('mgDyn')
    b.clock.advance(2_000)
    expect(b.bindings.mappingGatewayAt(b.peer)).toBeUndefined()
    for (let i = 0; i < 50 && b.metrics.get('sip_registrar_expired_total')?.get() !== 1; i++) await new Promise((r) => setTimeout(r, 5))
    expect(b.bindings.size).toBe(0)
    for (let i = 0; i < 50 && (await b.store.load(0)).length > 0; i++) await new Promise((r) => setTimeout(r, 5))
    expect(await b.store.load(0)).toEqual([])
  })

  it('restores stored bindings when the registrar starts again', async () => {
    const b = await bench()
    await b.register({ user: 'vendor', password: 'vpw', contacts: ['<sip:vendor@192.0.2.50:5090;transport=udp>'] })
    const { bindings, loaded } = await b.restart()
    expect(loaded).toBe(1)
    expect(bindings.registeredRouting.has('rgDyn')).toBe(true)
    // A dynamic routing gateway is named by its Contact and reached where it registered from (its NAT binding).
    expect(bindings.reach('rgDyn')).toEqual({ host: '192.0.2.50', port: 5090, transport: 'udp', nextHop: { address: '127.0.0.2', port: 5070, family: 'IPv4' } })
  })

  it('keeps the NAT binding open with an OPTIONS every SS_REGISTER_KEEPALIVE seconds', async () => {
    const b = await bench({ SS_REGISTER_KEEPALIVE: 20 })
    await b.register({ password: 'pw' })
    const options = (): number => b.got.filter((m) => m.isRequest && m.method === 'OPTIONS').length
    b.clock.advance(20_000)
    expect(options()).toBe(1)
    const ping = b.got.find((m) => m.isRequest && m.method === 'OPTIONS')
    expect(ping?.isRequest === true ? ping.uri : undefined).toBe('sip:pbx@127.0.0.2:5070')
    b.clock.advance(20_000)
    expect(options()).toBe(2)
    expect(b.metrics.get('sip_registrar_keepalives_total')?.get('udp')).toBe(2)
  })

  it('stores nothing and answers a query (no Contact) with the current bindings', async () => {
    const b = await bench()
    await b.register({ password: 'pw' })
    const q = await b.register({ password: 'pw', contacts: [] })
    expect(q.status).toBe(200)
    expect(contactsOf(q)).toEqual(['<sip:pbx@127.0.0.2:5070>;expires=3600'])
    expect(b.metrics.get('sip_registrations_total')?.get('query')).toBe(1)
  })
})
