// Server-assigned ids: a type prefix, a fixed-width time part and randomness, so ids sort by creation time.

const CROCKFORD = '0123456789abcdefghjkmnpqrstvwxyz'

/** Encodes a non-negative integer in `width` Crockford base32 digits (most significant first). */
function base32Fixed(value: number, width: number): string {
  let out = ''
  let rest = value
  for (let i = 0; i < width; i++) {
    out = (CROCKFORD[rest % 32] ?? '0') + out
    rest = Math.floor(rest / 32)
  }
  return out
}

/** A new id such as `acc_01jd8k3m2q7x4c9v0b5n6r8t2w`: prefix, 10 time digits (ms), 16 random digits. */
export function newId(prefix: string, nowMs: number = Date.now()): string {
  const random = crypto.getRandomValues(new Uint8Array(16))
  let tail = ''
  for (const b of random) tail += CROCKFORD[b % 32]
  return `${prefix}_${base32Fixed(nowMs, 10)}${tail}`
}

/** The smallest id `prefix` can have at `ms`: `id >= idAt(p, t)` holds exactly for ids made at or after t. */
export function idAt(prefix: string, ms: number): string {
  return `${prefix}_${base32Fixed(ms, 10)}`
}
