// DELETE /v1/accounts/{id}: deletes and bumps the config version; 204, 404 or 409 while referenced.
import { removeOperation } from '../config-resource.js'
import { accountsResource } from './resource.js'

/** The delete operation of /v1/accounts. */
export const removeAccount = removeOperation(accountsResource)
