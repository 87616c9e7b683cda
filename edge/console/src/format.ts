// Display helpers: times, durations, ratios and numbers as an operator reads them.

/** ISO time as local `YYYY-MM-DD HH:MM:SS` (empty for null). */
export function time(iso: string | null | undefined): string {
  if (iso === null || iso === undefined) return ''
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return iso
  const p = (n: number) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`
}

/** Seconds as `1:02:03` or `2:03`. */
export function duration(sec: number | null | undefined): string {
  if (sec === null || sec === undefined) return ''
  const s = Math.max(0, Math.floor(sec))
  const h = Math.floor(s / 3600)
  const m = Math.floor((s % 3600) / 60)
  const r = String(s % 60).padStart(2, '0')
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${r}` : `${m}:${r}`
}

/** A 0..1 ratio as a percentage with one decimal. */
export function percent(ratio: number | null | undefined): string {
  return ratio === null || ratio === undefined ? '–' : `${(ratio * 100).toFixed(1)}%`
}

/** A number with at most `digits` decimals (– for null). */
export function num(value: number | null | undefined, digits = 2): string {
  if (value === null || value === undefined) return '–'
  return Number.isInteger(value) ? String(value) : value.toFixed(digits).replace(/\.?0+$/, '')
}

/** A value of unknown shape as short text (objects as compact JSON). */
export function text(value: unknown): string {
  if (value === null || value === undefined) return ''
  if (Array.isArray(value)) return value.map(text).join(', ')
  if (typeof value === 'object') return JSON.stringify(value)
  return String(value)
}
