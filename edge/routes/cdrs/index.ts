// Sub-app of /v1/cdrs: search (JSON pages or streamed CSV) and get by id; CDRs are read-only through the API.
import { defineResource } from '../../openapi/operation.js'
import { getCdr } from './get.js'
import { searchCdrs } from './search.js'

/** /v1/cdrs, mounted by createApp and documented in /openapi.json. */
export const cdrsRoutes = defineResource('/v1/cdrs', 'cdrs', [searchCdrs, getCdr])
