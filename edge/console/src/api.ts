// The console's only way to the edge: same-origin fetch with the session cookie, the CSRF header on writes, and errors as thrown ApiFailure.

/** One validation issue from the API (zod's shape). */
export interface Issue {
  code?: string
  path: (string | number)[]
  message: string
}

/** A failed API call: status, error code, message and issues, as the API's error body says. */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly issues: Issue[] = [],
  ) {
    super(message)
  }
}

/** Who is logged in, as GET/POST /v1/session return it. */
export interface Session {
  keyId: string
  keyName: string
  role: 'admin' | 'viewer'
  via: 'bearer' | 'session'
  csrfToken: string | null
  expiresAt: string | null
}

let csrfToken: string | null = null
let onUnauthorized: () => void = () => {}

/** Remembers the session's CSRF token for writes. */
export function setCsrfToken(token: string | null): void {
  csrfToken = token
}

/** What to do when the session ended (401): the app shows the login. */
export function whenUnauthorized(handler: () => void): void {
  onUnauthorized = handler
}

/** Sends one request; JSON bodies for objects, text for strings (with `contentType`); resolves to the parsed JSON (null when empty). */
export async function api<T = any>(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' }
  if (method !== 'GET' && csrfToken !== null) headers['x-csrf-token'] = csrfToken
  let payload: string | undefined
  if (body !== undefined) {
    headers['content-type'] = contentType
    payload = typeof body === 'string' ? body : JSON.stringify(body)
  }
  const res = await fetch(path, { method, headers, body: payload, credentials: 'same-origin', cache: 'no-store' })
  const text = await res.text()
  let json: any = null
  try {
    json = text === '' ? null : JSON.parse(text)
  } catch {
    json = null
  }
  if (!res.ok) {
    const err = json?.error ?? {}
    if (res.status === 401 && path !== '/v1/session') onUnauthorized()
    throw new ApiFailure(res.status, String(err.code ?? res.status), String(err.message ?? (text || res.statusText)), Array.isArray(err.issues) ? err.issues : [])
  }
  return json as T
}

/** A query string from the defined, non-empty values of `params` (leading `?` when any). */
export function qs(params: Record<string, string | number | boolean | undefined | null>): string {
  const q = new URLSearchParams()
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v))
  const s = q.toString()
  return s === '' ? '' : `?${s}`
}

let openApi: Promise<any> | null = null

/** The edge's OpenAPI document (public, fetched once): forms and hints are built from its schemas. */
export function openApiDocument(): Promise<any> {
  openApi ??= fetch('/openapi.json', { credentials: 'same-origin' }).then((r) => r.json())
  return openApi
}

/** The JSON Schema of an operation's JSON request body, by operationId. */
export async function requestSchema(operationId: string): Promise<any> {
  const doc = await openApiDocument()
  for (const ops of Object.values<any>(doc.paths)) {
    for (const op of Object.values<any>(ops)) {
      if (op?.operationId === operationId) return op.requestBody?.content?.['application/json']?.schema ?? null
    }
  }
  return null
}
