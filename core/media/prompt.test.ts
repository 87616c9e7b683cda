// The shipped warning prompt (8 kHz mono 16-bit PCM WAV) and its 20 ms G.711 framing (RFC 3551 §4.5.14, §4.5.2: 160 samples per 20 ms packet).
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { decodeG711 } from './g711.js'
import { buildPrompt, loadPrompt, parseWav, PromptError, SHIPPED_PROMPT_PATH } from './prompt.js'

function wav(samples: Int16Array, rate = 8000, channels = 1): Buffer {
  const data = Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength)
  const h = Buffer.alloc(44)
  h.write('RIFF', 0, 'latin1')
  h.writeUInt32LE(36 + data.length, 4)
  h.write('WAVEfmt ', 8, 'latin1')
  h.writeUInt32LE(16, 16)
  h.writeUInt16LE(1, 20)
  h.writeUInt16LE(channels, 22)
  h.writeUInt32LE(rate, 24)
  h.writeUInt32LE(rate * 2 * channels, 28)
  h.writeUInt16LE(2 * channels, 32)
  h.writeUInt16LE(16, 34)
  h.write('data', 36, 'latin1')
  h.writeUInt32LE(data.length, 40)
  return Buffer.concat([h, data])
}

describe('loadPrompt', () => {
  it('loads the shipped spoken prompt: a few seconds of audio in 160-byte PCMU and PCMA frames', () => {
    const p = loadPrompt(undefined)
    expect(p.path).toBe(SHIPPED_PROMPT_PATH)
    expect(p.durationMs).toBeGreaterThan(1500)
    expect(p.durationMs).toBeLessThan(8000)
    expect(p.payloads.PCMU).toHaveLength(p.frames)
    expect(p.payloads.PCMA.every((f) => f.length === 160)).toBe(true)
    // Speech, not silence: some frame decodes to a loud sample.
    const peak = Math.max(...p.payloads.PCMU.map((f) => Math.max(...decodeG711(f, 'PCMU').map(Math.abs))))
    expect(peak).toBeGreaterThan(8000)
  })

  it("prefers the operator's DATA_DIR/prompts/warning.wav", () => {
    const dir = mkdtempSync(join(tmpdir(), 'prompt-'))
    mkdirSync(join(dir, 'prompts'))
    writeFileSync(join(dir, 'prompts', 'warning.wav'), wav(new Int16Array(400).fill(1000)))
    const p = loadPrompt(dir)
    expect(p.path).toBe(join(dir, 'prompts', 'warning.wav'))
    expect(p.frames).toBe(3)
  })
})

describe('parseWav / buildPrompt', () => {
  it('refuses a WAV that is not 8 kHz mono', () => {
    expect(() => parseWav(wav(new Int16Array(10), 16000))).toThrow(PromptError)
    expect(() => parseWav(wav(new Int16Array(10), 8000, 2))).toThrow(PromptError)
    expect(() => parseWav(Buffer.from('not a wav'))).toThrow(PromptError)
  })

  it('pads the last frame with silence in each law', () => {
    const p = buildPrompt(new Int16Array(170).fill(0), 'x')
    expect(p.frames).toBe(2)
    expect(p.payloads.PCMU[1]!.every((b) => b === 0xff)).toBe(true)
    expect(p.payloads.PCMA[1]!.every((b) => b === 0xd5)).toBe(true)
  })
})
