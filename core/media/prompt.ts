// The warning prompt: an 8 kHz mono 16-bit PCM WAV (the operator's DATA_DIR/prompts/warning.wav, else the shipped one), encoded once to PCMU and PCMA and cut into 20 ms RTP payloads.
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { encodeG711, type G711Law } from './g711.js'

/** Samples per 20 ms packet at 8 kHz (RFC 3551 §4.5: G.711 default packetisation 20 ms). */
export const SAMPLES_PER_FRAME = 160

/** The shipped prompt ("This call will end in thirty seconds."; see scripts/make-prompt.sh). */
export const SHIPPED_PROMPT_PATH = fileURLToPath(new URL('./prompts/warning.wav', import.meta.url))

/** Thrown for a prompt file that is not 8 kHz mono 16-bit PCM WAV (an operator mistake, reported at start-up). */
export class PromptError extends Error {
  override name = 'PromptError'
}

/** A prompt ready to send: the same audio as 20 ms payloads in both laws. */
export interface Prompt {
  /** Where the audio came from. */
  path: string
  /** Number of 20 ms frames. */
  frames: number
  durationMs: number
  /** 160-byte payloads per law; the last one padded with silence. */
  payloads: Readonly<Record<G711Law, readonly Buffer[]>>
}

/** Reads the PCM samples of a RIFF/WAVE file; only format 1 (PCM), 1 channel, 8000 Hz, 16 bits is accepted. */
export function parseWav(file: Buffer): Int16Array {
  if (file.length < 12 || file.toString('latin1', 0, 4) !== 'RIFF' || file.toString('latin1', 8, 12) !== 'WAVE') throw new PromptError('not a RIFF/WAVE file')
  let off = 12
  let fmtOk = false
  while (off + 8 <= file.length) {
    const id = file.toString('latin1', off, off + 4)
    const size = file.readUInt32LE(off + 4)
    const body = off + 8
    if (id === 'fmt ') {
      const format = file.readUInt16LE(body)
      const channels = file.readUInt16LE(body + 2)
      const rate = file.readUInt32LE(body + 4)
      const bits = file.readUInt16LE(body + 14)
      // WAVE_FORMAT_EXTENSIBLE (0xfffe) carries PCM too; sox writes it for some outputs.
      if ((format !== 1 && format !== 0xfffe) || channels !== 1 || rate !== 8000 || bits !== 16) {
        throw new PromptError(`prompt must be 8 kHz mono 16-bit PCM (got format ${format}, ${channels} ch, ${rate} Hz, ${bits} bit)`)
      }
      fmtOk = true
    } else if (id === 'data') {
      if (!fmtOk) throw new PromptError('WAV data chunk before its fmt chunk')
      const len = Math.min(size, file.length - body) & ~1
      const samples = new Int16Array(len / 2)
      for (let i = 0; i < samples.length; i++) samples[i] = file.readInt16LE(body + 2 * i)
      return samples
    }
    off = body + size + (size & 1)
  }
  throw new PromptError('WAV has no data chunk')
}

/** Encodes samples to 20 ms payloads in both laws (the tail padded with silence). */
export function buildPrompt(samples: Int16Array, path: string): Prompt {
  const frames = Math.ceil(samples.length / SAMPLES_PER_FRAME)
  if (frames === 0) throw new PromptError('prompt is empty')
  const padded = new Int16Array(frames * SAMPLES_PER_FRAME)
  padded.set(samples)
  const split = (law: G711Law): Buffer[] => {
    const all = encodeG711(padded, law)
    const out: Buffer[] = []
    for (let i = 0; i < frames; i++) out.push(all.subarray(i * SAMPLES_PER_FRAME, (i + 1) * SAMPLES_PER_FRAME))
    return out
  }
  return { path, frames, durationMs: frames * 20, payloads: { PCMU: split('PCMU'), PCMA: split('PCMA') } }
}

/** Loads `dataDir/prompts/warning.wav` when the operator put one there, else the shipped prompt. */
export function loadPrompt(dataDir: string | undefined): Prompt {
  const override = dataDir === undefined ? undefined : join(dataDir, 'prompts', 'warning.wav')
  const path = override !== undefined && existsSync(override) ? override : SHIPPED_PROMPT_PATH
  return buildPrompt(parseWav(readFileSync(path)), path)
}
