// Counters, gauges and histograms with labels, rendered in the Prometheus text exposition format for /metrics.

/** A monotonically increasing count (one labelled series). */
export interface CounterSeries {
  inc(n?: number): void
  readonly value: number
}

/** A value that goes up and down (one labelled series). */
export interface GaugeSeries {
  set(v: number): void
  inc(n?: number): void
  dec(n?: number): void
  readonly value: number
}

/** Thrown when our code registers a metric twice with a different shape or passes the wrong label count. */
export class MetricsError extends Error {
  override name = 'MetricsError'
}

class Series {
  value = 0
  readonly labelText: string

  constructor(labelText: string) {
    this.labelText = labelText
  }

  set(v: number): void {
    this.value = v
  }

  inc(n = 1): void {
    this.value += n
  }

  dec(n = 1): void {
    this.value -= n
  }
}

function escapeLabel(v: string): string {
  return v.replaceAll('\\', '\\\\').replaceAll('\n', '\\n').replaceAll('"', '\\"')
}

/** A metric family: one name, help text, fixed label names, and a series per label-value tuple. */
export class Metric {
  readonly name: string
  readonly help: string
  readonly type: 'counter' | 'gauge'
  readonly labelNames: readonly string[]
  private readonly series = new Map<string, Series>()
  private readonly collector: (() => number) | undefined

  constructor(name: string, help: string, type: 'counter' | 'gauge', labelNames: readonly string[], collect?: () => number) {
    this.name = name
    this.help = help
    this.type = type
    this.labelNames = labelNames
    this.collector = collect
  }

  /** The series for these label values, in `labelNames` order; cache the result on hot paths. */
  labels(...values: string[]): Series {
    if (values.length !== this.labelNames.length) {
      throw new MetricsError(`${this.name}: expected ${this.labelNames.length} label values, got ${values.length}`)
    }
    const key = values.join('\u0000')
    let s = this.series.get(key)
    if (s === undefined) {
      const text = values.length === 0 ? '' : `{${this.labelNames.map((n, i) => `${n}="${escapeLabel(values[i]!)}"`).join(',')}}`
      s = new Series(text)
      this.series.set(key, s)
    }
    return s
  }

  /** Increments the unlabelled series (or the given label values). */
  inc(n = 1, ...values: string[]): void {
    this.labels(...values).inc(n)
  }

  /** Sets the unlabelled series (gauges). */
  set(v: number, ...values: string[]): void {
    this.labels(...values).set(v)
  }

  /** Drops one series (a gateway removed from the config), so it is no longer rendered. */
  remove(...values: string[]): void {
    this.series.delete(values.join('\u0000'))
  }

  /** Value of one series (0 when never touched). */
  get(...values: string[]): number {
    return this.series.get(values.join('\u0000'))?.value ?? 0
  }

  render(out: string[]): void {
    out.push(`# HELP ${this.name} ${this.help.replaceAll('\\', '\\\\').replaceAll('\n', '\\n')}`)
    out.push(`# TYPE ${this.name} ${this.type}`)
    if (this.collector !== undefined) {
      out.push(`${this.name} ${this.collector()}`)
      return
    }
    for (const s of this.series.values()) out.push(`${this.name}${s.labelText} ${s.value}`)
  }
}

/** Cumulative bucket counts, sum and count of one labelled histogram series. */
export class HistogramSeries {
  readonly counts: number[]
  sum = 0
  count = 0

  constructor(private readonly bounds: readonly number[]) {
    this.counts = new Array<number>(bounds.length).fill(0)
  }

  /** Records one observation. */
  observe(v: number): void {
    this.sum += v
    this.count++
    for (let i = 0; i < this.bounds.length; i++) if (v <= this.bounds[i]!) this.counts[i]!++
  }
}

/** A histogram family: `_bucket{le}` (cumulative, ending with +Inf), `_sum` and `_count` per label tuple. */
export class Histogram {
  readonly type = 'histogram' as const
  private readonly series = new Map<string, { labels: readonly string[]; s: HistogramSeries }>()

  constructor(readonly name: string, readonly help: string, readonly labelNames: readonly string[], readonly bounds: readonly number[]) {}

  /** The series for these label values, in `labelNames` order. */
  labels(...values: string[]): HistogramSeries {
    if (values.length !== this.labelNames.length) {
      throw new MetricsError(`${this.name}: expected ${this.labelNames.length} label values, got ${values.length}`)
    }
    const key = values.join('\u0000')
    let e = this.series.get(key)
    if (e === undefined) {
      e = { labels: values, s: new HistogramSeries(this.bounds) }
      this.series.set(key, e)
    }
    return e.s
  }

  /** Drops one series. */
  remove(...values: string[]): void {
    this.series.delete(values.join('\u0000'))
  }

  render(out: string[]): void {
    out.push(`# HELP ${this.name} ${this.help.replaceAll('\\', '\\\\').replaceAll('\n', '\\n')}`)
    out.push(`# TYPE ${this.name} histogram`)
    for (const { labels, s } of this.series.values()) {
      const pairs = this.labelNames.map((n, i) => `${n}="${escapeLabel(labels[i]!)}"`)
      const withLe = (extra: string): string => `{${[...pairs, extra].join(',')}}`
      const plain = pairs.length === 0 ? '' : `{${pairs.join(',')}}`
      for (let i = 0; i < this.bounds.length; i++) out.push(`${this.name}_bucket${withLe(`le="${this.bounds[i]}"`)} ${s.counts[i]}`)
      out.push(`${this.name}_bucket${withLe('le="+Inf"')} ${s.count}`)
      out.push(`${this.name}_sum${plain} ${s.sum}`)
      out.push(`${this.name}_count${plain} ${s.count}`)
    }
  }
}

/** The registry a process owns; modules register their metrics on it at construction. */
export class Metrics {
  private readonly metrics = new Map<string, Metric | Histogram>()

  /** Registers (or returns the already registered) counter `name`. */
  counter(name: string, help: string, labelNames: readonly string[] = []): Metric {
    return this.register(name, help, 'counter', labelNames)
  }

  /** Registers (or returns) gauge `name`; with `collect`, its value is read at render time. */
  gauge(name: string, help: string, labelNames: readonly string[] = [], collect?: () => number): Metric {
    return this.register(name, help, 'gauge', labelNames, collect)
  }

  /** Registers (or returns) histogram `name` with upper bucket bounds `bounds` (ascending; +Inf is implied). */
  histogram(name: string, help: string, labelNames: readonly string[], bounds: readonly number[]): Histogram {
    const existing = this.metrics.get(name)
    if (existing !== undefined) {
      if (!(existing instanceof Histogram) || existing.labelNames.join(',') !== labelNames.join(',')) {
        throw new MetricsError(`metric ${name} already registered with a different type or labels`)
      }
      return existing
    }
    const h = new Histogram(name, help, labelNames, bounds)
    this.metrics.set(name, h)
    return h
  }

  /** Looks a counter or gauge up by name (tests and status pages). */
  get(name: string): Metric | undefined {
    const m = this.metrics.get(name)
    return m instanceof Metric ? m : undefined
  }

  /** Prometheus text exposition format 0.0.4. */
  render(): string {
    const out: string[] = []
    for (const m of this.metrics.values()) m.render(out)
    return out.join('\n') + '\n'
  }

  private register(name: string, help: string, type: 'counter' | 'gauge', labelNames: readonly string[], collect?: () => number): Metric {
    const existing = this.metrics.get(name)
    if (existing !== undefined) {
      if (!(existing instanceof Metric) || existing.type !== type || existing.labelNames.join(',') !== labelNames.join(',')) {
        throw new MetricsError(`metric ${name} already registered with a different type or labels`)
      }
      return existing
    }
    const m = new Metric(name, help, type, labelNames, collect)
    this.metrics.set(name, m)
    return m
  }
}
