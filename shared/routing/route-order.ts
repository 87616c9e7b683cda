// The order of usable gateways: protect routes last, then prefix length and priority (or price and quality first, as SS_ROUTE_SORT_SCOPE says), equal keys sharing load.
import type { QualityFigures, QualityVerdict } from './quality.js'
import type { RoutingParams, RoutingTableGateway } from './routing-table.js'

/** A gateway that passed every check, with what ordering and the candidate need; decisions reuse these (route.ts). */
export class Usable {
  g!: RoutingTableGateway
  /** Length of its longest matching prefix. */
  length = 0
  /** That prefix (the trie's string, never sliced per call). */
  prefix = ''
  /** Its route slot (RoutingTableGateway.firstSlot): where live figures of (gateway, prefix) sit. */
  slot = 0
  /** Numbers already transformed (when a price or a reject rule needed them), else null. */
  calleeOut: string | null = null
  callerOut: string | null = null
  /** Vendor price per minute for calleeOut; NaN = unpriced or not looked up. */
  price = Number.NaN
  /** That price's rate prefix (null with NaN). */
  pricePrefix: string | null = null
  /** Sort keys, ascending: rank, then first and second (price and quality in SS_GATEWAY_FEE_RATE_ROUTE_BEFORE_ASR order), then tail. */
  rank = 0
  first = 0.5
  second = 0.5
  tail = 0
  quality: QualityFigures | undefined = undefined
  verdict: QualityVerdict | null = null
  /** Quality score in score mode (1 otherwise). */
  score = 0.5
  demoted = false
  probe = false
}

/** Priorities are ≤ 1e6 < 2^21 and prefixes ≤ 32 characters, so (length, priority) packs exactly into one number. */
const PRIORITY_SPAN = 2 ** 21

const lengthPriority = (u: Usable): number => (63 - u.length) * PRIORITY_SPAN + u.g.priority

/** Fills the sort keys of every usable gateway from the routing parameters. */
function keyUsable(usable: Usable[], n: number, p: RoutingParams): void {
  const all = p.SS_ROUTE_SORT_SCOPE === 'all'
  const lcr = p.SS_GATEWAY_FEE_RATE_ROUTE_SORT_CONFIG
  const mode = p.SS_GATEWAY_ASR_ROUTE_SORT_CONFIG
  const priceFirst = p.SS_GATEWAY_FEE_RATE_ROUTE_BEFORE_ASR
  for (let i = 0; i < n; i++) {
    const u = usable[i]!
    const protect = u.g.protectRoute ? 1 : 0
    // Scope `priority`: protect, length and priority come first and price/quality reorder only within them; scope
    // `all`: only protect does, and length and priority break ties between equal price and quality.
    u.rank = all ? protect : protect * 64 * PRIORITY_SPAN + lengthPriority(u)
    u.tail = all ? lengthPriority(u) : 0
    const price = lcr ? (Number.isNaN(u.price) ? Number.POSITIVE_INFINITY : u.price) : 0
    const quality = mode === 'demote' ? (u.demoted ? 1 : 0) : mode === 'score' ? (u.probe ? -1 : -u.score) : 0
    u.first = priceFirst ? price : quality
    u.second = priceFirst ? quality : price
  }
}

/** Equal keys compare as equal (Infinity − Infinity is NaN, which `||` skips like 0). */
const compareUsable = (a: Usable, b: Usable): number =>
  a.rank - b.rank || a.first - b.first || a.second - b.second || a.tail - b.tail || a.g.index - b.g.index

const sameKeys = (a: Usable, b: Usable): boolean => a.rank === b.rank && a.first === b.first && a.second === b.second && a.tail === b.tail

/** Fisher–Yates shuffle of every run of equal keys in sorted[0, n), so equals share load uniformly (deterministic given `random`). */
function shareLoad(sorted: Usable[], n: number, random: () => number): void {
  let start = 0
  while (start < n) {
    let end = start + 1
    while (end < n && sameKeys(sorted[end]!, sorted[start]!)) end++
    for (let i = end - 1; i > start; i--) {
      const j = start + Math.min(Math.floor(random() * (i - start + 1)), i - start)
      const tmp = sorted[i]!
      sorted[i] = sorted[j]!
      sorted[j] = tmp
    }
    start = end
  }
}

/** Up to this many, an insertion sort in place (no work array, few compares); more go through Array.prototype.sort. */
const INSERTION_MAX = 64

/** Sorts usable[0, n) in place (the keys are a total order: the gateway index breaks every tie). */
function sortUsable(usable: Usable[], n: number): void {
  if (n > INSERTION_MAX) {
    const sorted = usable.slice(0, n).sort(compareUsable)
    for (let i = 0; i < n; i++) usable[i] = sorted[i]!
    return
  }
  for (let i = 1; i < n; i++) {
    const u = usable[i]!
    let j = i - 1
    while (j >= 0 && compareUsable(usable[j]!, u) > 0) {
      usable[j + 1] = usable[j]!
      j--
    }
    usable[j + 1] = u
  }
}

/** Sorts usable[0, n) in place into try order; without `random`, equal keys keep snapshot order. */
export function orderUsable(usable: Usable[], n: number, p: RoutingParams, random: (() => number) | undefined): void {
  keyUsable(usable, n, p)
  sortUsable(usable, n)
  if (random !== undefined) shareLoad(usable, n, random)
}
