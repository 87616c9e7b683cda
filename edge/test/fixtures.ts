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
