// One diagnosis of a window: its aggregates read, classified into findings, and each finding given example CDR ids.
import type { Queryable } from '../env.js'
import { diagnose } from './diagnose.js'
import { attachExamples } from './diagnosis-examples.js'
import { readDiagnosisFacts } from './diagnosis-facts.js'
import type { Finding } from './finding.js'

/** Every finding of [fromMs, toMs), most severe first, with evidence (window, example CDR ids). */
export async function diagnoseWindow(db: Queryable, window: { fromMs: number; toMs: number }): Promise<Finding[]> {
  return attachExamples(db, window, diagnose(await readDiagnosisFacts(db, window)))
}
