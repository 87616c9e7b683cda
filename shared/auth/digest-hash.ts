// Pure, synchronous MD5 and SHA-256 plus the RFC 7616 HA1 used to store SIP digest credentials without the password.
// Deviation: hand-written instead of WebCrypto, because WebCrypto is async, Node and Workers differ on MD5, and shared has no Node.

/** Digest algorithms a stored HA1 exists for (RFC 7616 §3.2, RFC 8760 §2). */
export type DigestAlgorithm = 'MD5' | 'SHA-256'

/** Encodes a string as UTF-8 bytes (RFC 7616 §3.4.4: username and password are hashed as UTF-8). */
export function utf8Bytes(text: string): Uint8Array {
  const out: number[] = []
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0
    if (cp < 0x80) out.push(cp)
    else if (cp < 0x800) out.push(0xc0 | (cp >> 6), 0x80 | (cp & 63))
    else if (cp < 0x10000) out.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63))
    else out.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 63), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63))
  }
  return Uint8Array.from(out)
}

function toHex(words: readonly number[], littleEndian: boolean): string {
  let hex = ''
  for (const w of words) {
    for (let i = 0; i < 4; i++) {
      const shift = littleEndian ? i * 8 : 24 - i * 8
      hex += ((w >>> shift) & 0xff).toString(16).padStart(2, '0')
    }
  }
  return hex
}

/** Pads a message into 64-byte blocks with its bit length appended (RFC 1321 §3.1-3.2, FIPS 180-4 §5.1.1). */
function padBlocks(msg: Uint8Array, littleEndian: boolean): Uint8Array {
  const total = Math.ceil((msg.length + 9) / 64) * 64
  const buf = new Uint8Array(total)
  buf.set(msg)
  buf[msg.length] = 0x80
  const bits = msg.length * 8
  const hi = Math.floor(bits / 0x100000000)
  const lo = bits >>> 0
  for (let i = 0; i < 4; i++) {
    if (littleEndian) {
      buf[total - 8 + i] = (lo >>> (i * 8)) & 0xff
      buf[total - 4 + i] = (hi >>> (i * 8)) & 0xff
    } else {
      buf[total - 1 - i] = (lo >>> (i * 8)) & 0xff
      buf[total - 5 - i] = (hi >>> (i * 8)) & 0xff
    }
  }
  return buf
}

const MD5_S = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21]
const MD5_K = Array.from({ length: 64 }, (_, i) => Math.floor(Math.abs(Math.sin(i + 1)) * 0x100000000) >>> 0)

/** MD5 of the given bytes or UTF-8 text, as lowercase hex (RFC 1321). */
export function md5Hex(input: string | Uint8Array): string {
  const buf = padBlocks(typeof input === 'string' ? utf8Bytes(input) : input, true)
  const h = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476]
  const m = new Array<number>(16)
  for (let off = 0; off < buf.length; off += 64) {
    for (let j = 0; j < 16; j++) {
      const p = off + j * 4
      m[j] = ((buf[p] ?? 0) | ((buf[p + 1] ?? 0) << 8) | ((buf[p + 2] ?? 0) << 16) | ((buf[p + 3] ?? 0) << 24)) >>> 0
    }
    let [a, b, c, d] = h as [number, number, number, number]
    for (let i = 0; i < 64; i++) {
      let f: number
      let g: number
      if (i < 16) { f = (b & c) | (~b & d); g = i }
      else if (i < 32) { f = (d & b) | (~d & c); g = (5 * i + 1) % 16 }
      else if (i < 48) { f = b ^ c ^ d; g = (3 * i + 5) % 16 }
      else { f = c ^ (b | ~d); g = (7 * i) % 16 }
      const s = MD5_S[(i >> 4) * 4 + (i % 4)] ?? 0
      const sum = (a + f + (MD5_K[i] ?? 0) + (m[g] ?? 0)) >>> 0
      a = d; d = c; c = b
      b = (b + ((sum << s) | (sum >>> (32 - s)))) >>> 0
    }
    h[0] = ((h[0] ?? 0) + a) >>> 0
    h[1] = ((h[1] ?? 0) + b) >>> 0
    h[2] = ((h[2] ?? 0) + c) >>> 0
    h[3] = ((h[3] ?? 0) + d) >>> 0
  }
  return toHex(h, true)
}

const SHA256_K = [
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01,
  0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc,
  0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
  0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08,
  0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
  0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]

const rotr = (x: number, n: number): number => (x >>> n) | (x << (32 - n))

/** SHA-256 of the given bytes or UTF-8 text, as lowercase hex (FIPS 180-4 §6.2). */
export function sha256Hex(input: string | Uint8Array): string {
  const buf = padBlocks(typeof input === 'string' ? utf8Bytes(input) : input, false)
  const h = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]
  const w = new Array<number>(64).fill(0)
  for (let off = 0; off < buf.length; off += 64) {
    for (let j = 0; j < 16; j++) {
      const p = off + j * 4
      w[j] = (((buf[p] ?? 0) << 24) | ((buf[p + 1] ?? 0) << 16) | ((buf[p + 2] ?? 0) << 8) | (buf[p + 3] ?? 0)) >>> 0
    }
    for (let j = 16; j < 64; j++) {
      const w15 = w[j - 15] ?? 0
      const w2 = w[j - 2] ?? 0
      const s0 = rotr(w15, 7) ^ rotr(w15, 18) ^ (w15 >>> 3)
      const s1 = rotr(w2, 17) ^ rotr(w2, 19) ^ (w2 >>> 10)
      w[j] = ((w[j - 16] ?? 0) + s0 + (w[j - 7] ?? 0) + s1) >>> 0
    }
    let [a, b, c, d, e, f, g, hh] = h as [number, number, number, number, number, number, number, number]
    for (let j = 0; j < 64; j++) {
      const t1 = (hh + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + (SHA256_K[j] ?? 0) + (w[j] ?? 0)) >>> 0
      const t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) >>> 0
      hh = g; g = f; f = e; e = (d + t1) >>> 0
      d = c; c = b; b = a; a = (t1 + t2) >>> 0
    }
    const next = [a, b, c, d, e, f, g, hh]
    for (let j = 0; j < 8; j++) h[j] = ((h[j] ?? 0) + (next[j] ?? 0)) >>> 0
  }
  return toHex(h, false)
}

/** Hashes text with the named digest algorithm, as lowercase hex (RFC 7616 §3.4.1 H()). */
export function digestHash(algorithm: DigestAlgorithm, text: string): string {
  return algorithm === 'MD5' ? md5Hex(text) : sha256Hex(text)
}

/** RFC 7616 §3.4.2 HA1 = H(username ":" realm ":" password), stored instead of the password (RFC 8760 for SHA-256). */
export function computeHa1(algorithm: DigestAlgorithm, username: string, realm: string, password: string): string {
  return digestHash(algorithm, `${username}:${realm}:${password}`)
}
