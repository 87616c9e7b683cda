// Covers the counters and gauges behind /metrics (Prometheus text exposition format 0.0.4; no RFC).
import { describe, expect, it } from 'vitest'
import { Metrics, MetricsError } from './metrics.js'

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
