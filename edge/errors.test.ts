// The single error exit: every failure (unknown route, malformed JSON, validation, unexpected error) has one body shape.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { describe, expect, it } from 'vitest'
import { apiErrorBody } from '../shared/api/error-codes.js'
import { createJsonLogger } from '../shared/log/logger.js'
import { createApp } from './app.js'
import { useHarness } from './test-support/harness.js'
import { openDatabase } from '../shared/db/node/database.js'

describe('error responses', () => {
  const h = useHarness()

  it('returns 404 in the error shape for an unknown route', async () => {
    const res = await h().request('GET', '/v2/nothing', { as: 'none' })
    expect(res.status).toBe(404)
    expect(apiErrorBody.parse(res.body).error.code).toBe('NOT_FOUND')
  })

  it('echoes the caller\'s X-Request-Id in the error body', async () => {
    const res = await h().app.request('/v1/accounts/acc_missing', {
      headers: { authorization: `Bearer ${h().adminKey}`, 'x-request-id': 'trace-123' },
    })
    expect(((await res.json()) as { error: { requestId: string } }).error.requestId).toBe('trace-123')
    expect(res.headers.get('x-request-id')).toBe('trace-123')
  })

  it('returns 400 BAD_REQUEST with issues for a body that fails validation', async () => {
    const res = await h().request('POST', '/v1/accounts', { body: { name: '' } })
    const body = apiErrorBody.parse(res.body)
    expect(res.status).toBe(400)
    expect(body.error.issues).toEqual([expect.objectContaining({ path: ['name'], message: expect.any(String) })])
  })

  it('returns 400 for a body that is not JSON at all', async () => {
    const res = await h().request('PATCH', '/v1/accounts/acc_x', { body: 'name=x' })
    expect(res.status).toBe(400)
    expect(apiErrorBody.parse(res.body).error.code).toBe('BAD_REQUEST')
  })

  it('returns 500 INTERNAL with a requestId and no stack when the database is gone', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'softswitch-closed-'))
    const { db, client } = openDatabase({ url: pathToFileURL(join(dir, 'x.db')).href })
    client.close()
    const lines: Record<string, unknown>[] = []
    const app = createApp({ getDb: () => db, log: createJsonLogger({ sink: (l) => lines.push(JSON.parse(l) as Record<string, unknown>) }) })
    try {
      const res = await app.request('/health')
      const text = await res.text()
      expect(res.status).toBe(500)
      const body = apiErrorBody.parse(JSON.parse(text))
      expect(body.error).toMatchObject({ code: 'INTERNAL', message: 'internal error', requestId: expect.any(String) })
      expect(text).not.toMatch(/at .*\.(ts|js):\d+/)
      // The stack goes to the log, with the request id the client got, and never to the client.
      const logged = lines.filter((l) => l.level === 'error')
      expect(logged).toEqual([expect.objectContaining({ msg: 'unhandled error', requestId: body.error.requestId, err: expect.objectContaining({ stack: expect.any(String) }) })])
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
