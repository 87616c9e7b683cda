// Covers docs/api.md /v1/parameters: the PUT body, validation through the catalogue, and the GET item shape.
import { describe, expect, it } from 'vitest'
import { parameter, parameterFromRow, parameterToRow, parameterUpdate } from './parameter.js'

describe('parameters', () => {
  it('requires a value in the PUT body', () => {
    expect(parameterUpdate.safeParse({}).success).toBe(false)
    expect(parameterUpdate.parse({ value: 3600 })).toEqual({ value: 3600 })
  })

  it('stores a valid value and returns the zod error for an out-of-range one', () => {
    expect(parameterToRow('SS_MAXCALLDURATION', { value: 3600 }, { nowMs: 7 })).toEqual({
      ok: true, row: { name: 'SS_MAXCALLDURATION', value: 3600, updatedAtMs: 7 },
    })
    const bad = parameterToRow('SS_MAXCALLDURATION', { value: -1 }, { nowMs: 7 })
    expect(bad.ok).toBe(false)
  })

  it('shows the default with a null updatedAt when nothing is stored, and the override otherwise', () => {
    expect(parameter.parse(parameterFromRow('SS_SIP_TIMEOUT_INVITE', undefined))).toMatchObject({ value: 10, default: 10, updatedAt: null })
    expect(parameterFromRow('SS_SIP_TIMEOUT_INVITE', { name: 'SS_SIP_TIMEOUT_INVITE', value: 20, updatedAtMs: 0 })).toMatchObject({
      value: 20, default: 10, unit: 's', min: 1, max: 300, updatedAt: '1970-01-01T00:00:00.000Z',
    })
  })
})
