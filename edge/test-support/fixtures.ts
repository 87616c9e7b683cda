// Valid request bodies for the config resources, and helpers that create them through the API.
import type { Harness } from './harness.js'

let counter = 0
/** A name unique within the test run. */
export function uniqueName(prefix: string): string {
  counter += 1
  return `${prefix}-${counter}`
}

/** POST /v1/accounts body. */
export function accountBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { name: uniqueName('account'), type: 'postpaid', ...overrides }
}

/** POST /v1/mapping-gateways body (IP auth). */
export function mappingGatewayBody(accountId: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { name: uniqueName('ingress'), accountId, authMode: 'ip', ips: ['192.0.2.10'], ...overrides }
}

/** POST /v1/routing-gateways body. */
export function routingGatewayBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { name: uniqueName('vendor'), host: '198.51.100.7', port: 5060, prefixes: ['0033'], ...overrides }
}

/** POST /v1/gateway-groups body. */
export function gatewayGroupBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { name: uniqueName('group'), lineLimit: 10, ...overrides }
}

/** Creates a resource through the API and returns its JSON, failing loudly unless the answer is 201. */
export async function create(h: Harness, path: string, body: Record<string, unknown>): Promise<any> {
  const res = await h.request('POST', path, { body })
  if (res.status !== 201) throw new Error(`POST ${path} → ${res.status}: ${JSON.stringify(res.body)}`)
  return res.body
}

/** POST /v1/rate-tables body. */
export function rateTableBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { name: uniqueName('rates'), ...overrides }
}

/** POST /v1/rate-tables/{id}/rates body. */
export function rateBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { prefix: '0033', pricePerMinute: 0.1, firstIncrementSec: 30, nextIncrementSec: 6, ...overrides }
}

/** Sends a text/csv body (or any `contentType`) as admin and returns the status and parsed JSON body. */
export async function postCsv(h: Harness, path: string, csv: string, contentType = 'text/csv'): Promise<{ status: number; body: any }> {
  const res = await h.app.request(path, { method: 'POST', headers: { authorization: `Bearer ${h.adminKey}`, 'content-type': contentType }, body: csv })
  const text = await res.text()
  return { status: res.status, body: text === '' ? null : JSON.parse(text) }
}
