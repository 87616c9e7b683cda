// ITU-T G.711 μ-law and A-law companding (Tables 1a/2a) against the reference decoder values, and the 256-code round trip.
import { describe, expect, it } from 'vitest'
import { alawToLinear, decodeG711, encodeG711, linearToAlaw, linearToUlaw, ulawToLinear } from './g711.js'

describe('G.711 μ-law', () => {
  it('encodes silence as 0xFF and full scale as 0x80 / 0x00', () => {
    expect(linearToUlaw(0)).toBe(0xff)
    expect(linearToUlaw(32767)).toBe(0x80)
    expect(linearToUlaw(-32768)).toBe(0x00)
  })

  it('decodes the extreme codes to ±32124 and 0xFF to 0', () => {
    expect(ulawToLinear(0x00)).toBe(-32124)
    expect(ulawToLinear(0x80)).toBe(32124)
    expect(ulawToLinear(0xff)).toBe(0)
  })

  it('re-encodes every decoded code to itself (0x7F, negative zero, becomes 0xFF)', () => {
    for (let c = 0; c < 256; c++) expect(linearToUlaw(ulawToLinear(c))).toBe(c === 0x7f ? 0xff : c)
  })
})

describe('G.711 A-law', () => {
  it('encodes silence as 0xD5 and full scale as 0xAA / 0x2A', () => {
    expect(linearToAlaw(0)).toBe(0xd5)
    expect(linearToAlaw(32767)).toBe(0xaa)
    expect(linearToAlaw(-32768)).toBe(0x2a)
  })

  it('decodes 0xD5/0x55 to ±8 and 0xAA/0x2A to ±32256', () => {
    expect(alawToLinear(0xd5)).toBe(8)
    expect(alawToLinear(0x55)).toBe(-8)
    expect(alawToLinear(0xaa)).toBe(32256)
    expect(alawToLinear(0x2a)).toBe(-32256)
  })

  it('re-encodes every decoded code to itself', () => {
    for (let c = 0; c < 256; c++) expect(linearToAlaw(alawToLinear(c))).toBe(c)
  })
})

describe('encodeG711 / decodeG711', () => {
  it('keeps a 1 kHz tone within the law quantisation step', () => {
    const pcm = new Int16Array(160)
    for (let i = 0; i < pcm.length; i++) pcm[i] = Math.round(10000 * Math.sin((2 * Math.PI * 1000 * i) / 8000))
    for (const law of ['PCMU', 'PCMA'] as const) {
      const back = decodeG711(encodeG711(pcm, law), law)
      for (let i = 0; i < pcm.length; i++) expect(Math.abs(back[i]! - pcm[i]!)).toBeLessThanOrEqual(Math.abs(pcm[i]!) / 16 + 16)
    }
  })
})
