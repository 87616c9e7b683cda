// Descriptor of /v1/mapping-gateways: the account must exist (400), passwords become HA1 hashes under SS_AUTH_REALM.
import { sql } from 'drizzle-orm'
import { accounts, gatewayGroups, mappingGateways, routingGateways } from '../../../shared/db/schema.js'
import {
  mappingGateway, mappingGatewayCreate, mappingGatewayFromRow, mappingGatewayToRow, mappingGatewayUpdate,
  mergeMappingGatewayUpdate, type MappingGateway, type MappingGatewayCreate, type MappingGatewayUpdate,
} from '../../../shared/entities/mapping-gateway.js'
import { badRequest } from '../../errors.js'
import { readEffectiveParams } from '../../params-store.js'
import type { ConfigResource } from '../config-resource.js'
import { refuseUsernameOfOtherKind } from '../gateway-usernames.js'
import { refuseWhileReferenced } from '../references.js'

/** Mapping gateways: customers' ingress equipment and how it authenticates. */
export const mappingGatewaysResource: ConfigResource<typeof mappingGateways, MappingGateway, MappingGatewayCreate, MappingGatewayUpdate> = {
  table: mappingGateways,
  noun: 'mapping gateway',
  typeName: 'MappingGateway',
  idPrefix: 'mgw',
  schemas: { entity: mappingGateway, create: mappingGatewayCreate, update: mappingGatewayUpdate },
  fromRow: mappingGatewayFromRow,
  toInsert: async (tx, input, ctx) => {
    if (input.username !== undefined) await refuseUsernameOfOtherKind(tx, 'mapping', input.username)
    const { SS_AUTH_REALM: realm } = await readEffectiveParams(tx)
    return mappingGatewayToRow(input, { ...ctx, realm })
  },
  toUpdate: async (tx, current, input, ctx) => {
    if (typeof input.username === 'string' && input.username !== current.username) await refuseUsernameOfOtherKind(tx, 'mapping', input.username)
    const { SS_AUTH_REALM: realm } = await readEffectiveParams(tx)
    const merged = mergeMappingGatewayUpdate(current, input, { ...ctx, realm })
    if (!merged.ok) throw badRequest('the mapping gateway could not authenticate after this change', merged.issues)
    return merged.set
  },
  references: (values) => (values.accountId === undefined ? [] : [{ table: accounts, noun: 'account', path: 'accountId', id: values.accountId }]),
  beforeDelete: async (tx, id) => {
    const groups = await tx
      .select({ id: gatewayGroups.id })
      .from(gatewayGroups)
      .where(sql`exists (select 1 from json_each(${gatewayGroups.reservedLines}) where json_extract(value, '$.mappingGatewayId') = ${id})`)
    const routes = await tx
      .select({ id: routingGateways.id })
      .from(routingGateways)
      .where(sql`exists (select 1 from json_each(${routingGateways.mappingGatewayRule}, '$.ids') where value = ${id})`)
    refuseWhileReferenced('mapping gateway', id, [
      { kind: 'gateway groups (reserved lines)', ids: groups.map((r) => r.id) },
      { kind: 'routing gateways (allow/forbid rule)', ids: routes.map((r) => r.id) },
    ])
  },
}

