// Descriptor of /v1/routing-gateways: group, clearing account and allow/forbid mapping gateways must exist (400).
import { accounts, gatewayGroups, mappingGateways, routingGateways } from '../../../shared/db/schema.js'
import {
  routingGateway, routingGatewayCreate, routingGatewayFromRow, routingGatewayToRow, routingGatewayUpdate,
  routingGatewayUpdateToRow, type RoutingGateway, type RoutingGatewayCreate, type RoutingGatewayUpdate,
} from '../../../shared/entities/routing-gateway.js'
import type { ConfigResource } from '../config-resource.js'
import type { TableReference } from '../references.js'

/** Routing gateways: vendors' equipment that calls are sent to by prefix and priority. */
export const routingGatewaysResource: ConfigResource<typeof routingGateways, RoutingGateway, RoutingGatewayCreate, RoutingGatewayUpdate> = {
  table: routingGateways,
  noun: 'routing gateway',
  typeName: 'RoutingGateway',
  idPrefix: 'rgw',
  schemas: { entity: routingGateway, create: routingGatewayCreate, update: routingGatewayUpdate },
  fromRow: routingGatewayFromRow,
  toInsert: async (_tx, input, ctx) => routingGatewayToRow(input, ctx),
  toUpdate: async (_tx, _current, input, ctx) => routingGatewayUpdateToRow(input, ctx),
  references: (values) => {
    const refs: TableReference[] = []
    if (typeof values.groupId === 'string') refs.push({ table: gatewayGroups, noun: 'gateway group', path: 'groupId', id: values.groupId })
    if (typeof values.clearingAccountId === 'string') refs.push({ table: accounts, noun: 'account', path: 'clearingAccountId', id: values.clearingAccountId })
    values.mappingGatewayRule?.ids.forEach((id, i) => refs.push({ table: mappingGateways, noun: 'mapping gateway', path: `mappingGatewayRule.ids.${i}`, id }))
    return refs
  },
}
