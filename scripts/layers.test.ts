// The repository's layering: in core/, edge/ and shared/ production code and test support import only down the README's layer maps (tests may compose any layer of their root), only test code imports test support, and no import loop exists among non-test files (type-only imports included).
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const ROOTS = ['shared', 'edge', 'core'] as const
type Root = (typeof ROOTS)[number]

/** Layer per folder or file of each root (longest prefix wins); Infinity may import anything of its root. Mirrors the README. */
const LAYERS: Record<Root, ReadonlyArray<readonly [string, number]>> = {
  shared: [
    ['params', 0], ['termination', 0], ['auth', 0], ['api', 0], ['log', 0], ['net', 0],
    ['entities/enums.ts', 0], ['entities/fields.ts', 0], ['entities/number-rules.ts', 0], ['routing/prefix-trie.ts', 0],
    ['db', 1],
    ['entities', 2],
    ['billing', 3],
    ['routing', 4],
  ],
  edge: [
    ['env.ts', 0], ['errors.ts', 0], ['ids.ts', 0], ['csv.ts', 0], ['poll.ts', 0], ['db.ts', 0], ['body.ts', 0], ['config-version.ts', 0], ['config-write.ts', 0], ['params-store.ts', 0], ['openapi', 0],
    ['auth', 1], ['audit', 1], ['cdr', 1], ['billing', 1], ['analysis', 1], ['live', 1], ['docs', 1], ['console', 1],
    ['alerts', 2], ['middleware', 2],
    ['routes', 3], ['bulk', 3],
    ['app.ts', 4],
    ['worker.ts', 5], ['node', 5],
    ['test-support', Infinity],
  ],
  core: [
    ['lib', 0], ['config', 0], ['status-port', 0],
    ['transport', 1], ['media', 1], ['shared-state', 1],
    ['sip/message', 2], ['sip/sdp', 2], ['sip/conformance', 2],
    ['sip/transaction', 3],
    ['sip/ua', 4], ['sip/dialog', 4], ['gateway-probes', 4],
    ['call', 5],
    ['policy', 6],
    ['registrar', 7], ['cdr', 7], ['gateway-reports', 7], ['live-calls', 7], ['access-list', 7],
    ['cluster', 8],
    ['build.ts', Infinity], ['main.ts', Infinity], ['single.ts', Infinity], ['primary.ts', Infinity], ['worker.ts', Infinity], ['e2e', Infinity],
  ],
}

/** The layer of a root-relative path, or undefined when no entry covers it. */
function layerOf(root: Root, rel: string): number | undefined {
  const p = rel.split(sep).join('/')
  let best: readonly [string, number] | undefined
  for (const entry of LAYERS[root]) {
    const [prefix] = entry
    if ((p === prefix || p.startsWith(prefix + '/')) && (best === undefined || prefix.length > best[0].length)) best = entry
  }
  return best?.[1]
}

/** A test or benchmark: it may compose any layer of its root (integration tests do). */
function isTest(rel: string): boolean {
  return /\.(test|bench)\.ts$/.test(rel)
}

/** Tests, benchmarks and test support: only they may import test support. */
function isTestCode(rel: string): boolean {
  return isTest(rel) || rel.split('/').includes('test-support')
}

function tsFiles(dir: string): string[] {
  const out: string[] = []
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'node_modules' || e.name.startsWith('.')) continue
    const p = join(dir, e.name)
    if (e.isDirectory()) out.push(...tsFiles(p))
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) out.push(p)
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

/** Repository-relative path of a relative specifier in `file`, as the .ts file it names. */
function target(file: string, spec: string): string {
  return relative(ROOT, resolve(dirname(file), spec)).split(sep).join('/').replace(/\.js$/, '.ts')
}

interface Source {
  readonly path: string
  readonly root: Root
  readonly rel: string
  readonly imports: readonly string[]
}

function sources(): Source[] {
  return ROOTS.flatMap((root) =>
    tsFiles(join(ROOT, root)).map((abs) => {
      const path = relative(ROOT, abs).split(sep).join('/')
      const imports = specifiers(readFileSync(abs, 'utf8')).filter((s) => s.startsWith('.')).map((s) => target(abs, s))
      return { path, root, rel: path.slice(root.length + 1), imports }
    }),
  )
}

/** Upward imports, imports across roots that are not into shared/, test support used by production code, unmapped folders. */
function violations(src: Source): string[] {
  const from = isTest(src.rel) ? Infinity : layerOf(src.root, src.rel)
  if (from === undefined) return [`${src.path}: not in the layer map (add its folder to scripts/layers.test.ts and the README)`]
  const test = isTestCode(src.rel)
  const out: string[] = []
  for (const to of src.imports) {
    const toRoot = ROOTS.find((r) => to.startsWith(r + '/'))
    if (toRoot === undefined) {
      if (!test) out.push(`${src.path}: imports ${to} outside core/, edge/ and shared/`)
      continue
    }
    const toRel = to.slice(toRoot.length + 1)
    if (!test && isTestCode(toRel)) out.push(`${src.path}: production code imports test support ${to}`)
    if (toRoot !== src.root) {
      // A system test may drive another root through that root's test support (an edge test starting a real core).
      if (toRoot !== 'shared' && !(isTest(src.rel) && isTestCode(toRel))) out.push(`${src.path}: imports ${to} (only shared/ is shared between roots)`)
      continue
    }
    if (isTestCode(toRel)) continue
    const layer = layerOf(toRoot, toRel)
    if (layer === undefined) out.push(`${src.path}: imports ${to}, a folder not in the layer map`)
    else if (layer > from) out.push(`${src.path} (layer ${from}) imports ${to} (layer ${layer}) upward`)
  }
  return out
}

/** Every import loop among `files` (Tarjan's strongly connected components of size > 1, or a file importing itself). */
function importLoops(files: readonly Source[]): string[][] {
  const graph = new Map(files.map((f) => [f.path, f.imports]))
  const index = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: string[] = []
  const onStack = new Set<string>()
  const loops: string[][] = []
  let next = 0
  const visit = (v: string): void => {
    index.set(v, next)
    low.set(v, next++)
    stack.push(v)
    onStack.add(v)
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue
      if (!index.has(w)) {
        visit(w)
        low.set(v, Math.min(low.get(v)!, low.get(w)!))
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!))
    }
    if (low.get(v) !== index.get(v)) return
    const scc: string[] = []
    let w: string
    do {
      w = stack.pop()!
      onStack.delete(w)
      scc.push(w)
    } while (w !== v)
    if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) loops.push(scc.sort())
  }
  for (const v of graph.keys()) if (!index.has(v)) visit(v)
  return loops
}

/** The layer maps of the README's "Layers" block: a root name line, then `N folder/ file.ts ...  description` lines. */
function readmeMaps(text: string): Record<Root, Map<string, number>> {
  const maps = { shared: new Map<string, number>(), edge: new Map<string, number>(), core: new Map<string, number>() }
  let root: Root | null = null
  for (const line of text.split('\n')) {
    const head = /^ (shared|edge|core)\b/.exec(line)
    if (head !== null) {
      root = head[1] as Root
      continue
    }
    const row = /^\s+(\d+|-)\s+(.*)$/.exec(line)
    if (root === null || row === null) {
      if (line.startsWith('```')) root = null
      continue
    }
    const layer = row[1] === '-' ? Infinity : Number(row[1])
    for (const token of row[2]!.split(/\s+/)) {
      if (!/^[\w./-]+(\/|\.ts)$/.test(token)) break
      maps[root].set(token.replace(/\/$/, ''), layer)
    }
  }
  return maps
}

describe('repository layering', () => {
  const all = sources()

  it('imports only point down the layer maps (tests aside), across roots only into shared/, and never into test support from production', () => {
    expect(all.length).toBeGreaterThan(100)
    expect(all.flatMap(violations)).toEqual([])
  })

  it('has no import loop among non-test files of core/, edge/ and shared/', () => {
    expect(importLoops(all.filter((s) => !isTestCode(s.rel)))).toEqual([])
  })

  it('finds a loop when there is one, type-only imports included', () => {
    const loop: Source[] = [
      { path: 'core/a.ts', root: 'core', rel: 'a.ts', imports: ['core/b.ts'] },
      { path: 'core/b.ts', root: 'core', rel: 'b.ts', imports: ['core/c.ts'] },
      { path: 'core/c.ts', root: 'core', rel: 'c.ts', imports: specifiers("import type { A } from './a.js'").map((s) => target(join(ROOT, 'core/c.ts'), s)) },
      { path: 'core/d.ts', root: 'core', rel: 'd.ts', imports: ['core/a.ts'] },
    ]
    expect(importLoops(loop)).toEqual([['core/a.ts', 'core/b.ts', 'core/c.ts']])
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

  it('ranks folders as the README layer maps do, and the maps name every entry of the table', () => {
    expect(layerOf('core', 'sip/transaction/layer.ts')).toBe(3)
    expect(layerOf('core', 'sip/ua/router.ts')).toBe(4)
    expect(layerOf('core', 'main.ts')).toBe(Infinity)
    expect(layerOf('edge', 'routes/accounts/create.ts')).toBe(3)
    expect(layerOf('shared', 'entities/fields.ts')).toBe(0)
    expect(layerOf('shared', 'entities/account.ts')).toBe(2)
    expect(layerOf('shared', 'routing/route.ts')).toBe(4)
    expect(layerOf('core', 'mystery/x.ts')).toBeUndefined()
    const maps = readmeMaps(readFileSync(join(ROOT, 'README.md'), 'utf8'))
    for (const root of ROOTS) {
      const table = new Map(LAYERS[root].filter(([p]) => p !== 'test-support'))
      expect([root, Object.fromEntries(maps[root])]).toEqual([root, Object.fromEntries(table)])
    }
  })
})
