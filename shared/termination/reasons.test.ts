// Covers the termination-reason catalogue (docs/architecture.md "Termination reasons and parameters"): every reason the switch can end a call with present, codes unique, SIP statuses 3xx-6xx, hints present.
import { describe, expect, it } from 'vitest'
import { TERMINATION_REASON_CATALOGUE, TERMINATION_REASONS, terminationReason } from './reasons.js'

const DESIGN_REASONS = [
  'CallerHangup', 'CalleeHangup', 'CallerCancel', 'MaxCallDurationExceeded', 'BalanceExhausted', 'NoMediaHangup',
  'SessionTimerExpired', 'AuthenticationFailed', 'AccountLocked', 'AccountBalanceNotEnough', 'CallLimitExceeded',
  'NoAvailableRouter', 'AllGatewayBusy', 'InviteTimeout', 'TryingTimeout', 'GatewayTimeout', 'GatewayRejected', 'Blacklisted',
  'SystemShutdown', 'NoRateForDestination', 'OperatorHangup', 'NoProfitableRoute', 'DialPlanRejected',
  'CpsLimitExceeded', 'DestinationBlocked', 'AccountConcurrentCallsExceeded', 'DailySpendLimitExceeded', 'PrackTimeout',
  'GatewayRedirected',
]

describe('termination reason catalogue', () => {
  it('contains every reason the call, policy and routing layers end calls with, NoRateForDestination, OperatorHangup, NoProfitableRoute, DialPlanRejected and the rate and fraud guards included', () => {
    expect([...TERMINATION_REASONS].sort()).toEqual([...DESIGN_REASONS].sort())
  })

  it('has unique codes', () => {
    expect(new Set(TERMINATION_REASONS).size).toBe(TERMINATION_REASONS.length)
  })

  it('sends only 3xx-6xx statuses to the caller', () => {
    for (const info of Object.values(TERMINATION_REASON_CATALOGUE)) {
      const statuses = info.sipStatus === null || info.sipStatus === 'copied' ? [] : [info.sipStatus].flat()
      for (const s of statuses) {
        expect(s).toBeGreaterThanOrEqual(300)
        expect(s).toBeLessThanOrEqual(699)
      }
    }
  })

  it('gives every reason a description and an operator hint', () => {
    for (const info of Object.values(TERMINATION_REASON_CATALOGUE)) {
      expect(info.description.length).toBeGreaterThan(0)
      expect(info.hint.length).toBeGreaterThan(0)
    }
  })

  it('copies the vendor status only for GatewayRejected and a relayed redirect', () => {
    const copied = TERMINATION_REASONS.filter((r) => TERMINATION_REASON_CATALOGUE[r].sipStatus === 'copied')
    expect(copied.sort()).toEqual(['GatewayRedirected', 'GatewayRejected'])
  })

  it('answers CANCEL with 487 and timeouts with 408', () => {
    expect(TERMINATION_REASON_CATALOGUE.CallerCancel.sipStatus).toBe(487)
    expect(TERMINATION_REASON_CATALOGUE.InviteTimeout.sipStatus).toBe(408)
    expect(TERMINATION_REASON_CATALOGUE.GatewayTimeout.sipStatus).toBe(408)
  })

  it('rejects a code outside the catalogue', () => {
    expect(terminationReason.safeParse('Unknown').success).toBe(false)
    expect(terminationReason.parse('CallerHangup')).toBe('CallerHangup')
  })
})
