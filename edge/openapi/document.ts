// Builds the OpenAPI 3.1 document from the operations' zod schemas (zod 4 `z.toJSONSchema`, JSON Schema 2020-12).
import { z } from 'zod'
import type { Resource } from './operation.js'
import { errorBody } from '../errors.js'

type JsonSchema = Record<string, unknown>

/** Converts a zod schema to JSON Schema 2020-12 (what OpenAPI 3.1 uses), dropping the `$schema` key. */
function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' })
  return rest
}

/** Turns a zod object of path or query fields into OpenAPI parameter objects. */
function parameters(schema: z.ZodType | undefined, where: 'path' | 'query'): JsonSchema[] {
  if (schema === undefined) return []
  const object = jsonSchema(schema, 'input')
  const properties = (object.properties ?? {}) as Record<string, JsonSchema>
  const required = new Set((object.required ?? []) as string[])
  return Object.entries(properties).map(([name, property]) => ({
    name,
    in: where,
    required: where === 'path' || required.has(name),
    ...(typeof property.description === 'string' ? { description: property.description } : {}),
    schema: property,
  }))
}

/** Rewrites a Hono path (`/v1/accounts/:id`) into an OpenAPI path (`/v1/accounts/{id}`). */
export function openApiPath(path: string): string {
  const trimmed = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path
  return trimmed.replace(/:([A-Za-z0-9_]+)/g, '{$1}')
}

/** The complete OpenAPI 3.1 document for the given resources plus the public routes. */
export function buildOpenApiDocument(resources: readonly Resource[], extraPaths: Record<string, unknown>): JsonSchema {
  const error = jsonSchema(errorBody, 'output')
  const paths: Record<string, Record<string, unknown>> = {}
  for (const resource of resources) {
    for (const { spec } of resource.operations) {
      const path = openApiPath(resource.basePath + (spec.path === '/' ? '' : spec.path))
      const responses: Record<string, unknown> = {}
      for (const [status, response] of Object.entries(spec.responses)) {
        responses[status] = {
          description: response.description,
          ...(response.schema === undefined
            ? {}
            : {
                content: {
                  'application/json': { schema: jsonSchema(response.schema, 'output') },
                  ...Object.fromEntries(Object.entries(response.alsoServes ?? {}).map(([type, schema]) => [type, { schema }])),
                },
              }),
        }
      }
      const bodyErrors = spec.body === undefined && spec.rawBody === undefined ? [] : ['413', '415']
      for (const status of ['400', '401', '403', '404', '409', ...bodyErrors, '500']) {
        responses[status] ??= { description: 'error', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } }
      }
      paths[path] ??= {}
      paths[path][spec.method] = {
        operationId: spec.operationId,
        summary: spec.summary,
        tags: [resource.tag],
        ...(spec.public === true ? { security: [] } : {}),
        ...(spec.anyRole === true ? { 'x-min-role': 'viewer' } : {}),
        parameters: [...parameters(spec.params, 'path'), ...parameters(spec.query, 'query')],
        ...(spec.body === undefined
          ? {}
          : { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(spec.body, 'input') } } } }),
        ...(spec.rawBody === undefined
          ? {}
          : { requestBody: { required: true, description: spec.rawBody.description, content: {
                [spec.rawBody.contentType]: { schema: spec.rawBody.schema },
                ...Object.fromEntries(Object.entries(spec.rawBody.alsoAccepts ?? {}).map(([type, schema]) => [type, { schema }])),
              } } }),
        responses,
      }
    }
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Softswitch operator API',
      version: '1',
      description: 'Configuration of the class-4 softswitch. Every /v1 route needs `Authorization: Bearer <key>`.',
    },
    servers: [{ url: '/' }],
    security: [{ bearer: [] }],
    paths: { ...extraPaths, ...paths },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'operator API key (ssk_...)' } },
      schemas: { Error: error },
    },
  }
}
