// The immutable, validated configuration snapshot the hot path reads: params, gateways, accounts and precomputed lookups.
import type { AccessListRow } from '../../shared/entities/access-list.js'
import { account, accountFromRow, type AccountRow } from '../../shared/entities/account.js'
import { gatewayGroup, gatewayGroupFromRow, reservedLinesIssue, type GatewayGroupRow } from '../../shared/entities/gateway-group.js'
import {
  mappingGateway, mappingGatewayAuthIssues, mappingGatewayFromRow, type MappingGatewayRow,
} from '../../shared/entities/mapping-gateway.js'
import { routingGateway, routingGatewayFromRow, type RoutingGatewayRow } from '../../shared/entities/routing-gateway.js'
import { rate, rateFromRow, type RateRow } from '../../shared/entities/rate.js'
import { resolveParams, type SystemParams } from '../../shared/params/system-params.js'
import { RateBook } from '../../shared/billing/rate-book.js'
import { AccessList } from './access-list.js'
import { compileIngress, type IngressPlans } from '../../shared/routing/ingress.js'
import { buildRoutingTable, type RoutingTable } from '../../shared/routing/routing-table.js'

/** Something in the stored configuration that was ignored or looks wrong; the loader logs each one. */
export interface SnapshotIssue {
  table: string
  /** Row id (parameter name for `system_parameters`). */
  id: string
  /** `excluded`: the row is not in the snapshot; `defaulted`: a parameter fell back; `warning`: kept but suspicious. */
  effect: 'excluded' | 'defaulted' | 'warning'
  message: string
}

/** Decoded rows of one configuration version, as read from the database (not yet validated). */
export interface SnapshotInput {
  version: number
  loadedAtMs: number
  parameters: readonly { name: string; value: unknown }[]
  accounts: readonly AccountRow[]
  mappingGateways: readonly MappingGatewayRow[]
  routingGateways: readonly RoutingGatewayRow[]
  gatewayGroups: readonly GatewayGroupRow[]
  /** Rows of `rates` (all tables, every effective-from); absent = no rates. */
  rates?: readonly RateRow[]
  /** Rows of `ip_access_list` (blacklist and whitelist); absent = both empty. */
  accessList?: readonly AccessListRow[]
  /** Rows that could not even be decoded (malformed JSON columns), found while reading. */
  issues?: readonly SnapshotIssue[]
}

/** One configuration version; never mutated after `buildSnapshot` returns, so a call can keep the one it started with. */
export interface ConfigSnapshot {
  readonly version: number
  readonly loadedAtMs: number
  readonly params: Readonly<SystemParams>
  readonly accounts: ReadonlyMap<string, Readonly<AccountRow>>
  /** Rows keep the digest HA1 columns, which the public entity shape drops. */
  readonly mappingGateways: ReadonlyMap<string, Readonly<MappingGatewayRow>>
  readonly routingGateways: ReadonlyMap<string, Readonly<RoutingGatewayRow>>
  readonly gatewayGroups: ReadonlyMap<string, Readonly<GatewayGroupRow>>
  /** `ip` mode gateways by source IP. */
  readonly mappingGatewaysByIp: ReadonlyMap<string, Readonly<MappingGatewayRow>>
  /** `ip_port` mode gateways by `sourceKey(ip, port)`. */
  readonly mappingGatewaysBySource: ReadonlyMap<string, Readonly<MappingGatewayRow>>
  /** `password` mode gateways by digest username. */
  readonly mappingGatewaysByUsername: ReadonlyMap<string, Readonly<MappingGatewayRow>>
  /** Routing gateways with registration credentials, by digest username (a name a mapping gateway has is not listed). */
  readonly routingGatewaysByUsername: ReadonlyMap<string, Readonly<RoutingGatewayRow>>
  /**
   * Prefix trie, groups, calendars (in SS_TIMEZONE) and clearing accounts resolved once per snapshot, so admission never
   * rebuilds them and a config swap replaces them atomically with the rows they were built from.
   */
  readonly routing: RoutingTable
  /** Customer and vendor prices by rate table, indexed once per snapshot; routing prices vendors with it too. */
  readonly rates: RateBook
  /** Compiled ingress dial plans by mapping gateway id. */
  readonly ingress: ReadonlyMap<string, IngressPlans>
  /** The dynamic blacklist (operators' entries, automatic bans) and the whitelist. */
  readonly accessList: AccessList
  readonly issues: readonly SnapshotIssue[]
}

/** Map key of a source address; IPv6 is bracketed so the port stays unambiguous. */
export function sourceKey(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`
}

/** The mapping gateway a request from `ip:port` belongs to by address (ip_port match first, then ip), if any. */
export function findMappingGatewayBySource(s: ConfigSnapshot, ip: string, port: number): Readonly<MappingGatewayRow> | undefined {
  return s.mappingGatewaysBySource.get(sourceKey(ip, port)) ?? s.mappingGatewaysByIp.get(ip)
}

function zodMessage(error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] }): string {
  return error.issues.map((i) => `${i.path.map(String).join('.') || '(row)'}: ${i.message}`).join('; ')
}

/** Validates each row through its public mapper and schema; invalid rows become issues instead of entries. */
function validRows<R extends { id: string }>(
  table: string,
  rows: readonly R[],
  check: (row: R) => string | null,
  issues: SnapshotIssue[],
): Map<string, Readonly<R>> {
  const out = new Map<string, Readonly<R>>()
  const sorted = [...rows].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
  for (const row of sorted) {
    let problem: string | null
    try {
      problem = check(row)
    } catch (err) {
      problem = err instanceof Error ? err.message : String(err)
    }
    if (problem === null) out.set(row.id, deepFreeze(row))
    else issues.push({ table, id: row.id, effect: 'excluded', message: problem })
  }
  return out
}

function schemaCheck<R, P>(fromRow: (r: R) => P, schema: { safeParse(v: unknown): { success: true } | { success: false; error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] } } }) {
  return (row: R): string | null => {
    const r = schema.safeParse(fromRow(row))
    return r.success ? null : zodMessage(r.error)
  }
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const v of Object.values(value)) deepFreeze(v)
    Object.freeze(value)
  }
  return value
}

/** Puts `gw` under `key` unless another gateway claimed it first (id order), which is reported. */
function claim(index: Map<string, Readonly<MappingGatewayRow>>, key: string, gw: Readonly<MappingGatewayRow>, issues: SnapshotIssue[]): void {
  const owner = index.get(key)
  if (owner === undefined) index.set(key, gw)
  else issues.push({ table: 'mapping_gateways', id: gw.id, effect: 'warning', message: `${key} already belongs to ${owner.id}; this gateway is not reachable by it` })
}

/** Validates every row with the shared schemas and builds the frozen snapshot plus its lookups; never throws on bad data. */
export function buildSnapshot(input: SnapshotInput): ConfigSnapshot {
  const issues: SnapshotIssue[] = [...(input.issues ?? [])]

  const stored: Record<string, unknown> = {}
  for (const p of input.parameters) stored[p.name] = p.value
  const resolved = resolveParams(stored)
  for (const i of resolved.invalid) issues.push({ table: 'system_parameters', id: i.name, effect: 'defaulted', message: i.message })

  const accounts = validRows('accounts', input.accounts, schemaCheck(accountFromRow, account), issues)
  const gatewayGroups = validRows('gateway_groups', input.gatewayGroups, (row) => {
    const r = gatewayGroup.safeParse(gatewayGroupFromRow(row))
    return r.success ? reservedLinesIssue(row.lineLimit, row.reservedLines) : zodMessage(r.error)
  }, issues)
  const routingGateways = validRows('routing_gateways', input.routingGateways, schemaCheck(routingGatewayFromRow, routingGateway), issues)
  const mappingGateways = validRows('mapping_gateways', input.mappingGateways, (row) => {
    const r = mappingGateway.safeParse(mappingGatewayFromRow(row))
    if (!r.success) return zodMessage(r.error)
    const auth = mappingGatewayAuthIssues({ ...row, hasPassword: row.ha1Md5 !== null && row.ha1Sha256 !== null })
    return auth.length === 0 ? null : auth.map((i) => `${i.path}: ${i.message}`).join('; ')
  }, issues)

  const byIp = new Map<string, Readonly<MappingGatewayRow>>()
  const bySource = new Map<string, Readonly<MappingGatewayRow>>()
  const byUsername = new Map<string, Readonly<MappingGatewayRow>>()
  for (const gw of mappingGateways.values()) {
    if (!accounts.has(gw.accountId)) {
      issues.push({ table: 'mapping_gateways', id: gw.id, effect: 'warning', message: `account ${gw.accountId} is missing or invalid` })
    }
    if (gw.authMode === 'ip') for (const ip of gw.ips) claim(byIp, ip, gw, issues)
    else if (gw.authMode === 'ip_port' && gw.port !== null) for (const ip of gw.ips) claim(bySource, sourceKey(ip, gw.port), gw, issues)
    else if (gw.authMode === 'password' && gw.username !== null) claim(byUsername, gw.username, gw, issues)
  }

  const routingByUsername = new Map<string, Readonly<RoutingGatewayRow>>()
  for (const gw of routingGateways.values()) {
    if (gw.username === null || gw.ha1Md5 === null) continue
    const owner = byUsername.get(gw.username)
    if (owner === undefined) routingByUsername.set(gw.username, gw)
    else issues.push({ table: 'routing_gateways', id: gw.id, effect: 'warning', message: `username ${gw.username} belongs to mapping gateway ${owner.id}; this gateway cannot register with it` })
  }

  const rates = validRows('rates', input.rates ?? [], schemaCheck(rateFromRow, rate), issues)
  const book = new RateBook([...rates.values()], input.loadedAtMs)
  const ingress = new Map([...mappingGateways.values()].map((g) => [g.id, compileIngress(g)]))

  let routing: RoutingTable
  const routingInput = {
    routingGateways: [...routingGateways.values()],
    gatewayGroups: [...gatewayGroups.values()],
    clearingAccounts: [...accounts.values()],
    params: resolved.params,
    prices: book,
  }
  try {
    routing = buildRoutingTable({ ...routingInput, timeZone: resolved.params.SS_TIMEZONE })
  } catch (err) {
    // SS_TIMEZONE is validated with Intl, so this only fires when the runtime's zone data lacks a stored name.
    issues.push({ table: 'system_parameters', id: 'SS_TIMEZONE', effect: 'defaulted', message: err instanceof Error ? err.message : String(err) })
    routing = buildRoutingTable({ ...routingInput, timeZone: 'UTC' })
  }

  return Object.freeze({
    version: input.version,
    loadedAtMs: input.loadedAtMs,
    params: Object.freeze(resolved.params),
    accounts,
    mappingGateways,
    routingGateways,
    gatewayGroups,
    mappingGatewaysByIp: byIp,
    mappingGatewaysBySource: bySource,
    mappingGatewaysByUsername: byUsername,
    routingGatewaysByUsername: routingByUsername,
    routing,
    rates: book,
    ingress,
    accessList: new AccessList(input.accessList ?? []),
    issues: Object.freeze(issues),
  })
}
