// Covers the system-parameter catalogue: every parameter present with its default, bounds enforced, API list shape.
import { describe, expect, it } from 'vitest'
import {
  PARAM_NAMES, SYSTEM_PARAMS, describeParams, isParamName, paramName, paramsConsistencyIssues, parseParamValue,
  resolveParams, systemParams,
} from './system-params.js'

const DESIGN_DEFAULTS = {
  SS_MAXCALLDURATION: 0,
  SS_CALLREMINTIME: 0,
  SS_NOMEDIAHANGUP: 0,
  SS_SIP_TIMEOUT_INVITE: 10,
  SS_SIP_TIMEOUT_RINGING: 120,
  SS_SIP_TIMEOUT_SESSION_PROGRESS: 20,
  SS_SIP_TIMEOUT_SESSION_PROGRESS_SDP: 120,
  SS_SIP_OPTIONS_CHECK_PERIOD: 60,
  SS_REPLY_UNAUTHORIZED: true,
  SS_SESSION_EXPIRES: 1800,
  SERVER_VERIFY_CLEARING_CUSTOMER_REMAIN_MONEY_LIMIT: 0,
}

describe('system parameter catalogue', () => {
  it('holds every VOS3000 parameter the switch implements with its documented default', () => {
    for (const [name, def] of Object.entries(DESIGN_DEFAULTS)) {
      expect(isParamName(name), name).toBe(true)
      if (isParamName(name)) expect(SYSTEM_PARAMS[name].default, name).toBe(def)
    }
  })

  it('holds the parameters the call, health, auth and billing code rely on', () => {
    const expected = {
      SS_AUTH_REALM: 'softswitch', SS_SIP_T1_MS: 500, SS_SIP_T2_MS: 4000, SS_SIP_T4_MS: 5000, SS_SESSION_MIN_SE: 90,
      SS_OPTIONS_FAILURES_TO_OFFLINE: 3, SS_OPTIONS_SUCCESSES_TO_ONLINE: 2, SS_RECORD_UNKNOWN_SOURCE: false,
      SS_AUTH_NONCE_TTL: 300, SERVER_BILLING_FEE_PRECISION: 4, SS_MAX_ROUTING_ATTEMPTS: 5, SS_NAT_MEDIA_SDP_IP_FIRST: false,
      SS_TIMEZONE: 'UTC',
    }
    for (const [name, def] of Object.entries(expected)) {
      if (!isParamName(name)) throw new Error(`missing ${name}`)
      expect(SYSTEM_PARAMS[name].default, name).toBe(def)
    }
    expect(SYSTEM_PARAMS.SS_NOMEDIAHANGUP_SIDE.schema.safeParse('either').success).toBe(true)
  })

  it('keeps every default inside its own bounds and accepted by its own schema', () => {
    for (const name of PARAM_NAMES) {
      const spec = SYSTEM_PARAMS[name]
      expect(parseParamValue(name, spec.default).success, name).toBe(true)
      if (typeof spec.default === 'number' && spec.min !== null && spec.max !== null) {
        expect(spec.default).toBeGreaterThanOrEqual(spec.min)
        expect(spec.default).toBeLessThanOrEqual(spec.max)
      }
      expect(spec.description.length, name).toBeGreaterThan(0)
      expect(spec.unit.length, name).toBeGreaterThan(0)
    }
  })

  it('parses an empty object to all defaults, and the defaults are mutually consistent', () => {
    const params = systemParams.parse({})
    for (const name of PARAM_NAMES) expect(params[name]).toEqual(SYSTEM_PARAMS[name].default)
    expect(paramsConsistencyIssues(params)).toEqual([])
  })

  it('rejects a negative duration and accepts an hour', () => {
    expect(parseParamValue('SS_MAXCALLDURATION', -1).success).toBe(false)
    expect(parseParamValue('SS_MAXCALLDURATION', 3600)).toMatchObject({ success: true, data: 3600 })
    expect(systemParams.safeParse({ SS_MAXCALLDURATION: -1 }).success).toBe(false)
  })

  it('rejects fractional seconds, strings for numbers, and non-finite money', () => {
    expect(parseParamValue('SS_SIP_TIMEOUT_INVITE', 1.5).success).toBe(false)
    expect(parseParamValue('SS_SIP_TIMEOUT_INVITE', '10').success).toBe(false)
    expect(parseParamValue('SERVER_VERIFY_CLEARING_CUSTOMER_REMAIN_MONEY_LIMIT', Number.POSITIVE_INFINITY).success).toBe(false)
    expect(parseParamValue('SERVER_VERIFY_CLEARING_CUSTOMER_REMAIN_MONEY_LIMIT', 12.5).success).toBe(true)
  })

  it('rejects an RFC 4028 Min-SE below 90 and a realm with a quote', () => {
    expect(parseParamValue('SS_SESSION_MIN_SE', 89).success).toBe(false)
    expect(parseParamValue('SS_AUTH_REALM', 'a"b').success).toBe(false)
  })

  it('accepts an IANA time zone for SS_TIMEZONE and rejects a made-up one', () => {
    expect(parseParamValue('SS_TIMEZONE', 'Europe/Berlin').success).toBe(true)
    expect(parseParamValue('SS_TIMEZONE', 'Mars/Olympus_Mons').success).toBe(false)
  })

  it('rejects a session interval shorter than Min-SE as a whole-object error', () => {
    const r = systemParams.safeParse({ SS_SESSION_EXPIRES: 60 })
    expect(r.success).toBe(false)
    expect(r.error?.issues[0]?.path).toEqual(['SS_SESSION_EXPIRES'])
    expect(systemParams.safeParse({ SS_SESSION_EXPIRES: 0 }).success).toBe(true)
  })

  it('validates names through the paramName enum', () => {
    expect(paramName.safeParse('SS_MAXCALLDURATION').success).toBe(true)
    expect(paramName.safeParse('SS_NOPE').success).toBe(false)
  })
})

describe('resolveParams', () => {
  it('keeps valid overrides and reports invalid and unknown ones, falling back to defaults', () => {
    const { params, invalid } = resolveParams({ SS_MAXCALLDURATION: 3600, SS_SIP_TIMEOUT_INVITE: -5, SS_GONE: 1 })
    expect(params.SS_MAXCALLDURATION).toBe(3600)
    expect(params.SS_SIP_TIMEOUT_INVITE).toBe(10)
    expect(invalid.map((i) => i.name).sort()).toEqual(['SS_GONE', 'SS_SIP_TIMEOUT_INVITE'])
  })

  it('resets both sides of a broken cross-parameter rule', () => {
    const { params, invalid } = resolveParams({ SS_SESSION_EXPIRES: 120, SS_SESSION_MIN_SE: 600 })
    expect(params.SS_SESSION_EXPIRES).toBe(1800)
    expect(params.SS_SESSION_MIN_SE).toBe(90)
    expect(invalid).toHaveLength(1)
  })
})

describe('describeParams', () => {
  it('lists every parameter in the GET /v1/parameters shape with the override as value', () => {
    const list = describeParams({ SS_MAXCALLDURATION: 3600 })
    expect(list.map((p) => p.name)).toEqual(PARAM_NAMES)
    expect(list[0]).toEqual({
      name: 'SS_MAXCALLDURATION', type: 'integer', value: 3600, default: 0, unit: 's', min: 0, max: 604_800,
      description: SYSTEM_PARAMS.SS_MAXCALLDURATION.description,
    })
    expect(list.find((p) => p.name === 'SS_REPLY_UNAUTHORIZED')).toMatchObject({ value: true, min: null, max: null, unit: 'bool' })
  })
})
