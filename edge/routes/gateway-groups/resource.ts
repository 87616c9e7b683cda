// Descriptor of /v1/gateway-groups: reserved lines must name existing mapping gateways; deleting a group detaches its gateways.
import { eq } from 'drizzle-orm'
import { gatewayGroups, mappingGateways, routingGateways } from '../../../shared/db/schema.js'
import {
  gatewayGroup, gatewayGroupCreate, gatewayGroupFromRow, gatewayGroupToRow, gatewayGroupUpdate, gatewayGroupUpdateToRow,
  reservedLinesIssue, type GatewayGroup, type GatewayGroupCreate, type GatewayGroupUpdate,
} from '../../../shared/entities/gateway-group.js'
import { badRequest } from '../../errors.js'
import type { ConfigResource } from '../config-resource.js'
import { requireReferences } from '../references.js'

/** Gateway groups: a line limit, reserved lines and a work calendar shared by routing gateways. */
export const gatewayGroupsResource: ConfigResource<typeof gatewayGroups, GatewayGroup, GatewayGroupCreate, GatewayGroupUpdate> = {
  table: gatewayGroups,
  noun: 'gateway group',
  typeName: 'GatewayGroup',
  idPrefix: 'grp',
  schemas: { entity: gatewayGroup, create: gatewayGroupCreate, update: gatewayGroupUpdate },
  fromRow: gatewayGroupFromRow,
  toInsert: async (_tx, input, ctx) => gatewayGroupToRow(input, ctx),
  toUpdate: async (_tx, current, input, ctx) => {
    const issue = reservedLinesIssue(input.lineLimit ?? current.lineLimit, input.reservedLines ?? current.reservedLines)
    if (issue !== null) throw badRequest('reserved lines exceed the line limit', [{ path: 'reservedLines', message: issue }])
    return gatewayGroupUpdateToRow(input, ctx)
  },
  checkReferences: async (tx, values) => {
    const reserved = values.reservedLines ?? []
    await requireReferences(
      tx,
      mappingGateways,
      'mapping gateway',
      reserved.map((r, i) => ({ path: `reservedLines.${i}.mappingGatewayId`, id: r.mappingGatewayId })),
    )
  },
  // Decision (matches the table's ON DELETE SET NULL): the group's routing gateways stay, ungrouped.
  beforeDelete: async (tx, id) => {
    await tx.update(routingGateways).set({ groupId: null }).where(eq(routingGateways.groupId, id))
  },
}
