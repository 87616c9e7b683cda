// Covers measureRules on a real libSQL file: each scope and metric over its own window, attempts per routing gateway across failover, and live status.
import { describe, expect, it } from 'vitest'
import { gatewayStatus, ipAccessList } from '../../shared/db/schema.js'
import type { AlertRuleRow } from '../../shared/entities/alert-rule.js'
import { attempt, cdrRow, insertCdrs } from '../test-support/cdrs.js'
import { useHarness } from '../test-support/harness.js'
import { measureRules } from './measure.js'

const NOW = 1_800_000_000_000
let n = 0
const rule = (over: Partial<AlertRuleRow>): AlertRuleRow => ({
  id: `alr_${++n}`, name: `r${n}`, scope: { kind: 'all' }, metric: 'failureRatio', reason: null, sipCode: null, windowSec: 300,
  threshold: 0.5, minAttempts: 0, severity: 'warning', cooldownSec: 0, enabled: true, createdAtMs: 0, updatedAtMs: 0, ...over,
})

describe('measureRules', () => {
  const h = useHarness()

  async function seed(): Promise<void> {
    const at = (i: number) => NOW - 100_000 + i * 1000
    await insertCdrs(h().db, [
      // rgw_b answered 4 calls, but each first failed over from rgw_a with 503.
      ...Array.from({ length: 4 }, (_, i) => cdrRow({
        startedAtMs: at(i), routingGatewayId: 'rgw_b', pddMs: 1000,
        attempts: [attempt('rgw_a', 503, 'GatewayRejected', at(i)), attempt('rgw_b', 200, 'CallerHangup', at(i))],
      })),
      ...Array.from({ length: 6 }, (_, i) => cdrRow({
        startedAtMs: at(10 + i), routingGatewayId: 'rgw_a', terminationReason: 'InviteTimeout', sipCode: 408, pddMs: 3000, mappingGatewayId: 'mgw_x', accountId: 'acc_x', callee: '0044207',
        attempts: [attempt('rgw_a', 408, 'InviteTimeout', at(10 + i))],
      })),
      cdrRow({ startedAtMs: NOW - 400_000, terminationReason: 'InviteTimeout', sipCode: 408 }), // outside a 300 s window
    ])
  }

  it('measures failure ratio, ASR, reason and code counts, and PDD over every call in the window', async () => {
    await seed()
    const rules = [
      rule({ metric: 'failureRatio' }), rule({ metric: 'asr' }), rule({ metric: 'reasonCount', reason: 'InviteTimeout' }),
      rule({ metric: 'sipCodeCount', sipCode: 408 }), rule({ metric: 'avgPddMs' }), rule({ metric: 'reasonCount', reason: 'InviteTimeout', windowSec: 600 }),
    ]
    const m = await measureRules(h().db, rules, NOW)
    expect(rules.map((r) => m.get(r.id)?.value)).toEqual([0.6, 0.4, 6, 6, 2200, 7])
    expect(m.get(rules[0]!.id)).toMatchObject({ attempts: 10, window: { fromMs: NOW - 300_000, toMs: NOW }, topReasons: [{ reason: 'InviteTimeout', count: 6 }] })
  })

  it('counts every attempt on a routing gateway, failovers included', async () => {
    await seed()
    const a = rule({ scope: { kind: 'routingGateway', id: 'rgw_a' }, metric: 'sipCodeCount', sipCode: 503 })
    const b = rule({ scope: { kind: 'routingGateway', id: 'rgw_b' }, metric: 'failureRatio' })
    const ratioA = rule({ scope: { kind: 'routingGateway', id: 'rgw_a' }, metric: 'failureRatio' })
    const m = await measureRules(h().db, [a, b, ratioA], NOW)
    expect(m.get(a.id)).toMatchObject({ attempts: 10, value: 4 })
    expect(m.get(b.id)).toMatchObject({ attempts: 4, value: 0 })
    expect(m.get(ratioA.id)?.topReasons).toEqual([{ reason: 'InviteTimeout', count: 6 }, { reason: 'GatewayRejected', count: 4 }])
  })

  it('narrows to a mapping gateway, an account and a callee prefix', async () => {
    await seed()
    const rules = [
      rule({ scope: { kind: 'mappingGateway', id: 'mgw_x' } }), rule({ scope: { kind: 'account', id: 'acc_x' }, metric: 'asr' }),
      rule({ scope: { kind: 'prefix', prefix: '0044' } }), rule({ scope: { kind: 'prefix', prefix: '0049' } }),
    ]
    const m = await measureRules(h().db, rules, NOW)
    expect(rules.map((r) => [m.get(r.id)?.attempts, m.get(r.id)?.value])).toEqual([[6, 1], [6, 0], [6, 1], [0, null]])
  })

  it('counts offline routing gateways from the published status', async () => {
    const status = (gatewayId: string, online: boolean) => ({ kind: 'routing' as const, gatewayId, online, currentCalls: 0, callsPerSec: 0, nodeId: 'n', updatedAtMs: NOW })
    await h().db.insert(gatewayStatus).values([status('rgw_a', false), status('rgw_b', true)])
    const rules = [
      rule({ metric: 'gatewayOffline' }), rule({ metric: 'gatewayOffline', scope: { kind: 'routingGateway', id: 'rgw_b' } }),
      rule({ metric: 'gatewayOffline', scope: { kind: 'routingGateway', id: 'rgw_unpublished' } }),
    ]
    const m = await measureRules(h().db, rules, NOW)
    expect(rules.map((r) => m.get(r.id)?.value)).toEqual([1, 0, null])
  })

  it('counts auth failures and blocked destinations among the calls, and the automatic bans made in the window', async () => {
    await insertCdrs(h().db, [
      ...Array.from({ length: 3 }, (_, i) => cdrRow({ startedAtMs: NOW - 10_000 - i, terminationReason: 'AuthenticationFailed', sipCode: 403, routingGatewayId: null, attempts: [] })),
      cdrRow({ startedAtMs: NOW - 5000, terminationReason: 'DestinationBlocked', sipCode: 403, routingGatewayId: null, attempts: [] }),
    ])
    const ban = (id: string, updatedAtMs: number, origin: 'core' | 'operator' = 'core') => ({
      id, list: 'blacklist' as const, cidr: `${id}/32`, reason: 'auth_failures' as const, origin, note: null, offences: 1, expiresAtMs: NOW + 1, nodeId: 'n', createdAtMs: updatedAtMs, updatedAtMs,
    })
    await h().db.insert(ipAccessList).values([ban('203.0.113.1', NOW - 60_000), ban('203.0.113.2', NOW - 1000), ban('203.0.113.3', NOW - 400_000), ban('203.0.113.4', NOW - 1000, 'operator')])
    const [auth, blocked, bans] = [rule({ metric: 'authFailures' }), rule({ metric: 'blockedDestinations' }), rule({ metric: 'sourceBans' })]
    const m = await measureRules(h().db, [auth, blocked, bans], NOW)
    expect([m.get(auth.id)?.value, m.get(blocked.id)?.value, m.get(bans.id)?.value]).toEqual([3, 1, 2])
  })
})
