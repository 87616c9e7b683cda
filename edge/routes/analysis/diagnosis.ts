// GET /v1/analysis/diagnosis: failure patterns of a window classified into findings with cause, evidence and fix.
import { z } from 'zod'
import { diagnose } from '../../analysis/diagnose.js'
import { finding } from '../../analysis/finding.js'
import { readDiagnosisFacts } from '../../analysis/diagnosis-facts.js'
import { analysisWindowFields, checkWindow, windowMs } from '../../analysis/window.js'
import { defineOperation } from '../../openapi/operation.js'

/** Query of GET /v1/analysis/diagnosis. */
export const diagnosisQuery = z.object(analysisWindowFields).superRefine(checkWindow)

/** The diagnosis operation of /v1/analysis. */
export const diagnoseOperation = defineOperation(
  {
    method: 'get',
    path: '/diagnosis',
    operationId: 'diagnose',
    summary: 'Automatic diagnosis of a window: NoRouteForPrefix, CapacityExhausted, VendorBalanceLow, GatewayUnreachable, OwnNetworkDown, SlowGateway, AuthFailuresBehindNat, CredentialMismatch, FalseAnswerSupervision, LossRoutes, SourcesBanned',
    query: diagnosisQuery,
    responses: { 200: { description: 'findings, most severe first; empty on healthy traffic', schema: z.object({ findings: z.array(finding) }) } },
  },
  async (c, { query }) => c.json({ findings: diagnose(await readDiagnosisFacts(c.var.db, windowMs(query))) }),
)
