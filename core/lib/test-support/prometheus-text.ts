// Test support: a strict parser of the Prometheus text exposition format 0.0.4, so /metrics is checked by grammar, not by regex on one line.

/** One sample line: full sample name (with _bucket/_sum/_count), labels and value. */
export interface PromSample {
  name: string
  labels: Record<string, string>
  value: number
}

/** One metric family: TYPE, HELP and its samples in order. */
export interface PromFamily {
  name: string
  type: 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped'
  help: string | undefined
  samples: PromSample[]
}

/** Thrown with the 1-based line number of the first violation. */
export class PromParseError extends Error {
  override name = 'PromParseError'
}

const METRIC = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped'])

/** A sample value as Prometheus reads it (Go's ParseFloat: Inf and NaN in any letter case, as prom-client writes `Nan`). */
function parseValue(s: string, line: number): number {
  if (/^\+?inf(inity)?$/i.test(s)) return Infinity
  if (/^-inf(inity)?$/i.test(s)) return -Infinity
  if (/^nan$/i.test(s)) return NaN
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(s)) throw new PromParseError(`line ${line}: bad value ${JSON.stringify(s)}`)
  return Number(s)
}

/** Parses `{a="x",b="y"}` starting at `i` (at the `{`); returns labels and the index after `}`. */
function parseLabels(text: string, i: number, line: number): [Record<string, string>, number] {
  const labels: Record<string, string> = {}
  i++
  while (text[i] !== '}') {
    const eq = text.indexOf('=', i)
    if (eq < 0) throw new PromParseError(`line ${line}: label without =`)
    const name = text.slice(i, eq)
    if (!LABEL.test(name)) throw new PromParseError(`line ${line}: bad label name ${JSON.stringify(name)}`)
    if (name in labels) throw new PromParseError(`line ${line}: duplicate label ${name}`)
    if (text[eq + 1] !== '"') throw new PromParseError(`line ${line}: label value not quoted`)
    let j = eq + 2
    let v = ''
    for (;;) {
      const c = text[j]
      if (c === undefined) throw new PromParseError(`line ${line}: unterminated label value`)
      if (c === '"') break
      if (c === '\\') {
        const e = text[j + 1]
        if (e === '\\') v += '\\'
        else if (e === '"') v += '"'
        else if (e === 'n') v += '\n'
        else throw new PromParseError(`line ${line}: bad escape \\${e ?? ''}`)
        j += 2
        continue
      }
      v += c
      j++
    }
    labels[name] = v
    i = j + 1
    if (text[i] === ',') i++
    else if (text[i] !== '}') throw new PromParseError(`line ${line}: expected , or } after label ${name}`)
  }
  return [labels, i + 1]
}

/** The family a sample name belongs to (histogram suffixes stripped when that family is typed histogram/summary). */
function familyOf(sample: string, families: Map<string, PromFamily>): string {
  for (const suffix of ['_bucket', '_sum', '_count']) {
    if (!sample.endsWith(suffix)) continue
    const base = sample.slice(0, -suffix.length)
    const f = families.get(base)
    if (f !== undefined && (f.type === 'histogram' || (f.type === 'summary' && suffix !== '_bucket'))) return base
  }
  return sample
}

/** Checks histogram invariants: every series has cumulative buckets ending in +Inf equal to _count. */
function checkHistogram(f: PromFamily): void {
  const series = new Map<string, { buckets: Array<[number, number]>; count?: number }>()
  for (const s of f.samples) {
    const { le, ...rest } = s.labels
    const key = JSON.stringify(Object.entries(rest).sort())
    const e = series.get(key) ?? { buckets: [] }
    series.set(key, e)
    if (s.name.endsWith('_bucket')) {
      if (le === undefined) throw new PromParseError(`${f.name}: bucket without le`)
      e.buckets.push([parseValue(le, 0), s.value])
    } else if (s.name.endsWith('_count')) e.count = s.value
  }
  for (const [key, e] of series) {
    const last = e.buckets.at(-1)
    if (last === undefined || last[0] !== Infinity) throw new PromParseError(`${f.name}${key}: no +Inf bucket`)
    for (let i = 1; i < e.buckets.length; i++) {
      if (e.buckets[i]![0] <= e.buckets[i - 1]![0] || e.buckets[i]![1] < e.buckets[i - 1]![1]) throw new PromParseError(`${f.name}${key}: buckets not cumulative`)
    }
    if (e.count !== last[1]) throw new PromParseError(`${f.name}${key}: +Inf bucket ${last[1]} != _count ${String(e.count)}`)
  }
}

/** Parses a whole exposition; throws PromParseError on any grammar or consistency violation. */
export function parsePrometheusText(text: string): Map<string, PromFamily> {
  if (text.length > 0 && !text.endsWith('\n')) throw new PromParseError('exposition must end with a newline')
  const families = new Map<string, PromFamily>()
  const seen = new Set<string>()
  let current: string | undefined
  const lines = text.split('\n')
  lines.pop()
  const family = (name: string): PromFamily => {
    let f = families.get(name)
    if (f === undefined) {
      f = { name, type: 'untyped', help: undefined, samples: [] }
      families.set(name, f)
    }
    return f
  }
  lines.forEach((raw, idx) => {
    const n = idx + 1
    if (raw.trim() === '') return
    if (raw.startsWith('#')) {
      const m = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(raw)
      if (m === null) return // a plain comment
      const [, kind, name, rest] = m as unknown as [string, string, string, string]
      if (!METRIC.test(name)) throw new PromParseError(`line ${n}: bad metric name ${name}`)
      const f = family(name)
      if (kind === 'TYPE') {
        if (!TYPES.has(rest)) throw new PromParseError(`line ${n}: unknown type ${rest}`)
        if (f.samples.length > 0 || f.type !== 'untyped') throw new PromParseError(`line ${n}: TYPE for ${name} after its samples or twice`)
        f.type = rest as PromFamily['type']
      } else {
        if (f.help !== undefined) throw new PromParseError(`line ${n}: second HELP for ${name}`)
        f.help = rest
      }
      return
    }
    const brace = raw.indexOf('{')
    const space = raw.indexOf(' ')
    const nameEnd = brace >= 0 && (space < 0 || brace < space) ? brace : space
    if (nameEnd <= 0) throw new PromParseError(`line ${n}: no value`)
    const name = raw.slice(0, nameEnd)
    if (!METRIC.test(name)) throw new PromParseError(`line ${n}: bad metric name ${JSON.stringify(name)}`)
    let labels: Record<string, string> = {}
    let i = nameEnd
    if (raw[i] === '{') [labels, i] = parseLabels(raw, i, n)
    if (raw[i] !== ' ') throw new PromParseError(`line ${n}: expected a space before the value`)
    const parts = raw.slice(i + 1).split(' ')
    if (parts.length > 2 || (parts.length === 2 && !/^-?\d+$/.test(parts[1]!))) throw new PromParseError(`line ${n}: bad value/timestamp`)
    const value = parseValue(parts[0]!, n)
    const fname = familyOf(name, families)
    if (fname !== current) {
      if (seen.has(fname)) throw new PromParseError(`line ${n}: samples of ${fname} are not contiguous`)
      seen.add(fname)
      current = fname
    }
    const f = family(fname)
    const key = name + JSON.stringify(Object.entries(labels).sort())
    if (f.samples.some((s) => s.name + JSON.stringify(Object.entries(s.labels).sort()) === key)) throw new PromParseError(`line ${n}: duplicate series ${key}`)
    if (f.type === 'counter' && !(value >= 0)) throw new PromParseError(`line ${n}: counter ${name} is ${value}`)
    f.samples.push({ name, labels, value })
  })
  for (const f of families.values()) if (f.type === 'histogram') checkHistogram(f)
  return families
}

/** The value of one series, or undefined; `labels` must match exactly. */
export function sampleValue(families: Map<string, PromFamily>, name: string, labels: Record<string, string> = {}): number | undefined {
  const want = JSON.stringify(Object.entries(labels).sort())
  for (const f of families.values()) for (const s of f.samples) if (s.name === name && JSON.stringify(Object.entries(s.labels).sort()) === want) return s.value
  return undefined
}
