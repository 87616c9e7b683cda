// Weekly work calendars of gateway groups, evaluated in a configured IANA time zone (a routing skip reason: outside the group's work calendar).
import type { CalendarWindow } from '../entities/fields.js'

/** A moment as seen on a wall clock: weekday (0 = Sunday) and minute of the day (0..1439). */
export interface WeekTime {
  readonly day: number
  readonly minute: number
}

const WEEKDAYS: Readonly<Record<string, number>> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 }

/** Thrown when the time zone is not an IANA name the runtime's Intl knows. */
export class TimeZoneError extends Error {
  override readonly name = 'TimeZoneError'
}

/** Returns a converter from epoch ms to the wall-clock WeekTime in `timeZone` (throws TimeZoneError for an unknown zone). */
export function weekTimeIn(timeZone: string): (nowMs: number) => WeekTime {
  let format: Intl.DateTimeFormat
  try {
    format = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
  } catch (cause) {
    throw new TimeZoneError(`unknown time zone ${JSON.stringify(timeZone)}`, { cause })
  }
  // Offsets change only on whole minutes, so one conversion per minute is enough.
  let cachedMinute = Number.NaN
  let cached: WeekTime = { day: 0, minute: 0 }
  return (nowMs) => {
    const epochMinute = Math.floor(nowMs / 60_000)
    if (epochMinute === cachedMinute) return cached
    let day = 0
    let hour = 0
    let minute = 0
    for (const part of format.formatToParts(nowMs)) {
      if (part.type === 'weekday') day = WEEKDAYS[part.value] ?? 0
      else if (part.type === 'hour') hour = Number(part.value) % 24
      else if (part.type === 'minute') minute = Number(part.value)
    }
    cachedMinute = epochMinute
    cached = { day, minute: hour * 60 + minute }
    return cached
  }
}

const minutesOf = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5))

/**
 * Compiles windows into an "is open at" test; an empty calendar is always open. `from` is inclusive, `to` exclusive,
 * `days` name the day a window starts on, and `from` > `to` runs past midnight into the next day (Sat → Sun wraps).
 */
export function compileCalendar(calendar: readonly CalendarWindow[]): (t: WeekTime) => boolean {
  if (calendar.length === 0) return () => true
  const windows = calendar.map((w) => ({
    days: w.days.reduce((mask, d) => mask | (1 << d), 0),
    from: minutesOf(w.from),
    to: minutesOf(w.to),
  }))
  return (t) => {
    const today = 1 << t.day
    const yesterday = 1 << ((t.day + 6) % 7)
    for (const w of windows) {
      if (w.from < w.to) {
        if (t.minute >= w.from && t.minute < w.to && (w.days & today) !== 0) return true
      } else if ((t.minute >= w.from && (w.days & today) !== 0) || (t.minute < w.to && (w.days & yesterday) !== 0)) {
        return true
      }
    }
    return false
  }
}

/** True when `t` falls in one of the windows (see compileCalendar). */
export function isWithinCalendar(calendar: readonly CalendarWindow[], t: WeekTime): boolean {
  return compileCalendar(calendar)(t)
}
