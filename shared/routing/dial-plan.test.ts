// Covers dial plans as tables: every rule type on the numbers it changes and the ones it leaves alone, rule order, the legacy strip/add rewrite, and the zod checks on rules.
import { describe, expect, it } from 'vitest'
import { dialPlan, dialRule, type DialRuleInput } from '../entities/number-rules.js'
import { compileDialPlan, DialPlanRejection, IDENTITY_PLAN } from './dial-plan.js'

const plan = (rules: DialRuleInput[]) => compileDialPlan(dialPlan.parse(rules))
const E164_DE: DialRuleInput = { op: 'toE164', countryCode: '49' }
const NATIONAL_DE: DialRuleInput = { op: 'toNational', countryCode: '49' }

describe('dial plan rules', () => {
  it.each<[string, DialRuleInput[], string, string]>([
    ['stripPrefix removes a matching prefix', [{ op: 'stripPrefix', prefix: '00' }], '0033155', '33155'],
    ['stripPrefix leaves other numbers', [{ op: 'stripPrefix', prefix: '00' }], '033155', '033155'],
    ['strip removes leading characters', [{ op: 'strip', count: 3 }], '1234#4930', '4#4930'],
    ['strip of more than the number leaves it empty', [{ op: 'strip', count: 9 }], '123', ''],
    ['addPrefix prepends a tech prefix', [{ op: 'addPrefix', prefix: '1234#' }], '4930123', '1234#4930123'],
    ['replacePrefix swaps a matching prefix', [{ op: 'replacePrefix', from: '0049', to: '+49' }], '004930123', '+4930123'],
    ['replacePrefix with an empty replacement strips', [{ op: 'replacePrefix', from: '9', to: '' }], '94930', '4930'],
    ['replacePrefix leaves other numbers', [{ op: 'replacePrefix', from: '0049', to: '+49' }], '003312', '003312'],
    ['replace rewrites the first regex match with groups', [{ op: 'replace', pattern: '^0(\\d{3})(\\d+)$', replacement: '49$1$2' }], '030123456', '4930123456'],
    ['replace leaves numbers the pattern misses', [{ op: 'replace', pattern: '^0(\\d+)$', replacement: '49$1' }], '+4930', '+4930'],
    ['toE164 turns trunk prefix + national number into CC + number', [E164_DE], '030123456', '4930123456'],
    ['toE164 drops the international prefix', [E164_DE], '0033155512', '33155512'],
    ['toE164 drops a leading +', [E164_DE], '+4930123', '4930123'],
    ['toE164 leaves a number without any prefix', [E164_DE], '4930123', '4930123'],
    ['toE164 with plus writes +CC', [{ op: 'toE164', countryCode: '49', plus: true }], '030123', '+4930123'],
    ['toE164 with another trunk and international prefix', [{ op: 'toE164', countryCode: '7', trunkPrefix: '8', internationalPrefix: '810' }], '84951234567', '74951234567'],
    ['toE164 prefers the longer international prefix over the trunk prefix', [{ op: 'toE164', countryCode: '7', trunkPrefix: '8', internationalPrefix: '810' }], '8104930123', '4930123'],
    ['toNational turns own-country E.164 into trunk + national', [NATIONAL_DE], '4930123456', '030123456'],
    ['toNational turns +CC into trunk + national', [NATIONAL_DE], '+4930123456', '030123456'],
    ['toNational turns foreign E.164 into international prefix + number', [NATIONAL_DE], '33155512', '0033155512'],
    ['toNational leaves a number already in national form', [NATIONAL_DE], '030123', '030123'],
    ['toNational leaves a number already in international form', [NATIONAL_DE], '0033155', '0033155'],
    ['rules run in order, each on the previous output', [E164_DE, { op: 'addPrefix', prefix: '777#' }], '030123', '777#4930123'],
    ['a reject rule that does not match lets the number through', [{ op: 'reject', prefix: '49900' }], '4930123', '4930123'],
  ])('%s', (_name, rules, input, output) => {
    expect(plan(rules).apply(input)).toBe(output)
  })

  it.each<[string, DialRuleInput[], string, number, number]>([
    ['a reject prefix refuses matching numbers with 403 by default', [{ op: 'reject', prefix: '49900' }], '4990012', 0, 403],
    ['a reject pattern refuses matching numbers with its status', [{ op: 'reject', pattern: '^(1900|1976)', status: 404 }], '19761234', 0, 404],
    ['a reject rule sees the output of the rules before it', [E164_DE, { op: 'reject', prefix: '49900', status: 603 }], '0900123', 1, 603],
  ])('%s', (_name, rules, input, rule, status) => {
    const r = plan(rules).apply(input)
    expect(r).toBeInstanceOf(DialPlanRejection)
    expect(r).toMatchObject({ rule, status })
  })

  it('runs a legacy strip/add rewrite first, as the old per-gateway rewrite did, then the rules', () => {
    expect(compileDialPlan([], { strip: 2, add: '+' }).apply('0033155')).toBe('+33155')
    expect(compileDialPlan([{ op: 'stripPrefix', prefix: '+' }], { strip: 2, add: '+' }).apply('0033155')).toBe('33155')
    expect(compileDialPlan([], { strip: 5, add: '9' }).apply('123')).toBe('9')
  })

  it('shares one identity plan for no rules and no rewrite, and knows which plans can refuse', () => {
    expect(compileDialPlan([], { strip: 0, add: '' })).toBe(IDENTITY_PLAN)
    expect(IDENTITY_PLAN.apply('0033')).toBe('0033')
    expect(plan([{ op: 'reject', prefix: '1' }]).canReject).toBe(true)
    expect(plan([E164_DE]).canReject).toBe(false)
  })
})

describe('dial rule validation', () => {
  it.each<[string, unknown, string]>([
    ['an unknown op', { op: 'drop' }, 'op'],
    ['a prefix with letters', { op: 'addPrefix', prefix: '12a' }, 'prefix'],
    ['a regex that does not compile', { op: 'replace', pattern: '(', replacement: '' }, 'pattern'],
    ['nested quantifiers', { op: 'reject', pattern: '^(0+)+$' }, 'pattern'],
    ['a replacement with other characters', { op: 'replace', pattern: '^0', replacement: 'x$1' }, 'replacement'],
    ['a reject rule with neither prefix nor pattern', { op: 'reject' }, 'prefix'],
    ['a reject rule with both prefix and pattern', { op: 'reject', prefix: '1', pattern: '^1' }, 'prefix'],
    ['a reject status outside 403/404/484/603', { op: 'reject', prefix: '1', status: 500 }, 'status'],
    ['a country code with a leading zero', { op: 'toE164', countryCode: '049' }, 'countryCode'],
    ['an extra field', { op: 'strip', count: 1, add: '9' }, ''],
  ])('refuses %s', (_name, rule, path) => {
    const r = dialRule.safeParse(rule)
    expect(r.success).toBe(false)
    if (!r.success && path !== '') expect(r.error.issues.map((i) => i.path.join('.'))).toContain(path)
  })

  it('fills the defaults of E.164 and reject rules', () => {
    expect(dialRule.parse({ op: 'toE164', countryCode: '33' })).toEqual({ op: 'toE164', countryCode: '33', trunkPrefix: '0', internationalPrefix: '00', plus: false })
    expect(dialRule.parse({ op: 'reject', prefix: '1900' })).toEqual({ op: 'reject', prefix: '1900', status: 403 })
  })

  it('refuses a plan of more than 50 rules', () => {
    expect(dialPlan.safeParse(Array.from({ length: 51 }, () => ({ op: 'strip', count: 1 }))).success).toBe(false)
  })
})
