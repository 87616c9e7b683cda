// Copies of strings kept long after the message they came from, so they do not pin it.

/**
 * A copy of `s` that references no other string. V8 keeps a slice of a longer string (13 characters or more) as a
 * view on it, and a concatenation as a tree of its parts: a To tag or an address sliced from a received message and
 * kept 32 s (Timer M) keeps the whole message's text alive. Slicing a concatenation flattens it into a new string first.
 */
export function ownString(s: string): string {
  return s.length < 13 ? s : (' ' + s).slice(1)
}
