// The primary's side of its workers' prepaid reservations (money-link.ts): one ledger of the node's grants and of the charges of ended calls not yet written, checked against each account's one balance, or in Redis across nodes; a dead worker's grants freed.
import type { ConfigSnapshot } from '../config/snapshot.js'
import { BalanceLedger, type BilledBatch } from '../policy/balance-ledger.js'
import type { ClusterMoney } from '../policy/cluster-money.js'
import type { MoneyGiveBack, MoneyTake, ToWorker } from './ipc.js'
import { WorkerAnswers } from './worker-answers.js'

/**
 * Grants prepaid money to every worker's calls as one process would: what an account may still spend is its balance
 * (the snapshot's, or the newer one the CDR writer read back) plus its overdraft, minus the charges of ended calls on
 * their way to the database, minus what calls in progress hold. With `cluster` (REDIS_URL) the node's grants count in
 * Redis against the same balance on every node. Grants are kept per worker process, so a worker that dies gives back
 * what its calls held.
 */
export class NodeMoney {
  private readonly ledger = new BalanceLedger()
  private readonly heldByPid = new Map<number, Map<string, number>>()
  private readonly grants: WorkerAnswers<[number, number]>

  /** `tell` posts to worker `index`; `pidOf` names the process in that slot now. */
  constructor(
    private readonly config: { readonly current: ConfigSnapshot },
    tell: (index: number, m: ToWorker) => void,
    private readonly pidOf: (index: number) => number | undefined,
    private readonly cluster: ClusterMoney | null = null,
  ) {
    this.grants = new WorkerAnswers(tell, pidOf, (grants) => ({ t: 'money', grants }))
  }

  /** A batch from worker `index`: gives-back first (they free money for its takes), then takes. */
  onBatch(index: number, batch: { takes: readonly MoneyTake[]; releases: readonly MoneyGiveBack[] }): void {
    const pid = this.pidOf(index)
    if (pid === undefined) return
    for (const [accountId, grant, charge] of batch.releases) this.release(pid, accountId, grant, charge)
    for (const [id, accountId, want, least] of batch.takes) {
      const g = this.reserve(accountId, want, least)
      if (typeof g === 'number') this.granted(index, pid, id, accountId, g)
      else void g.then((n) => this.granted(index, pid, id, accountId, n))
    }
  }

  /** The CDR writer committed charges: they leave the pending count, the balances it read back take over. */
  onBilled(batch: BilledBatch): void {
    this.ledger.onBilled(batch)
  }

  /** Process `pid` exited: every grant its calls held is free. */
  onExit(pid: number | undefined): void {
    if (pid === undefined) return
    const held = this.heldByPid.get(pid)
    this.heldByPid.delete(pid)
    for (const [accountId, amount] of held ?? []) this.giveBack(accountId, amount)
  }

  /** Money the node's calls hold for `accountId` (tests, metrics). */
  heldBy(accountId: string): number {
    let n = 0
    for (const m of this.heldByPid.values()) n += m.get(accountId) ?? 0
    return n
  }

  private reserve(accountId: string, want: number, least: number): number | Promise<number> {
    const snapshot = this.config.current
    const account = snapshot.accounts.get(accountId)
    if (account === undefined) return 0
    // No longer prepaid in the newest configuration: nothing to hold, the worker's own ledger decides.
    if (account.type !== 'prepaid') return want >= 0 ? want : Number.POSITIVE_INFINITY
    if (this.cluster !== null) {
      const base = (this.ledger.balance(snapshot, accountId) ?? account.balance) + account.overdraftLimit
      return this.cluster.reserve({ accountId, base, want, least })
    }
    const free = this.ledger.available(snapshot, account)
    const grant = want >= 0 && want < free ? want : free
    // Sums of decimal money drift by ~1e-15: what is free within 1e-9 of the first period pays it (balance-ledger.ts).
    if (grant <= 1e-9 || grant < least - 1e-9) return 0
    this.ledger.reserve(accountId, grant)
    return grant
  }

  private granted(index: number, pid: number, id: number, accountId: string, grant: number): void {
    if (grant > 0 && Number.isFinite(grant)) {
      // The worker died while Redis answered: nobody will give it back.
      if (this.pidOf(index) !== pid) return this.giveBack(accountId, grant)
      let held = this.heldByPid.get(pid)
      if (held === undefined) this.heldByPid.set(pid, (held = new Map()))
      held.set(accountId, (held.get(accountId) ?? 0) + grant)
    }
    this.grants.push(index, pid, [id, grant])
  }

  private release(pid: number, accountId: string, grant: number, charge: readonly [string, number] | null): void {
    // The charge counts before the grant goes, so the balance never looks higher in between.
    if (charge !== null) this.ledger.charge(charge[0], { accountId, amount: charge[1], vendorAccountId: null, vendorAmount: 0 })
    if (!Number.isFinite(grant)) return
    const held = this.heldByPid.get(pid)
    const had = held?.get(accountId) ?? 0
    if (held !== undefined) {
      if (had - grant <= 1e-9) held.delete(accountId)
      else held.set(accountId, had - grant)
    }
    this.giveBack(accountId, Math.min(grant, had))
  }

  private giveBack(accountId: string, amount: number): void {
    if (amount <= 0) return
    if (this.cluster !== null) this.cluster.release(accountId, amount, null)
    else this.ledger.release(accountId, amount)
  }
}
