// A form built from an operation's JSON Schema (from /openapi.json): one input per field, nested objects as dotted fields, the API's issues shown under their field.
import type { ComponentChildren } from 'preact'
import { useEffect, useMemo, useState } from 'preact/hooks'
import { ApiFailure, requestSchema, type Issue } from './api.js'
import { ErrorBox } from './components.js'

type Kind = 'text' | 'secret' | 'number' | 'checkbox' | 'select' | 'list' | 'json'

/** One input of the form. */
export interface FieldSpec {
  name: string
  kind: Kind
  options: string[]
  nullable: boolean
  required: boolean
  description: string
  defaultValue: unknown
  numberList: boolean
}

type Json = Record<string, any>

function nonNull(s: Json): Json[] {
  const alternatives = s.anyOf ?? s.oneOf
  if (Array.isArray(alternatives)) return alternatives.flatMap((v: Json) => nonNull(v))
  return s.type === 'null' ? [] : [s]
}

function kindOf(name: string, s: Json): { kind: Kind; options: string[]; numberList: boolean } {
  const variants = nonNull(s)
  const first = variants[0] ?? {}
  // Objects of several shapes (a rule's scope) and lists of objects (dial plans) are edited as JSON.
  if (variants.some((v) => v.type === 'object') || (first.type === 'array' && first.items?.type === 'object')) return { kind: 'json', options: [], numberList: false }
  const enums = variants.flatMap((v) => (Array.isArray(v.enum) ? v.enum : v.const !== undefined ? [v.const] : []))
  if (first.type === 'array') return { kind: 'list', options: [], numberList: ['integer', 'number'].includes(first.items?.type) }
  if (first.type === 'boolean') return { kind: 'checkbox', options: [], numberList: false }
  if (first.type === 'integer' || first.type === 'number') return { kind: 'number', options: [], numberList: false }
  if (enums.length > 1 && variants.every((v) => v.enum !== undefined || v.const !== undefined)) return { kind: 'select', options: enums.map(String), numberList: false }
  return { kind: /password|secret/i.test(name) ? 'secret' : 'text', options: [], numberList: false }
}

/** The fields of an object schema, nested objects flattened to `parent.child`. */
export function fieldsOf(schema: Json | null, skip: readonly string[] = []): FieldSpec[] {
  if (schema === null) return []
  const root = nonNull(schema).find((v) => v.properties) ?? schema
  const required = new Set<string>(root.required ?? [])
  const out: FieldSpec[] = []
  for (const [name, prop] of Object.entries<Json>(root.properties ?? {})) {
    if (skip.includes(name)) continue
    const nullable = [...(prop.anyOf ?? []), ...(prop.oneOf ?? [])].some((v: Json) => v.type === 'null')
    const objects = nonNull(prop).filter((v) => v.type === 'object')
    const objectVariant = objects.length === 1 ? objects.find((v) => v.properties) : undefined
    if (objectVariant !== undefined) {
      for (const [sub, subProp] of Object.entries<Json>(objectVariant.properties)) {
        out.push({ name: `${name}.${sub}`, ...kindOf(sub, subProp), nullable, required: false, description: subProp.description ?? '', defaultValue: prop.default?.[sub] })
      }
      continue
    }
    out.push({ name, ...kindOf(name, prop), nullable, required: required.has(name) && prop.default === undefined, description: prop.description ?? '', defaultValue: prop.default })
  }
  return out
}

type Values = Record<string, string | boolean>

function get(obj: Json | undefined, path: string): unknown {
  return path.split('.').reduce<any>((o, k) => (o === null || o === undefined ? undefined : o[k]), obj)
}

/** Input values for an entity (or the schema defaults when creating). */
function initialValues(fields: FieldSpec[], entity: Json | undefined): Values {
  const v: Values = {}
  for (const f of fields) {
    const value = entity === undefined ? f.defaultValue : get(entity, f.name)
    if (f.kind === 'checkbox') v[f.name] = value === true
    else if (f.kind === 'json') v[f.name] = value === undefined ? '' : JSON.stringify(value)
    else if (f.kind === 'list') v[f.name] = Array.isArray(value) ? value.join(', ') : ''
    else v[f.name] = value === null || value === undefined ? '' : String(value)
  }
  return v
}

/** The request body for the inputs: empty inputs are left out (a cleared nullable field is null when editing); a nested object is sent when any of its inputs is filled. */
function bodyOf(fields: FieldSpec[], values: Values, editing: boolean): Json {
  const body: Json = {}
  const nested = new Map<string, { value: Json; filled: boolean; nullable: boolean }>()
  for (const f of fields) {
    const raw = values[f.name]
    const s = typeof raw === 'string' ? raw.trim() : ''
    let value: unknown
    let filled = true
    if (f.kind === 'checkbox') value = raw === true
    else if (f.kind === 'json') {
      filled = s !== ''
      try {
        value = filled ? JSON.parse(s) : undefined
      } catch {
        value = s
      }
    } else if (f.kind === 'list') {
      value = s.split(/[;,\s]+/).filter((x) => x !== '').map((x) => (f.numberList && !Number.isNaN(Number(x)) ? Number(x) : x))
      filled = s !== ''
    } else if (s === '') {
      filled = false
      value = f.kind === 'text' && f.name.includes('.') ? '' : undefined
    } else value = f.kind === 'number' && !Number.isNaN(Number(s)) ? Number(s) : s
    const dot = f.name.indexOf('.')
    if (dot < 0) {
      if (filled || f.kind === 'checkbox') body[f.name] = value
      else if (f.kind === 'list') body[f.name] = []
      else if (editing && f.nullable) body[f.name] = null
      continue
    }
    const top = f.name.slice(0, dot)
    const group = nested.get(top) ?? { value: {}, filled: false, nullable: f.nullable }
    if (value !== undefined) group.value[f.name.slice(dot + 1)] = value
    group.filled ||= filled
    nested.set(top, group)
  }
  for (const [top, g] of nested) {
    if (g.filled) body[top] = g.value
    else if (g.nullable && editing) body[top] = null
  }
  return body
}

/** Only the top-level fields whose value differs from the entity's (what a PATCH should carry). */
function changed(body: Json, before: Json): Json {
  const out: Json = {}
  for (const [k, v] of Object.entries(body)) if (JSON.stringify(v) !== JSON.stringify(before[k] ?? null)) out[k] = v
  return out
}

/** Issues grouped by the field they belong to (longest matching field name); the rest under ''. */
function issuesByField(fields: FieldSpec[], issues: Issue[]): Map<string, string[]> {
  const map = new Map<string, string[]>()
  for (const i of issues) {
    const path = i.path.join('.')
    const f = fields.filter((f) => path === f.name || path.startsWith(`${f.name}.`) || f.name.startsWith(`${path}.`)).sort((a, b) => b.name.length - a.name.length)[0]
    const key = f?.name ?? ''
    map.set(key, [...(map.get(key) ?? []), f === undefined || path === f.name ? i.message : `${path}: ${i.message}`])
  }
  return map
}

/** Props of SchemaForm: the operationId whose body it fills, the entity when editing, and what to do with the body. */
export interface SchemaFormProps {
  operationId: string
  entity?: Json
  /** Fields not shown (e.g. balance on an account edit). */
  skip?: readonly string[]
  submitLabel: string
  onSubmit: (body: Json) => Promise<unknown>
  onDone?: () => void
  children?: ComponentChildren
}

/** A create (no entity) or edit form; the API's 400 issues appear under their fields. */
export function SchemaForm(props: SchemaFormProps) {
  const [schema, setSchema] = useState<Json | null>(null)
  const [loadError, setLoadError] = useState<unknown>(null)
  useEffect(() => {
    requestSchema(props.operationId).then(setSchema, setLoadError)
  }, [props.operationId])
  const fields = useMemo(() => fieldsOf(schema, props.skip ?? []), [schema, props.skip])
  const [values, setValues] = useState<Values>({})
  const [error, setError] = useState<unknown>(null)
  const [busy, setBusy] = useState(false)
  useEffect(() => setValues(initialValues(fields, props.entity)), [fields, props.entity])
  if (loadError !== null) return <ErrorBox error={loadError} />
  if (schema === null) return <p class="muted">Loading the form…</p>
  const editing = props.entity !== undefined
  const failures = error instanceof ApiFailure ? issuesByField(fields, error.issues) : new Map<string, string[]>()
  const submit = async (e: Event) => {
    e.preventDefault()
    setBusy(true)
    setError(null)
    try {
      let body = bodyOf(fields, values, editing)
      if (editing) body = changed(body, bodyOf(fields, initialValues(fields, props.entity), true))
      await props.onSubmit(body)
      props.onDone?.()
    } catch (err) {
      setError(err)
    } finally {
      setBusy(false)
    }
  }
  return (
    <form class="schema-form" onSubmit={submit} data-operation={props.operationId}>
      <div class="form-grid">
        {fields.map((f) => {
          const id = `${props.operationId}-${f.name}`
          const problems = failures.get(f.name)
          const input =
            f.kind === 'checkbox' ? (
              <input id={id} name={f.name} type="checkbox" checked={values[f.name] === true} onChange={(e) => setValues({ ...values, [f.name]: (e.target as HTMLInputElement).checked })} />
            ) : f.kind === 'select' ? (
              <select id={id} name={f.name} value={String(values[f.name] ?? '')} onChange={(e) => setValues({ ...values, [f.name]: (e.target as HTMLSelectElement).value })}>
                {(f.nullable || !f.required) && <option value="">{f.nullable ? '(none)' : '(default)'}</option>}
                {f.options.map((o) => <option value={o}>{o}</option>)}
              </select>
            ) : (
              <input
                id={id}
                name={f.name}
                type={(f.kind === 'secret' ? 'password' : 'text') as 'text'}
                inputMode={f.kind === 'number' ? 'decimal' : undefined}
                autoComplete="off"
                placeholder={f.kind === 'list' ? 'a, b, c' : f.kind === 'json' ? 'JSON' : f.defaultValue !== undefined && f.defaultValue !== null && typeof f.defaultValue !== 'object' ? String(f.defaultValue) : ''}
                value={String(values[f.name] ?? '')}
                aria-invalid={problems !== undefined}
                onInput={(e) => setValues({ ...values, [f.name]: (e.target as HTMLInputElement).value })}
              />
            )
          return (
            <div class={`field ${problems ? 'invalid' : ''} ${f.kind === 'checkbox' ? 'check' : ''}`}>
              <label for={id} title={f.description}>{f.name}{f.required ? ' *' : ''}</label>
              {input}
              {f.description && <small class="hint">{f.description}</small>}
              {problems?.map((m) => <small class="issue" role="alert">{m}</small>)}
            </div>
          )
        })}
      </div>
      {props.children}
      {failures.get('') !== undefined && <ErrorBox error={new Error(failures.get('')!.join('; '))} />}
      {error !== null && !(error instanceof ApiFailure && error.issues.length > 0 && failures.get('') === undefined) && <ErrorBox error={error} />}
      <button type="submit" disabled={busy}>{busy ? 'Saving…' : props.submitLabel}</button>
    </form>
  )
}
