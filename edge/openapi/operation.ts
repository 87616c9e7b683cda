// One API operation as data: method, path, zod schemas for params/query/body/responses, and its handler.
import { Hono, type Context } from 'hono'
import { z } from 'zod'
import type { AppEnv } from '../env.js'
import { readJsonBody } from '../body.js'

/** HTTP methods the API uses. */
export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete'

/** What an operation accepts and returns; the OpenAPI document is generated from this. */
export interface OperationSpec<P extends z.ZodType | undefined, Q extends z.ZodType | undefined, B extends z.ZodType | undefined> {
  method: Method
  /** Hono path relative to the resource's base path, e.g. `/` or `/:id`. */
  path: string
  operationId: string
  summary: string
  /** Needs no API key (the console login); documented with `security: []`. */
  public?: boolean
  /** A write any authenticated role may make (logging out); documented as `x-min-role: viewer`. */
  anyRole?: boolean
  /** What the audit trail calls a successful call of this write (default: create, update or delete by method). */
  auditAction?: string
  params?: P
  query?: Q
  body?: B
  /** A non-JSON request body the handler reads itself (e.g. `text/csv`), documented with a JSON Schema of its string. */
  rawBody?: { contentType: string; description: string; schema: Record<string, unknown>; alsoAccepts?: Record<string, Record<string, unknown>> }
  /** `alsoServes` lists further media types of the same response, e.g. `text/csv` with a JSON Schema for its string. */
  responses: Record<number, { description: string; schema?: z.ZodType; alsoServes?: Record<string, Record<string, unknown>> }>
}

type Parsed<S> = S extends z.ZodType ? z.output<S> : undefined

/** Validated input handed to a handler. */
export interface OperationInput<P, Q, B> {
  params: Parsed<P>
  query: Parsed<Q>
  body: Parsed<B>
}

/** A spec bound to its handler, ready to mount and to document. */
export interface Operation {
  spec: OperationSpec<z.ZodType | undefined, z.ZodType | undefined, z.ZodType | undefined>
  handle: (c: Context<AppEnv>) => Promise<Response>
}

/** Binds a spec to a handler that receives params, query and body already parsed by the spec's zod schemas. */
export function defineOperation<
  P extends z.ZodType | undefined = undefined,
  Q extends z.ZodType | undefined = undefined,
  B extends z.ZodType | undefined = undefined,
>(
  spec: OperationSpec<P, Q, B>,
  handler: (c: Context<AppEnv>, input: OperationInput<P, Q, B>) => Response | Promise<Response>,
): Operation {
  const handle = async (c: Context<AppEnv>): Promise<Response> => {
    const params = spec.params === undefined ? undefined : spec.params.parse(c.req.param())
    c.var.audit?.enter(spec.operationId, spec.auditAction, params as Record<string, unknown> | undefined)
    const query = spec.query === undefined ? undefined : spec.query.parse(c.req.query())
    const body = spec.body === undefined ? undefined : spec.body.parse(await readJsonBody(c))
    return handler(c, { params, query, body } as OperationInput<P, Q, B>)
  }
  return { spec, handle }
}

/** Registers every operation on a resource sub-app. */
export function mountOperations(app: Hono<AppEnv>, operations: readonly Operation[]): Hono<AppEnv> {
  for (const op of operations) app.on(op.spec.method.toUpperCase(), op.spec.path, op.handle)
  return app
}

/** A mounted resource: base path, OpenAPI tag and its operations. */
export interface Resource {
  basePath: string
  tag: string
  app: Hono<AppEnv>
  operations: readonly Operation[]
}

/** Builds a resource sub-app from its operations. */
export function defineResource(basePath: string, tag: string, operations: readonly Operation[]): Resource {
  const app = mountOperations(new Hono<AppEnv>(), operations)
  return { basePath, tag, app, operations }
}
