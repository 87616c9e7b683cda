// G.711 companding (ITU-T G.711 μ-law and A-law) between 16-bit linear PCM and 8-bit codes, after the public-domain Sun reference g711.c.

const BIAS = 0x84
/** μ-law clip on the 14-bit magnitude. */
const CLIP = 8159
const SEG_UEND = [0x3f, 0x7f, 0xff, 0x1ff, 0x3ff, 0x7ff, 0xfff, 0x1fff] as const
const SEG_AEND = [0x1f, 0x3f, 0x7f, 0xff, 0x1ff, 0x3ff, 0x7ff, 0xfff] as const

function segment(v: number, ends: readonly number[]): number {
  for (let i = 0; i < 8; i++) if (v <= ends[i]!) return i
  return 8
}

/** One 16-bit sample to a μ-law code (G.711 §2, Table 2a). */
export function linearToUlaw(sample: number): number {
  let pcm = sample >> 2
  let mask: number
  if (pcm < 0) {
    pcm = -pcm
    mask = 0x7f
  } else mask = 0xff
  if (pcm > CLIP) pcm = CLIP
  pcm += BIAS >> 2
  const seg = segment(pcm, SEG_UEND)
  if (seg >= 8) return 0x7f ^ mask
  return ((seg << 4) | ((pcm >> (seg + 1)) & 0xf)) ^ mask
}

/** One μ-law code to a 16-bit sample. */
export function ulawToLinear(code: number): number {
  const u = ~code & 0xff
  let t = ((u & 0x0f) << 3) + BIAS
  t <<= (u & 0x70) >> 4
  return u & 0x80 ? BIAS - t : t - BIAS
}

/** One 16-bit sample to an A-law code (G.711 §2, Table 1a; even bits inverted). */
export function linearToAlaw(sample: number): number {
  let pcm = sample >> 3
  let mask: number
  if (pcm >= 0) mask = 0xd5
  else {
    mask = 0x55
    pcm = -pcm - 1
  }
  const seg = segment(pcm, SEG_AEND)
  if (seg >= 8) return 0x7f ^ mask
  let aval = seg << 4
  aval |= seg < 2 ? (pcm >> 1) & 0xf : (pcm >> seg) & 0xf
  return aval ^ mask
}

/** One A-law code to a 16-bit sample. */
export function alawToLinear(code: number): number {
  const a = code ^ 0x55
  let t = (a & 0x0f) << 4
  const seg = (a & 0x70) >> 4
  if (seg === 0) t += 8
  else if (seg === 1) t += 0x108
  else t = (t + 0x108) << (seg - 1)
  return a & 0x80 ? t : -t
}

/** G.711 law by RTP payload type (RFC 3551 §6: PCMU = 0, PCMA = 8). */
export type G711Law = 'PCMU' | 'PCMA'

/** Encodes 16-bit PCM samples to one G.711 byte each. */
export function encodeG711(samples: Int16Array, law: G711Law): Buffer {
  const out = Buffer.allocUnsafe(samples.length)
  const enc = law === 'PCMU' ? linearToUlaw : linearToAlaw
  for (let i = 0; i < samples.length; i++) out[i] = enc(samples[i]!)
  return out
}

/** Decodes G.711 bytes to 16-bit PCM samples. */
export function decodeG711(codes: Uint8Array, law: G711Law): Int16Array {
  const out = new Int16Array(codes.length)
  const dec = law === 'PCMU' ? ulawToLinear : alawToLinear
  for (let i = 0; i < codes.length; i++) out[i] = dec(codes[i]!)
  return out
}
