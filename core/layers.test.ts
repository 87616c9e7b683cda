// Imports only point down the stack: every relative import under core/ must target its own layer, a lower one, the foundation or shared/ (docs/architecture.md "Layers").
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const CORE = dirname(fileURLToPath(import.meta.url))
const ROOT = resolve(CORE, '..')

/** Layer number per core folder (longest prefix wins); foundation is 0, Infinity may import anything. */
const LAYERS: ReadonlyArray<readonly [string, number]> = [
  ['lib', 0],
  ['config', 0],
  ['status-port', 0],
  ['transport', 1],
  ['media', 1],
  ['sip/message', 2],
  ['sip/sdp', 2],
  ['sip/conformance', 2],
  ['sip/transaction', 3],
  ['sip/ua', 4],
  ['sip/dialog', 4],
  ['gateway-probes', 4],
  ['call', 5],
  ['policy', 6],
  ['cdr', 7],
  ['gateway-reports', 7],
  ['live-calls', 7],
  ['main.ts', Infinity],
  ['e2e', Infinity],
]

/** The layer of a core-relative path, or undefined when the folder is not in the table. */
function layerOf(coreRel: string): number | undefined {
  const p = coreRel.split(sep).join('/')
  let best: readonly [string, number] | undefined
  for (const entry of LAYERS) {
    const [prefix] = entry
    if ((p === prefix || p.startsWith(prefix + '/')) && (best === undefined || prefix.length > best[0].length)) best = entry
  }
  return best?.[1]
}

function tsFiles(dir: string): string[] {
  const out: string[] = []
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'node_modules' || e.name.startsWith('.')) continue
    const p = join(dir, e.name)
    if (e.isDirectory()) out.push(...tsFiles(p))
    else if (e.name.endsWith('.ts')) out.push(p)
  }
  return out
}

/** Static, re-export, side-effect and dynamic import specifiers in a source text. */
function specifiers(text: string): string[] {
  const out: string[] = []
  const re = /(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|(?:^|[\s;])import\s*['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/gm
  for (const m of text.matchAll(re)) out.push((m[1] ?? m[2] ?? m[3])!)
  return out
}

/** Violations for one file: upward imports, imports of edge/, and core folders missing from the table. */
function violations(file: string): string[] {
  const from = relative(CORE, file)
  const fromLayer = layerOf(from)
  if (fromLayer === undefined) return [`${from}: folder not in the layer table (add it to core/layers.test.ts)`]
  const out: string[] = []
  for (const spec of specifiers(readFileSync(file, 'utf8'))) {
    if (!spec.startsWith('.')) continue
    const target = resolve(dirname(file), spec)
    const fromRoot = relative(ROOT, target).split(sep).join('/')
    if (fromRoot.startsWith('shared/')) continue
    if (!fromRoot.startsWith('core/')) {
      out.push(`${from}: imports ${spec} outside core/ and shared/`)
      continue
    }
    const toLayer = layerOf(relative(CORE, target))
    if (toLayer === undefined) out.push(`${from}: imports ${spec}, a folder not in the layer table`)
    else if (toLayer > fromLayer) out.push(`${from} (layer ${fromLayer}) imports ${spec} (layer ${toLayer}) upward`)
  }
  return out
}

describe('core layering', () => {
  it('imports only point down the stack', () => {
    const files = tsFiles(CORE).filter((f) => f !== fileURLToPath(import.meta.url))
    expect(files.length).toBeGreaterThan(0)
    expect(files.flatMap(violations)).toEqual([])
  })

  it('finds every import form, so the check cannot be dodged', () => {
    const text = [
      "import { a } from './a.js'",
      "import type { B } from '../b.js'",
      "export { c } from './c.js'",
      "import './side.js'",
      "const d = await import('./d.js')",
      "import {\n  e,\n  f,\n} from './ef.js'",
    ].join('\n')
    expect(specifiers(text)).toEqual(['./a.js', '../b.js', './c.js', './side.js', './d.js', './ef.js'])
  })

  it('ranks folders as the module map does', () => {
    expect(layerOf('sip/transaction/layer.ts')).toBe(3)
    expect(layerOf('sip/message/parse.ts')).toBe(2)
    expect(layerOf('transport/udp.ts')).toBe(1)
    expect(layerOf('lib/clock.ts')).toBe(0)
    expect(layerOf('main.ts')).toBe(Infinity)
    expect(layerOf('mystery/x.ts')).toBeUndefined()
  })
})
