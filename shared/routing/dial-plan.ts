// Dial plans compiled once per snapshot: ordered number rules applied to a callee or caller, or a refusal naming the rule.
import type { Rewrite } from '../entities/fields.js'
import type { DialRule } from '../entities/number-rules.js'

/** A number refused by a `reject` rule: which rule (index in the plan) and the SIP status it asks for. */
export class DialPlanRejection {
  constructor(readonly rule: number, readonly status: number) {}
}

type Step = (n: string) => string | DialPlanRejection

function stepOf(rule: DialRule, index: number): Step {
  switch (rule.op) {
    case 'stripPrefix': {
      const p = rule.prefix
      return (n) => (n.startsWith(p) ? n.slice(p.length) : n)
    }
    case 'strip': {
      const k = rule.count
      return (n) => n.slice(k)
    }
    case 'addPrefix': {
      const p = rule.prefix
      return (n) => p + n
    }
    case 'replacePrefix': {
      const { from, to } = rule
      return (n) => (n.startsWith(from) ? to + n.slice(from.length) : n)
    }
    case 'replace': {
      const re = new RegExp(rule.pattern)
      const out = rule.replacement
      return (n) => n.replace(re, out)
    }
    case 'toE164': {
      const { countryCode: cc, trunkPrefix: trunk, internationalPrefix: intl } = rule
      const lead = rule.plus ? '+' : ''
      return (n) => {
        if (n.startsWith('+')) return lead + n.slice(1)
        if (n.startsWith(intl)) return lead + n.slice(intl.length)
        if (n.startsWith(trunk)) return lead + cc + n.slice(trunk.length)
        return n
      }
    }
    case 'toNational': {
      const { countryCode: cc, trunkPrefix: trunk, internationalPrefix: intl } = rule
      return (n) => {
        const plus = n.startsWith('+')
        // Without +, a number already in national or international dialling form stays as it is.
        if (!plus && (n.startsWith(intl) || n.startsWith(trunk))) return n
        const e164 = plus ? n.slice(1) : n
        return e164.startsWith(cc) ? trunk + e164.slice(cc.length) : intl + e164
      }
    }
    case 'reject': {
      const rejection = new DialPlanRejection(index, rule.status)
      if (rule.prefix !== undefined) {
        const p = rule.prefix
        return (n) => (n.startsWith(p) ? rejection : n)
      }
      const re = new RegExp(rule.pattern!)
      return (n) => (re.test(n) ? rejection : n)
    }
  }
}

/** A compiled plan; `apply` is O(rules × number length) and allocates only the strings it produces. */
export class DialPlan {
  /** No rule at all: `apply` returns its input. */
  readonly identity: boolean
  /** Some rule can refuse a number. */
  readonly canReject: boolean
  private readonly steps: readonly Step[]

  constructor(rules: readonly DialRule[]) {
    this.steps = rules.map(stepOf)
    this.identity = rules.length === 0
    this.canReject = rules.some((r) => r.op === 'reject')
  }

  /** The number after every rule, or the rejection of the first `reject` rule that matched. */
  apply(number: string): string | DialPlanRejection {
    let n = number
    for (let i = 0; i < this.steps.length; i++) {
      const r = this.steps[i]!(n)
      if (typeof r !== 'string') return r
      n = r
    }
    return n
  }
}

/** The rules equivalent to a legacy strip/add rewrite (strip first, then add). */
export function rewriteRules(rewrite: Rewrite): DialRule[] {
  const rules: DialRule[] = []
  if (rewrite.strip > 0) rules.push({ op: 'strip', count: rewrite.strip })
  if (rewrite.add !== '') rules.push({ op: 'addPrefix', prefix: rewrite.add })
  return rules
}

/** Shared empty plan. */
export const IDENTITY_PLAN = new DialPlan([])

/** Compiles a plan (the legacy `rewrite`, when given, runs first); plans without rules share IDENTITY_PLAN. */
export function compileDialPlan(rules: readonly DialRule[], rewrite?: Rewrite): DialPlan {
  const all = rewrite === undefined ? rules : [...rewriteRules(rewrite), ...rules]
  return all.length === 0 ? IDENTITY_PLAN : new DialPlan(all)
}
