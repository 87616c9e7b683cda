// GET /v1/rate-tables/{id}: one rate table by id, 404 when unknown.
import { getOperation } from '../config-resource.js'
import { rateTablesResource } from './resource.js'

/** The get operation of /v1/rate-tables. */
export const getRateTable = getOperation(rateTablesResource)
