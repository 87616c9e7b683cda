// Sub-apps of /v1/blacklist and /v1/whitelist (VOS3000's dynamic blacklist and whitelist): list, add, read and remove entries.
import { defineResource } from '../../openapi/operation.js'
import { createBlacklistEntry } from './blacklist-create.js'
import { listBlacklist } from './blacklist-list.js'
import { getEntryOperation } from './entry-get.js'
import { removeEntryOperation } from './entry-remove.js'
import { createWhitelistEntry } from './whitelist-create.js'
import { listWhitelist } from './whitelist-list.js'

/** /v1/blacklist, mounted by createApp and documented in /openapi.json. */
export const blacklistRoutes = defineResource('/v1/blacklist', 'blacklist', [listBlacklist, createBlacklistEntry, getEntryOperation('blacklist'), removeEntryOperation('blacklist')])

/** /v1/whitelist, mounted by createApp and documented in /openapi.json. */
export const whitelistRoutes = defineResource('/v1/whitelist', 'whitelist', [listWhitelist, createWhitelistEntry, getEntryOperation('whitelist'), removeEntryOperation('whitelist')])
