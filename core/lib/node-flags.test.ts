import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { CORE_NODE_FLAGS, withCoreFlags } from './node-flags.js'

const read = (path: string): string => readFileSync(new URL(path, import.meta.url), 'utf8')

describe('core node flags', () => {
  it('are on the command line of the Dockerfile, npm start:core and npm start, which run the built core', () => {
    const cmd = /^CMD (\[.*\])$/m.exec(read('../Dockerfile'))?.[1]
    expect(cmd).toBeDefined()
    const argv = JSON.parse(cmd!) as string[]
    expect(argv.slice(1, 1 + CORE_NODE_FLAGS.length)).toEqual([...CORE_NODE_FLAGS])
    expect(argv.slice(1 + CORE_NODE_FLAGS.length)).toEqual(['.build/core/main.js'])
    const scripts = (JSON.parse(read('../../package.json')) as { scripts: Record<string, string> }).scripts
    expect(scripts['start:core']).toBe(`node --import tsx core/build.ts && node ${CORE_NODE_FLAGS.join(' ')} .build/core/main.js`)
    expect(read('../../scripts/start.ts')).toContain("run('core', [...CORE_NODE_FLAGS, CORE_BUILD_ENTRY])")
  })

  it('are added to a worker started from a process that lacks them, and not twice', () => {
    expect(withCoreFlags(['--import', 'tsx'])).toEqual([...CORE_NODE_FLAGS, '--import', 'tsx'])
    expect(withCoreFlags([...CORE_NODE_FLAGS, '--import', 'tsx'])).toEqual([...CORE_NODE_FLAGS, '--import', 'tsx'])
    const others = CORE_NODE_FLAGS.filter((f) => !f.startsWith('--max-semi-space-size='))
    expect(withCoreFlags(['--max-semi-space-size=8'])).toEqual([...others, '--max-semi-space-size=8'])
  })
})
