// Covers caller-ID rules per routing gateway as a table: presentation (RFC 3323 anonymous From), the Privacy header passed, dropped or set to id (RFC 3325 §9.3), and P-Asserted-Identity.
import { describe, expect, it } from 'vitest'
import { DEFAULT_CALLER_ID, callerIdRule, type CallerIdRule } from '../entities/number-rules.js'
import { callerIdFor, privacyTokens } from './caller-id.js'

const rule = (over: Partial<CallerIdRule>): CallerIdRule => ({ ...DEFAULT_CALLER_ID, ...over })

describe('callerIdFor', () => {
  it.each<[string, CallerIdRule, string, string | undefined, ReturnType<typeof callerIdFor>]>([
    ['defaults, no privacy asked: the number, nothing else', DEFAULT_CALLER_ID, '4930123', undefined, { anonymous: false, privacy: null, assertedIdentity: null }],
    ['defaults, Privacy: id passed on, From kept (id concerns asserted identity only)', DEFAULT_CALLER_ID, '4930123', 'id', { anonymous: false, privacy: 'id', assertedIdentity: null }],
    ['defaults, Privacy: user makes From anonymous and is passed on', DEFAULT_CALLER_ID, '4930123', 'user', { anonymous: true, privacy: 'user', assertedIdentity: null }],
    ['defaults, Privacy: header;id (any case, spaces) is passed on normalised', DEFAULT_CALLER_ID, '4930123', 'Header; ID', { anonymous: true, privacy: 'header;id', assertedIdentity: null }],
    ['Privacy: none asks for nothing', DEFAULT_CALLER_ID, '4930123', 'none', { anonymous: false, privacy: null, assertedIdentity: null }],
    ['an anonymous From asks for privacy', DEFAULT_CALLER_ID, 'Anonymous', undefined, { anonymous: true, privacy: null, assertedIdentity: null }],
    ['presentation number shows the number even when privacy was asked', rule({ presentation: 'number' }), '4930123', 'user', { anonymous: false, privacy: 'user', assertedIdentity: null }],
    ['presentation anonymous hides every number', rule({ presentation: 'anonymous' }), '4930123', undefined, { anonymous: true, privacy: null, assertedIdentity: null }],
    ['privacy none drops the caller\'s Privacy header', rule({ privacy: 'none' }), '4930123', 'user', { anonymous: true, privacy: null, assertedIdentity: null }],
    ['privacy id always sends Privacy: id', rule({ privacy: 'id' }), '4930123', undefined, { anonymous: false, privacy: 'id', assertedIdentity: null }],
    ['assertedIdentity sends P-Asserted-Identity with the number', rule({ assertedIdentity: true }), '+4930123', undefined, { anonymous: false, privacy: null, assertedIdentity: '+4930123' }],
    ['assertedIdentity with an anonymous From keeps the number in the asserted identity', rule({ presentation: 'anonymous', privacy: 'id', assertedIdentity: true }), '4930123', undefined, { anonymous: true, privacy: 'id', assertedIdentity: '4930123' }],
    ['no asserted identity for an anonymous or empty caller', rule({ assertedIdentity: true }), 'anonymous', undefined, { anonymous: true, privacy: null, assertedIdentity: null }],
  ])('%s', (_name, r, callerOut, privacy, out) => {
    expect(callerIdFor(r, callerOut, privacyTokens(privacy))).toEqual(out)
  })

  it('refuses unknown presentation and privacy values', () => {
    expect(callerIdRule.safeParse({ ...DEFAULT_CALLER_ID, presentation: 'hidden' }).success).toBe(false)
    expect(callerIdRule.safeParse({ ...DEFAULT_CALLER_ID, privacy: 'user' }).success).toBe(false)
  })
})
