// Checks that the configuration tables of README.md and docs/api.md are the ones generated from the env schemas of core and edge.
import { describe, expect, it } from 'vitest'
import { describeEnv, ENV_DOC_FILES, readDoc, renderEnvTable, withEnvTable } from './env-docs.js'

describe('configuration table', () => {
  it('lists every variable the core and the edge read, listen addresses and drain included', () => {
    const names = describeEnv().map((v) => v.name)
    for (const name of ['API_HOST', 'API_PORT', 'STATUS_HOST', 'STATUS_PORT', 'NODE_ID', 'DRAIN_TIMEOUT_MS', 'DATABASE_URL', 'LOG_LEVEL']) {
      expect(names).toContain(name)
      expect(renderEnvTable()).toContain(`| \`${name}\` |`)
    }
  })

  it('gives every variable a meaning and a default (or says it is required)', () => {
    for (const v of describeEnv()) {
      expect(v.meaning, v.name).not.toBe('')
      for (const d of v.defaults) expect(d, v.name).not.toBe('')
    }
  })

  it.each(ENV_DOC_FILES)('%s matches the schemas (run `npx tsx scripts/env-docs.ts --write` after changing one)', (file) => {
    const text = readDoc(file)
    expect(withEnvTable(text)).toBe(text)
  })
})
