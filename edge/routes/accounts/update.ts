// PATCH /v1/accounts/{id}: merges the given fields, validates, bumps the config version; 200, 400, 404 or 409.
import { updateOperation } from '../config-resource.js'
import { accountsResource } from './resource.js'

/** The update operation of /v1/accounts. */
export const updateAccount = updateOperation(accountsResource)
