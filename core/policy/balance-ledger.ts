// The live balance of each account between config snapshots: money reserved by calls in progress, charges of ended calls not yet in the database, and balances the CDR writer read back after charging.
import type { AccountRow } from '../../shared/entities/account.js'
import type { ConfigSnapshot } from '../config/snapshot.js'

/** What the CDR writer reports after a transaction that charged CDRs committed (see cdr/writer.ts `BilledBatch`). */
export interface BilledBatch {
  /** Every CDR of the batch that carried a charge (newly applied or already applied by an earlier run). */
  cdrIds: readonly string[]
  /** Balances as that transaction left them, for the accounts it changed. */
  balances: readonly { accountId: string; balance: number }[]
}

/** The charge of one ended call until the database has it. */
interface PendingCharge {
  accountId: string | null
  amount: number
  vendorAccountId: string | null
  vendorAmount: number
}

function add(map: Map<string, number>, key: string, delta: number): void {
  const n = (map.get(key) ?? 0) + delta
  // Float sums of decimal money drift by ~1e-15; below 1e-9 it is zero (SERVER_BILLING_FEE_PRECISION <= 8).
  if (Math.abs(n) < 1e-9) map.delete(key)
  else map.set(key, n)
}

/**
 * Accounts' balances as calls see them. The snapshot holds the balance at its load; the CDR writer charges in the
 * database without bumping config_version (a reload per CDR batch would rebuild routing 5 times a second), so the ledger
 * keeps what happened since: the newest balance the writer read back (used when it is newer than the snapshot),
 * minus charges still on their way to the database, minus reservations of calls in progress.
 */
export class BalanceLedger {
  private readonly reserved = new Map<string, number>()
  private readonly pending = new Map<string, PendingCharge>()
  private readonly pendingByAccount = new Map<string, number>()
  private readonly written = new Map<string, { balance: number; atMs: number }>()
  /** The snapshot the clearing-balance view reads (the controller sets it once per admission). */
  snapshot: ConfigSnapshot | null = null

  /** `now` stamps the writer's reports; it must be the clock of the snapshot's `loadedAtMs` (Date.now). */
  constructor(private readonly now: () => number = Date.now) {}

  /** Balance of `accountId` now: the newer of the snapshot's and the writer's, minus charges not yet written. */
  balance(snapshot: ConfigSnapshot, accountId: string): number | undefined {
    const row = snapshot.accounts.get(accountId)
    if (row === undefined) return undefined
    const w = this.written.get(accountId)
    // A tie goes to the writer's balance: it can only lack a payment (refuse too early), never a charge.
    const base = w !== undefined && w.atMs >= snapshot.loadedAtMs ? w.balance : row.balance
    return base - (this.pendingByAccount.get(accountId) ?? 0)
  }

  /** What a prepaid account may still spend: balance + overdraft − reserved by its calls in progress. */
  available(snapshot: ConfigSnapshot, account: Readonly<AccountRow>): number {
    return (this.balance(snapshot, account.id) ?? account.balance) + account.overdraftLimit - (this.reserved.get(account.id) ?? 0)
  }

  /** Money reserved by calls of `accountId` in progress. */
  reservedBy(accountId: string): number {
    return this.reserved.get(accountId) ?? 0
  }

  /** Holds `amount` for a call in progress; give it back with `release` exactly once. */
  reserve(accountId: string, amount: number): void {
    if (amount > 0) add(this.reserved, accountId, amount)
  }

  /**
   * Gives back a reservation. Deviation: releasing more than is held clamps at zero instead of throwing, because it runs
   * in the call's end before its CDR is journaled, and losing a CDR is worse than a reservation counted short.
   */
  release(accountId: string, amount: number): void {
    if (amount <= 0) return
    add(this.reserved, accountId, -Math.min(amount, this.reserved.get(accountId) ?? 0))
  }

  /** An ended call's charges, counted until the writer reports its CDR written. */
  charge(cdrId: string, c: PendingCharge): void {
    if (c.amount <= 0 && c.vendorAmount <= 0) return
    this.pending.set(cdrId, c)
    if (c.accountId !== null && c.amount > 0) add(this.pendingByAccount, c.accountId, c.amount)
    if (c.vendorAccountId !== null && c.vendorAmount > 0) add(this.pendingByAccount, c.vendorAccountId, c.vendorAmount)
  }

  /** The CDR writer committed charges: forget them as pending and keep the balances it read back. */
  onBilled(batch: BilledBatch): void {
    const atMs = this.now()
    for (const b of batch.balances) this.written.set(b.accountId, { balance: b.balance, atMs })
    for (const id of batch.cdrIds) {
      const c = this.pending.get(id)
      if (c === undefined) continue
      this.pending.delete(id)
      if (c.accountId !== null && c.amount > 0) add(this.pendingByAccount, c.accountId, -c.amount)
      if (c.vendorAccountId !== null && c.vendorAmount > 0) add(this.pendingByAccount, c.vendorAccountId, -c.vendorAmount)
    }
  }

  /** Live clearing balances for routing (`RoutingLive.clearingBalances`): undefined = the snapshot's balance holds. */
  readonly clearingBalances = {
    get: (accountId: string): number | undefined => {
      const s = this.snapshot
      if (s === null || (!this.pendingByAccount.has(accountId) && !this.written.has(accountId))) return undefined
      return this.balance(s, accountId)
    },
  }
}
