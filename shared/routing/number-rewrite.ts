// Per-gateway number rewriting applied before the INVITE is sent (docs/architecture.md "Routing": strip, then add).
import type { Rewrite } from '../entities/fields.js'

/** Strips `strip` leading characters from `number`, then prepends `add`. */
export function rewriteNumber(number: string, rule: Rewrite): string {
  return rule.strip === 0 && rule.add === '' ? number : rule.add + number.slice(rule.strip)
}
