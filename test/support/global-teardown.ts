import { Client } from 'pg';

/** Jest global teardown: drop the run's database, and stop the private servers the setup started. */
export default async function globalTeardown(): Promise<void> {
  await globalThis.__TOKENTILL_TEST_REDIS__?.stop();
  const postgres = globalThis.__TOKENTILL_TEST_POSTGRES__;
  if (postgres?.database) {
    const client = new Client({ connectionString: postgres.server.url });
    await client.connect();
    try {
      // FORCE: a server process a test left behind must not keep the database alive.
      await client.query(`DROP DATABASE IF EXISTS "${postgres.database}" WITH (FORCE)`);
    } finally {
      await client.end();
    }
  }
  await postgres?.server.stop();
}
