import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Umzug, type UmzugStorage } from 'umzug';
import type { Pool, PoolClient } from './ledger-pool.js';

/**
 * The ledger's schema as versioned, forward-only SQL files (`migrations/NNNN_name.sql`), applied in name order by
 * umzug. Each file runs in its own transaction together with the row that records it, so a failed migration
 * leaves nothing half-applied. There are no down migrations: a change is undone by a new migration.
 */
export const MIGRATIONS_DIR = join(__dirname, 'migrations');

/** Records which migrations ran, in the ledger's own schema. */
const MIGRATIONS_TABLE = 'ledger_migrations';

function migrationFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f))
    .sort();
}

function storage(client: PoolClient): UmzugStorage {
  return {
    async executed() {
      const exists = await client.query<{ found: string | null }>('SELECT to_regclass($1) AS found', [
        MIGRATIONS_TABLE,
      ]);
      if (!exists.rows[0]?.found) return [];
      const rows = await client.query<{ name: string }>(`SELECT name FROM ${MIGRATIONS_TABLE} ORDER BY name`);
      return rows.rows.map((r) => r.name);
    },
    // Written by the migration's own transaction (below); this only makes sure, idempotently.
    async logMigration({ name }) {
      await client.query(`INSERT INTO ${MIGRATIONS_TABLE} (name) VALUES ($1) ON CONFLICT DO NOTHING`, [name]);
    },
    async unlogMigration() {
      throw new Error('ledger migrations are forward-only');
    },
  };
}

function umzugFor(client: PoolClient, dir: string): Umzug {
  return new Umzug({
    migrations: migrationFiles(dir).map((file) => ({
      name: file.replace(/\.sql$/, ''),
      path: join(dir, file),
      up: async () => {
        const sql = readFileSync(join(dir, file), 'utf8');
        await client.query('BEGIN');
        try {
          await client.query(sql);
          await client.query(
            `CREATE TABLE IF NOT EXISTS ${MIGRATIONS_TABLE} (
               name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`,
          );
          await client.query(`INSERT INTO ${MIGRATIONS_TABLE} (name) VALUES ($1)`, [
            file.replace(/\.sql$/, ''),
          ]);
          await client.query('COMMIT');
        } catch (err) {
          await client.query('ROLLBACK');
          throw new Error(`ledger migration ${file} failed: ${(err as Error).message}`, { cause: err });
        }
      },
    })),
    storage: storage(client),
    logger: undefined,
  });
}

/** Runs `work` on one connection of `pool`, inside the ledger's schema. */
async function withClient<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    return await work(client);
  } finally {
    client.release();
  }
}

/**
 * Brings the schema up to date: creates it if needed and applies every pending migration, under an advisory
 * lock so that several processes starting at once apply each migration once. Returns the names applied.
 */
export async function migrateLedger(pool: Pool, schema: string, dir = MIGRATIONS_DIR): Promise<string[]> {
  return withClient(pool, async (client) => {
    const lock = `tokentill-ledger-migrations:${schema}`;
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [lock]);
    try {
      await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
      const applied = await umzugFor(client, dir).up();
      return applied.map((m) => m.name);
    } finally {
      await client.query('SELECT pg_advisory_unlock(hashtext($1))', [lock]);
    }
  });
}

/** Migrations this code has that the database has not applied yet. */
export async function pendingLedgerMigrations(pool: Pool, dir = MIGRATIONS_DIR): Promise<string[]> {
  return withClient(pool, async (client) => (await umzugFor(client, dir).pending()).map((m) => m.name));
}

/** The schema is older than the code: the process must not start (it would write to tables that are not there). */
export class LedgerSchemaBehindError extends Error {
  override readonly name = 'LedgerSchemaBehindError';
  constructor(
    readonly schema: string,
    readonly pending: readonly string[],
  ) {
    super(
      `The ledger schema "${schema}" is behind this code: ${pending.length} migration(s) not applied ` +
        `(${pending.join(', ')}). Run \`npm run migrate\` with the same DATABASE_URL and DATABASE_SCHEMA, ` +
        'then start again.',
    );
  }
}

/** Throws `LedgerSchemaBehindError` unless every migration this code has is applied. */
export async function assertLedgerSchemaCurrent(
  pool: Pool,
  schema: string,
  dir = MIGRATIONS_DIR,
): Promise<void> {
  const pending = await pendingLedgerMigrations(pool, dir);
  if (pending.length > 0) throw new LedgerSchemaBehindError(schema, pending);
}
