// GET /v1/accounts: lists accounts, oldest first, with keyset pagination (`?limit&cursor` → `{ items, nextCursor }`).
import { listOperation } from '../config-resource.js'
import { accountsResource } from './resource.js'

/** The list operation of /v1/accounts. */
export const listAccounts = listOperation(accountsResource)
