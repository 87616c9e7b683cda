// Values the workers project's globalSetup provides to its tests (vitest `provide`/`inject`), typed once for both sides.
export {}

declare module 'vitest' {
  export interface ProvidedContext {
    /** http:// URL of the sqld started for this run, already migrated. */
    databaseUrl: string
    /** Secret of an admin key stored in that database. */
    adminApiKey: string
    /** http://127.0.0.1 URL of a webhook receiver in the Node test process: POSTs are recorded, GET returns them. */
    webhookReceiverUrl: string
  }
}
