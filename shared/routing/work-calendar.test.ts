// Covers docs/architecture.md "Routing": outside the group's work calendar (days 0 = Sunday, from/to HH:MM, midnight wrap, time zone).
import { describe, expect, it } from 'vitest'
import type { CalendarWindow } from '../entities/fields.js'
import { isWithinCalendar, TimeZoneError, weekTimeIn } from './work-calendar.js'

const OFFICE: CalendarWindow[] = [{ days: [1, 2, 3, 4, 5], from: '09:00', to: '17:30' }]
const FRIDAY_NIGHT: CalendarWindow[] = [{ days: [5], from: '22:00', to: '06:00' }]
const SATURDAY_NIGHT: CalendarWindow[] = [{ days: [6], from: '23:00', to: '01:00' }]
const at = (day: number, hhmm: string) => ({ day, minute: Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3)) })

describe('isWithinCalendar', () => {
  it('is always open with an empty calendar', () => {
    expect(isWithinCalendar([], at(0, '03:00'))).toBe(true)
  })

  it.each([
    [at(1, '09:00'), true], [at(5, '17:29'), true], [at(1, '08:59'), false], [at(3, '17:30'), false], [at(0, '12:00'), false],
  ])('office hours at %j are open: %s', (t, open) => expect(isWithinCalendar(OFFICE, t)).toBe(open))

  it.each([
    [at(5, '22:00'), true], [at(5, '23:59'), true], [at(6, '00:00'), true], [at(6, '05:59'), true],
    [at(6, '06:00'), false], [at(5, '21:59'), false], [at(6, '22:30'), false], [at(4, '23:00'), false], [at(5, '03:00'), false],
  ])('a Friday 22:00-06:00 window at %j is open: %s', (t, open) => expect(isWithinCalendar(FRIDAY_NIGHT, t)).toBe(open))

  it('wraps a Saturday-night window into Sunday', () => {
    expect(isWithinCalendar(SATURDAY_NIGHT, at(0, '00:30'))).toBe(true)
    expect(isWithinCalendar(SATURDAY_NIGHT, at(1, '00:30'))).toBe(false)
  })

  it('treats 24:00 as the end of the day', () => {
    expect(isWithinCalendar([{ days: [2], from: '18:00', to: '24:00' }], at(2, '23:59'))).toBe(true)
    expect(isWithinCalendar([{ days: [2], from: '18:00', to: '24:00' }], at(3, '00:00'))).toBe(false)
  })
})

describe('weekTimeIn', () => {
  it('reads weekday and minute in UTC', () => {
    expect(weekTimeIn('UTC')(Date.UTC(2024, 0, 5, 23, 0))).toEqual(at(5, '23:00'))
  })

  it('moves across the day boundary in a non-UTC zone', () => {
    const ny = weekTimeIn('America/New_York')
    expect(ny(Date.UTC(2024, 0, 6, 3, 0))).toEqual(at(5, '22:00'))
    expect(ny(Date.UTC(2024, 6, 6, 3, 0))).toEqual(at(5, '23:00'))
    expect(weekTimeIn('Asia/Tokyo')(Date.UTC(2024, 0, 6, 20, 0))).toEqual(at(0, '05:00'))
  })

  it('gives the same answer for repeated and changing times (per-minute cache)', () => {
    const utc = weekTimeIn('UTC')
    expect(utc(Date.UTC(2024, 0, 7, 0, 0, 30))).toEqual(at(0, '00:00'))
    expect(utc(Date.UTC(2024, 0, 7, 0, 0, 59))).toEqual(at(0, '00:00'))
    expect(utc(Date.UTC(2024, 0, 7, 0, 1))).toEqual(at(0, '00:01'))
  })

  it('refuses an unknown zone', () => {
    expect(() => weekTimeIn('Mars/Olympus')).toThrow(TimeZoneError)
  })
})
