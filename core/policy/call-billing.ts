// One rated call's money: the customer rate chosen at admission, the vendor rate and the prepaid reservation taken at the answer, and the CDR's cost and vendor cost at the end.
import { affordableSeconds, callCost } from '../../shared/billing/rating.js'
import type { AccountRow } from '../../shared/entities/account.js'
import type { CdrCreate } from '../../shared/entities/cdr.js'
import type { CallTariff, RouteTarget } from '../call/ports.js'
import type { BookRate } from '../../shared/billing/rate-book.js'
import type { ConfigSnapshot } from '../config/snapshot.js'
import type { BalanceLedger } from './balance-ledger.js'
import type { MoneyCharge, MoneyClaim } from './cluster-money.js'

/** What a rated call is billed with (the controller fills it at admission). */
export interface CallBillingInit {
  ledger: BalanceLedger
  snapshot: ConfigSnapshot
  account: Readonly<AccountRow>
  /** The account's rate for the callee as received (null: the account has no rate table, nothing is charged to it). */
  customerRate: BookRate | null
  /** The call's duration cap without money (SS_MAXCALLDURATION / account limit; 0 = none): no reservation beyond it. */
  capSec: number
}

/** The rating fields of a rate (no ids: what a crash recovery needs to price the call). */
function ratingOf(r: BookRate | null): CallTariff['customer'] {
  return r === null ? null : {
    prefix: r.prefix, pricePerMinute: r.pricePerMinute, firstIncrementSec: r.firstIncrementSec, nextIncrementSec: r.nextIncrementSec, effectiveFromMs: r.effectiveFromMs,
  }
}

/**
 * Prices a call. The customer pays for the number it dialled (the callee as received, before any gateway's rewrite);
 * the vendor is paid for the number it was sent (the answering gateway's `calleeOut`) at its clearing account's rate
 * table. A prepaid account reserves at the answer what the call may spend, from what its other calls left unreserved.
 */
export class CallBilling {
  private readonly ledger: BalanceLedger
  private readonly snapshot: ConfigSnapshot
  private readonly account: Readonly<AccountRow>
  private readonly customerRate: BookRate | null
  private readonly capSec: number
  private readonly precision: number
  private reserved = 0
  private vendorRate: BookRate | null = null
  private vendorAccountId: string | null = null
  private billed = false
  private released = false
  /** Money reserved for this call across core nodes (cluster-money.ts); the answer reserves at most it. */
  private ceiling = Number.POSITIVE_INFINITY
  private giveBack: ((charge: MoneyCharge | null) => void) | null = null
  /** What `bill` charged the account (handed back with the grant). */
  private charged: MoneyCharge | null = null

  constructor(init: CallBillingInit) {
    this.ledger = init.ledger
    this.snapshot = init.snapshot
    this.account = init.account
    this.customerRate = init.customerRate
    this.capSec = init.capSec
    this.precision = init.snapshot.params.SERVER_BILLING_FEE_PRECISION
  }

  /**
   * The call was answered on `target`: finds the vendor's rate and, for a prepaid rated account, reserves the money for
   * the seconds it can pay (up to the cap). Returns those seconds (0 = nothing left: end it now), or null = no money cap.
   */
  answered(target: RouteTarget, nowMs: number): number | null {
    const clearing = this.snapshot.routingGateways.get(target.routingGatewayId)?.clearingAccountId ?? null
    const vendor = clearing === null ? undefined : this.snapshot.accounts.get(clearing)
    this.vendorAccountId = clearing
    this.vendorRate = vendor?.rateTableId == null ? null : this.snapshot.rates.find(vendor.rateTableId, target.calleeOut, nowMs)
    const rate = this.customerRate
    if (rate === null || this.account.type !== 'prepaid' || this.released) return null
    const affordable = affordableSeconds(Math.min(this.ledger.available(this.snapshot, this.account), this.ceiling), rate, this.precision)
    const held = this.capSec > 0 && this.capSec < affordable ? this.capSec : affordable
    this.reserved = held === 0 ? 0 : callCost(held, rate, this.precision)
    this.ledger.reserve(this.account.id, this.reserved)
    return affordable
  }

  /** What a prepaid rated call asks to reserve across core nodes at admission; null when it holds no money. */
  moneyClaim(): MoneyClaim | null {
    const rate = this.customerRate
    if (rate === null || this.account.type !== 'prepaid') return null
    const base = (this.ledger.balance(this.snapshot, this.account.id) ?? this.account.balance) + this.account.overdraftLimit
    return {
      accountId: this.account.id, base, want: this.capSec > 0 ? callCost(this.capSec, rate, this.precision) : -1,
      least: callCost(rate.firstIncrementSec, rate, this.precision),
    }
  }

  /** The money reserved across nodes for this call (the answer reserves at most it); `giveBack` runs once at release, with the charge. */
  granted(grant: number, giveBack: (charge: MoneyCharge | null) => void): void {
    this.ceiling = grant
    this.giveBack = giveBack
    if (this.released) this.releaseGrant()
  }

  private releaseGrant(): void {
    const f = this.giveBack
    this.giveBack = null
    f?.(this.charged)
  }

  /** The customer and vendor rates (vendor known after `answered`), for the open-call journal; null when neither applies. */
  tariff(): CallTariff | null {
    if (this.customerRate === null && this.vendorRate === null) return null
    return { customer: ratingOf(this.customerRate), vendor: ratingOf(this.vendorRate), precision: this.precision }
  }

  /** Sets the CDR's `cost` (customer) and `vendorCost` for its billed seconds and counts them as pending in the ledger; once. */
  bill(cdr: CdrCreate): void {
    if (this.billed) return
    this.billed = true
    const p = this.precision
    const answered = cdr.answeredAtMs !== null
    cdr.cost = this.customerRate === null ? null : answered ? callCost(cdr.durationSec, this.customerRate, p) : 0
    cdr.vendorCost = answered && this.vendorRate !== null ? callCost(cdr.durationSec, this.vendorRate, p) : null
    if (cdr.cost !== null && cdr.cost > 0) this.charged = { cdrId: cdr.id, amount: cdr.cost }
    this.ledger.charge(cdr.id, {
      accountId: this.account.id, amount: cdr.cost ?? 0,
      vendorAccountId: this.vendorAccountId, vendorAmount: cdr.vendorCost ?? 0,
    })
  }

  /** Gives the reservation back (the charge, if any, is pending by now); later calls are no-ops. */
  release(): void {
    if (this.released) return
    this.released = true
    this.ledger.release(this.account.id, this.reserved)
    this.reserved = 0
    this.releaseGrant()
  }
}
