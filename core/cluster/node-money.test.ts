// The primary's prepaid reservations for its workers: one balance for every worker's calls, ended calls' charges counted until written, a dead worker's grants freed.
import { describe, expect, it } from 'vitest'
import { account, policySnapshot } from '../policy/test-support/policy-inputs.js'
import type { MoneyTake, ToWorker } from './ipc.js'
import { NodeMoney } from './node-money.js'

const PIDS = [1001, 1002]

function setup(balance = 0.3, type: 'prepaid' | 'postpaid' = 'prepaid') {
  const config = { current: policySnapshot({ accounts: [account('acc1', { type, balance })] }) }
  const told: { index: number; m: ToWorker }[] = []
  const pids = [...PIDS]
  const money = new NodeMoney(config, (index, m) => told.push({ index, m }), (i) => pids[i])
  let id = 1
  /** Worker `index` asks for `want` (-1 = all that is free); resolves with its grant once the primary answered. */
  const take = async (index: number, want: number, least = 0.01): Promise<number> => {
    const t: MoneyTake = [id++, 'acc1', want, least]
    money.onBatch(index, { takes: [t], releases: [] })
    await new Promise((r) => setImmediate(r))
    for (const { index: i, m } of told) {
      if (i !== index || m.t !== 'money') continue
      const g = m.grants.find(([gid]) => gid === t[0])
      if (g !== undefined) return g[1]
    }
    throw new Error(`no grant for take ${t[0]}`)
  }
  return { money, take, pids }
}

describe('NodeMoney', () => {
  it("grants two workers' calls together no more than the account's one balance", async () => {
    const { money, take } = setup(0.3)
    const grants = [await take(0, 0.1), await take(1, 0.1), await take(0, 0.1), await take(1, 0.1)]
    expect(grants.map((g) => Math.round(g * 100) / 100)).toEqual([0.1, 0.1, 0.1, 0])
    expect(money.heldBy('acc1')).toBeCloseTo(0.3, 9)
  })

  it('refuses a call whose first billing period the rest of the balance cannot pay', async () => {
    const { take } = setup(0.3)
    expect(await take(0, 0.25)).toBeCloseTo(0.25, 9)
    expect(await take(1, -1, 0.06)).toBe(0)
    expect(await take(1, -1, 0.05)).toBeCloseTo(0.05, 9)
  })

  it("counts an ended call's charge against the balance until the CDR writer reports it written", async () => {
    const { money, take } = setup(0.3)
    expect(await take(0, -1)).toBeCloseTo(0.3, 9)
    money.onBatch(0, { takes: [], releases: [['acc1', 0.3, ['cdr-1', 0.2]]] })
    // Worker 1 cannot spend what the ended call of worker 0 owes, although its CDR is not in the database yet.
    expect(await take(1, -1)).toBeCloseTo(0.1, 9)
    money.onBatch(1, { takes: [], releases: [['acc1', 0.1, null]] })
    money.onBilled({ cdrIds: ['cdr-1'], balances: [{ accountId: 'acc1', balance: 0.1 }] })
    expect(await take(1, -1)).toBeCloseTo(0.1, 9)
  })

  it('frees every grant of a worker that exited, and only its own', async () => {
    const { money, take, pids } = setup(0.3)
    expect(await take(0, 0.1)).toBeCloseTo(0.1, 9)
    expect(await take(1, 0.2)).toBeCloseTo(0.2, 9)
    expect(await take(0, 0.1)).toBe(0)
    money.onExit(pids[1])
    pids[1] = 2002
    expect(money.heldBy('acc1')).toBeCloseTo(0.1, 9)
    expect(await take(1, -1)).toBeCloseTo(0.2, 9)
  })

  it('does not hold money for an account the newest configuration no longer has as prepaid', async () => {
    const { money, take } = setup(0.3, 'postpaid')
    expect(await take(0, -1)).toBe(Number.POSITIVE_INFINITY)
    expect(money.heldBy('acc1')).toBe(0)
  })
})
