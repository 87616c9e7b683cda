// Shared pieces of the call system tests: the customer account and gateways, vendor gateway rows, and one call between a SIPp customer and SIPp vendors.
import type { CdrRow } from '../../../shared/entities/cdr.js'
import { brief, cdrMark, readCdrs, type AccountSeed, type MappingGatewaySeed, type RoutingGatewaySeed } from './config-seed.js'
import { describeSipp, startSippUas, runSipp, type CoreProcess, type SippProcess, type SippResult, type SippRun } from './harness.js'

/** The customer account every call is billed to (postpaid, so balance never refuses a call). */
export const CUSTOMER_ACCOUNT: AccountSeed = { id: 'acc_customer', name: 'customer', type: 'postpaid' }

/** A mapping gateway that admits every call from 127.0.0.1 by IP. */
export const LOCAL_IP_CUSTOMER: MappingGatewaySeed = {
  id: 'mgw_local', name: 'local-ip', accountId: CUSTOMER_ACCOUNT.id, authMode: 'ip', ips: ['127.0.0.1'],
}

/** A routing gateway row for a SIPp vendor on 127.0.0.1:`port` (defaults: every number, priority 0, failover on). */
export function vendorGateway(id: string, port: number, over: Partial<RoutingGatewaySeed> = {}): RoutingGatewaySeed {
  return { id, name: id, host: '127.0.0.1', port, prefixes: [], ...over }
}

/** Small SIP timers so timeouts show within seconds (SS_SIP_TIMEOUT_* are whole seconds). */
export const FAST_TIMER_PARAMS = {
  SS_SIP_TIMEOUT_INVITE: 1,
  SS_SIP_TIMEOUT_RINGING: 2,
  SS_SIP_TIMEOUT_SESSION_PROGRESS: 2,
  SS_SIP_TIMEOUT_SESSION_PROGRESS_SDP: 2,
} as const

/** One vendor taking part in a call: its scenario on its port. */
export interface VendorRun {
  scenario: string
  port: number
  durationMs?: number
  calls?: number
  transport?: 'udp' | 'tcp'
  /** More SIPp arguments (`-key name value` for the scenario's own keywords). */
  extraArgs?: string[]
}

/** One customer call (or a few) through the core. */
export interface CallRun {
  core: CoreProcess
  customer: Omit<SippRun, 'target' | 'calls'> & { calls?: number }
  vendors?: readonly VendorRun[]
  /** CDRs to wait for after the call (default `calls`). */
  cdrs?: number
}

/** What the wire and the database showed for a call. */
export interface CallResult {
  customer: SippResult
  vendors: SippResult[]
  cdrs: CdrRow[]
  /** Everything worth printing when an assertion fails. */
  trace: string
}

/** Waits for a background SIPp to finish by itself for up to `ms`, then stops it. */
export async function settle(p: SippProcess, ms: number): Promise<SippResult> {
  const timer = new Promise<null>((ok) => setTimeout(() => ok(null), ms))
  const r = await Promise.race([p.done(), timer])
  return r ?? p.stop()
}

/** Starts the vendors, runs the customer to its end, lets the vendors finish, and reads the call's CDRs. */
export async function runCall(run: CallRun): Promise<CallResult> {
  const db = run.core.database.db
  const mark = await cdrMark(db)
  const vendors: SippProcess[] = []
  for (const v of run.vendors ?? []) {
    vendors.push(await startSippUas({
      scenario: v.scenario, port: v.port, calls: v.calls ?? 1, timeoutSec: 30, trace: true,
      ...(v.durationMs === undefined ? {} : { durationMs: v.durationMs }),
      ...(v.transport === undefined ? {} : { transport: v.transport }),
      ...(v.extraArgs === undefined ? {} : { extraArgs: v.extraArgs }),
    }))
  }
  const customer = await runSipp({ timeoutSec: 30, trace: true, ...run.customer, target: run.core.target, calls: run.customer.calls ?? 1 })
  const vendorResults: SippResult[] = []
  for (const v of vendors) vendorResults.push(await settle(v, 5_000))
  const count = run.cdrs ?? run.customer.calls ?? 1
  let cdrs: CdrRow[] = []
  let cdrError = ''
  try {
    cdrs = await readCdrs(db, { after: mark, count, timeoutMs: 10_000 })
  } catch (err) {
    cdrError = String(err)
  }
  const trace = [
    describeSipp(`customer ${run.customer.scenario}`, customer),
    ...vendorResults.map((r, i) => describeSipp(`vendor ${run.vendors?.[i]?.scenario ?? i} :${run.vendors?.[i]?.port ?? ''}`, r)),
    `CDRs: ${cdrError || JSON.stringify(cdrs.map(brief))}`,
    `core output (tail): ${run.core.output().slice(-3000)}`,
  ].join('\n\n')
  return { customer, vendors: vendorResults, cdrs, trace }
}

/** `{ ok, failed }` of a SIPp run, for one readable equality assertion. */
export function outcome(r: SippResult): { ok: number; failed: number } {
  return { ok: r.successful, failed: r.failed }
}

/** The CDR fields most tests assert on, with attempts as `gateway:code:reason`. */
export function cdrSummary(c: CdrRow | undefined): Record<string, unknown> {
  if (c === undefined) return { missing: true }
  return {
    reason: c.terminationReason, sipCode: c.sipCode, endedBy: c.endedBy, routingGatewayId: c.routingGatewayId,
    attempts: c.attempts.map((a) => `${a.routingGatewayId}:${a.sipCode ?? '-'}:${a.reason}`),
  }
}
