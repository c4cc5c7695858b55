import { ensureRedis, type LocalRedis } from '../../scripts/lib/local-redis';

declare global {
  var __TOKENTILL_TEST_REDIS__: LocalRedis | undefined;
}

/** Jest global setup: find or start a Redis and hand its URL to every test worker through REDIS_URL. */
export default async function globalSetup(): Promise<void> {
  const server = await ensureRedis();
  process.env['REDIS_URL'] = server.url;
  if (server.child) {
    process.stderr.write(`\n[test] no Redis answered; started a private redis-server at ${server.url}\n`);
  }
  globalThis.__TOKENTILL_TEST_REDIS__ = server;
}
