// The mapping gateway's side of routing, shared by admission and routing analysis: its ingress dial plans turn the numbers as received into the numbers rated and routed.
import type { DialRule } from '../entities/number-rules.js'
import { compileDialPlan, DialPlanRejection, type DialPlan } from './dial-plan.js'

/** A mapping gateway's compiled ingress plans. */
export interface IngressPlans {
  readonly callee: DialPlan
  readonly caller: DialPlan
}

/** Compiles a mapping gateway's `calleeRules` and `callerRules` (once per snapshot). */
export function compileIngress(g: { readonly calleeRules: readonly DialRule[]; readonly callerRules: readonly DialRule[] }): IngressPlans {
  return { callee: compileDialPlan(g.calleeRules), caller: compileDialPlan(g.callerRules) }
}

/** Numbers after the ingress plans, or the rule that refused one of them. */
export type IngressResult =
  | { readonly kind: 'numbers'; readonly callee: string; readonly caller: string }
  | { readonly kind: 'rejected'; readonly side: 'callee' | 'caller'; readonly rule: number; readonly status: number }

/** Applies the ingress plans: callee first, then caller. */
export function applyIngress(plans: IngressPlans, callee: string, caller: string): IngressResult {
  const c = plans.callee.apply(callee)
  if (c instanceof DialPlanRejection) return { kind: 'rejected', side: 'callee', rule: c.rule, status: c.status }
  const r = plans.caller.apply(caller)
  if (r instanceof DialPlanRejection) return { kind: 'rejected', side: 'caller', rule: r.rule, status: r.status }
  return { kind: 'numbers', callee: c, caller: r }
}

/** CDR notes for numbers an ingress plan changed. */
export function ingressNotes(received: { callee: string; caller: string }, routed: { callee: string; caller: string }): string[] {
  const notes: string[] = []
  if (routed.callee !== received.callee) notes.push(`dial plan: callee ${received.callee} -> ${routed.callee}`)
  if (routed.caller !== received.caller) notes.push(`dial plan: caller ${received.caller} -> ${routed.caller}`)
  return notes
}
