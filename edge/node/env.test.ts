// Node edge environment: the documented defaults (loopback API), empty strings treated as unset, and bad values refused.
import { describe, expect, it } from 'vitest'
import { parseNodeEnv } from './env.js'

describe('parseNodeEnv', () => {
  it('applies the documented defaults', () => {
    expect(parseNodeEnv({})).toEqual({
      API_HOST: '127.0.0.1',
      API_PORT: 8787,
      METRICS_HOST: '127.0.0.1',
      METRICS_PORT: 9091,
      DATABASE_URL: 'file:./data/softswitch.db',
      DATA_DIR: './data',
      ALERT_INTERVAL_MS: 60_000,
      LOG_LEVEL: 'info',
    })
  })

  it('treats empty strings as unset', () => {
    expect(parseNodeEnv({ ADMIN_API_KEY: '', API_PORT: '' }).ADMIN_API_KEY).toBeUndefined()
  })

  it('refuses a non-numeric API_PORT', () => {
    expect(() => parseNodeEnv({ API_PORT: 'http' })).toThrow(/API_PORT/)
  })
})
