export { createLedger, type Ledger } from './ledger.js';
export { createLedgerPool, type LedgerPoolOptions, type Pool } from './ledger-pool.js';
export {
  LedgerSchemaBehindError,
  MIGRATIONS_DIR,
  assertLedgerSchemaCurrent,
  migrateLedger,
  pendingLedgerMigrations,
} from './migrations.js';
export * from './ledger-types.js';
export { LedgerUnavailableError, openLedger, redactDatabaseUrl } from './open-ledger.js';
export { ledgerOrderOf, ledgerPaymentOf, ledgerPaymentOfRecord, ledgerRefundOf } from './ledger-inputs.js';
export {
  answerText,
  createLedgerJournal,
  withGenerationJournal,
  type LedgerJournal,
} from './ledger-journal.js';
export { resumeStreamSeq } from './stream-seq.js';
export { orderViewFromLedger } from './ledger-view.js';
export { createLedgerRetention, type LedgerRetention } from './ledger-retention.js';
export { ledgerSpendRecorder } from './ledger-spend.js';
