// The programs ClusterLimits hands its link for TAKE_LUA: keys by index after the two fixed ones, then buckets, checks and increments.
import { describe, expect, it } from 'vitest'
import type { SharedHold } from '../shared-state/shared-state.js'
import { KEY_PREFIX } from '../shared-state/shared-state.js'
import { CallGuards, MemorySpendCounter } from './call-guards.js'
import { type ClusterLink, ClusterLimits } from './cluster-limits.js'
import { burstOf } from './guard/rate-limiter.js'
import { LineCounters } from './limits.js'
import { account, gatewayGroup, mappingGateway, policySnapshot, routingGateway } from './test-support/policy-inputs.js'

/** A link that records what each take and release was given and answers nothing (the local decision stands). */
function recordingLink() {
  const takes: { keys: readonly string[]; program: readonly number[] }[] = []
  const releases: (readonly string[])[] = []
  const link = {
    up: true, gen: 0, rateShare: 1,
    hold: (): SharedHold => ({ gen: 0, confirmed: false }),
    release: (_hold: SharedHold, keys: readonly string[]) => void releases.push([...keys]),
    unsure: () => {}, fellBack: () => {}, addSource: () => {}, lineShare: (n: number) => n,
    take: (keys: readonly string[], program: readonly number[]) => (takes.push({ keys: [...keys], program: [...program] }), undefined),
  } as unknown as ClusterLink
  return { link, takes, releases }
}

const K = KEY_PREFIX

describe('ClusterLimits programs', () => {
  it('takes a call\'s ingress as buckets, then checks, then increments, each key once by its index', () => {
    const { link, takes, releases } = recordingLink()
    const limits = new ClusterLimits(link, new LineCounters(), new CallGuards({ spend: new MemorySpendCounter(() => 'UTC') }))
    const gw = mappingGateway('mg1', { authMode: 'ip', ips: ['192.0.2.10'], cpsLimit: 10, lineLimit: 5 })
    const acc = account('acc1', { maxConcurrentCalls: 3 })
    limits.takeIngress(limits.hold(), gw, acc)
    limits.takeIngress(limits.hold(), mappingGateway('mg2', { authMode: 'ip', ips: ['192.0.2.11'] }), account('acc2'))
    expect(takes).toEqual([
      {
        keys: [`${K}b:m:mg1`, `${K}c:m:mg1`, `${K}c:a:acc1`],
        program: [1, 3, 10, burstOf(10, gw.cpsBurst), 2, 4, 5, 0, 5, 3, 0, 2, 4, 5],
      },
      { keys: [`${K}c:m:mg2`, `${K}c:a:acc2`], program: [0, 0, 2, 3, 4] },
    ])
    limits.releaseIngress({ gen: 0, confirmed: true }, 'mg1', 'acc1')
    expect(releases).toEqual([[`${K}c:m:mg1`, `${K}c:a:acc1`]])
  })

  it('takes an attempt with its group\'s reservations of other mapping gateways, and gives back the same keys', () => {
    const { link, takes, releases } = recordingLink()
    const limits = new ClusterLimits(link, new LineCounters(), new CallGuards({ spend: new MemorySpendCounter(() => 'UTC') }))
    const snapshot = policySnapshot({
      accounts: [account('acc1')],
      mappingGateways: [mappingGateway('mg1', { authMode: 'ip', ips: ['192.0.2.10'] })],
      routingGateways: [routingGateway('rg1', { prefixes: ['49'], cpsLimit: 4, lineLimit: 8 })],
      gatewayGroups: [gatewayGroup('grp', { lineLimit: 6, reservedLines: [{ mappingGatewayId: 'mg1', lines: 1 }, { mappingGatewayId: 'mgX', lines: 2 }] })],
    })
    const target = { routingGatewayId: 'rg1', groupId: 'grp' }
    limits.takeTarget(limits.hold(), snapshot, 'mg1', target)
    const burst = burstOf(4, snapshot.routingGateways.get('rg1')!.cpsBurst)
    expect(takes).toEqual([{
      keys: [`${K}b:r:rg1`, `${K}c:r:rg1`, `${K}c:g:grp`, `${K}c:gm:grp:mgX`, `${K}c:gm:grp:mg1`],
      program: [1, 3, 4, burst, 2, 4, 8, 0, 5, 6, 1, 6, 2, 3, 4, 5, 7],
    }])
    limits.releaseTarget({ gen: 0, confirmed: true }, 'mg1', target)
    expect(releases).toEqual([[`${K}c:r:rg1`, `${K}c:g:grp`, `${K}c:gm:grp:mg1`]])
  })
})
