// DELETE /v1/rate-tables/{id}: deletes the table and its rates; 204, 404, or 409 while an account uses it.
import { removeOperation } from '../config-resource.js'
import { rateTablesResource } from './resource.js'

/** The remove operation of /v1/rate-tables. */
export const removeRateTable = removeOperation(rateTablesResource)
