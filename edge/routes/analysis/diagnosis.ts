// GET /v1/analysis/diagnosis: failure patterns of a window classified into findings with cause, evidence and fix.
import { z } from 'zod'
import { diagnoseWindow } from '../../analysis/diagnosis.js'
import { finding, FINDING_KINDS } from '../../analysis/finding.js'
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
    summary: `Automatic diagnosis of a window (docs/diagnosis.md): ${FINDING_KINDS.join(', ')}`,
    query: diagnosisQuery,
    responses: { 200: { description: 'findings, most severe first; empty on healthy traffic', schema: z.object({ findings: z.array(finding) }) } },
  },
  async (c, { query }) => c.json({ findings: await diagnoseWindow(c.var.db, windowMs(query)) }),
)
