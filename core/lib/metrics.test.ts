// Covers the counters, gauges and histograms behind /metrics: softswitch_ names, prom-client's rendering in the Prometheus text format 0.0.4, default process metrics and build info (no RFC).
import { describe, expect, it } from 'vitest'
import { Metrics, MetricsError } from './metrics.js'
import { parsePrometheusText, PromParseError, sampleValue } from './test-support/prometheus-text.js'

describe('Metrics', () => {
  it('renders counters with escaped labels and gauges from collectors, named softswitch_*', async () => {
    const m = new Metrics()
    const bad = m.counter('sip_bad_messages_total', 'Datagrams dropped as unparseable', ['transport'])
    bad.labels('udp').inc()
    bad.labels('udp').inc(2)
    bad.labels('we"ird').inc()
    let n = 7
    m.gauge('sip_transactions', 'Live transactions', [], () => n)
    n = 9
    expect(await m.render()).toBe(
      [
        '# HELP softswitch_sip_bad_messages_total Datagrams dropped as unparseable',
        '# TYPE softswitch_sip_bad_messages_total counter',
        'softswitch_sip_bad_messages_total{transport="udp"} 3',
        'softswitch_sip_bad_messages_total{transport="we\\"ird"} 1',
        '',
        '# HELP softswitch_sip_transactions Live transactions',
        '# TYPE softswitch_sip_transactions gauge',
        'softswitch_sip_transactions 9',
        '',
      ].join('\n'),
    )
    expect(bad.get('udp')).toBe(3)
  })

  it('returns the same metric on re-registration and rejects a different shape', () => {
    const m = new Metrics()
    const a = m.counter('x_total', 'x', ['a'])
    expect(m.counter('x_total', 'x', ['a'])).toBe(a)
    expect(() => m.gauge('x_total', 'x', ['a'])).toThrow(MetricsError)
    expect(() => a.labels()).toThrow(MetricsError)
  })

  it('gauges set, inc and dec', () => {
    const g = new Metrics().gauge('g', 'g')
    g.set(5)
    g.labels().dec(2)
    g.labels().inc()
    expect(g.get()).toBe(4)
  })
})

describe('Metrics histograms', () => {
  it('renders cumulative buckets, +Inf, _sum and _count that a strict exposition parser accepts', async () => {
    const m = new Metrics()
    const h = m.histogram('sip_options_rtt_seconds', 'OPTIONS round trip', ['gateway'], [0.005, 0.01, 0.05])
    h.labels('rg1').observe(0.003)
    h.labels('rg1').observe(0.02)
    h.labels('rg1').observe(0.4)
    const fams = parsePrometheusText(await m.render())
    const name = 'softswitch_sip_options_rtt_seconds'
    expect(fams.get(name)?.type).toBe('histogram')
    expect(sampleValue(fams, `${name}_bucket`, { gateway: 'rg1', le: '0.005' })).toBe(1)
    expect(sampleValue(fams, `${name}_bucket`, { gateway: 'rg1', le: '0.05' })).toBe(2)
    expect(sampleValue(fams, `${name}_bucket`, { gateway: 'rg1', le: '+Inf' })).toBe(3)
    expect(sampleValue(fams, `${name}_sum`, { gateway: 'rg1' })).toBeCloseTo(0.423, 9)
    expect(sampleValue(fams, `${name}_count`, { gateway: 'rg1' })).toBe(3)
  })

  it('adds the default process metrics and softswitch_build_info', async () => {
    const m = new Metrics()
    m.collectProcessMetrics({ service: 'core', version: '1.2.3' })
    const fams = parsePrometheusText(await m.render())
    expect(fams.get('process_cpu_seconds_total')?.type).toBe('counter')
    expect(fams.get('process_resident_memory_bytes')?.type).toBe('gauge')
    expect(fams.get('nodejs_heap_size_used_bytes')?.type).toBe('gauge')
    expect(sampleValue(fams, 'softswitch_build_info', { service: 'core', version: '1.2.3', node: process.version })).toBe(1)
  })

  it('stops rendering a removed series', async () => {
    const m = new Metrics()
    const g = m.gauge('gateway_online', 'online', ['gateway'])
    g.set(1, 'rg1')
    g.remove('rg1')
    expect(await m.render()).not.toContain('rg1')
  })
})

describe('parsePrometheusText', () => {
  it('rejects what the format forbids: bad names, unquoted labels, bad escapes, split families, non-cumulative buckets', () => {
    for (const bad of [
      '9bad 1\n',
      'a{x=1} 1\n',
      'a{x="\\q"} 1\n',
      'a 1\nb 1\na 2\n',
      '# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_sum 1\nh_count 1\n',
      'a 1',
      '# TYPE c counter\nc -1\n',
    ]) expect(() => parsePrometheusText(bad), bad).toThrow(PromParseError)
  })
})
