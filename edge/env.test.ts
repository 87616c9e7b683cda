// Worker bindings: DATABASE_URL must be a server URL (http(s)/libsql) and the token is optional.
import { describe, expect, it } from 'vitest'
import { parseWorkerEnv } from './env.js'

describe('parseWorkerEnv', () => {
  it('accepts a libsql:// URL with a token and an http:// URL without one', () => {
    expect(parseWorkerEnv({ DATABASE_URL: 'libsql://db.turso.io', DATABASE_AUTH_TOKEN: 't' })).toEqual({
      DATABASE_URL: 'libsql://db.turso.io',
      DATABASE_AUTH_TOKEN: 't',
    })
    expect(parseWorkerEnv({ DATABASE_URL: 'http://127.0.0.1:8080' }).DATABASE_URL).toBe('http://127.0.0.1:8080')
  })

  it('refuses a file: URL, which a Worker cannot open', () => {
    expect(() => parseWorkerEnv({ DATABASE_URL: 'file:./data/softswitch.db' })).toThrow(/DATABASE_URL/)
  })

  it('refuses a missing DATABASE_URL', () => {
    expect(() => parseWorkerEnv({})).toThrow(/DATABASE_URL/)
  })
})
