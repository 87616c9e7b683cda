// POST /v1/accounts: validates with the shared create schema, inserts, bumps the config version; 201, 400 or 409.
import { createOperation } from '../config-resource.js'
import { accountsResource } from './resource.js'

/** The create operation of /v1/accounts. */
export const createAccount = createOperation(accountsResource)
