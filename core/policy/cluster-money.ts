// Prepaid reservations counted across core nodes in Redis: each call in progress of a prepaid account holds its money in one atomic script against the account's one balance, this node's share of it while Redis cannot be reached.
import { KEY_PREFIX, type SharedState } from '../shared-state/shared-state.js'

/** What cluster money needs of the shared state (shared-state.ts). */
export type MoneyLink = Pick<SharedState, 'up' | 'gen' | 'reserve' | 'amount' | 'unsure' | 'fellBack' | 'addSource' | 'liveNodes'>

/** Redis key of an account's money reserved, a per-node hash. */
const moneyKey = (accountId: string): string => `${KEY_PREFIX}$:a:${accountId}`

/** What a call asks to reserve: `want` -1 = all that is free; refused when less than `least` is free. */
export interface MoneyClaim {
  readonly accountId: string
  /** Balance + overdraft as this node knows it (snapshot or the writer's read-back, minus charges on their way). */
  readonly base: number
  readonly want: number
  readonly least: number
}

/** An ended call's charge to the account it reserved for, handed over with the grant (null: unanswered or free). */
export interface MoneyCharge {
  readonly cdrId: string
  readonly amount: number
}

/** Where a call's prepaid money is reserved beyond this process: Redis across nodes, or the node's primary across workers. */
export interface MoneyReserver {
  /** The grant for one call, or 0 when the account cannot pay `least`. */
  reserve(c: MoneyClaim): number | Promise<number>
  /** Gives a grant back at the call's end, with what the call was charged. */
  release(accountId: string, grant: number, charge: MoneyCharge | null): void
}

/**
 * The money this node's calls hold, per account. A grant counts in Redis under this node (so a dead node's grants stop
 * counting with its heartbeat, within REDIS_NODE_TTL_MS) and here (what a resync writes). While Redis is down a call
 * may hold only this node's share of the base (base / live nodes) less what this node already holds.
 */
export class ClusterMoney implements MoneyReserver {
  private readonly held = new Map<string, number>()

  constructor(private readonly link: MoneyLink) {
    link.addSource({ holds: () => Array.from(this.held, ([accountId, amount]) => [moneyKey(accountId), amount] as const) })
  }

  /** Money this node's calls hold for `accountId`. */
  heldBy(accountId: string): number {
    return this.held.get(accountId) ?? 0
  }

  /** Reserves for one call: the grant, or 0 when the account cannot pay `least` across nodes. */
  reserve(c: MoneyClaim): number | Promise<number> {
    const gen = this.link.gen
    const pending = this.link.reserve(moneyKey(c.accountId), c.base, c.want, c.least)
    if (pending === undefined) return this.onShare(c)
    return pending.then((grant) => {
      if (grant === null) return this.onShare(c)
      if (grant > 0) this.add(c.accountId, grant)
      // A resync sent meanwhile may have written what was held without this grant: write it again.
      if (grant > 0 && this.link.gen !== gen) this.link.unsure()
      return grant
    })
  }

  /** Gives a grant back, in Redis when it is up (else the next resync writes what is held without it); this node's ledger counts the charge. */
  release(accountId: string, grant: number, _charge: MoneyCharge | null = null): void {
    if (grant <= 0) return
    this.add(accountId, -grant)
    if (!this.link.up) return this.link.unsure()
    void this.link.amount(moneyKey(accountId), -grant)
  }

  private onShare(c: MoneyClaim): number {
    this.link.fellBack()
    const free = c.base / this.link.liveNodes.length - this.heldBy(c.accountId)
    const grant = c.want >= 0 && c.want < free ? c.want : free
    if (grant <= 0 || grant < c.least) return 0
    this.add(c.accountId, grant)
    // Redis does not have it: the next resync writes it.
    this.link.unsure()
    return grant
  }

  private add(accountId: string, delta: number): void {
    const n = (this.held.get(accountId) ?? 0) + delta
    if (n <= 1e-9) this.held.delete(accountId)
    else this.held.set(accountId, n)
  }
}
