// Covers docs/api.md /v1/accounts: create defaults, PATCH rules, validation errors and row mapping.
import { describe, expect, it } from 'vitest'
import { account, accountCreate, accountFromRow, accountToRow, accountUpdate, accountUpdateToRow } from './account.js'

describe('accountCreate', () => {
  it('fills prepaid, normal, zero balance, no rate table and no rate or fraud limits when only a name is given', () => {
    expect(accountCreate.parse({ name: 'Acme' })).toEqual({
      name: 'Acme', type: 'prepaid', status: 'normal', balance: 0, overdraftLimit: 0, maxCallDurationSec: 0, rateTableId: null,
      cpsLimit: 0, cpsBurst: 0, maxConcurrentCalls: 0, dailySpendLimit: 0, allowedPrefixes: [], blockedPrefixes: [],
    })
  })

  it.each([
    [{ name: '' }, 'name'],
    [{ name: 'a', type: 'credit' }, 'type'],
    [{ name: 'a', overdraftLimit: -1 }, 'overdraftLimit'],
    [{ name: 'a', maxCallDurationSec: 1.5 }, 'maxCallDurationSec'],
    [{ name: 'a', blockedPrefixes: ['0900', '0900'] }, 'blockedPrefixes'],
    [{ name: 'a', allowedPrefixes: ['44x'] }, 'allowedPrefixes.0'],
    [{ name: 'a', dailySpendLimit: -1 }, 'dailySpendLimit'],
    [{ name: 'a', cpsLimit: -0.5 }, 'cpsLimit'],
    [{ name: 'a', balance: Number.NaN }, 'balance'],
    [{ name: 'a', balance: Number.POSITIVE_INFINITY }, 'balance'],
    [{ name: 'a', balance: '10' }, 'balance'],
    [{ name: 'a', colour: 'red' }, ''],
  ])('rejects %j at %s', (body, path) => {
    const r = accountCreate.safeParse(body)
    expect(r.success).toBe(false)
    expect(r.error?.issues.map((i) => i.path.join('.'))).toContain(path)
  })
})

describe('accountUpdate', () => {
  it('accepts a single field and does not add defaults', () => {
    expect(accountUpdate.parse({ status: 'locked' })).toEqual({ status: 'locked' })
  })

  it('rejects an empty body', () => {
    expect(accountUpdate.safeParse({}).success).toBe(false)
  })
})

describe('account row mapping', () => {
  it('round-trips create -> row -> public JSON with ISO times', () => {
    const row = accountToRow(accountCreate.parse({ name: 'Acme', balance: 12.5 }), { id: 'a1', nowMs: 0 })
    const json = accountFromRow(row)
    expect(account.parse(json)).toEqual(json)
    expect(json).toMatchObject({ id: 'a1', name: 'Acme', balance: 12.5, createdAt: '1970-01-01T00:00:00.000Z' })
  })

  it('stamps updatedAtMs on a PATCH set', () => {
    expect(accountUpdateToRow({ overdraftLimit: 3 }, { nowMs: 42 })).toEqual({ overdraftLimit: 3, updatedAtMs: 42 })
  })

  it('refuses balance in a PATCH with an issue at balance that points at payments', () => {
    const r = accountUpdate.safeParse({ balance: 3 })
    expect(r.success).toBe(false)
    expect(r.error?.issues).toEqual([expect.objectContaining({ path: ['balance'], message: expect.stringContaining('/payments') })])
    expect(accountUpdate.safeParse({ status: 'locked' }).success).toBe(true)
  })
})
