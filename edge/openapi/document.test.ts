// /openapi.json: an OpenAPI 3.1 document generated from the zod schemas that covers every mounted route.
import { describe, expect, it } from 'vitest'
import { RESOURCES } from '../app.js'
import { useHarness } from '../test-support/harness.js'
import { openApiPath } from './document.js'

describe('OpenAPI document', () => {
  const h = useHarness()

  it('documents every operation of every resource plus the public routes', async () => {
    const doc = (await h().request('GET', '/openapi.json', { as: 'none' })).body
    expect(doc.openapi).toBe('3.1.0')
    for (const resource of RESOURCES) {
      for (const { spec } of resource.operations) {
        const path = openApiPath(resource.basePath + (spec.path === '/' ? '' : spec.path))
        expect(doc.paths[path]?.[spec.method], `${spec.method} ${path}`).toMatchObject({ operationId: spec.operationId })
      }
    }
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/health', '/openapi.json', '/docs', '/v1/parameters/{name}']))
  })

  it('describes request bodies with the shared zod schemas (e.g. ips items as IP addresses)', async () => {
    const doc = (await h().request('GET', '/openapi.json', { as: 'none' })).body
    const body = doc.paths['/v1/mapping-gateways'].post.requestBody.content['application/json'].schema
    expect(body.required).toEqual(expect.arrayContaining(['name', 'accountId', 'authMode']))
    expect(JSON.stringify(body.properties.ips)).toMatch(/ipv4|ipv6/)
    expect(doc.paths['/v1/accounts'].get.parameters.map((p: { name: string }) => p.name)).toEqual(['limit', 'cursor'])
    expect(doc.components.schemas.Error.properties.error.properties.code.enum).toContain('CONFLICT')
  })

  it('answers every documented path with something other than 404 (no stale entries)', async () => {
    const doc = (await h().request('GET', '/openapi.json', { as: 'none' })).body
    for (const [path, methods] of Object.entries(doc.paths as Record<string, Record<string, unknown>>)) {
      for (const method of Object.keys(methods)) {
        const concrete = path.replace('{name}', 'SS_MAXCALLDURATION').replace(/\{\w+\}/g, 'missing')
        const res = await h().app.request(concrete, { method: method.toUpperCase(), headers: { authorization: `Bearer ${h().viewerKey}` } })
        const body = res.headers.get('content-type')?.includes('json') ? ((await res.json()) as { error?: { message: string } }) : {}
        expect(res.status === 404 && body.error?.message.startsWith('no route'), `${method} ${path}`).toBe(false)
      }
    }
  })

  it('documents the rate CSV import body as text/csv and the rate export as a second media type', async () => {
    const doc = (await h().request('GET', '/openapi.json', { as: 'none' })).body
    const importOp = doc.paths['/v1/rate-tables/{id}/rates/import'].post
    expect(Object.keys(importOp.requestBody.content)).toEqual(['text/csv'])
    expect(importOp.requestBody.description).toContain('prefix,pricePerMinute,firstIncrementSec,nextIncrementSec,effectiveFrom')
    expect(Object.keys(doc.paths['/v1/rate-tables/{id}/rates'].get.responses['200'].content)).toEqual(['application/json', 'text/csv'])
    expect(doc.paths['/v1/accounts/{id}/payments'].post.requestBody.content['application/json'].schema.required).toEqual(['amount'])
  })

  it('serves Swagger UI at /docs pointing at /openapi.json', async () => {
    const res = await h().app.request('/docs')
    expect(res.headers.get('content-type')).toContain('text/html')
    expect(await res.text()).toContain('/docs/start.js')
    expect(await (await h().app.request('/docs/start.js')).text()).toContain("url: '/openapi.json'")
  })
})
