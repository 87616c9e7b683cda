// Summarises a V8 `.cpuprofile` (node --cpu-prof): self time by function and by module, as shares of the samples.
import { readFileSync } from 'node:fs'
import { relative } from 'node:path'

interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  hitCount?: number
}

interface CpuProfile {
  nodes: ProfileNode[]
  startTime: number
  endTime: number
  samples?: number[]
  timeDeltas?: number[]
}

/** One row of the summary: a function or a module, its self time in ms and its share of all samples. */
export interface SelfRow {
  name: string
  ms: number
  share: number
}

/** Self time per function and per module (node_modules package, repository file, or node internal). */
export interface ProfileSummary {
  totalMs: number
  idleMs: number
  gcMs: number
  byFunction: SelfRow[]
  byModule: SelfRow[]
}

/** The module a script URL belongs to: a package of node_modules, a repository path, or `node:` internals. */
function moduleOf(url: string, root: string): string {
  if (url === '') return '(native)'
  const path = url.startsWith('file://') ? url.slice(7) : url
  const nm = path.lastIndexOf('/node_modules/')
  if (nm !== -1) {
    const rest = path.slice(nm + 14).split('/')
    return 'npm:' + (rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0])
  }
  if (path.startsWith('node:')) return path
  return path.startsWith('/') ? relative(root, path) : path
}

function rows(map: Map<string, number>, total: number, top: number): SelfRow[] {
  return [...map].sort((a, b) => b[1] - a[1]).slice(0, top).map(([name, us]) => ({ name, ms: Math.round(us / 100) / 10, share: total > 0 ? us / total : 0 }))
}

/** Reads a profile and sums the time between samples onto the sampled (leaf) function. */
export function summariseProfile(file: string, root: string, top = 40): ProfileSummary {
  const p = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile
  const byId = new Map(p.nodes.map((n) => [n.id, n]))
  const fn = new Map<string, number>()
  const mod = new Map<string, number>()
  let idle = 0
  let gc = 0
  let total = 0
  const samples = p.samples ?? []
  const deltas = p.timeDeltas ?? []
  for (let i = 0; i < samples.length; i++) {
    const node = byId.get(samples[i]!)
    // A sample's time is the delta to the next one.
    const us = deltas[i + 1] ?? 0
    if (node === undefined) continue
    const { functionName, url, lineNumber } = node.callFrame
    if (functionName === '(idle)') {
      idle += us
      continue
    }
    if (functionName === '(garbage collector)') gc += us
    total += us
    const m = moduleOf(url, root)
    const name = `${functionName || '(anonymous)'} ${m}:${lineNumber + 1}`
    fn.set(name, (fn.get(name) ?? 0) + us)
    mod.set(m, (mod.get(m) ?? 0) + us)
  }
  return { totalMs: total / 1000, idleMs: idle / 1000, gcMs: gc / 1000, byFunction: rows(fn, total, top), byModule: rows(mod, total, top) }
}

/** The summary as two markdown tables. */
export function formatSummary(s: ProfileSummary): string {
  const table = (title: string, r: SelfRow[]): string =>
    [`| ${title} | self ms | share |`, '| --- | --- | --- |', ...r.map((x) => `| \`${x.name}\` | ${x.ms} | ${(x.share * 100).toFixed(1)}% |`)].join('\n')
  return [
    `busy ${Math.round(s.totalMs)} ms (GC ${Math.round(s.gcMs)} ms, ${((s.gcMs / Math.max(1, s.totalMs)) * 100).toFixed(1)}%), idle ${Math.round(s.idleMs)} ms`,
    '', table('module', s.byModule), '', table('function', s.byFunction),
  ].join('\n')
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const file = process.argv[2]
  if (file === undefined) {
    process.stderr.write('usage: tsx scripts/profile-summary.ts <file.cpuprofile> [top]\n')
    process.exit(2)
  }
  console.log(formatSummary(summariseProfile(file, process.cwd(), Number(process.argv[3] ?? 40))))
}
