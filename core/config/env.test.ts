// The core's environment schema: documented defaults, empty values as unset, refusals that name the variable, and a drain that fits the platform's kill timeout.
import { readFileSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { coreEnvSchema, DEFAULT_DRAIN_TIMEOUT_MS } from './env.js'

describe('coreEnvSchema', () => {
  it('binds loopback by default and treats empty values as unset', () => {
    const env = coreEnvSchema.parse({ SIP_HOST: '', STATUS_PORT: '' })
    expect(env).toMatchObject({ SIP_HOST: '127.0.0.1', SIP_PORT: 5060, STATUS_HOST: '127.0.0.1', STATUS_PORT: 9090, DRAIN_TIMEOUT_MS: DEFAULT_DRAIN_TIMEOUT_MS })
  })

  it('runs one SIP worker per CPU unless CORE_WORKERS says otherwise; 1 is one process; several workers take REDIS_URL too', () => {
    expect(coreEnvSchema.parse({}).CORE_WORKERS).toBe(Math.min(32, availableParallelism()))
    expect(coreEnvSchema.parse({ CORE_WORKERS: '' }).CORE_WORKERS).toBe(Math.min(32, availableParallelism()))
    expect(coreEnvSchema.parse({ CORE_WORKERS: 'auto' }).CORE_WORKERS).toBe(Math.min(32, availableParallelism()))
    expect(coreEnvSchema.parse({ CORE_WORKERS: '1' }).CORE_WORKERS).toBe(1)
    expect(coreEnvSchema.parse({ CORE_WORKERS: '4' }).CORE_WORKERS).toBe(4)
    expect(coreEnvSchema.safeParse({ CORE_WORKERS: '0' }).success).toBe(false)
    expect(coreEnvSchema.safeParse({ CORE_WORKERS: '2', REDIS_URL: 'redis://127.0.0.1:6379' }).success).toBe(true)
    expect(coreEnvSchema.safeParse({ CORE_WORKERS: '1', REDIS_URL: 'redis://127.0.0.1:6379' }).success).toBe(true)
  })

  it('refuses an RTP range that ends below its start, naming RTP_PORT_MAX', () => {
    const r = coreEnvSchema.safeParse({ RTP_PORT_MIN: '30000', RTP_PORT_MAX: '20000' })
    expect(r.success).toBe(false)
    expect(r.error?.issues.map((i) => i.path.join('.'))).toEqual(['RTP_PORT_MAX'])
  })

  it("drains for at most fly.toml's kill_timeout minus 10 s, so BYEs, the CDR flush and exit fit before SIGKILL", () => {
    const fly = readFileSync(fileURLToPath(new URL('../../fly.toml', import.meta.url)), 'utf8')
    const killTimeoutSec = Number(/^kill_timeout\s*=\s*"?(\d+)s?"?/m.exec(fly)?.[1])
    expect(killTimeoutSec).toBeGreaterThan(0)
    expect(DEFAULT_DRAIN_TIMEOUT_MS).toBe((killTimeoutSec - 10) * 1000)
  })
})
