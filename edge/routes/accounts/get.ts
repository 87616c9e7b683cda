// GET /v1/accounts/{id}: one accounts by id, 404 when unknown.
import { getOperation } from '../config-resource.js'
import { accountsResource } from './resource.js'

/** The get-by-id operation of /v1/accounts. */
export const getAccount = getOperation(accountsResource)
