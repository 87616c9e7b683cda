// Checks that the README's parameter table is the one generated from shared/params (docs never drift by hand).
import { describe, expect, it } from 'vitest'
import { PARAM_NAMES } from '../shared/params/system-params.js'
import { readReadme, renderParamTable, withParamTable } from './param-docs.js'

describe('README parameter table', () => {
  it('lists every catalogue parameter', () => {
    const table = renderParamTable()
    for (const name of PARAM_NAMES) expect(table).toContain(`\`${name}\``)
  })

  it('matches the catalogue (run `npx tsx scripts/param-docs.ts --write` after changing it)', () => {
    const readme = readReadme()
    expect(withParamTable(readme)).toBe(readme)
  })
})
