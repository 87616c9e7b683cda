// Descriptor of /v1/routing-gateways: group, clearing account and allow/forbid mapping gateways must exist (400).
import { accounts, gatewayGroups, mappingGateways, routingGateways } from '../../../shared/db/schema.js'
import {
  mergeRoutingGatewayUpdate, routingGateway, routingGatewayCreate, routingGatewayFromRow, routingGatewayToRow, routingGatewayUpdate,
  type RoutingGateway, type RoutingGatewayCreate, type RoutingGatewayUpdate,
} from '../../../shared/entities/routing-gateway.js'
import { badRequest } from '../../errors.js'
import { readEffectiveParams } from '../../params-store.js'
import type { ConfigResource } from '../config-resource.js'
import { refuseUsernameOfOtherKind } from '../gateway-usernames.js'
import type { TableReference } from '../references.js'

/** Routing gateways: vendors' equipment that calls are sent to by prefix and priority. */
export const routingGatewaysResource: ConfigResource<typeof routingGateways, RoutingGateway, RoutingGatewayCreate, RoutingGatewayUpdate> = {
  table: routingGateways,
  noun: 'routing gateway',
  typeName: 'RoutingGateway',
  idPrefix: 'rgw',
  schemas: { entity: routingGateway, create: routingGatewayCreate, update: routingGatewayUpdate },
  fromRow: routingGatewayFromRow,
  toInsert: async (tx, input, ctx) => {
    if (input.username !== undefined) await refuseUsernameOfOtherKind(tx, 'routing', input.username)
    const { SS_AUTH_REALM: realm } = await readEffectiveParams(tx)
    return routingGatewayToRow(input, { ...ctx, realm })
  },
  toUpdate: async (tx, current, input, ctx) => {
    if (typeof input.username === 'string' && input.username !== current.username) await refuseUsernameOfOtherKind(tx, 'routing', input.username)
    const { SS_AUTH_REALM: realm } = await readEffectiveParams(tx)
    const merged = mergeRoutingGatewayUpdate(current, input, { ...ctx, realm })
    if (!merged.ok) throw badRequest('the routing gateway could not be reached after this change', merged.issues)
    return merged.set
  },
  references: (values) => {
    const refs: TableReference[] = []
    if (typeof values.groupId === 'string') refs.push({ table: gatewayGroups, noun: 'gateway group', path: 'groupId', id: values.groupId })
    if (typeof values.clearingAccountId === 'string') refs.push({ table: accounts, noun: 'account', path: 'clearingAccountId', id: values.clearingAccountId })
    values.mappingGatewayRule?.ids.forEach((id, i) => refs.push({ table: mappingGateways, noun: 'mapping gateway', path: `mappingGatewayRule.ids.${i}`, id }))
    return refs
  },
}
