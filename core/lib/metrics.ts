// Counters, gauges and histograms for /metrics: series are plain numbers on the hot path; prom-client's registry renders them (with the default process metrics) in the Prometheus text format.
import { collectDefaultMetrics, Registry, type Metric as PromMetric } from 'prom-client'

/** Prefix of every metric the softswitch defines (prom-client's process_* and nodejs_* keep their standard names). */
export const METRIC_PREFIX = 'softswitch_'

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

type Labels = Record<string, string>

/** One value of a rendered family, as prom-client's registry takes it. */
interface PromValue {
  value: number
  labels: Labels
  metricName?: string
}

/** How a node with several workers folds one family of theirs into its /metrics (prom-client's aggregators). */
export type Aggregator = 'sum' | 'max' | 'min' | 'first' | 'average' | 'omit'

/** What prom-client's registry reads from a metric (its `getForPromString` hook); also one family of a worker's scrape. */
export interface PromFamily {
  name: string
  help: string
  type: string
  values: PromValue[]
  aggregator: Aggregator
}

class Series {
  value = 0

  constructor(readonly labels: Labels) {}

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

/** The label object for `values` in `names` order, after checking the count. */
function labelsOf(metric: string, names: readonly string[], values: readonly string[]): Labels {
  if (values.length !== names.length) throw new MetricsError(`${metric}: expected ${names.length} label values, got ${values.length}`)
  const out: Labels = {}
  names.forEach((n, i) => (out[n] = values[i]!))
  return out
}

/** A counter or gauge family: one name, help text, fixed label names, and a series per label-value tuple. */
export class Metric {
  readonly name: string
  /** How the node's /metrics folds the workers' values (default: their sum). */
  aggregator: Aggregator = 'sum'
  private readonly series = new Map<string, Series>()

  constructor(
    readonly shortName: string,
    readonly help: string,
    readonly type: 'counter' | 'gauge',
    readonly labelNames: readonly string[],
    private readonly collector?: () => number,
  ) {
    this.name = METRIC_PREFIX + shortName
  }

  /** The series for these label values, in `labelNames` order; keep the result on hot paths (no lookup per event). */
  labels(...values: string[]): Series {
    const key = values.join('\u0000')
    let s = this.series.get(key)
    if (s === undefined) {
      s = new Series(labelsOf(this.name, this.labelNames, values))
      this.series.set(key, s)
    }
    return s
  }

  /** Folds the workers' values with `by` instead of summing them (a maximum delay, a build label); returns the metric. */
  aggregate(by: Aggregator): this {
    this.aggregator = by
    return this
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
    if (this.collector !== undefined && values.length === 0) return this.collector()
    return this.series.get(values.join('\u0000'))?.value ?? 0
  }

  /** prom-client's registry reads the family through this hook at scrape time. */
  getForPromString(): PromFamily {
    const values = this.collector !== undefined ? [{ value: this.collector(), labels: {} }] : [...this.series.values()].map((s) => ({ value: s.value, labels: s.labels }))
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator }
  }
}

/** Cumulative bucket counts, sum and count of one labelled histogram series. */
export class HistogramSeries {
  readonly counts: number[]
  sum = 0
  count = 0

  constructor(
    private readonly bounds: readonly number[],
    readonly labels: Labels,
  ) {
    this.counts = new Array<number>(bounds.length).fill(0)
  }

  /** Records one observation (in the histogram's base unit: seconds, bytes). */
  observe(v: number): void {
    this.sum += v
    this.count++
    for (let i = 0; i < this.bounds.length; i++) if (v <= this.bounds[i]!) this.counts[i]!++
  }
}

/** A histogram family: `_bucket{le}` (cumulative, ending with +Inf), `_sum` and `_count` per label tuple. */
export class Histogram {
  readonly type = 'histogram' as const
  readonly name: string
  private readonly series = new Map<string, HistogramSeries>()

  constructor(
    readonly shortName: string,
    readonly help: string,
    readonly labelNames: readonly string[],
    readonly bounds: readonly number[],
  ) {
    this.name = METRIC_PREFIX + shortName
  }

  /** The series for these label values, in `labelNames` order; keep it where the same labels repeat. */
  labels(...values: string[]): HistogramSeries {
    const key = values.join('\u0000')
    let s = this.series.get(key)
    if (s === undefined) {
      s = new HistogramSeries(this.bounds, labelsOf(this.name, this.labelNames, values))
      this.series.set(key, s)
    }
    return s
  }

  /** Drops one series. */
  remove(...values: string[]): void {
    this.series.delete(values.join('\u0000'))
  }

  /** prom-client's registry reads the family through this hook at scrape time. */
  getForPromString(): PromFamily {
    const values: PromValue[] = []
    for (const s of this.series.values()) {
      this.bounds.forEach((b, i) => values.push({ metricName: `${this.name}_bucket`, labels: { ...s.labels, le: String(b) }, value: s.counts[i]! }))
      values.push({ metricName: `${this.name}_bucket`, labels: { ...s.labels, le: '+Inf' }, value: s.count })
      values.push({ metricName: `${this.name}_sum`, labels: s.labels, value: s.sum })
      values.push({ metricName: `${this.name}_count`, labels: s.labels, value: s.count })
    }
    return { name: this.name, help: this.help, type: 'histogram', values, aggregator: 'sum' }
  }
}

/** The registry a process owns; modules register their metrics on it at construction (names without the prefix). */
export class Metrics {
  readonly registry = new Registry()
  private readonly metrics = new Map<string, Metric | Histogram>()

  /** Registers (or returns the already registered) counter `name` (rendered as `softswitch_<name>`); with `collect`, a count kept elsewhere, read at scrape time. */
  counter(name: string, help: string, labelNames: readonly string[] = [], collect?: () => number): Metric {
    return this.register(name, help, 'counter', labelNames, collect)
  }

  /** Registers (or returns) gauge `name`; with `collect`, its value is read at scrape time. */
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
    this.registry.registerMetric(h as unknown as PromMetric)
    return h
  }

  /** Looks a counter or gauge up by its name without the prefix (tests and status pages). */
  get(name: string): Metric | undefined {
    const m = this.metrics.get(name)
    return m instanceof Metric ? m : undefined
  }

  /** Adds prom-client's default process_* and nodejs_* metrics and `softswitch_build_info{service, version, node}` = 1. */
  collectProcessMetrics(build: { service: string; version: string }): void {
    collectDefaultMetrics({ register: this.registry })
    // Gauges named *_total that promtool flags (counts of handles, requests, resources); the per-type gauges stay.
    for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) this.registry.removeSingleMetric(name)
    this.gauge('build_info', 'Build of this process: always 1, the labels say which', ['service', 'version', 'node']).aggregate('max').set(1, build.service, build.version, process.version)
  }

  /** Every family with its values, as one worker's part of the node's /metrics (structured-clone safe). */
  async families(): Promise<PromFamily[]> {
    const out: PromFamily[] = []
    for (const m of this.registry.getMetricsAsArray()) {
      const hook = m as unknown as { getForPromString?: () => PromFamily | Promise<PromFamily>; get(): Promise<PromFamily> }
      out.push(typeof hook.getForPromString === 'function' ? await hook.getForPromString() : await hook.get())
    }
    return out
  }

  /** Prometheus text exposition format 0.0.4. */
  render(): Promise<string> {
    return this.registry.metrics()
  }

  /** The content type of `render()`. */
  get contentType(): string {
    return this.registry.contentType
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
    this.registry.registerMetric(m as unknown as PromMetric)
    return m
  }
}
