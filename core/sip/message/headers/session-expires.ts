// Session-Expires and Min-SE header parsers (RFC 4028 §4, §5).
import { isToken, trimWs } from './lexer.js'
import { type Params, parseParamsOnly } from './params.js'

export interface SessionExpires {
  deltaSec: number
  refresher?: 'uac' | 'uas'
  params: Params
}

/** RFC 4028 §4: `delta-seconds *(;se-params)`, refresher = uac / uas; undefined when malformed. */
export function parseSessionExpires(value: string): SessionExpires | undefined {
  const s = trimWs(value)
  let i = 0
  while (i < s.length && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) i++
  if (i === 0 || i > 10) return undefined
  const deltaSec = Number(s.slice(0, i))
  if (deltaSec > 0xffffffff) return undefined
  const params = parseParamsOnly(s, i)
  if (params === undefined) return undefined
  const out: SessionExpires = { deltaSec, params }
  const r = params.get('refresher')
  if (r !== undefined) {
    if (r === null || !isToken(r)) return undefined
    const lower = r.toLowerCase()
    if (lower === 'uac' || lower === 'uas') out.refresher = lower
  }
  return out
}

/** RFC 4028 §5: Min-SE is `delta-seconds *(;generic-param)`; returns the seconds or undefined. */
export function parseMinSe(value: string): number | undefined {
  const se = parseSessionExpires(value)
  return se === undefined ? undefined : se.deltaSec
}
