// Covers the counters and gauges behind /metrics (Prometheus text exposition format 0.0.4; no RFC).
import { describe, expect, it } from 'vitest'
import { Metrics, MetricsError } from './metrics.js'
import { parsePrometheusText, PromParseError, sampleValue } from './test-support/prometheus-text.js'

describe('Metrics', () => {
  it('renders counters with escaped labels and gauges from collectors', () => {
    const m = new Metrics()
    const bad = m.counter('sip_bad_messages_total', 'Datagrams dropped as unparseable', ['transport'])
    bad.labels('udp').inc()
    bad.labels('udp').inc(2)
    bad.labels('we"ird').inc()
    let n = 7
    m.gauge('sip_transactions', 'Live transactions', [], () => n)
    n = 9
    expect(m.render()).toBe(
      [
        '# HELP sip_bad_messages_total Datagrams dropped as unparseable',
        '# TYPE sip_bad_messages_total counter',
        'sip_bad_messages_total{transport="udp"} 3',
        'sip_bad_messages_total{transport="we\\"ird"} 1',
        '# HELP sip_transactions Live transactions',
        '# TYPE sip_transactions gauge',
        'sip_transactions 9',
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
  it('renders cumulative buckets, +Inf, _sum and _count that a strict exposition parser accepts', () => {
    const m = new Metrics()
    const h = m.histogram('sip_options_rtt_ms', 'OPTIONS round trip', ['gateway'], [5, 10, 50])
    h.labels('rg1').observe(3)
    h.labels('rg1').observe(20)
    h.labels('rg1').observe(400)
    const fams = parsePrometheusText(m.render())
    expect(fams.get('sip_options_rtt_ms')?.type).toBe('histogram')
    expect(sampleValue(fams, 'sip_options_rtt_ms_bucket', { gateway: 'rg1', le: '5' })).toBe(1)
    expect(sampleValue(fams, 'sip_options_rtt_ms_bucket', { gateway: 'rg1', le: '50' })).toBe(2)
    expect(sampleValue(fams, 'sip_options_rtt_ms_bucket', { gateway: 'rg1', le: '+Inf' })).toBe(3)
    expect(sampleValue(fams, 'sip_options_rtt_ms_sum', { gateway: 'rg1' })).toBe(423)
    expect(sampleValue(fams, 'sip_options_rtt_ms_count', { gateway: 'rg1' })).toBe(3)
  })

  it('stops rendering a removed series', () => {
    const m = new Metrics()
    const g = m.gauge('gateway_online', 'online', ['gateway'])
    g.set(1, 'rg1')
    g.remove('rg1')
    expect(m.render()).not.toContain('rg1')
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
