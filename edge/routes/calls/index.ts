// Sub-app of /v1/calls: calls in progress across the core nodes and the operator's hang-up.
import { defineResource } from '../../openapi/operation.js'
import { getLiveCall } from './get.js'
import { hangupCall } from './hangup.js'
import { getHangup } from './hangup-get.js'
import { listLiveCalls } from './list.js'

/** /v1/calls, mounted by createApp and documented in /openapi.json. */
export const callsRoutes = defineResource('/v1/calls', 'calls', [listLiveCalls, getLiveCall, hangupCall, getHangup])
