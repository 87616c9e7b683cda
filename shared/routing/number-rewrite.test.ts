// Covers docs/architecture.md "Routing": number rewriting per gateway (strip N leading digits, then add a prefix).
import { describe, expect, it } from 'vitest'
import { rewriteNumber } from './number-rewrite.js'

describe('rewriteNumber', () => {
  it.each([
    ['0033155', { strip: 0, add: '' }, '0033155'],
    ['0033155', { strip: 2, add: '' }, '33155'],
    ['0033155', { strip: 2, add: '+' }, '+33155'],
    ['4921198765', { strip: 0, add: '00' }, '004921198765'],
    ['123', { strip: 5, add: '9' }, '9'],
  ])('rewrites %s with %j to %s', (number, rule, out) => {
    expect(rewriteNumber(number, rule)).toBe(out)
  })
})
