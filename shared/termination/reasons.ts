// The one catalogue of why a call ended: code, SIP status sent to the caller, who ended it and what an operator should check.
import { z } from 'zod'

/** Which party ended the call (the CDR's `endedBy`). */
export type EndedBy = 'caller' | 'callee' | 'switch'

/** One catalogue entry; `sipStatus` is what the caller receives, 'copied' means the vendor's final code is relayed. */
export interface TerminationReasonInfo {
  readonly sipStatus: number | readonly number[] | 'copied' | null
  readonly side: EndedBy
  readonly description: string
  readonly hint: string
}

/** Every termination reason, keyed by its code (docs/architecture.md "Termination reasons and parameters"). */
export const TERMINATION_REASON_CATALOGUE = {
  CallerHangup: { sipStatus: null, side: 'caller', description: 'the caller sent BYE after answer', hint: 'normal' },
  CalleeHangup: { sipStatus: null, side: 'callee', description: 'the callee sent BYE after answer', hint: 'normal' },
  CallerCancel: { sipStatus: 487, side: 'caller', description: 'the caller sent CANCEL before answer', hint: 'normal' },
  MaxCallDurationExceeded: {
    sipStatus: null, side: 'switch', description: 'the duration cap was reached; BYE sent to both legs',
    hint: 'check SS_MAXCALLDURATION and the account maxCallDurationSec',
  },
  BalanceExhausted: {
    sipStatus: null, side: 'switch', description: 'the prepaid balance ran out during the call',
    hint: 'recharge, or shorten the account limit',
  },
  NoMediaHangup: {
    sipStatus: null, side: 'switch', description: 'no RTP flowed for SS_NOMEDIAHANGUP seconds',
    hint: 'one side stopped sending media (NAT, firewall, crashed endpoint)',
  },
  SessionTimerExpired: {
    sipStatus: null, side: 'switch', description: 'an RFC 4028 session refresh failed or never came',
    hint: 'endpoint crashed or the network broke',
  },
  AuthenticationFailed: {
    sipStatus: [401, 403], side: 'switch', description: 'digest failed, or the source IP (and port) is not a mapping gateway',
    hint: 'check credentials, realm, IP, port and NAT',
  },
  AccountLocked: { sipStatus: 403, side: 'switch', description: 'the customer account is locked', hint: 'unlock the account' },
  AccountBalanceNotEnough: {
    sipStatus: 503, side: 'switch',
    description: 'customer balance (plus overdraft) cannot pay, or the vendor clearing balance is too low',
    hint: 'recharge the customer or vendor clearing account',
  },
  CallLimitExceeded: {
    sipStatus: 503, side: 'switch', description: 'the mapping gateway or account is at its line limit', hint: 'raise the limit',
  },
  NoAvailableRouter: {
    sipStatus: 503, side: 'switch',
    description: 'no routing gateway matches the prefix, or all matching ones are locked, forbidden or offline',
    hint: 'add a prefix or fix the dial plan',
  },
  AllGatewayBusy: {
    sipStatus: 503, side: 'switch', description: 'matching routing gateways are all at their line limits',
    hint: 'add capacity or backup gateways',
  },
  NoProfitableRoute: {
    sipStatus: 503, side: 'switch',
    description: 'every matching routing gateway costs more per minute than the rated customer pays for the callee (margin guard)',
    hint: 'reprice the customer, add a cheaper vendor, or allow loss routes on the mapping or routing gateway',
  },
  DialPlanRejected: {
    sipStatus: [403, 404, 484, 603], side: 'switch', description: 'a reject rule of the mapping gateway\'s dial plan refused the callee or caller',
    hint: 'check the mapping gateway\'s calleeRules and callerRules',
  },
  NoRateForDestination: {
    sipStatus: 503, side: 'switch', description: 'the account rate table has no price for the called prefix',
    hint: 'add a rate for the prefix to the rate table',
  },
  InviteTimeout: {
    sipStatus: 408, side: 'switch', description: 'the last attempt got no response at all (not even 100 Trying) within SS_SIP_TIMEOUT_INVITE',
    hint: 'gateway offline, firewall, or wrong IP/port',
  },
  TryingTimeout: {
    sipStatus: 408, side: 'switch',
    description: 'the last attempt got 100 Trying but neither rang (18x) nor answered within SS_SIP_TIMEOUT_TRYING',
    hint: 'the vendor is reachable but slow or overloaded: ask about its onward routing, or lower its priority',
  },
  GatewayTimeout: {
    sipStatus: 408, side: 'switch', description: 'the last attempt rang (180/183) but was not answered within the ringing/progress timers',
    hint: 'slow or stuck gateway',
  },
  PrackTimeout: {
    sipStatus: 504, side: 'caller', description: 'the caller never acknowledged (PRACK) a reliable provisional response within 64*T1 (RFC 3262 §3)',
    hint: "the caller's gateway requires or supports 100rel but does not send PRACK, or its PRACKs do not reach the switch (NAT, firewall)",
  },
  GatewayRejected: {
    sipStatus: 'copied', side: 'callee', description: "the vendor's final error (486, 480, 404, 502, 603 ...) after failover ended",
    hint: "see the vendor's SIP code",
  },
  GatewayRedirected: {
    sipStatus: 'copied', side: 'callee',
    description: "the vendor answered 3xx: relayed to the caller with its Contact (SS_REDIRECT_MODE relay), or an attempt that was redirected (follow)",
    hint: 'see the CDR notes for the Contact targets; SS_REDIRECT_MODE decides between failover, follow and relay',
  },
  Blacklisted: { sipStatus: 403, side: 'switch', description: 'caller, callee or source is on a blacklist', hint: 'fraud rule fired' },
  CpsLimitExceeded: {
    sipStatus: 503, side: 'switch',
    description: 'calls per second over the limit (with its burst) of the mapping gateway, the account or every matching routing gateway',
    hint: 'raise cpsLimit/cpsBurst, or ask the customer to pace its calls',
  },
  DestinationBlocked: {
    sipStatus: 403, side: 'switch',
    description: "the callee matches one of the account's blocked prefixes, or none of its allowed prefixes",
    hint: 'fraud guard: check the account blockedPrefixes/allowedPrefixes (premium-rate ranges)',
  },
  AccountConcurrentCallsExceeded: {
    sipStatus: 503, side: 'switch', description: "the account already has its maxConcurrentCalls calls in progress",
    hint: 'fraud guard: raise the account maxConcurrentCalls if the traffic is genuine',
  },
  DailySpendLimitExceeded: {
    sipStatus: 403, side: 'switch', description: "the account's calls today (SS_TIMEZONE) already cost its dailySpendLimit",
    hint: 'fraud guard: check the day\'s calls; raise dailySpendLimit if they are genuine',
  },
  SystemShutdown: {
    sipStatus: null, side: 'switch', description: 'the core stopped with the call up; closed on restart', hint: 'none',
  },
  OperatorHangup: {
    sipStatus: null, side: 'switch',
    description: 'an operator hung the call up (POST /v1/calls/{id}/hangup): BYE to both legs, or 503 to the caller before the answer',
    hint: 'see the audit log for who ended it',
  },
} as const satisfies Record<string, TerminationReasonInfo>

/** Union of every termination reason code. */
export type TerminationReason = keyof typeof TERMINATION_REASON_CATALOGUE

/** Tuple of every termination reason code, for zod enums and drizzle text enums. */
export const TERMINATION_REASONS = Object.keys(TERMINATION_REASON_CATALOGUE) as [TerminationReason, ...TerminationReason[]]

/** Zod enum over the termination reason codes. */
export const terminationReason = z.enum(TERMINATION_REASONS).describe('why the call ended (termination reason catalogue)')

/** Looks up the catalogue entry of a reason. */
export function describeTerminationReason(reason: TerminationReason): TerminationReasonInfo {
  return TERMINATION_REASON_CATALOGUE[reason]
}
