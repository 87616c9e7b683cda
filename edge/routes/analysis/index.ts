// Sub-app of /v1/analysis: call analysis, routing-gateway fail analysis, routing analysis, rating analysis and diagnosis (all read-only).
import { defineResource } from '../../openapi/operation.js'
import { analyseCallsOperation } from './calls.js'
import { diagnoseOperation } from './diagnosis.js'
import { analyseGatewayFailuresOperation } from './gateway-failures.js'
import { analyseRatingOperation } from './rating.js'
import { analyseRoutingOperation } from './routing.js'

/** /v1/analysis, mounted by createApp and documented in /openapi.json. */
export const analysisRoutes = defineResource('/v1/analysis', 'analysis', [
  analyseCallsOperation, analyseGatewayFailuresOperation, analyseRoutingOperation, analyseRatingOperation, diagnoseOperation,
])
