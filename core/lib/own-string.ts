// Copies of strings kept long after the message they came from, so they do not pin it.

/**
 * A flat copy of `s` that references no other string. V8 keeps a slice of a longer string (13 characters or more) as a
 * view on it, and a concatenation as a tree of its parts: a To tag or a key sliced from a received message and kept
 * 32 s (Timers J, L, M) keeps the whole message's text alive. A JSON round trip makes a new sequential string: a slice
 * of a copy (`(' ' + s).slice(1)`) would keep a 32-byte slice header on top of the copy for as long as the string lives.
 */
export function ownString(s: string): string {
  return s.length < 13 ? s : (JSON.parse(JSON.stringify(s)) as string)
}
