// Request bodies: the media type a route takes (415 otherwise) and a size cap enforced before and while reading (413).
import type { Context } from 'hono'
import type { AppEnv } from './env.js'
import { ApiError } from './errors.js'

/** Largest JSON body a route reads (configuration objects are a few KiB; bulk imports have their own cap). */
export const MAX_JSON_BYTES = 1024 * 1024

/** The media type of a Content-Type header value, lowercased, without parameters ('' when absent). */
export function mediaType(header: string | undefined): string {
  if (header === undefined) return ''
  const semi = header.indexOf(';')
  return (semi === -1 ? header : header.slice(0, semi)).trim().toLowerCase()
}

/** True for `application/json` and structured-syntax JSON types such as `application/merge-patch+json` (RFC 6839). */
export function isJsonType(type: string): boolean {
  return type === 'application/json' || (type.startsWith('application/') && type.endsWith('+json'))
}

/**
 * The request's media type when it is one of `accepted` (JSON types match `application/json`), else a 415 naming
 * what the route takes.
 */
export function requireMediaType(c: Context<AppEnv>, accepted: readonly string[]): string {
  const type = mediaType(c.req.header('content-type'))
  const found = accepted.find((a) => a === type || (a === 'application/json' && isJsonType(type)))
  if (found !== undefined) return found
  throw new ApiError('UNSUPPORTED_MEDIA_TYPE', `send the body as Content-Type: ${accepted.join(' or ')}${type === '' ? '' : ` (got ${type})`}`)
}

function tooLarge(maxBytes: number): ApiError {
  return new ApiError('PAYLOAD_TOO_LARGE', `the body exceeds ${maxBytes} bytes`)
}

/**
 * Reads the body as UTF-8 text, refusing with 413 from Content-Length before reading, or as soon as a body without one
 * (chunked) passes `maxBytes`; the rest of the stream is cancelled, never buffered.
 */
export async function readBodyText(c: Context<AppEnv>, maxBytes: number): Promise<string> {
  const declared = c.req.header('content-length')
  if (declared !== undefined && Number(declared) > maxBytes) throw tooLarge(maxBytes)
  const stream = c.req.raw.body
  if (stream === null) return ''
  const reader = stream.getReader()
  const chunks: Uint8Array[] = []
  let total = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    total += value.byteLength
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined)
      throw tooLarge(maxBytes)
    }
    chunks.push(value)
  }
  const bytes = new Uint8Array(total)
  let at = 0
  for (const chunk of chunks) {
    bytes.set(chunk, at)
    at += chunk.byteLength
  }
  return new TextDecoder().decode(bytes)
}

/** A JSON body: 415 unless the type is JSON, 413 past MAX_JSON_BYTES, 400 when it does not parse. */
export async function readJsonBody(c: Context<AppEnv>): Promise<unknown> {
  requireMediaType(c, ['application/json'])
  const text = await readBodyText(c, MAX_JSON_BYTES)
  try {
    return JSON.parse(text)
  } catch (cause) {
    throw new ApiError('BAD_REQUEST', 'request body is not valid JSON', { cause })
  }
}
