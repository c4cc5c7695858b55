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
