// CDR notes for the gateways routing skipped that an operator (and the diagnosis) asks about afterwards: offline, full or short of clearing money, and every one skipped for price.
import type { RouteRejection } from './route.js'
import type { RouteSkipReason } from './skip-reasons.js'

/** At most this many gateways are named one note each (offline, line limits, clearing balance). */
const MAX_GATEWAY_NOTES = 10
/** Price notes are packed into notes of at most this many characters (the CDR schema allows 500). */
const NOTE_CHARS = 480
/** At most this many notes name price skips (hundreds of gateways); a last note counts what did not fit. */
const MAX_PRICE_NOTES = 10

/** The skips noted one gateway per note, with the words of the note. */
const GATEWAY_SKIP_WORDS = {
  lineLimit: 'line limit',
  groupLineLimit: 'group line limit',
  clearingBalanceLow: 'clearing balance low',
} as const satisfies Partial<Record<RouteSkipReason, string>>

/** A skip a note names one gateway and its matched prefix for: full lines, or a vendor balance under the limit. */
export type GatewaySkip = keyof typeof GATEWAY_SKIP_WORDS

/** `routing skipped rgw_1: line limit (prefix "4930")`: the note for one gateway skipped for `skip`. */
export function gatewaySkipNote(routingGatewayId: string, skip: GatewaySkip, matchedPrefix: string | null): string {
  return `routing skipped ${routingGatewayId}: ${GATEWAY_SKIP_WORDS[skip]} (prefix ${JSON.stringify(matchedPrefix ?? '')})`
}

/** SQL LIKE patterns matching the notes of `gatewaySkipNote`, per skip (for the diagnosis's aggregates). */
export const GATEWAY_SKIP_NOTE_LIKE: Readonly<Record<GatewaySkip, string>> = {
  lineLimit: 'routing skipped %: line limit (prefix %',
  groupLineLimit: 'routing skipped %: group line limit (prefix %',
  clearingBalanceLow: 'routing skipped %: clearing balance low (prefix %',
}

const NOTE_RE = /^routing skipped (\S+): (line limit|group line limit|clearing balance low) \(prefix ("(?:[^"\\]|\\.)*")\)$/

/** The gateway, skip and prefix a `gatewaySkipNote` names; null for any other note. */
export function parseGatewaySkipNote(note: string): { routingGatewayId: string; skip: GatewaySkip; matchedPrefix: string } | null {
  const m = NOTE_RE.exec(note)
  if (m === null) return null
  const skip = (Object.keys(GATEWAY_SKIP_WORDS) as GatewaySkip[]).find((k) => GATEWAY_SKIP_WORDS[k] === m[2])!
  return { routingGatewayId: m[1]!, skip, matchedPrefix: JSON.parse(m[3]!) as string }
}

/**
 * Notes naming the gateways skipped as offline by the OPTIONS check or unregistered (dynamic gateways), at their own or their group's line limit, or
 * with a clearing balance under the limit (the first MAX_GATEWAY_NOTES of them), and every gateway skipped for
 * price: the margin guard (`id vendorPrice`, with the customer price once) and least-cost routing's unpriced skip.
 */
export function skipNotes(rejected: readonly RouteRejection[]): string[] {
  const out: string[] = []
  let named = 0
  const above: string[] = []
  const unpriced: string[] = []
  let customer: number | undefined
  for (const r of rejected) {
    if (r.reason === 'offline' || r.reason === 'unregistered' || Object.hasOwn(GATEWAY_SKIP_WORDS, r.reason)) {
      if (named++ >= MAX_GATEWAY_NOTES) continue
      out.push(r.reason === 'offline' ? `routing skipped ${r.routingGatewayId}: offline (OPTIONS check)`
        : r.reason === 'unregistered' ? `routing skipped ${r.routingGatewayId}: not registered (dynamic gateway)`
        : gatewaySkipNote(r.routingGatewayId, r.reason as GatewaySkip, r.matchedPrefix))
    } else if (r.reason === 'priceAboveCustomer') {
      customer = r.customerPrice
      above.push(`${r.routingGatewayId} ${r.vendorPrice}`)
    } else if (r.reason === 'unpriced') unpriced.push(r.routingGatewayId)
  }
  pack(out, `routing skipped for price above the customer's ${customer}/min (margin guard):`, above)
  pack(out, 'routing skipped without a vendor price:', unpriced)
  return out
}

/** Appends `items` after `head` in notes of at most NOTE_CHARS characters, at most MAX_PRICE_NOTES of them (with the offline notes and a call's own, the CDR stays under its 50 notes). */
function pack(out: string[], head: string, items: readonly string[]): void {
  let note = head
  let notes = 0
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!
    if (note.length + item.length + 1 > NOTE_CHARS) {
      if (++notes === MAX_PRICE_NOTES) {
        out.push(`${note} ... and ${items.length - i} more`)
        return
      }
      out.push(note)
      note = `${head} (cont.)`
    }
    note += ` ${item}`
  }
  if (items.length > 0) out.push(note)
}
