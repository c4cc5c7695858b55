import { Pool } from 'pg';
import type { Logger } from '../observability/logger.js';

export type { Pool, PoolClient } from 'pg';

export interface LedgerPoolOptions {
  url: string;
  /** The ledger's schema: every connection works in it (search_path), so queries name no schema. */
  schema: string;
  /**
   * Connections at most. A ledger write holds one for a single round trip (a few ms), so the default of 10 per
   * process carries thousands of writes a second; size the server's max_connections for every process's pool.
   */
  size: number;
  /** Shown in pg_stat_activity. */
  applicationName: string;
  logger?: Logger;
}

/** How long a query may wait for a free connection or a new one, before it fails (and the caller answers 5xx). */
const CONNECT_TIMEOUT_MS = 5_000;
/** A ledger statement is a single-row write or a small read: one that runs longer is stuck, not busy. */
const STATEMENT_TIMEOUT_MS = 10_000;

/**
 * The process's connections to the ledger. `synchronous_commit` is left at the server's default (on): a commit
 * returns only once it is durable, which is what lets a payment notification be acknowledged after it.
 */
export function createLedgerPool(options: LedgerPoolOptions): Pool {
  const pool = new Pool({
    connectionString: options.url,
    max: options.size,
    options: `-c search_path=${options.schema}`,
    application_name: options.applicationName,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    statement_timeout: STATEMENT_TIMEOUT_MS,
    idleTimeoutMillis: 30_000,
  });
  // An idle connection the server dropped (restart, failover) must not crash the process: the pool discards it
  // and the next query opens a new one.
  pool.on('error', (err) =>
    options.logger?.warn({ err: { message: err.message } }, 'ledger connection lost; it will be replaced'),
  );
  return pool;
}
