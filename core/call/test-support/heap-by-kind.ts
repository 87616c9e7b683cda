// Benchmark support: reads two V8 heap snapshots and reports what the second holds more than the first, by kind (constructor, closure name, string type), per unit.
import { readFileSync } from 'node:fs'

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[]] } }
  nodes: number[]
  strings: string[]
}

/** Count and self bytes of the live nodes of one snapshot, by kind. */
function byKind(file: string): Map<string, { count: number; bytes: number }> {
  const s = JSON.parse(readFileSync(file, 'utf8')) as Snapshot
  const f = s.snapshot.meta.node_fields
  const width = f.length
  const iType = f.indexOf('type')
  const iName = f.indexOf('name')
  const iSize = f.indexOf('self_size')
  const types = s.snapshot.meta.node_types[0]
  const out = new Map<string, { count: number; bytes: number }>()
  for (let i = 0; i < s.nodes.length; i += width) {
    const type = types[s.nodes[i + iType]!]!
    const size = s.nodes[i + iSize]!
    let kind: string
    if (type === 'string' || type === 'concatenated string' || type === 'sliced string') kind = `(${type}${type === 'string' && size >= 256 ? ' >= 256 B' : ''})`
    else if (type === 'object' || type === 'closure' || type === 'hidden' || type === 'array' || type === 'native' || type === 'object shape') kind = `${type}:${s.strings[s.nodes[i + iName]!]}`
    else kind = `(${type})`
    const e = out.get(kind)
    if (e === undefined) out.set(kind, { count: 1, bytes: size })
    else {
      e.count++
      e.bytes += size
    }
  }
  return out
}

/**
 * Kinds that grew from `before` to `after`, per `units` (count and bytes), largest first; `top` rows. `total` counts
 * every node, `jsHeap` leaves out the native ones (ArrayBuffer backing stores), which live outside V8's heap and are
 * never copied by a scavenge.
 */
export function heapGrowthByKind(before: string, after: string, units: number, top = 30): { total: number; jsHeap: number; rows: Array<{ kind: string; count: number; bytes: number }> } {
  const a = byKind(before)
  const b = byKind(after)
  const rows: Array<{ kind: string; count: number; bytes: number }> = []
  let total = 0
  let jsHeap = 0
  for (const [kind, v] of b) {
    const w = a.get(kind) ?? { count: 0, bytes: 0 }
    const bytes = (v.bytes - w.bytes) / units
    total += bytes
    if (!kind.startsWith('native:')) jsHeap += bytes
    if (bytes >= 1) rows.push({ kind, count: Math.round(((v.count - w.count) / units) * 100) / 100, bytes: Math.round(bytes) })
  }
  rows.sort((x, y) => y.bytes - x.bytes)
  return { total: Math.round(total), jsHeap: Math.round(jsHeap), rows: rows.slice(0, top) }
}
