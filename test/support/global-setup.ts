import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { ensureRedis, type LocalRedis } from '../../scripts/lib/local-redis';
import { ensurePostgres, type LocalPostgres } from '../../scripts/lib/local-postgres';

declare global {
  var __TOKENTILL_TEST_REDIS__: LocalRedis | undefined;
  var __TOKENTILL_TEST_POSTGRES__: { server: LocalPostgres; database: string } | undefined;
}

/** The run's own database on `serverUrl` (so concurrent runs never see each other's schemas); its URL. */
async function createRunDatabase(serverUrl: string): Promise<{ database: string; url: string }> {
  const database = `tokentill_test_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
  const client = new Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE "${database}"`);
  } finally {
    await client.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return { database, url: url.toString() };
}

/**
 * Jest global setup: find or start a Redis and a PostgreSQL, create this run's database, and hand their URLs to
 * every test worker through REDIS_URL and DATABASE_URL.
 */
export default async function globalSetup(): Promise<void> {
  const server = await ensureRedis();
  process.env['REDIS_URL'] = server.url;
  if (server.child) {
    process.stderr.write(`\n[test] no Redis answered; started a private redis-server at ${server.url}\n`);
  }
  globalThis.__TOKENTILL_TEST_REDIS__ = server;

  const postgres = await ensurePostgres();
  if (postgres.child) {
    process.stderr.write(`\n[test] no PostgreSQL answered; started a private one at ${postgres.url}\n`);
  }
  try {
    const { database, url } = await createRunDatabase(postgres.url);
    process.env['DATABASE_URL'] = url;
    globalThis.__TOKENTILL_TEST_POSTGRES__ = { server: postgres, database };
  } catch (err) {
    // A role that may not create databases: the schemas of each test still keep the runs apart.
    process.stderr.write(
      `\n[test] cannot create a database (${(err as Error).message}); using ${postgres.url}\n`,
    );
    process.env['DATABASE_URL'] = postgres.url;
    globalThis.__TOKENTILL_TEST_POSTGRES__ = { server: postgres, database: '' };
  }
}
