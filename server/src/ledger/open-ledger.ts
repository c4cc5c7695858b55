import type { Config } from '../config.js';
import type { Logger } from '../observability/logger.js';
import { createLedgerPool, type Pool } from './ledger-pool.js';
import { LedgerSchemaBehindError, assertLedgerSchemaCurrent } from './migrations.js';

/** The ledger cannot be used: unreachable, or its schema is behind the code. The message says what to do. */
export class LedgerUnavailableError extends Error {
  override readonly name = 'LedgerUnavailableError';
}

/** The URL without its password, for messages and logs. */
export function redactDatabaseUrl(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}

/**
 * Connects a process to its ledger and checks the schema is current; a process must not start otherwise (it
 * could acknowledge payments it cannot record). The caller ends the pool when it shuts down.
 */
export async function openLedger(
  config: Pick<Config, 'DATABASE_URL' | 'DATABASE_SCHEMA' | 'DATABASE_POOL_SIZE'>,
  logger: Logger,
  applicationName: string,
): Promise<Pool> {
  const pool = createLedgerPool({
    url: config.DATABASE_URL,
    schema: config.DATABASE_SCHEMA,
    size: config.DATABASE_POOL_SIZE,
    applicationName,
    logger,
  });
  try {
    await assertLedgerSchemaCurrent(pool, config.DATABASE_SCHEMA);
  } catch (err) {
    await pool.end();
    if (err instanceof LedgerSchemaBehindError) throw new LedgerUnavailableError(err.message);
    throw new LedgerUnavailableError(
      `Cannot reach the ledger's PostgreSQL at ${redactDatabaseUrl(config.DATABASE_URL)} ` +
        `(${(err as Error).message}). Start PostgreSQL 14+ there or set DATABASE_URL, then run \`npm run migrate\`.`,
      { cause: err },
    );
  }
  return pool;
}
