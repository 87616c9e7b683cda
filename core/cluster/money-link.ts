// A worker's prepaid reservations through its node's primary, which holds every worker's (node-money.ts): one IPC round trip per prepaid call's admission, takes and gives-back of one event-loop turn sent together.
import type { MoneyCharge, MoneyClaim, MoneyReserver } from '../policy/cluster-money.js'
import type { MoneyGiveBack, MoneyTake } from './ipc.js'

/** The MoneyReserver of a worker: the primary decides each grant against the account's one balance. */
export class PrimaryMoneyLink implements MoneyReserver {
  private nextId = 1
  private batch: { takes: MoneyTake[]; releases: MoneyGiveBack[] } | null = null
  private readonly waiting = new Map<number, (grant: number) => void>()

  /** `send` posts a batch to the primary. */
  constructor(private readonly send: (batch: { takes: MoneyTake[]; releases: MoneyGiveBack[] }) => void) {}

  /** The claim's `base` is this worker's view; the primary reads the balance itself, with every worker's charges. */
  reserve(c: MoneyClaim): Promise<number> {
    const id = this.nextId++
    return new Promise((resolve) => {
      this.waiting.set(id, resolve)
      this.pending().takes.push([id, c.accountId, c.want, c.least])
    })
  }

  release(accountId: string, grant: number, charge: MoneyCharge | null): void {
    if (grant <= 0) return
    this.pending().releases.push([accountId, grant, charge === null ? null : [charge.cdrId, charge.amount]])
  }

  /** The primary's grants for this worker's takes. */
  granted(grants: readonly (readonly [number, number])[]): void {
    for (const [id, grant] of grants) {
      const resolve = this.waiting.get(id)
      if (resolve === undefined) continue
      this.waiting.delete(id)
      resolve(grant)
    }
  }

  private pending(): { takes: MoneyTake[]; releases: MoneyGiveBack[] } {
    if (this.batch === null) {
      const b = (this.batch = { takes: [], releases: [] })
      setImmediate(() => {
        this.batch = null
        this.send(b)
      })
    }
    return this.batch
  }
}
