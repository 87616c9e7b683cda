// CDR notes for the gateways routing skipped that an operator asks about afterwards: offline ones, and every one skipped for price.
import type { RouteRejection } from './route.js'

/** At most this many offline gateways are named (one note each). */
const MAX_OFFLINE_NOTES = 10
/** Price notes are packed into notes of at most this many characters (the CDR schema allows 500). */
const NOTE_CHARS = 480
/** At most this many notes name price skips (hundreds of gateways); a last note counts what did not fit. */
const MAX_PRICE_NOTES = 10

/**
 * Notes naming the gateways skipped as offline by the OPTIONS check and every gateway skipped for price: the margin
 * guard (`id vendorPrice`, with the customer price once) and least-cost routing's unpriced skip.
 */
export function skipNotes(rejected: readonly RouteRejection[]): string[] {
  const out: string[] = []
  let offline = 0
  const above: string[] = []
  const unpriced: string[] = []
  let customer: number | undefined
  for (const r of rejected) {
    if (r.reason === 'offline' && offline < MAX_OFFLINE_NOTES) {
      offline++
      out.push(`routing skipped ${r.routingGatewayId}: offline (OPTIONS check)`)
    } else if (r.reason === 'unregistered' && offline < MAX_OFFLINE_NOTES) {
      offline++
      out.push(`routing skipped ${r.routingGatewayId}: not registered (dynamic gateway)`)
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
