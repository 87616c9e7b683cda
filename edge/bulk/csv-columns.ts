// CSV columns of a resource derived from its zod create schema: scalars as they are, lists `;`-separated, nested objects as dotted columns, lists of objects (dial plans) as JSON.
import { z } from 'zod'
import { csvField } from '../csv.js'

/** How one cell is read and written. */
export type CellKind = 'string' | 'number' | 'boolean' | 'string-list' | 'number-list' | 'json'

/** One CSV column: its header (`calleeRewrite.strip`), the object field it fills and how. */
export interface CsvColumn {
  header: string
  /** Top-level field; `sub` names the nested field when the column is part of an object. */
  field: string
  sub?: string
  kind: CellKind
  /** Whether `null` is a valid value of the field (`null` in a cell sets it). */
  nullable: boolean
}

type JsonSchema = { type?: string | string[]; anyOf?: JsonSchema[]; oneOf?: JsonSchema[]; items?: JsonSchema; properties?: Record<string, JsonSchema> }

/** The non-null variants of a schema (anyOf flattened). */
function variants(s: JsonSchema): JsonSchema[] {
  if (s.anyOf !== undefined) return s.anyOf.flatMap(variants)
  return s.type === 'null' ? [] : [s]
}

function isNullable(s: JsonSchema): boolean {
  return s.anyOf?.some((v) => v.type === 'null' || isNullable(v)) ?? false
}

function scalarKind(s: JsonSchema): 'string' | 'number' | 'boolean' {
  const types = new Set(variants(s).map((v) => v.type))
  if (types.has('integer') || types.has('number')) return 'number'
  if (types.has('boolean')) return 'boolean'
  return 'string'
}

/** The columns of `schema` (an object schema), in its field order. */
export function csvColumnsOf(schema: z.ZodType): CsvColumn[] {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema
  const columns: CsvColumn[] = []
  for (const [field, prop] of Object.entries(json.properties ?? {})) {
    const nullable = isNullable(prop)
    const main = variants(prop)[0] ?? {}
    if (main.type === 'object' && main.properties !== undefined) {
      for (const [sub, subProp] of Object.entries(main.properties)) columns.push({ header: `${field}.${sub}`, field, sub, kind: cellKind(subProp), nullable })
    } else columns.push({ header: field, field, kind: cellKind(prop), nullable })
  }
  return columns
}

/** True for a schema of objects (one object, or a union of them). */
const isObject = (s: JsonSchema): boolean => s.type === 'object' || [...(s.anyOf ?? []), ...(s.oneOf ?? [])].some(isObject)

function cellKind(s: JsonSchema): CellKind {
  const main = variants(s)[0] ?? {}
  if (main.type === 'array') {
    const items = main.items ?? {}
    if (isObject(items)) return 'json'
    return scalarKind(items) === 'number' ? 'number-list' : 'string-list'
  }
  return scalarKind(s)
}

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/

/** A cell as the value zod will check: numbers and booleans converted when they look right, left as text otherwise (so zod names the problem). */
function decodeCell(kind: CellKind, cell: string): unknown {
  switch (kind) {
    case 'string': return cell
    case 'number': return DECIMAL.test(cell) ? Number(cell) : cell
    case 'boolean': {
      const l = cell.toLowerCase()
      return l === 'true' || l === '1' || l === 'yes' ? true : l === 'false' || l === '0' || l === 'no' ? false : cell
    }
    case 'string-list': return cell.split(';').map((v) => v.trim()).filter((v) => v !== '')
    case 'number-list': return cell.split(';').map((v) => v.trim()).filter((v) => v !== '').map((v) => (DECIMAL.test(v) ? Number(v) : v))
    case 'json':
      try {
        return JSON.parse(cell) as unknown
      } catch {
        return cell
      }
  }
}

/** The value of a field absent from a nested object whose other fields are given. */
function emptyOf(kind: CellKind): unknown {
  return kind === 'string' ? '' : kind.endsWith('-list') ? [] : undefined
}

/**
 * One data row as a request body: an empty cell leaves the field out (its default on create, unchanged on update),
 * `null` sets a nullable field to null; a nested object is built when any of its cells is given.
 */
export function rowToBody(columns: readonly CsvColumn[], header: readonly string[], fields: readonly string[]): Record<string, unknown> {
  const body: Record<string, unknown> = {}
  const nested = new Map<string, Record<string, unknown> | null>()
  header.forEach((name, i) => {
    const column = columns.find((c) => c.header === name)
    if (column === undefined) return
    const cell = (fields[i] ?? '').trim()
    if (cell === '') return
    const value = column.nullable && cell === 'null' ? null : decodeCell(column.kind, cell)
    if (column.sub === undefined) body[column.field] = value
    else if (value === null) nested.set(column.field, null)
    else if (nested.get(column.field) !== null) nested.set(column.field, { ...nested.get(column.field), [column.sub]: value })
  })
  for (const [field, value] of nested) {
    if (value !== null) {
      for (const c of columns) if (c.field === field && c.sub !== undefined && !(c.sub in value)) {
        const empty = emptyOf(c.kind)
        if (empty !== undefined) value[c.sub] = empty
      }
    }
    body[field] = value
  }
  return body
}

function encodeCell(kind: CellKind, value: unknown): string {
  if (value === null || value === undefined) return ''
  if (kind.endsWith('-list')) return (value as unknown[]).map(String).join(';')
  if (kind === 'json') return JSON.stringify(value)
  return String(value)
}

/** One entity as a CRLF-terminated record under `headers` (leading `id` when asked); nulls are empty cells. */
export function entityToCsvLine(columns: readonly CsvColumn[], entity: Record<string, unknown>, withId: boolean): string {
  const cells = withId ? [csvField(String(entity.id ?? ''))] : []
  for (const c of columns) {
    const top = entity[c.field]
    const value = c.sub === undefined ? top : top === null || top === undefined ? null : (top as Record<string, unknown>)[c.sub]
    cells.push(csvField(encodeCell(c.kind, value)))
  }
  return cells.join(',') + '\r\n'
}
