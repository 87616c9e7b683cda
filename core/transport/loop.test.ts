// Covers the in-memory datagram transport the RFC 3261 §17 stack tests run on: the transport contract, clock-driven delivery, loss and failure injection.
import { describe, expect, it } from 'vitest'
import { ManualClock } from '../lib/clock.js'
import { LoopNetwork } from './loop.js'
import { RecordingUser, runTransportContract, type TransportHarness } from './test-support/transport-contract.js'
import type { Transport, TransportFailure } from './types.js'

runTransportContract('LoopTransport', (): TransportHarness => {
  const net = new LoopNetwork()
  const opened: Transport[] = []
  return {
    protocol: 'UDP',
    open: async (user) => {
      const t = net.open(user)
      opened.push(t)
      return t
    },
    until: async (done) => {
      for (let i = 0; i < 100 && !done(); i++) await new Promise<void>((r) => setImmediate(r))
      expect(done()).toBe(true)
    },
    cleanup: async () => {
      await Promise.all(opened.map((t) => t.close()))
    },
    userErrors: () => net.userErrors.length,
  }
})

describe('LoopNetwork', () => {
  it('delivers only when the manual clock reaches send time plus latency', () => {
    const clock = new ManualClock()
    const net = new LoopNetwork({ clock, latencyMs: 10 })
    const ub = new RecordingUser()
    const a = net.open(new RecordingUser())
    const b = net.open(ub)
    a.send(Buffer.from('one'), b.local)
    clock.advance(9)
    expect(ub.got).toHaveLength(0)
    clock.advance(1)
    expect(ub.got.map((g) => g.text)).toEqual(['one'])
  })

  it('delivers replies sent from inside a delivery within the same advance', () => {
    const clock = new ManualClock()
    const net = new LoopNetwork({ clock })
    const ua = new RecordingUser()
    const a = net.open(ua)
    const b = net.open({ onMessage: (buf, remote, t) => t.send(Buffer.from(`re:${buf.toString()}`), remote) })
    a.send(Buffer.from('ping'), b.local)
    clock.flush()
    expect(ua.got.map((g) => g.text)).toEqual(['re:ping'])
  })

  it('loses datagrams by rule or by rate and logs each outcome', () => {
    const clock = new ManualClock()
    const net = new LoopNetwork({ clock, lossRate: 1 })
    const ub = new RecordingUser()
    const a = net.open(new RecordingUser())
    const b = net.open(ub)
    a.send(Buffer.from('lost'), b.local)
    net.setLossRate(0)
    net.drop((p) => p.buf.toString() === 'dropme')
    a.send(Buffer.from('dropme'), b.local)
    a.send(Buffer.from('kept'), b.local)
    a.send(Buffer.from('nowhere'), { address: '10.9.9.9', port: 5060, family: 'IPv4' })
    clock.flush()
    expect(ub.got.map((g) => g.text)).toEqual(['kept'])
    expect(net.packets.map((p) => p.outcome)).toEqual(['lost', 'lost', 'delivered', 'unroutable'])
  })

  it('reports injected send failures to the listener asynchronously', () => {
    const clock = new ManualClock()
    const net = new LoopNetwork({ clock })
    const a = net.open(new RecordingUser())
    const b = net.open(new RecordingUser())
    net.failSends((to) => (to.port === b.local.port ? 'EHOSTUNREACH' : undefined))
    const failures: TransportFailure[] = []
    a.send(Buffer.from('x'), b.local, { onSendError: (f) => failures.push(f) })
    expect(failures).toHaveLength(0)
    clock.flush()
    expect(failures.map((f) => f.code)).toEqual(['EHOSTUNREACH'])
  })

  it('binds explicit IPv6 addresses and refuses a double bind', () => {
    const net = new LoopNetwork()
    const t = net.open(new RecordingUser(), '::1', 5060)
    expect(t.local).toEqual({ address: '::1', port: 5060, family: 'IPv6' })
    expect(() => net.open(new RecordingUser(), '::1', 5060)).toThrow(/already bound/)
  })
})
