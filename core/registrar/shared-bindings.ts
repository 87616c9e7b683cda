// Registration bindings shared by core nodes through Redis (the shared entries bans use too): each node publishes its customer gateways' bindings with their expiry and mirrors the other nodes', so a registered customer gateway's calls are admitted on any node.
import type { GatewayKind } from '../../shared/entities/enums.js'
import type { Clock, TimerHandle } from '../lib/clock.js'
import type { Logger } from '../lib/log.js'
import type { GatewayReach, RegisteredGateways } from '../policy/registered.js'
import type { SharedState } from '../shared-state/shared-state.js'
import type { RemoteAddr } from '../transport/types.js'
import { BindingTable, NodeRegistrations, type Binding } from './bindings.js'
import type { BindingStorage } from './store.js'

/** What shared bindings need of the node's link to Redis (shared-state.ts). */
export type BindingsLink = Pick<SharedState, 'nodeId' | 'putEntry' | 'readEntries' | 'gen'>

/** Entry name of a customer (mapping) gateway's bindings. */
const PREFIX = 'reg mapping '

/** What a node publishes for one gateway: its bindings now (none = unregistered). */
interface Published {
  readonly node: string
  readonly bindings: Binding[]
}

/** An unregistration stays readable at least this long, so every node's next poll sees it. */
const MIN_ENTRY_MS = 10_000

/** Options of SharedBindings beyond its parts. */
export interface SharedBindingsOptions {
  /** Period of the read of other nodes' entries (default 1 s). */
  pollMs?: number
  /** Another node's bindings of a customer gateway were read (a primary passes them to its workers). */
  onRemote?: (gatewayId: string, bindings: readonly Binding[]) => void
}

/**
 * The registrar's storage (the database as before, then Redis after each change of a customer gateway) and
 * admission's view of registrations (NodeRegistrations): this node's own bindings first, then those other nodes
 * published, read every `pollMs`. While Redis is down the mirror keeps what it last read (each binding until its own
 * expiry); after a reconnect (Redis may have restarted empty) the node reads every entry again and publishes its own
 * bindings again.
 */
export class SharedBindings implements RegisteredGateways, BindingStorage {
  private readonly remote: BindingTable
  private readonly view: NodeRegistrations
  private readonly pollMs: number
  /** Latest expiry this node published per gateway: an unregistration must outlive what others may still hold. */
  private readonly publishedUntil = new Map<string, number>()
  private seq = 0
  private gen = -1
  private timer: TimerHandle | null = null
  private stopped = false
  readonly registeredRouting: Pick<ReadonlySet<string>, 'has'>

  constructor(
    private readonly local: BindingTable, private readonly store: BindingStorage, private readonly link: BindingsLink,
    private readonly clock: Clock, private readonly log: Logger, private readonly opts: SharedBindingsOptions = {},
  ) {
    this.remote = new BindingTable(clock)
    this.view = new NodeRegistrations(local, this.remote)
    this.registeredRouting = this.view.registeredRouting
    this.pollMs = opts.pollMs ?? 1_000
  }

  /** Other nodes' live bindings of customer gateways (what a starting worker is given). */
  remoteBindings(): Binding[] {
    return this.remote.all()
  }

  load(nowMs: number): Promise<Binding[]> {
    return this.store.load(nowMs)
  }

  /** Stores a gateway's bindings in the database, then publishes a customer gateway's (a failed write goes again after a reconnect). */
  async replace(kind: GatewayKind, gatewayId: string, bindings: readonly Binding[]): Promise<void> {
    await this.store.replace(kind, gatewayId, bindings)
    if (kind === 'mapping') await this.publish(gatewayId, bindings)
  }

  delete(ids: readonly string[]): Promise<void> {
    return this.store.delete(ids)
  }

  mappingGatewayAt(source: RemoteAddr): string | undefined {
    return this.view.mappingGatewayAt(source)
  }

  reach(routingGatewayId: string): GatewayReach | undefined {
    return this.view.reach(routingGatewayId)
  }

  /** Starts polling. */
  start(): void {
    const tick = (): void => {
      if (this.stopped) return
      this.timer = this.clock.after(this.pollMs, () => {
        this.timer = null
        this.poll().catch((err: unknown) => this.log.warn('shared registrations poll failed', { err })).finally(tick)
      })
    }
    tick()
  }

  stop(): void {
    this.stopped = true
    this.timer?.cancel()
    this.timer = null
  }

  /** One poll: after a reconnect this node's bindings again and every entry, else what others wrote since. */
  async poll(): Promise<void> {
    if (this.link.gen !== this.gen) {
      this.gen = this.link.gen
      this.seq = 0
      const mine = new Map<string, Binding[]>()
      for (const b of this.local.all()) if (b.kind === 'mapping') mine.set(b.gatewayId, [...(mine.get(b.gatewayId) ?? []), b])
      for (const [id, list] of mine) if (!(await this.publish(id, list))) this.gen = -1
    }
    const read = await this.link.readEntries(this.seq)
    if (read === null) return
    this.seq = read.seq
    for (const [name, value] of read.entries) if (name.startsWith(PREFIX)) this.take(name.slice(PREFIX.length), value)
  }

  private publish(gatewayId: string, bindings: readonly Binding[]): Promise<boolean> {
    const now = this.clock.now()
    const live = bindings.filter((b) => b.expiresAtMs > now)
    const until = Math.max(live.reduce((m, b) => Math.max(m, b.expiresAtMs), now), this.publishedUntil.get(gatewayId) ?? now, now + MIN_ENTRY_MS)
    if (live.length > 0) this.publishedUntil.set(gatewayId, until)
    else this.publishedUntil.delete(gatewayId)
    const value = JSON.stringify({ node: this.link.nodeId, bindings: live } satisfies Published)
    return this.link.putEntry(PREFIX + gatewayId, value, until - now)
  }

  private take(gatewayId: string, value: string): void {
    try {
      const p = JSON.parse(value) as Published
      if (p.node === this.link.nodeId || !Array.isArray(p.bindings)) return
      const bindings = p.bindings.filter((b) => b.kind === 'mapping' && b.gatewayId === gatewayId)
      this.remote.set('mapping', gatewayId, bindings)
      this.opts.onRemote?.(gatewayId, bindings)
    } catch (err) {
      this.log.warn('unreadable shared registration ignored', { gatewayId, err })
    }
  }
}
