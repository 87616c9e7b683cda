// Dial-plan rules (number transformations) and caller-ID rules as zod data, stored as JSON on mapping and routing gateways.
import { z } from 'zod'

/** A non-empty dial prefix: digits, *, # and + only. */
const prefix = z.string().regex(/^[0-9*#+]{1,32}$/, '1..32 of digits, *, # and +')
/** An E.164 country code (1-3 digits, no leading zero). */
const countryCode = z.string().regex(/^[1-9][0-9]{0,2}$/, 'E.164 country code: 1-3 digits, no leading 0').describe('E.164 country code, e.g. 49')

/**
 * Nested quantifiers such as `(0+)+` or `(\d*)*` backtrack exponentially on a failing number; numbers are short, but a
 * rule runs on every call, so such patterns are refused outright.
 */
const NESTED_QUANTIFIER = /\([^()]*[+*}][^()]*\)\s*[+*{]/

function compiles(pattern: string): boolean {
  try {
    new RegExp(pattern)
    return true
  } catch {
    return false
  }
}

/** A JavaScript regular expression over the number (no flags), at most 200 characters. */
const pattern = z
  .string()
  .min(1)
  .max(200)
  .refine(compiles, 'not a valid regular expression')
  .refine((p) => !NESTED_QUANTIFIER.test(p), 'nested quantifiers are refused (exponential backtracking)')
  .describe('JavaScript regular expression tested against the number')

/** Replacement text: digits, *, #, + and group references $1..$9. */
const replacement = z
  .string()
  .max(64)
  .regex(/^(?:[0-9*#+]|\$[1-9])*$/, 'digits, *, #, + and $1..$9 only')
  .describe('replacement: digits, *, #, + and $1..$9')

/** SIP statuses a reject rule may answer with (403 Forbidden, 404 Not Found, 484 Address Incomplete, 603 Decline). */
export const REJECT_STATUSES = [403, 404, 484, 603] as const

/** One dial-plan rule; rules run in order, each on the previous one's output. */
export const dialRule = z.discriminatedUnion('op', [
  z.strictObject({
    op: z.literal('stripPrefix').describe('remove `prefix` when the number starts with it'),
    prefix,
  }),
  z.strictObject({
    op: z.literal('strip').describe('remove the first `count` characters'),
    count: z.number().int().min(1).max(32),
  }),
  z.strictObject({
    op: z.literal('addPrefix').describe('prepend `prefix` (a vendor tech prefix, a trunk code)'),
    prefix,
  }),
  z.strictObject({
    op: z.literal('replacePrefix').describe('when the number starts with `from`, put `to` in its place'),
    from: prefix,
    to: z.union([z.literal(''), prefix]),
  }),
  z.strictObject({
    op: z.literal('replace').describe('regular-expression replace of the first match'),
    pattern,
    replacement,
  }),
  z.strictObject({
    op: z.literal('toE164').describe('+CC..., international prefix + CC... and trunk prefix + national number become CC...'),
    countryCode,
    trunkPrefix: prefix.default('0'),
    internationalPrefix: prefix.default('00'),
    plus: z.boolean().default(false).describe('write the result with a leading +'),
  }),
  z.strictObject({
    op: z.literal('toNational').describe('E.164 in `countryCode` becomes trunk prefix + national number, other E.164 international prefix + number'),
    countryCode,
    trunkPrefix: prefix.default('0'),
    internationalPrefix: prefix.default('00'),
  }),
  z
    .strictObject({
      op: z.literal('reject').describe('refuse numbers starting with `prefix` or matching `pattern`'),
      prefix: prefix.optional(),
      pattern: pattern.optional(),
      status: z.union(REJECT_STATUSES.map((s) => z.literal(s)) as unknown as [z.ZodLiteral<403>, z.ZodLiteral<404>, z.ZodLiteral<484>, z.ZodLiteral<603>])
        .default(403)
        .describe('SIP status for a refused call (ingress)'),
    })
    .refine((r) => (r.prefix === undefined) !== (r.pattern === undefined), { message: 'give exactly one of prefix and pattern', path: ['prefix'] }),
])

/** One dial-plan rule (validated). */
export type DialRule = z.infer<typeof dialRule>
/** A rule as written by an operator (defaults not yet applied). */
export type DialRuleInput = z.input<typeof dialRule>

/** An ordered dial plan: at most 50 rules. */
export const dialPlan = z.array(dialRule).max(50).describe('ordered number rules; each runs on the previous output')

/** How the calling number is presented towards a routing gateway (RFC 3323, RFC 3325). */
export const callerIdRule = z.strictObject({
  presentation: z
    .enum(['pass', 'number', 'anonymous'])
    .describe('From user: pass = anonymous when the caller asked for privacy (Privacy user/header, or an anonymous From); number; anonymous (RFC 3323 §4.1.1.3)'),
  privacy: z.enum(['pass', 'none', 'id']).describe('Privacy header sent: the caller\'s own (pass), none, or id (RFC 3325 §9.3)'),
  assertedIdentity: z.boolean().describe('send P-Asserted-Identity with the calling number (RFC 3325), for vendors in our trust domain'),
})
/** Caller-ID rule of a routing gateway. */
export type CallerIdRule = z.infer<typeof callerIdRule>

/** The caller-ID rule that keeps the calling number in From and passes the caller's Privacy request on. */
export const DEFAULT_CALLER_ID: CallerIdRule = { presentation: 'pass', privacy: 'pass', assertedIdentity: false }
