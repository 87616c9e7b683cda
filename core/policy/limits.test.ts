// Covers the line limits of docs/architecture.md "Routing": gateway and group limits with reserved lines as live counters, the idempotent RouteDecision hold, and never-negative counts.
import { describe, expect, it } from 'vitest'
import type { RouteTarget } from '../call/ports.js'
import { AdmittedCall } from './admitted-call.js'
import { gatewayGroup, mappingGateway, policySnapshot, routingGateway } from './test-support/policy-inputs.js'
import { LineCounters, LineCountError } from './limits.js'

const target = (routingGatewayId: string, groupId: string | null = null): RouteTarget => ({
  routingGatewayId, groupId, priority: 0, matchedPrefix: '', protectRoute: false, calleeOut: '1', callerOut: '2',
  host: '198.51.100.1', port: 5060, transport: 'udp', switchUntilConnect: true, stopSwitchingCodes: [], mediaProxy: false,
})

const snapshot = policySnapshot({
  routingGateways: [routingGateway('rg1', { lineLimit: 2 }), routingGateway('rgG', { groupId: 'g1' })],
  gatewayGroups: [gatewayGroup('g1', { lineLimit: 3, reservedLines: [{ mappingGatewayId: 'mgPort', lines: 2 }] })],
})

function call(lines: LineCounters, mappingGatewayId = 'mgIp', targets = [target('rg1')]): AdmittedCall {
  return new AdmittedCall({
    snapshot, lines, mappingGatewayId, accountId: 'acc1', caller: '2', callee: '1', maxCallDurationSec: 0, mediaProxy: false,
    targets, rejected: [],
  })
}

describe('LineCounters', () => {
  it('counts every line ever taken (admissions per mapping gateway, attempts per routing gateway) for calls per second', () => {
    const lines = new LineCounters()
    lines.takeIngress('mgIp')
    lines.releaseIngress('mgIp')
    lines.takeIngress('mgIp')
    expect(lines.tryTakeTarget(snapshot, 'mgIp', target('rg1'))).toBe(true)
    lines.releaseTarget('mgIp', target('rg1'))
    expect(lines.tryTakeTarget(snapshot, 'mgIp', target('rg1'))).toBe(true)
    expect(lines.taken.mapping.get('mgIp')).toBe(2)
    expect(lines.taken.routing.get('rg1')).toBe(2)
    expect(lines.ingressCalls('mgIp')).toBe(1)
  })

  it('refuses a routing gateway line at its lineLimit and frees it on release', () => {
    const lines = new LineCounters()
    expect(lines.tryTakeTarget(snapshot, 'mgIp', target('rg1'))).toBe(true)
    expect(lines.tryTakeTarget(snapshot, 'mgIp', target('rg1'))).toBe(true)
    expect(lines.tryTakeTarget(snapshot, 'mgIp', target('rg1'))).toBe(false)
    lines.releaseTarget('mgIp', target('rg1'))
    expect(lines.gatewayCallsOf('rg1')).toBe(1)
    expect(lines.live.gatewayCalls?.get('rg1')).toBe(1)
  })

  it('gives routing the routing gateway counts by the routing table index, following takes and releases', () => {
    const lines = new LineCounters()
    const byIndex = () => [...lines.live.gatewayCallsAt!(snapshot.routing)]
    const rg1 = snapshot.routing.indexOf.get('rg1')!
    expect(lines.tryTakeTarget(snapshot, 'mgIp', target('rg1'))).toBe(true)
    expect(byIndex()[rg1]).toBe(1)
    expect(lines.tryTakeTarget(snapshot, 'mgIp', target('rg1'))).toBe(true)
    expect(byIndex()[rg1]).toBe(2)
    lines.releaseTarget('mgIp', target('rg1'))
    lines.releaseTarget('mgIp', target('rg1'))
    expect(byIndex()[rg1]).toBeUndefined()
    expect(byIndex()).toHaveLength(snapshot.routing.gateways.length)
  })

  it('holds reserved group lines back from other mapping gateways but not from their owner', () => {
    const lines = new LineCounters()
    // g1: 3 lines, 2 reserved for mgPort → mgIp gets 1, mgPort still gets its 2.
    expect(lines.tryTakeTarget(snapshot, 'mgIp', target('rgG', 'g1'))).toBe(true)
    expect(lines.tryTakeTarget(snapshot, 'mgIp', target('rgG', 'g1'))).toBe(false)
    expect(lines.tryTakeTarget(snapshot, 'mgPort', target('rgG', 'g1'))).toBe(true)
    expect(lines.tryTakeTarget(snapshot, 'mgPort', target('rgG', 'g1'))).toBe(true)
    expect(lines.tryTakeTarget(snapshot, 'mgPort', target('rgG', 'g1'))).toBe(false)
    expect(lines.groupCallsOf('g1')).toBe(3)
    expect(lines.groupCallsOf('g1', 'mgPort')).toBe(2)
  })

  it('throws LineCountError instead of going negative when a line is given back twice', () => {
    const lines = new LineCounters()
    lines.takeIngress('mgIp')
    lines.releaseIngress('mgIp')
    expect(() => lines.releaseIngress('mgIp')).toThrow(LineCountError)
    expect(() => lines.releaseTarget('mgIp', target('rgG', 'g1'))).toThrow(LineCountError)
    expect(lines.ingressCalls('mgIp')).toBe(0)
    expect(lines.groupCallsOf('g1')).toBe(0)
  })

  it('reads gateway online state from the health source as it changes', () => {
    const health = { online: new Map([['rg1', false]]) }
    const lines = new LineCounters(health)
    expect(lines.live.online?.get('rg1')).toBe(false)
    health.online = new Map([['rg1', true]])
    expect(lines.live.online?.get('rg1')).toBe(true)
    expect(new LineCounters().live.online).toBeUndefined()
  })
})

describe('AdmittedCall', () => {
  it('holds the ingress line until release, and releasing twice gives it back once', () => {
    const lines = new LineCounters()
    const c = call(lines)
    expect(lines.ingressCalls('mgIp')).toBe(1)
    c.release()
    c.release()
    expect(lines.ingressCalls('mgIp')).toBe(0)
  })

  it('counts a target once however often it is acquired or released', () => {
    const lines = new LineCounters()
    const t = target('rgG', 'g1')
    const c = call(lines, 'mgIp', [t])
    expect(c.acquire(t)).toBe(true)
    expect(c.acquire(t)).toBe(true)
    expect(lines.groupCallsOf('g1', 'mgIp')).toBe(1)
    c.releaseTarget(t)
    c.releaseTarget(t)
    expect(lines.groupCallsOf('g1')).toBe(0)
  })

  it('gives back a target line the call layer forgot when the call is released, and acquires nothing after', () => {
    const lines = new LineCounters()
    const t = target('rg1')
    const c = call(lines, 'mgIp', [t])
    c.acquire(t)
    c.release()
    expect(lines.gatewayCallsOf('rg1')).toBe(0)
    expect(c.acquire(t)).toBe(false)
    expect(lines.gatewayCallsOf('rg1')).toBe(0)
  })

  it('answers false when the gateway filled up since the decision', () => {
    const lines = new LineCounters()
    const t = target('rg1')
    const [a, b, c] = [call(lines), call(lines), call(lines)]
    expect(a.acquire(t)).toBe(true)
    expect(b.acquire(t)).toBe(true)
    expect(c.acquire(t)).toBe(false)
  })
})
