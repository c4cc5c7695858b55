import { ConfigError, loadDatabaseConfig } from '../config.js';
import { createLogger } from '../observability/logger.js';
import { EXIT_CONFIG } from '../process-entry.js';
import { createLedgerPool } from './ledger-pool.js';
import { migrateLedger } from './migrations.js';

/**
 * `npm run migrate`: applies the ledger's pending migrations to DATABASE_URL / DATABASE_SCHEMA and exits. Run it
 * before starting a new version (servers refuse to start on a schema behind their code); safe to run from
 * several places at once (an advisory lock serialises them) and any number of times.
 */
async function main(): Promise<void> {
  let settings;
  try {
    settings = loadDatabaseConfig();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`${err.message}\n`);
    process.exit(EXIT_CONFIG);
  }
  const logger = createLogger({ level: 'info', name: 'tokentill-migrate' });
  const pool = createLedgerPool({
    url: settings.DATABASE_URL,
    schema: settings.DATABASE_SCHEMA,
    size: 1,
    applicationName: 'tokentill-migrate',
    logger,
  });
  try {
    const applied = await migrateLedger(pool, settings.DATABASE_SCHEMA);
    logger.info(
      { schema: settings.DATABASE_SCHEMA, applied },
      applied.length > 0
        ? `ledger schema migrated: ${applied.join(', ')}`
        : 'ledger schema already up to date',
    );
  } finally {
    await pool.end();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`ledger migration failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
