import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import {
  createLedger,
  createLedgerPool,
  migrateLedger,
  type Ledger,
  type Pool,
} from '../../server/src/ledger';
import { DEFAULT_DATABASE_URL } from '../../scripts/lib/local-postgres';

/**
 * PostgreSQL for tests. The global setup gives each jest run a database of its own (DATABASE_URL); inside it,
 * every test server and test file works in a schema of its own, created and migrated here and dropped after.
 */
export function testDatabaseUrl(): string {
  return process.env['DATABASE_URL'] || DEFAULT_DATABASE_URL;
}

/** The ledger schema that goes with a Redis key prefix: processes sharing a prefix share the ledger. */
export function schemaForPrefix(prefix: string): string {
  const name = `t_${prefix.toLowerCase().replace(/[^a-z0-9]+/g, '_')}`.replace(/_+$/, '');
  // PostgreSQL identifiers are 63 bytes at most; a UUID-bearing prefix is unique in its first 60 characters.
  return name.slice(0, 60);
}

/** A fresh schema name for a test that has no Redis prefix to tie it to. */
export function freshSchema(): string {
  return `t_${randomUUID().replace(/-/g, '')}`;
}

const migrated = new Set<string>();

/** Creates `schema` (if needed) and applies every migration to it. */
export async function prepareLedgerSchema(schema: string, url = testDatabaseUrl()): Promise<void> {
  if (migrated.has(`${url} ${schema}`)) return;
  const pool = createLedgerPool({ url, schema, size: 1, applicationName: 'tokentill-test-migrate' });
  try {
    await migrateLedger(pool, schema);
  } finally {
    await pool.end();
  }
  migrated.add(`${url} ${schema}`);
}

/** Drops `schema` and everything in it (the journal's append-only trigger goes with its table). */
export async function dropLedgerSchema(schema: string, url = testDatabaseUrl()): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
  migrated.delete(`${url} ${schema}`);
}

export interface TestLedger {
  readonly schema: string;
  readonly pool: Pool;
  readonly ledger: Ledger;
}

/**
 * A migrated ledger schema of the test file's own, with a pool and the ledger over it; dropped after the file.
 * Call at the top level of a test file.
 */
export function useTestLedger(): TestLedger {
  const schema = freshSchema();
  let pool: Pool | undefined;
  beforeAll(async () => {
    await prepareLedgerSchema(schema);
    pool = createLedgerPool({ url: testDatabaseUrl(), schema, size: 4, applicationName: 'tokentill-test' });
  });
  afterAll(async () => {
    await pool?.end();
    await dropLedgerSchema(schema);
  });
  return {
    schema,
    get pool() {
      if (!pool) throw new Error('the test ledger connects in beforeAll');
      return pool;
    },
    get ledger() {
      if (!pool) throw new Error('the test ledger connects in beforeAll');
      return createLedger(pool);
    },
  };
}
